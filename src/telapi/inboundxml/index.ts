// The InboundXML library's public part (docs/design.md "Calls", telapi-inboundxml).
export type { AttributeSpec, TextSpec, UrlUse, ValueKind, ValueSpec, VerbSpec } from './kinds';
export { INBOUNDXML_OMITTED, INBOUNDXML_RESPONSE_ATTRIBUTES, INBOUNDXML_VERBS, INBOUNDXML_VERB_NAMES } from './verbs';
export { TOP_LEVEL_VERBS, VERB_PROPERTIES, type InboundXmlContext } from './validate';
export { PLACEHOLDER, fillPlaceholders, hasPlaceholder, type PlaceholderResolver } from './placeholders';
export { resolveInboundXmlUrl, type InboundXmlAccount, type InboundXmlAuthenticator, type UrlContext } from './urls';
export { inboundXmlService, type InboundXmlService } from './service';
export { XML_DECLARATION, escapeXmlAttribute, escapeXmlText, renderInboundXml, type InboundXmlElement } from './render';
export { INBOUNDXML_FIELDS, buildInboundXml, checkInboundXmlVerbs, type InboundXmlInput } from './build';
