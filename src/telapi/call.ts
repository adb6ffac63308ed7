import { TelApiError, TelApiInputError } from './errors';
import { integerIn, ownOptions, parseBoolean, urlOrPath } from './options';
import type { CallbackCredentials } from './public-url';
import { resolveNodeUrl } from './recording';
import type { Delivery, TelApiRequest, TelApiResult } from './client';
import type { TelApiObject } from './response';
import { isCallSid } from './sids';
import { PATH_KEY_PARAM } from './signature';

/**
 * Making a call (docs/design.md, "Calls": `telapi-call`; docs/telapi-api.md, "Answering calls": the
 * make-call parameters): `POST {base}/Accounts/{AccountSid}/Calls.json`.
 */

/** The contract's camelCase options of one call. */
export interface CallOptions {
  from: string;
  to: string;
  url: string;
  statusCallback: string;
  record: boolean;
  recordCallback: string;
  transcribe: boolean;
  transcribeCallback: string;
  timeout: number;
}

export const DEFAULT_CALL_OPTIONS: Readonly<CallOptions> = Object.freeze({
  from: '',
  to: '',
  url: '',
  statusCallback: '',
  record: false,
  recordCallback: '',
  transcribe: false,
  transcribeCallback: '',
  timeout: 60,
});

export const CALL_OPTION_KEYS = Object.keys(DEFAULT_CALL_OPTIONS) as ReadonlyArray<keyof CallOptions>;
/** TelAPI rings a call at most this long (seconds). */
export const MAX_CALL_TIMEOUT = 999;
/** The options given as URLs, with their TelAPI parameter names. */
const URL_OPTIONS = [
  ['url', 'Url'],
  ['statusCallback', 'StatusCallback'],
  ['recordCallback', 'RecordCallback'],
  ['transcribeCallback', 'TranscribeCallback'],
] as const satisfies ReadonlyArray<readonly [keyof CallOptions, string]>;

/**
 * The longest `To` or `From` sent: a phone number has at most 15 digits (E.164) and a SIP address
 * fits in far less; anything longer is a mistake in the flow, refused before it goes to TelAPI.
 */
export const MAX_ADDRESS_LENGTH = 256;

/** A number or SIP address as TelAPI takes it: text, trimmed, at most MAX_ADDRESS_LENGTH characters. */
function address(field: string, value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') throw new TelApiInputError(field, 'type', { expected: 'string' });
  const trimmed = value.trim();
  if (trimmed.length > MAX_ADDRESS_LENGTH) throw new TelApiInputError(field, 'too-long', { length: trimmed.length, max: MAX_ADDRESS_LENGTH });
  return trimmed;
}

/**
 * Validates msg.call (or the node's properties) over `base`: every key optional, unknown keys
 * refused, values checked before any request.
 */
export function parseCallOptions(input: unknown, base: Readonly<CallOptions> = DEFAULT_CALL_OPTIONS): CallOptions {
  if (input === undefined || input === null) return { ...base };
  const given = ownOptions('call', input, CALL_OPTION_KEYS);
  const has = (key: keyof CallOptions): boolean => given[key] !== undefined;
  return {
    from: has('from') ? address('from', given.from) : base.from,
    to: has('to') ? address('to', given.to) : base.to,
    url: has('url') ? urlOrPath('url', given.url) : base.url,
    statusCallback: has('statusCallback') ? urlOrPath('statusCallback', given.statusCallback) : base.statusCallback,
    record: has('record') ? parseBoolean('record', given.record) : base.record,
    recordCallback: has('recordCallback') ? urlOrPath('recordCallback', given.recordCallback) : base.recordCallback,
    transcribe: has('transcribe') ? parseBoolean('transcribe', given.transcribe) : base.transcribe,
    transcribeCallback: has('transcribeCallback') ? urlOrPath('transcribeCallback', given.transcribeCallback) : base.transcribeCallback,
    timeout: has('timeout') ? integerIn('timeout', given.timeout, 1, MAX_CALL_TIMEOUT) : base.timeout,
  };
}

export interface CallUrlsInput {
  options: CallOptions;
  publicUrl: string;
  /** The path key of a path (CallbackAuthenticator.keyFor): the CallSid does not exist yet, so no per-call token can be made. */
  keyFor: (path: string) => string;
  callbackCredentials?: CallbackCredentials | undefined;
}

/**
 * The form of `POST …/Calls.json`: `To` and `Url` required; `/path` URLs made absolute under the
 * public URL with that path's key; an empty URL is never sent; transcription only with `Record`.
 */
export function buildCallForm(input: CallUrlsInput): URLSearchParams {
  const { options } = input;
  if (options.to === '') throw new TelApiInputError('to', 'required');
  if (options.from === '') throw new TelApiInputError('from', 'required');
  if (options.url === '') throw new TelApiInputError('url', 'required');
  const form = new URLSearchParams();
  form.set('From', options.from);
  form.set('To', options.to);
  for (const [name, url] of callUrls(input)) form.set(name, url);
  form.set('Timeout', String(options.timeout));
  form.set('Record', String(options.record));
  if (options.record) form.set('Transcribe', String(options.transcribe));
  return form;
}

/** The call's URLs as sent, by TelAPI's parameter names (what is empty is left out). Throws the first URL's input error. */
export function callUrls(input: CallUrlsInput): Array<[string, string]> {
  const urls: Array<[string, string]> = [];
  for (const [key, name] of URL_OPTIONS) {
    if (key === 'transcribeCallback' && !input.options.transcribe) continue;
    const resolved = resolveCallUrl(key, input.options[key], input);
    if (resolved !== '') urls.push([name, resolved]);
  }
  return urls;
}

function resolveCallUrl(field: string, value: string, input: CallUrlsInput): string {
  if (value === '') return '';
  const path = value.startsWith('/') ? value.split(/[?#]/, 1)[0] ?? value : undefined;
  const key = path === undefined ? undefined : { name: PATH_KEY_PARAM, value: input.keyFor(path) };
  return resolveNodeUrl(field, value, input.publicUrl, key, input.callbackCredentials);
}

/** What making a call needs of a client (TelApiClient has it). */
export interface CallsClient {
  request(request: TelApiRequest): Promise<TelApiResult>;
}

/** `POST …/Calls.json`: the Call object TelAPI answers, which must name its CallSid. */
export async function makeCall(client: CallsClient, form: URLSearchParams, signal?: AbortSignal, delivery: Delivery = {}): Promise<TelApiObject> {
  const result = await client.request({ method: 'POST', path: '/Calls.json', form, ...(signal ? { signal } : {}), ...delivery });
  if (!isCallSid(result.body.sid)) {
    throw new TelApiError(`TelAPI ${result.statusCode}: the answer is not a Call (no sid "CA…")`, { kind: 'invalid-response' });
  }
  return result.body;
}
