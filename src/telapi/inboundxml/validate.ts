import { TelApiInputError } from '../errors';
import { parseBoolean, shownValue, urlOrPath } from '../options';
import type { AttributeSpec, TextSpec, ValueSpec, VerbSpec } from './kinds';
import { fillPlaceholders, hasPlaceholder, type PlaceholderResolver } from './placeholders';
import type { InboundXmlElement } from './render';
import type { InboundXmlService } from './service';
import { resolveInboundXmlUrl, type UrlContext } from './urls';
import { INBOUNDXML_VERBS, INBOUNDXML_VERB_NAMES } from './verbs';

/**
 * Checking verbs as the editor or `msg.inboundxml` gives them (docs/design.md "Calls",
 * telapi-inboundxml): `{ verb, attributes, text, children }`, each against the verb table. Every
 * error is a TelApiInputError whose field names the verb's position as given, e.g.
 * `verbs[2].children[0].attributes.loop`, so a person can find it.
 */

export interface InboundXmlContext extends UrlContext {
  service: InboundXmlService;
  /** Fills `{{…}}` placeholders; without one they are empty. */
  resolve?: PlaceholderResolver | undefined;
  /**
   * A check without a request (at deploy): a value holding a placeholder is taken unchecked, and a
   * URL is only checked to be http(s) or a `/path`, since no account or call is known yet.
   */
  checkOnly?: boolean | undefined;
}

export const VERB_PROPERTIES: readonly string[] = ['verb', 'attributes', 'text', 'children'];
/** The verbs `<Response>` may hold. */
export const TOP_LEVEL_VERBS: readonly string[] = INBOUNDXML_VERB_NAMES.filter((name) => INBOUNDXML_VERBS[name]?.topLevel);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function wholeNumber(field: string, value: string, spec: Extract<ValueSpec, { kind: 'integer' }>): string {
  const number = /^\+?[0-9]+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(number) && number >= spec.min && (spec.max === undefined || number <= spec.max)) return String(number);
  if (spec.max !== undefined) throw new TelApiInputError(field, 'range', { min: spec.min, max: spec.max, value: shownValue(value) });
  throw new TelApiInputError(field, 'at-least', { min: spec.min });
}

/** A filled, trimmed, non-empty value checked against its kind; what is emitted (enum values in the table's spelling). */
function checkValue(field: string, value: string, spec: ValueSpec, context: InboundXmlContext): string {
  switch (spec.kind) {
    case 'text':
      return value;
    case 'enum': {
      const wanted = value.toLowerCase();
      const alias = Object.entries(spec.aliases ?? {}).find(([name]) => name.toLowerCase() === wanted)?.[1];
      const found = spec.values.find((allowed) => allowed.toLowerCase() === (alias ?? wanted).toLowerCase());
      if (found === undefined) throw new TelApiInputError(field, 'enum', { allowed: spec.values.join(', ') });
      return found;
    }
    case 'integer':
      return wholeNumber(field, value, spec);
    case 'boolean':
      return String(parseBoolean(field, value));
    case 'url':
      return context.checkOnly === true ? urlOrPath(field, value) : resolveInboundXmlUrl(field, value, spec.use, context);
    case 'dtmf':
      if ([...value].every((key) => spec.keys.includes(key))) return value;
      throw new TelApiInputError(field, 'dtmf', { allowed: [...spec.keys].join(' ') });
  }
}

/**
 * A value as given (text, number or boolean; absent is empty), placeholders filled first, then
 * trimmed and checked. Empty stays empty: the caller leaves the attribute out.
 */
function readValue(raw: unknown, field: string, spec: ValueSpec, context: InboundXmlContext): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new TelApiInputError(field, 'type', { expected: 'string' });
  }
  const given = String(raw);
  if (context.checkOnly === true && hasPlaceholder(given)) return given;
  const value = fillPlaceholders(given, context.resolve, spec.kind === 'url').trim();
  return value === '' ? '' : checkValue(field, value, spec, context);
}

/**
 * The attributes to emit, in the table's order, unset ones left out. On Zang a required one left
 * unset is filled (Gather's input) or an error (service.ts says why).
 */
export function readAttributes(
  input: unknown,
  at: string,
  verb: string,
  specs: Readonly<Record<string, AttributeSpec>>,
  context: InboundXmlContext,
): Array<[string, string]> {
  if (input === undefined || input === null) return readAttributes({}, at, verb, specs, context);
  if (!isPlainObject(input)) throw new TelApiInputError(at, 'type', { expected: 'object' });
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(specs, name)) {
      throw new TelApiInputError(`${at}.${name}`, 'unknown-attribute', { verb, allowed: Object.keys(specs).join(', ') || '-' });
    }
  }
  const attributes: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(specs)) {
    const field = `${at}.${name}`;
    let value = readValue(input[name], field, spec, context);
    if (value === '' && spec.required === true && context.service === 'zang') {
      if (spec.fill === undefined) throw new TelApiInputError(field, 'required');
      value = spec.fill;
    }
    if (value !== '') attributes.push([name, value]);
  }
  return attributes;
}

function readText(raw: unknown, field: string, verb: string, spec: TextSpec | undefined, context: InboundXmlContext): string {
  if (spec === undefined) {
    if (raw === undefined || raw === null || raw === '') return '';
    throw new TelApiInputError(field, 'no-text', { verb });
  }
  const value = readValue(raw, field, spec, context);
  if (value === '' && spec.required) throw new TelApiInputError(field, 'required');
  return value;
}

function checkPlace(verb: string, parent: string, at: string): void {
  const allowed = parent === 'Response' ? TOP_LEVEL_VERBS : (INBOUNDXML_VERBS[parent]?.children ?? []);
  if (!allowed.includes(verb)) throw new TelApiInputError(at, 'nesting', { verb, parent, allowed: allowed.join(', ') });
}

function readVerb(item: unknown, at: string, parent: string, context: InboundXmlContext): InboundXmlElement {
  if (!isPlainObject(item)) throw new TelApiInputError(at, 'type', { expected: 'object' });
  for (const key of Object.keys(item)) {
    if (!VERB_PROPERTIES.includes(key)) throw new TelApiInputError(`${at}.${key}`, 'unknown-property', { allowed: VERB_PROPERTIES.join(', ') });
  }
  const verb = item.verb;
  const spec: VerbSpec | undefined = typeof verb === 'string' && Object.hasOwn(INBOUNDXML_VERBS, verb) ? INBOUNDXML_VERBS[verb] : undefined;
  if (typeof verb !== 'string' || spec === undefined) {
    throw new TelApiInputError(`${at}.verb`, 'unknown-verb', { allowed: INBOUNDXML_VERB_NAMES.join(', ') });
  }
  if (spec.zangOnly && context.service === 'telapi') throw new TelApiInputError(`${at}.verb`, 'service-verb', { verb });
  checkPlace(verb, parent, at);
  const attributes = readAttributes(item.attributes, `${at}.attributes`, verb, spec.attributes, context);
  const text = readText(item.text, `${at}.text`, verb, spec.text, context);
  if (spec.children.length === 0 && Array.isArray(item.children) && item.children.length > 0) {
    throw new TelApiInputError(`${at}.children`, 'no-children', { verb });
  }
  return { verb, attributes, text, children: readVerbs(item.children, `${at}.children`, verb, context) };
}

/** A list of verbs (absent: none) standing in `parent` ("Response" for the document's own). */
export function readVerbs(list: unknown, at: string, parent: string, context: InboundXmlContext): InboundXmlElement[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TelApiInputError(at, 'type', { expected: 'array' });
  return list.map((item: unknown, index) => readVerb(item, `${at}[${index}]`, parent, context));
}
