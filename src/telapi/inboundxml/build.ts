import { renderInboundXml } from './render';
import type { InboundXmlService } from './service';
import { readAttributes, readVerbs, type InboundXmlContext } from './validate';
import { INBOUNDXML_RESPONSE_ATTRIBUTES } from './verbs';

/**
 * Building the InboundXML that answers a voice request (docs/design.md "Calls",
 * telapi-inboundxml): the node's verbs, then `msg.inboundxml`'s, checked against the verb table,
 * placeholders filled, URLs resolved, everything escaped.
 */

export interface InboundXmlInput {
  /** The node's verbs, as its editor stores them. */
  verbs?: unknown;
  /** More verbs of the same shape (msg.inboundxml), appended after the node's. */
  extra?: unknown;
  /** Attributes of `<Response>` itself (statusCallback, heartbeatCallback and their methods). */
  response?: unknown;
}

/** The names errors give each input, so a person finds the value. */
export const INBOUNDXML_FIELDS = { verbs: 'verbs', extra: 'msg.inboundxml', response: 'response' } as const;

/**
 * The document: `<?xml version="1.0" encoding="UTF-8"?>` then `<Response>…</Response>`. Throws
 * the first TelApiInputError met, in document order, before anything is written.
 */
export function buildInboundXml(input: InboundXmlInput, context: InboundXmlContext): string {
  const verbs = [
    ...readVerbs(input.verbs, INBOUNDXML_FIELDS.verbs, 'Response', context),
    ...readVerbs(input.extra, INBOUNDXML_FIELDS.extra, 'Response', context),
  ];
  const attributes = readAttributes(input.response, INBOUNDXML_FIELDS.response, 'Response', INBOUNDXML_RESPONSE_ATTRIBUTES, context);
  return renderInboundXml(verbs, attributes);
}

/**
 * Checks a node's configured verbs before any request (at deploy, or in the editor): unknown verbs
 * and attributes, nesting, and every value that holds no placeholder. Throws the first
 * TelApiInputError; what depends on the request (placeholders, the account, the call) is left to
 * buildInboundXml.
 */
export function checkInboundXmlVerbs(verbs: unknown, service: InboundXmlService): void {
  readVerbs(verbs, INBOUNDXML_FIELDS.verbs, 'Response', { service, checkOnly: true });
}
