/**
 * The wire rules the simulator enforces, read from docs/telapi-api.md on their own: the nodes package has
 * its own reading in its client, and the end-to-end tests only mean something while the two stay
 * independent. Every value a rule names lives here, so a change to the spec is one edit.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** "Bases and auth": AC/CA/RE/TR followed by 32 hex digits. */
export const SID_PREFIXES = ['AC', 'CA', 'RE', 'TR'] as const;
export type SidPrefix = (typeof SID_PREFIXES)[number];

export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}

/** "Start or stop a recording": the parameter table. */
export const DIRECTIONS = ['in', 'out', 'both'] as const;
export type RecordDirection = (typeof DIRECTIONS)[number];
export const FILE_FORMATS = ['mp3', 'wav'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
/** Zang's values and TelAPI v1's, all accepted on every prefix (be liberal). */
export const TRANSCRIBE_QUALITIES = ['auto', 'hybrid', 'keywords', 'silver', 'gold', 'platinum'] as const;
export type TranscribeQuality = (typeof TRANSCRIBE_QUALITIES)[number];
/** Zang's own qualities: what /v2 accepts for `Quality` and answers as a transcription's `type`. */
export const ZANG_QUALITIES: readonly TranscribeQuality[] = ['auto', 'hybrid', 'keywords'];
export const CALLBACK_METHODS = ['POST', 'GET'] as const;
export type CallbackMethod = (typeof CALLBACK_METHODS)[number];
export const TRANSCRIPTION_STATUSES = ['in-progress', 'completed', 'failed'] as const;

export const RECORDING_DEFAULTS = Object.freeze({
  direction: 'both' as RecordDirection,
  timeLimit: 60,
  fileFormat: 'mp3' as FileFormat,
  trimSilence: false,
  transcribe: false,
  transcribeQuality: 'auto' as TranscribeQuality,
});

/** "Limits": URL parameters are at most 200 characters. */
export const MAX_URL_PARAM_LENGTH = 200;

/** "Be liberal": true/True/1 and their opposites. */
export function readBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return undefined;
}

export function isAbsoluteHttpUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** "Callback authenticity": the record node's URL parameter, and the path key of URLs made before a call exists. */
export const TOKEN_PARAM = 'token';
export const KEY_PARAM = 'key';

/** base64url(HMAC-SHA256(key = AuthToken, data = CallSid)), no padding. */
export function urlToken(authToken: string, callSid: string): string {
  return createHmac('sha256', authToken).update(callSid, 'utf8').digest('base64url');
}

/**
 * X-TelAPI-Signature: base64(HMAC-SHA1(AuthToken, URL + name1 + value1 + name2 + value2 …)), the
 * parameters ordered by name; the URL exactly as called, query included.
 */
export function telapiSignature(authToken: string, url: string, params: Iterable<readonly [string, string]>): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hmac = createHmac('sha1', authToken).update(url, 'utf8');
  for (const [name, value] of sorted) hmac.update(name + value, 'utf8');
  return hmac.digest('base64');
}

/** Equal-length digests first, so that neither the content nor the length leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
