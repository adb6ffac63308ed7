import { XML_DECLARATION } from './inboundxml';
import { define, parseCallbackBody, parseForm, queryText, type ParseResult, type ParsedCallback } from './callback';
import { wholeNumber } from './options';
import { CALLBACK_TOKEN_PARAM, PATH_KEY_PARAM } from './signature';

/**
 * Voice requests (docs/telapi-api.md "Answering calls"): TelAPI asks a voice URL what to do with a
 * call by GET, with the parameters in the query, or by POST, with a form body, as the number's or
 * the call's Method says. Parsed here into the same ParsedCallback a callback gives, so that
 * checkCallback (callback-check.ts) decides on both alike. Pure: no HTTP server.
 */

export interface VoiceRequestInput {
  /** The HTTP method as received. */
  method: string;
  /** The path and query exactly as received, relative to httpNodeRoot. */
  relativeUrl: string;
  /** A POST's body: bytes, text, or what a middleware parsed (see parseCallbackBody). */
  body?: Uint8Array | string | object | undefined | null;
  contentType?: string | undefined;
}

/** Our own credentials in a URL: never part of what a flow is handed as the request's parameters. */
const OWN_PARAMS: readonly string[] = [CALLBACK_TOKEN_PARAM, PATH_KEY_PARAM];

/** The parameters without our `token` and `key`; `pairs` (what a signature covers) stay as received. */
export function withoutOwnParams(callback: ParsedCallback): ParsedCallback {
  const params: ParsedCallback['params'] = {};
  for (const [name, value] of Object.entries(callback.params)) {
    if (!OWN_PARAMS.includes(name)) define(params, name, value);
  }
  return { params, pairs: callback.pairs };
}

/**
 * A voice request's parameters. GET (and HEAD): the query's, bounded and with repeated TelAPI
 * parameters refused like a body's; a signature covers them as part of the URL, so `pairs` is empty
 * (the Twilio-style scheme signs a GET's URL alone). Any other method: the body's (parseCallbackBody).
 * Either way `params` leaves out our `token` and `key`.
 */
export function parseVoiceRequest(input: VoiceRequestInput): ParseResult {
  const method = input.method.toUpperCase();
  let parsed: ParseResult;
  if (method === 'GET' || method === 'HEAD') {
    parsed = parseForm(queryText(input.relativeUrl));
    if (parsed.ok) parsed = { ok: true, callback: { params: parsed.callback.params, pairs: [] } };
  } else {
    parsed = parseCallbackBody(input.body, input.contentType);
  }
  return parsed.ok ? { ok: true, callback: withoutOwnParams(parsed.callback) } : parsed;
}

/** The contract's defaults (docs/design.md, "Calls"). */
export const DEFAULT_VOICE_TIMEOUT_SECONDS = 10;
export const DEFAULT_FALLBACK = '<Response><Say>We are sorry, this call cannot be answered now.</Say><Hangup/></Response>';
/** A flow has at most this long; TelAPI's own patience is no longer (docs/telapi-api.md, "Answering calls"). */
export const MAX_VOICE_TIMEOUT_SECONDS = 60;

/** The node's timeout: unset (the default), or whole seconds (options.ts wholeNumber) from 1 to MAX_VOICE_TIMEOUT_SECONDS; else undefined. */
export function voiceTimeoutSeconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return DEFAULT_VOICE_TIMEOUT_SECONDS;
  const seconds = wholeNumber(value);
  return seconds !== undefined && seconds >= 1 && seconds <= MAX_VOICE_TIMEOUT_SECONDS ? seconds : undefined;
}

/** The fallback as sent: an InboundXML document (the XML declaration added if missing), else undefined. */
export function fallbackDocument(value: unknown): string | undefined {
  const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_FALLBACK;
  const body = text.startsWith('<?xml') ? text.slice(text.indexOf('?>') + 2).trim() : text;
  if (!/^<Response[\s>/]/.test(body) || !/(<\/Response>|<Response\s*\/>)$/.test(body)) return undefined;
  return `${XML_DECLARATION}${body}`;
}
