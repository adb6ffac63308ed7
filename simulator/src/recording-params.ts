import {
  CALLBACK_METHODS,
  DIRECTIONS,
  FILE_FORMATS,
  MAX_URL_PARAM_LENGTH as MAX_URL_LENGTH,
  RECORDING_DEFAULTS,
  TRANSCRIBE_QUALITIES,
  ZANG_QUALITIES,
  isAbsoluteHttpUrl as isHttpUrl,
  readBoolean,
  type CallbackMethod,
  type FileFormat,
  type RecordDirection,
  type TranscribeQuality,
} from './spec';
import { ApiError } from './api-errors';
import type { ApiVersion } from './constants';
import type { RequestParams } from './http-util';

/** A validated `POST …/Calls/{CallSid}/Recordings.json` request. */
export type RecordRequest = { record: false } | { record: true; params: StartRecordingParams };

export interface StartRecordingParams {
  direction: RecordDirection;
  timeLimit: number;
  callbackUrl: string | undefined;
  fileFormat: FileFormat;
  trimSilence: boolean;
  transcribe: boolean;
  transcribeQuality: TranscribeQuality;
  transcribeCallback: string | undefined;
  /** How the recording callback is requested: POST unless a make-call request asked for GET. */
  callbackMethod: CallbackMethod;
}

/** An empty value counts as not given, the way an HTML form sends an empty field. */
function given(params: RequestParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `CallbackMethod=get` is read as GET, like the other enums. */
function methodParam(params: RequestParams, name: string): CallbackMethod {
  const value = given(params, name);
  if (value === undefined) return 'POST';
  const match = CALLBACK_METHODS.find((method) => method === value.toUpperCase());
  if (match === undefined) throw new ApiError('invalidParameter', `${name} must be POST or GET`);
  return match;
}

function booleanParam(params: RequestParams, name: string, fallback: boolean): boolean {
  const value = given(params, name);
  if (value === undefined) return fallback;
  const parsed = readBoolean(value);
  if (parsed === undefined) throw new ApiError('invalidParameter', `${name} must be true or false`);
  return parsed;
}

/** Case-insensitive, so `Direction=Both` is accepted like `both`. */
function enumParam<T extends string>(params: RequestParams, name: string, allowed: readonly T[], fallback: T): T {
  const value = given(params, name);
  if (value === undefined) return fallback;
  const match = allowed.find((item) => item === value.toLowerCase());
  if (match === undefined) throw new ApiError('invalidParameter', `${name} must be one of ${allowed.join(', ')}`);
  return match;
}

function wholeSecondsParam(params: RequestParams, name: string, minimum: 0 | 1): number | undefined {
  const value = given(params, name);
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw new ApiError('invalidParameter', `${name} must be a whole number of seconds${minimum === 1 ? ' greater than 0' : ''}`);
  }
  return number;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/**
 * An absolute http(s) URL, or a relative reference resolved later against the call's URL (the
 * golden example in docs/telapi-api.md sends `CallbackUrl=CallbackUrl`). Other schemes and text that
 * cannot be a URL are refused.
 */
function urlParam(params: RequestParams, name: string): string | undefined {
  const value = given(params, name);
  if (value === undefined) return undefined;
  if (value.length > MAX_URL_LENGTH) {
    throw new ApiError('urlTooLong', `${name} is ${value.length} characters long; at most ${MAX_URL_LENGTH} are allowed`);
  }
  const absolute = SCHEME.test(value);
  if ((absolute && !isHttpUrl(value)) || (!absolute && !isRelativeReference(value))) {
    throw new ApiError('invalidParameter', `${name} must be an http or https URL`);
  }
  return value;
}

function isRelativeReference(value: string): boolean {
  if (WHITESPACE_OR_CONTROL.test(value)) return false;
  try {
    new URL(value, 'http://relative.invalid/');
    return true;
  } catch {
    return false;
  }
}

/** Where a callback URL as given (absolute, or relative to the call's URL) is requested. */
export function resolveCallbackTarget(urlAsGiven: string, base: string): string {
  return SCHEME.test(urlAsGiven) ? urlAsGiven : new URL(urlAsGiven, base).href;
}

/** Zang (/v2) knows only its own qualities; TelAPI (/v1) also silver, gold and platinum. */
function qualitiesOf(version: ApiVersion): readonly TranscribeQuality[] {
  return version === 'v2' ? ZANG_QUALITIES : TRANSCRIBE_QUALITIES;
}

/**
 * Validates every parameter TelAPI documents, with TelAPI's defaults. A stop (`Record=false`)
 * ignores the rest, as they describe a recording to start; unknown parameters are ignored.
 */
export function parseRecordRequest(params: RequestParams, version: ApiVersion): RecordRequest {
  if (given(params, 'Record') === undefined) throw new ApiError('missingParameter', 'Record is required (true or false)');
  if (!booleanParam(params, 'Record', false)) return { record: false };
  const defaults = RECORDING_DEFAULTS;
  const start: StartRecordingParams = {
    direction: enumParam(params, 'Direction', DIRECTIONS, defaults.direction),
    timeLimit: wholeSecondsParam(params, 'TimeLimit', 1) ?? defaults.timeLimit,
    callbackUrl: urlParam(params, 'CallbackUrl'),
    fileFormat: enumParam(params, 'FileFormat', FILE_FORMATS, defaults.fileFormat),
    trimSilence: booleanParam(params, 'TrimSilence', defaults.trimSilence),
    transcribe: booleanParam(params, 'Transcribe', defaults.transcribe),
    transcribeQuality: enumParam(params, 'TranscribeQuality', qualitiesOf(version), defaults.transcribeQuality),
    transcribeCallback: urlParam(params, 'TranscribeCallback'),
    callbackMethod: 'POST',
  };
  return { record: true, params: start };
}

/** A whole-call recording has no TimeLimit of its own; the hang-up ends it long before this. */
export const CALL_RECORDING_TIME_LIMIT = 4 * 60 * 60;

/**
 * The recording part of a make-call request (`Record`, `RecordCallback`, `RecordCallbackMethod`,
 * `Transcribe`, `TranscribeCallback`): the whole call is recorded from the answer to the hang-up.
 * Transcribe without Record is refused, since there would be nothing to transcribe.
 */
export function parseMakeCallRecording(params: RequestParams): StartRecordingParams | undefined {
  const record = booleanParam(params, 'Record', false);
  const transcribe = booleanParam(params, 'Transcribe', false);
  const recordCallback = urlParam(params, 'RecordCallback');
  const transcribeCallback = urlParam(params, 'TranscribeCallback');
  const callbackMethod = methodParam(params, 'RecordCallbackMethod');
  if (!record) {
    const orphan = [transcribe && 'Transcribe', recordCallback && 'RecordCallback', transcribeCallback && 'TranscribeCallback'].find(Boolean);
    if (orphan) throw new ApiError('invalidParameter', `${orphan} needs Record=true`);
    return undefined;
  }
  return {
    ...RECORDING_DEFAULTS,
    timeLimit: CALL_RECORDING_TIME_LIMIT,
    callbackUrl: recordCallback,
    transcribe,
    transcribeCallback,
    callbackMethod,
  };
}

/** What a make-call request asks for besides the call itself. */
export interface MakeCallOptions {
  /** How `Url` is requested. */
  method: CallbackMethod;
  statusCallback: string | undefined;
  statusCallbackMethod: CallbackMethod;
  /** Seconds to ring before the call is `no-answer`. */
  timeout: number;
  /** `Record=true`: the whole call, from the answer to the hang-up. */
  recording: StartRecordingParams | undefined;
}

/** docs/telapi-api.md, "Answering calls": `Timeout` is at most 999 seconds. */
const MAX_RING_TIMEOUT = 999;
const DEFAULT_RING_TIMEOUT = 60;

/** `Method`, `StatusCallback`, `StatusCallbackMethod`, `Timeout` and the recording parameters of a make-call request. */
export function parseMakeCallOptions(params: RequestParams): MakeCallOptions {
  const timeout = wholeSecondsParam(params, 'Timeout', 1) ?? DEFAULT_RING_TIMEOUT;
  if (timeout > MAX_RING_TIMEOUT) throw new ApiError('invalidParameter', `Timeout must be a whole number of seconds from 1 to ${MAX_RING_TIMEOUT}`);
  return {
    method: methodParam(params, 'Method'),
    statusCallback: urlParam(params, 'StatusCallback'),
    statusCallbackMethod: methodParam(params, 'StatusCallbackMethod'),
    timeout,
    recording: parseMakeCallRecording(params),
  };
}

/** `POST …/Recordings/{RecordingSid}/Transcriptions.json` and `POST …/Transcriptions.json`. */
export interface TranscribeRequest {
  audioUrl: string | undefined;
  quality: TranscribeQuality;
  callbackUrl: string | undefined;
  callbackMethod: CallbackMethod;
  sliceStart: number | undefined;
  sliceDuration: number | undefined;
}

export function parseTranscribeRequest(params: RequestParams, source: 'recording' | 'audio-url', version: ApiVersion): TranscribeRequest {
  let audioUrl: string | undefined;
  if (source === 'audio-url') {
    audioUrl = given(params, 'AudioUrl');
    if (audioUrl === undefined) throw new ApiError('missingParameter', 'AudioUrl is required');
    if (!isHttpUrl(audioUrl)) throw new ApiError('invalidParameter', 'AudioUrl must be an http or https URL');
  }
  return {
    audioUrl,
    // Under /v2 TelAPI v1's qualities are refused, as Zang refuses them.
    quality: enumParam(params, 'Quality', qualitiesOf(version), RECORDING_DEFAULTS.transcribeQuality),
    callbackUrl: urlParam(params, 'TranscribeCallback'),
    callbackMethod: methodParam(params, 'CallbackMethod'),
    sliceStart: wholeSecondsParam(params, 'SliceStart', 0),
    sliceDuration: wholeSecondsParam(params, 'SliceDuration', 1),
  };
}
