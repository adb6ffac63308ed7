import type { TelApiResult } from './answers';
import { TelApiInputError } from './errors';
import { isCallSid } from './sids';
import { ownOptions, oneOf, parseBoolean, positiveInteger, urlOrPath } from './options';
import { canonicalCallbackUrl, canonicalPublicUrl, isUnsafePath, isHttpUrl, withCallbackCredentials, type CallbackCredentials } from './public-url';
import type { RecordingsClient } from './recordings';
import type { Delivery } from './request';
import { parseRecordingResponse, type TelApiObject } from './response';
import { CALLBACK_TOKEN_PARAM, withQueryParam } from './signature';

/**
 * TelAPI has no pause (docs/design.md, "`telapi-record` node (contract)"): `pause` sends what `stop`
 * sends, `resume` what `start` sends, so a paused call has one recording per resumed stretch.
 */
export const RECORD_ACTIONS = ['start', 'stop', 'pause', 'resume'] as const;
export const RECORD_DIRECTIONS = ['in', 'out', 'both'] as const;
export const FILE_FORMATS = ['mp3', 'wav'] as const;
/** Zang: auto, hybrid, keywords; TelAPI v1: auto, silver, gold, platinum (docs/telapi-api.md, "Start or stop a recording"). */
export const TRANSCRIBE_QUALITIES = ['auto', 'hybrid', 'keywords', 'silver', 'gold', 'platinum'] as const;
/** TelAPI keeps at most this many recordings of one call (docs/telapi-api.md, "Limits"). */
export const MAX_RECORDINGS_PER_CALL = 5;
/** TelAPI rejects URL parameters longer than this. */
export const MAX_URL_LENGTH = 200;

export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** Whether the action ends the recording under way (stop, pause) rather than starting one (start, resume). */
export function endsRecording(action: RecordAction): boolean {
  return action === 'stop' || action === 'pause';
}
export type RecordDirection = (typeof RECORD_DIRECTIONS)[number];
export type FileFormat = (typeof FILE_FORMATS)[number];
export type TranscribeQuality = (typeof TRANSCRIBE_QUALITIES)[number];

/** The contract's camelCase recording options (docs/design.md, "telapi-record node (contract)"). */
export interface RecordingOptions {
  action: RecordAction;
  direction: RecordDirection;
  timeLimit: number;
  callbackUrl: string;
  fileFormat: FileFormat;
  trimSilence: boolean;
  transcribe: boolean;
  transcribeQuality: TranscribeQuality;
  transcribeCallback: string;
}

export const DEFAULT_RECORDING_OPTIONS: Readonly<RecordingOptions> = Object.freeze({
  action: 'start',
  direction: 'both',
  timeLimit: 60,
  callbackUrl: '',
  fileFormat: 'mp3',
  trimSilence: false,
  transcribe: false,
  transcribeQuality: 'auto',
  transcribeCallback: '',
});

export const RECORDING_OPTION_KEYS = Object.keys(DEFAULT_RECORDING_OPTIONS) as ReadonlyArray<keyof RecordingOptions>;

/**
 * Validates and normalises recording options: every key optional, unknown keys rejected (a typo
 * such as `timelimit` would otherwise be ignored silently), values coerced the way TelAPI would.
 */
export function parseRecordingOptions(input: unknown, base: Readonly<RecordingOptions> = DEFAULT_RECORDING_OPTIONS): RecordingOptions {
  if (input === undefined || input === null) return { ...base };
  const given = ownOptions('recording', input, RECORDING_OPTION_KEYS);
  const has = (key: keyof RecordingOptions): boolean => given[key] !== undefined;
  return {
    action: has('action') ? oneOf('action', RECORD_ACTIONS, given.action) : base.action,
    direction: has('direction') ? oneOf('direction', RECORD_DIRECTIONS, given.direction) : base.direction,
    timeLimit: has('timeLimit') ? positiveInteger('timeLimit', given.timeLimit) : base.timeLimit,
    callbackUrl: has('callbackUrl') ? urlOrPath('callbackUrl', given.callbackUrl) : base.callbackUrl,
    fileFormat: has('fileFormat') ? oneOf('fileFormat', FILE_FORMATS, given.fileFormat) : base.fileFormat,
    trimSilence: has('trimSilence') ? parseBoolean('trimSilence', given.trimSilence) : base.trimSilence,
    transcribe: has('transcribe') ? parseBoolean('transcribe', given.transcribe) : base.transcribe,
    transcribeQuality: has('transcribeQuality')
      ? oneOf('transcribeQuality', TRANSCRIBE_QUALITIES, given.transcribeQuality)
      : base.transcribeQuality,
    transcribeCallback: has('transcribeCallback')
      ? urlOrPath('transcribeCallback', given.transcribeCallback)
      : base.transcribeCallback,
  };
}

/**
 * Turns a configured callback (absolute URL, or a path starting with "/" under `publicUrl`) into the
 * URL sent to TelAPI, carrying the call's token. A path is joined to the canonical public URL
 * (public-url.ts), the form the callback node checks signatures over. The callback credentials (for
 * httpNodeAuth) go only into URLs under the public URL, never to another host. Empty stays empty:
 * an empty URL is never sent.
 */
export function resolveCallbackUrl(field: string, value: string, publicUrl: string, token: string, credentials?: CallbackCredentials): string {
  return resolveNodeUrl(field, value, publicUrl, { name: CALLBACK_TOKEN_PARAM, value: token }, credentials);
}

/** The query parameter that makes a receiving node accept a URL: the per-call `token`, or a path `key`. */
export interface UrlCredentialParam {
  name: string;
  value: string;
}

/**
 * resolveCallbackUrl with the credential parameter chosen by the caller, or none (`undefined`: the
 * URL as given, or the path under the public URL), and the length limit too (`Infinity` for a
 * media URL, which TelAPI fetches rather than takes as a callback parameter).
 */
export function resolveNodeUrl(
  field: string,
  value: string,
  publicUrl: string,
  param: UrlCredentialParam | undefined,
  credentials?: CallbackCredentials,
  maxLength: number = MAX_URL_LENGTH,
): string {
  if (value === '') return '';
  const base = canonicalPublicUrl(publicUrl);
  let absolute: string | undefined;
  if (value.startsWith('/')) {
    if (isUnsafePath(value)) throw new TelApiInputError(field, 'url');
    if (publicUrl.trim() === '') {
      throw new TelApiInputError(field, 'relative-without-public-url');
    }
    absolute = canonicalCallbackUrl(publicUrl, value);
  } else {
    absolute = value;
  }
  if (absolute === undefined || !isHttpUrl(absolute)) {
    throw new TelApiInputError(field, 'url');
  }
  let resolved = param === undefined ? absolute : withQueryParam(absolute, param.name, param.value);
  // Judged on the URL as TelAPI will read it: "/nr/../x" under https://host/nr is https://host/x.
  if (base !== undefined && new URL(resolved).href.startsWith(`${base}/`)) resolved = withCallbackCredentials(resolved, credentials);
  if (resolved.length > maxLength) {
    throw new TelApiInputError(field, 'url-too-long', { length: resolved.length, max: maxLength });
  }
  return resolved;
}

/** The URL without user and password, for anything a person or a log may see. */
export function withoutUserinfo(value: string): string {
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    // Not a URL: drop anything that looks like "user:password@" after a scheme.
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
  }
}

export interface RecordRequestInput {
  callSid: unknown;
  options: RecordingOptions;
  publicUrl: string;
  /** The call's callback token (CallbackAuthenticator.tokenFor): callers never handle the AuthToken. */
  tokenFor: (callSid: string) => string;
  /** The account's callback credentials (httpNodeAuth), if any. */
  callbackCredentials?: CallbackCredentials | undefined;
}

/**
 * Maps options onto TelAPI's form parameters, in TelAPI's order, URLs as given. A stop sends only
 * Record=false: the other parameters describe a recording to start. Transcription parameters are
 * only sent when transcription is asked for; an empty URL is never sent.
 */
export function recordingFormParams(options: RecordingOptions): URLSearchParams {
  const form = new URLSearchParams();
  if (endsRecording(options.action)) {
    form.set('Record', 'false');
    return form;
  }
  form.set('Record', 'true');
  form.set('Direction', options.direction);
  form.set('TimeLimit', String(options.timeLimit));
  if (options.callbackUrl) form.set('CallbackUrl', options.callbackUrl);
  form.set('FileFormat', options.fileFormat);
  form.set('TrimSilence', String(options.trimSilence));
  form.set('Transcribe', String(options.transcribe));
  if (options.transcribe) {
    form.set('TranscribeQuality', options.transcribeQuality);
    if (options.transcribeCallback) form.set('TranscribeCallback', options.transcribeCallback);
  }
  return form;
}

export function validateCallSid(callSid: unknown): string {
  if (callSid === undefined || callSid === null || callSid === '') {
    throw new TelApiInputError('callSid', 'required');
  }
  if (!isCallSid(callSid)) {
    throw new TelApiInputError('callSid', 'sid', { prefix: 'CA' });
  }
  return callSid;
}

/**
 * The options of a start with both callback URLs resolved and tokened (the transcription URL only
 * when transcribing); a stop unchanged. Throws the first URL's input error.
 */
export function withResolvedCallbackUrls(options: RecordingOptions, publicUrl: string, token: string, credentials?: CallbackCredentials): RecordingOptions {
  if (endsRecording(options.action)) return options;
  return {
    ...options,
    callbackUrl: resolveCallbackUrl('callbackUrl', options.callbackUrl, publicUrl, token, credentials),
    transcribeCallback: options.transcribe ? resolveCallbackUrl('transcribeCallback', options.transcribeCallback, publicUrl, token, credentials) : '',
  };
}

/** Validates the call and resolves both callback URLs (with the call's token), then maps to the form. */
export function buildRecordForm(input: RecordRequestInput): URLSearchParams {
  const callSid = validateCallSid(input.callSid);
  const { options } = input;
  if (endsRecording(options.action)) return recordingFormParams(options);
  return recordingFormParams(withResolvedCallbackUrls(options, input.publicUrl, input.tokenFor(callSid), input.callbackCredentials));
}

export interface RecordResult extends TelApiResult {
  /** The Recording object: the body itself, or the first item of a list envelope. */
  recording: TelApiObject;
}

/** POST …/Calls/{CallSid}/Recordings.json: starts (Record=true) or stops (Record=false) a recording. */
export async function recordCall(
  client: RecordingsClient,
  callSid: string,
  form: URLSearchParams,
  signal?: AbortSignal,
  delivery: Delivery = {},
): Promise<RecordResult> {
  const result = await client.request({ method: 'POST', path: `/Calls/${encodeURIComponent(callSid)}/Recordings.json`, form, ...(signal ? { signal } : {}), ...delivery });
  return { ...result, recording: parseRecordingResponse(result.body, result.statusCode) };
}
