import {
  DIRECTIONS,
  FILE_FORMATS,
  MAX_URL_PARAM_LENGTH as MAX_URL_LENGTH,
  RECORDING_DEFAULTS,
  TRANSCRIBE_QUALITIES,
  isAbsoluteHttpUrl as isHttpUrl,
  readBoolean,
  type FileFormat,
  type RecordDirection,
  type TranscribeQuality,
} from './spec';
import { ApiError } from './api-errors';
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
}

/** An empty value counts as not given, the way an HTML form sends an empty field. */
function given(params: RequestParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
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

function positiveIntegerParam(params: RequestParams, name: string, fallback: number): number {
  const value = given(params, name);
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new ApiError('invalidParameter', `${name} must be a whole number of seconds greater than 0`);
  }
  return number;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/**
 * An absolute http(s) URL, or a relative reference resolved later against the call's URL (the
 * golden example in telapi-api.md sends `CallbackUrl=CallbackUrl`). Other schemes and text that
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

/**
 * Validates every parameter TelAPI documents, with TelAPI's defaults. A stop (`Record=false`)
 * ignores the rest, as they describe a recording to start; unknown parameters are ignored.
 */
export function parseRecordRequest(params: RequestParams): RecordRequest {
  if (given(params, 'Record') === undefined) throw new ApiError('missingParameter', 'Record is required (true or false)');
  if (!booleanParam(params, 'Record', false)) return { record: false };
  const defaults = RECORDING_DEFAULTS;
  const start: StartRecordingParams = {
    direction: enumParam(params, 'Direction', DIRECTIONS, defaults.direction),
    timeLimit: positiveIntegerParam(params, 'TimeLimit', defaults.timeLimit),
    callbackUrl: urlParam(params, 'CallbackUrl'),
    fileFormat: enumParam(params, 'FileFormat', FILE_FORMATS, defaults.fileFormat),
    trimSilence: booleanParam(params, 'TrimSilence', defaults.trimSilence),
    transcribe: booleanParam(params, 'Transcribe', defaults.transcribe),
    transcribeQuality: enumParam(params, 'TranscribeQuality', TRANSCRIBE_QUALITIES, defaults.transcribeQuality),
    transcribeCallback: urlParam(params, 'TranscribeCallback'),
  };
  return { record: true, params: start };
}
