import contentType from 'content-type';
import { jsonNestsDeeperThan } from './json';
import { CALLBACK_TOKEN_PARAM, PATH_KEY_PARAM } from './signature';

/**
 * TelAPI's callbacks (docs/telapi-api.md, "Callbacks TelAPI sends" and "Callback authenticity"): parsing a
 * received body liberally, telling recording from transcription callbacks, and deciding whether a
 * callback is authentic (callback-check.ts). Pure: no Node-RED, no HTTP server; the telapi-callback node does the I/O.
 */

/** The telapi-callback node's `security` property (docs/design.md, "telapi-callback node (contract)"). */
export const CALLBACK_SECURITY_MODES = ['token', 'signature', 'none'] as const;
export type CallbackSecurity = (typeof CALLBACK_SECURITY_MODES)[number];
export const DEFAULT_CALLBACK_SECURITY: CallbackSecurity = 'token';

export function isCallbackSecurity(value: unknown): value is CallbackSecurity {
  return typeof value === 'string' && (CALLBACK_SECURITY_MODES as readonly string[]).includes(value);
}

/**
 * A callback with more parameters than this is refused (413) before they are decoded. TelAPI sends
 * about twenty; Express's own form parser stops at 1000.
 */
export const MAX_CALLBACK_PARAMS = 200;

/**
 * TelAPI's callback and voice request parameters (docs/telapi-api.md, "Callbacks TelAPI sends" and
 * "Answering calls"), those of a call's StatusCallback and of a Dial's action, and the URL token and
 * path key. Each is one value: a second one is parameter pollution (a flow reading `payload.CallSid` would get an
 * array, or a value other than the one that was checked), so it is refused.
 */
export const SINGLE_VALUE_PARAMS: ReadonlySet<string> = new Set([
  'AccountSid',
  'ApiVersion',
  'Direction',
  'CallerName',
  'To',
  'From',
  'CallSid',
  'CallStatus',
  'UrlBase',
  'ForwardedFrom',
  'Digits',
  'RecordingDuration',
  'RecordingUrl',
  'RecordingSid',
  'TranscriptionStatus',
  'TranscriptionSid',
  'AudioUrl',
  'TranscriptionText',
  'CallDuration',
  'DialCallStatus',
  'DialCallSid',
  'DialCallDuration',
  CALLBACK_TOKEN_PARAM,
  PATH_KEY_PARAM,
]);

/** What a callback node's message is about (docs/design.md "telapi-callback", msg.topic). */
export type CallbackTopic = 'recording' | 'transcription' | 'status';

/**
 * Why a callback was refused: not a callback at all, not authentic, or a body out of bounds (the
 * callback node answers each with its HTTP status).
 */
export type CallbackRejection =
  | 'tooLarge'
  | 'tooManyParams'
  | 'slowBody'
  | 'unsupportedBody'
  | 'badBody'
  | 'unverifiableBody'
  | 'repeatedParam'
  | 'noCallSid'
  | 'badCallSid'
  | 'tokenAndKey'
  | 'noToken'
  | 'badToken'
  | 'badKey'
  | 'noSignature'
  | 'badSignature'
  | 'foreignAccount'
  | 'staleTest';

/** A flat parameter value: what a form gives, or a JSON member that is not an object or array. */
export type CallbackValue = string | number | boolean;

/** The parameters of one callback. */
export interface ParsedCallback {
  /**
   * The parameters as sent: for a form, each name's value (an array when a name other than
   * TelAPI's own is repeated); for a JSON object, its members. Parameters with an empty name, or
   * named `__proto__`, `constructor` or `prototype`, are left out.
   */
  params: Record<string, CallbackValue | string[]>;
  /** The same parameters as name/value strings in the order received: what a signature covers. */
  pairs: Array<[string, string]>;
}

type ParseRejection = 'unsupportedBody' | 'badBody' | 'unverifiableBody' | 'tooManyParams' | 'repeatedParam';
export type ParseResult = { ok: true; callback: ParsedCallback } | { ok: false; reason: ParseRejection };

/**
 * Names TelAPI never sends and that could reach an object's prototype when a flow copies the
 * payload (`Object.assign({}, msg.payload)`): dropped like empty names.
 */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const ignoredName = (name: string): boolean => name === '' || PROTOTYPE_NAMES.has(name);

/** Sets a property without invoking any setter, as a second line of defence. */
export function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Builds a ParsedCallback from name/value pairs (a form). Linear in the number of pairs: a
 * repeated name collects its values in one array. A repeated TelAPI parameter is refused.
 */
export function callbackFromPairs(input: Iterable<readonly [string, string]>): ParseResult {
  const values = new Map<string, string[]>();
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of input) {
    if (ignoredName(name)) continue;
    if (pairs.length === MAX_CALLBACK_PARAMS) return { ok: false, reason: 'tooManyParams' };
    pairs.push([name, value]);
    const existing = values.get(name);
    if (existing === undefined) values.set(name, [value]);
    else if (SINGLE_VALUE_PARAMS.has(name)) return { ok: false, reason: 'repeatedParam' };
    else existing.push(value);
  }
  const params: ParsedCallback['params'] = {};
  for (const [name, list] of values) define(params, name, list.length === 1 ? list[0] : list);
  return { ok: true, callback: { params, pairs } };
}

const isFlatValue = (value: unknown): value is CallbackValue =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/**
 * Builds a ParsedCallback from a JSON object. Only flat members are taken: a nested object or an
 * array has no one form a signature could have covered.
 */
function callbackFromJson(input: Readonly<Record<string, unknown>>): ParseResult {
  const names = Object.keys(input);
  if (names.length > MAX_CALLBACK_PARAMS) return { ok: false, reason: 'tooManyParams' };
  const params: ParsedCallback['params'] = {};
  const pairs: Array<[string, string]> = [];
  for (const name of names) {
    if (ignoredName(name)) continue;
    const value = input[name];
    if (!isFlatValue(value)) return { ok: false, reason: 'badBody' };
    define(params, name, value);
    pairs.push([name, String(value)]);
  }
  return { ok: true, callback: { params, pairs } };
}

/**
 * Rebuilds the parameters from a body a middleware parsed before this package saw it (Express's
 * `qs`-based form parser, or a JSON parser). Only what maps back to exactly one form is taken: every
 * value a string. Anything else (`Foo[bar]=1` turned into an object, repeated names turned into
 * arrays) could have come from more than one body, so it cannot be verified and is refused.
 */
export function callbackFromParsedBody(input: Readonly<Record<string, unknown>>): ParseResult {
  const names = Object.keys(input);
  if (names.length > MAX_CALLBACK_PARAMS) return { ok: false, reason: 'tooManyParams' };
  const pairs: Array<[string, string]> = [];
  for (const name of names) {
    const value = input[name];
    if (typeof value !== 'string') return { ok: false, reason: 'unverifiableBody' };
    pairs.push([name, value]);
  }
  return callbackFromPairs(pairs);
}

function mediaType(header: string | undefined): { type: string; charset: string | undefined } {
  if (!header) return { type: '', charset: undefined };
  try {
    const { type, parameters } = contentType.parse(header);
    return { type, charset: parameters.charset };
  } catch {
    // Not a valid media type: read the body as if it were not labelled.
    return { type: '', charset: undefined };
  }
}

function decode(body: Uint8Array, charset: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(body);
}

function parseJsonObject(text: string): ParseResult {
  // Only a flat object maps to a form; anything nested is refused before it is parsed.
  if (jsonNestsDeeperThan(text, 1)) return { ok: false, reason: 'badBody' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'badBody' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'badBody' };
  return callbackFromJson(value as Record<string, unknown>);
}

/** More than `limit` "&"-separated parts: counted without decoding anything. */
function hasMoreParts(text: string, limit: number): boolean {
  let parts = 1;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    if (++parts > limit) return true;
  }
  return false;
}

/** Parses form text (a body, or a query string without its "?"), bounded like every body. */
export function parseForm(text: string): ParseResult {
  // Empty parts ("a=1&&b=2") are skipped by the decoder, so twice the limit still bounds the work.
  if (hasMoreParts(text, 2 * MAX_CALLBACK_PARAMS)) return { ok: false, reason: 'tooManyParams' };
  return callbackFromPairs(new URLSearchParams(text));
}

const looksLikeJson = (text: string): boolean => /^\s*[[{]/.test(text);

/**
 * Parses a callback body the liberal way (docs/telapi-api.md, "Be liberal in what you accept"): a form
 * (also when labelled application/json or not labelled at all) or, for compatible services, a flat
 * JSON object. Bytes or text are parsed here; an object is a body a middleware already parsed, and
 * is taken only where it maps back to one form (callbackFromParsedBody).
 */
export function parseCallbackBody(body: Uint8Array | string | object | undefined | null, contentTypeHeader?: string): ParseResult {
  if (body === undefined || body === null) return parseForm('');
  const { type, charset } = mediaType(contentTypeHeader);
  if (type.startsWith('multipart/')) return { ok: false, reason: 'unsupportedBody' };
  if (typeof body === 'object' && !(body instanceof Uint8Array)) {
    if (Array.isArray(body)) return { ok: false, reason: 'badBody' };
    return callbackFromParsedBody(body as Record<string, unknown>);
  }
  const text = typeof body === 'string' ? body : decode(body, charset);
  if (type === 'application/x-www-form-urlencoded') return parseForm(text);
  const json = type === 'application/json' || type.endsWith('+json');
  if (looksLikeJson(text)) return parseJsonObject(text);
  if (json && text.trim() !== '' && !text.includes('=')) return { ok: false, reason: 'badBody' };
  // A form labelled application/json, text/plain, or not labelled at all.
  return parseForm(text);
}

/** The query string of a relative URL as received, without its "?" ("" when it has none). */
export function queryText(relativeUrl: string): string {
  const at = relativeUrl.indexOf('?');
  return at === -1 ? '' : relativeUrl.slice(at + 1);
}

/** A parameter's value as text; undefined when absent or repeated (an array). */
export function paramString(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(params, name)) return undefined;
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

const TRANSCRIPTION_PARAMS = ['TranscriptionSid', 'TranscriptionText', 'TranscriptionStatus'];

/**
 * `transcription` when the callback carries a transcription's parameters, else `recording` when it
 * has a `RecordingUrl`, else `status` (a call's StatusCallback, a Dial's callback).
 */
export function callbackTopic(params: Readonly<Record<string, unknown>>): CallbackTopic {
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(params, name);
  if (TRANSCRIPTION_PARAMS.some(has)) return 'transcription';
  return has('RecordingUrl') ? 'recording' : 'status';
}

/** What the callback node puts next to msg.payload for convenience (docs/design.md, "telapi-callback node (contract)"). */
export interface CallbackFields {
  topic: CallbackTopic;
  callSid?: string;
  recordingUrl?: string;
  transcriptionText?: string;
}

export function callbackFields(params: Readonly<Record<string, unknown>>): CallbackFields {
  const fields: CallbackFields = { topic: callbackTopic(params) };
  const callSid = paramString(params, 'CallSid');
  // A transcription callback names the recording's media as AudioUrl.
  const recordingUrl = paramString(params, 'RecordingUrl') ?? paramString(params, 'AudioUrl');
  const transcriptionText = paramString(params, 'TranscriptionText');
  if (callSid !== undefined) fields.callSid = callSid;
  if (recordingUrl !== undefined) fields.recordingUrl = recordingUrl;
  if (transcriptionText !== undefined) fields.transcriptionText = transcriptionText;
  return fields;
}
