/**
 * Writing InboundXML (docs/telapi-api.md "Answering calls"): the declaration, then `<Response>`
 * holding the verbs. Every text and attribute value is escaped here, whatever checked it before, so
 * nothing a caller sends (a From, a CallerName, a placeholder's value) can become markup.
 */

/** A checked verb, ready to write: attributes in emission order, values final (URLs resolved). */
export interface InboundXmlElement {
  verb: string;
  attributes: ReadonlyArray<readonly [string, string]>;
  text: string;
  children: readonly InboundXmlElement[];
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** An unpaired surrogate: half a character, which XML cannot carry and encodeURIComponent throws on. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` with every lone surrogate replaced by U+FFFD. */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Characters XML 1.0 cannot carry at all, not even escaped (C0 controls other than tab, line feed
 * and carriage return; U+FFFE and U+FFFF; lone surrogates): replaced by U+FFFD so that the document
 * stays well-formed.
 */
const NOT_XML = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|${LONE_SURROGATE.source}`, 'g');

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** In an attribute also both quotes, and tab and line breaks (which a parser would turn into spaces). */
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES, '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

export function escapeXmlText(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

export function escapeXmlAttribute(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

/** Element and attribute names come from the verb table only; checked again so that no path can write markup. */
const XML_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
function name(value: string): string {
  if (!XML_NAME.test(value)) throw new Error(`InboundXML: "${value}" is not a verb or attribute name`);
  return value;
}

function element(verb: string, attributes: InboundXmlElement['attributes'], content: string, selfClosing = true): string {
  const tag = name(verb);
  const attributeText = attributes.map(([key, value]) => ` ${name(key)}="${escapeXmlAttribute(value)}"`).join('');
  return content === '' && selfClosing ? `<${tag}${attributeText}/>` : `<${tag}${attributeText}>${content}</${tag}>`;
}

function write(verb: InboundXmlElement): string {
  return element(verb.verb, verb.attributes, escapeXmlText(verb.text) + verb.children.map(write).join(''));
}

/** The whole document, on one line: text content is spoken or dialled, so no whitespace is added. */
export function renderInboundXml(verbs: readonly InboundXmlElement[], responseAttributes: InboundXmlElement['attributes'] = []): string {
  return XML_DECLARATION + element('Response', responseAttributes, verbs.map(write).join(''), false);
}
