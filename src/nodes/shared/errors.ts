import { types } from 'node:util';
import type { NodeAPI } from 'node-red';
import { DownloadError, JoinError, MAX_ANSWER_BYTES, MAX_RECORDINGS_PER_CALL, TelApiError, TelApiInputError, inSeconds } from '../../telapi';

/**
 * The errors a node hands to Catch and shows in its status, in the user's language: the library's
 * own error (TelApiInputError, TelApiError, DownloadError, JoinError, so a flow may test `instanceof` and read
 * `field`/`reason` or `kind`/`status`/`code`) with its text taken from `<type>.errors.*` of the node
 * type's catalog. Anything else passes unchanged.
 */
export function localizedError(RED: NodeAPI, type: string, error: unknown): Error {
  const text = localizedText(RED, type, error);
  if (text === undefined) return asError(error);
  (error as Error).message = text;
  return error as Error;
}

/**
 * What was thrown, as an Error: an Error of any realm (a function node's sandbox has its own) as
 * it is, anything else as its text, also a value that cannot be turned into text (Object.create(null)).
 */
export function asError(thrown: unknown): Error {
  return types.isNativeError(thrown) ? thrown : new Error(textOf(thrown));
}

/** A value as text, also one that cannot be turned into text (its toString throws, or there is none). */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function localizedText(RED: NodeAPI, type: string, error: unknown): string | undefined {
  if (error instanceof TelApiInputError) {
    return RED._(`${type}.errors.input.${error.reason}`, { field: error.field, ...error.params });
  }
  if (error instanceof TelApiError) {
    const params = {
      status: error.status ?? '',
      code: error.code ?? '',
      message: error.apiMessage ?? '',
      cause: error.causeCode ?? '',
      detail: error.message,
      attempts: error.attempts,
      limit: MAX_ANSWER_BYTES,
      call: error.callSid ?? '',
      max: MAX_RECORDINGS_PER_CALL,
    };
    return RED._(`${type}.errors.${apiErrorKey(error)}`, params);
  }
  if (error instanceof DownloadError) {
    const params = {
      host: error.host ?? '', status: error.status ?? '', bytes: error.bytes ?? '', maxBytes: error.maxBytes ?? '', cause: error.causeCode ?? '',
      seconds: error.deadlineMs === undefined ? '' : inSeconds(error.deadlineMs), encoding: error.encoding ?? '',
    };
    // A timeout with a deadline is the whole download running too long, not a silent server.
    const key = error.kind === 'timeout' && error.deadlineMs !== undefined ? 'deadline' : error.kind;
    return RED._(`${type}.errors.download.${key}`, params);
  }
  if (error instanceof JoinError) {
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(error.params)) if (value !== undefined) params[name] = value;
    // The property that differs, in the user's words.
    if (error.params.property !== undefined) params.property = RED._(`${type}.errors.join.property.${error.params.property}`);
    return RED._(`${type}.errors.join.${error.kind}`, params);
  }
  return undefined;
}

/**
 * The catalog key of a TelApiError: its kind, with 'http' split by whether TelAPI sent an error code,
 * and 'invalid-response' by whether an HTTP status belongs to it (a field of a good answer may be
 * what is wrong).
 */
function apiErrorKey(error: TelApiError): string {
  if (error.kind === 'http') return error.code !== undefined ? 'httpWithCode' : 'http';
  if (error.kind === 'invalid-response' && error.status === undefined) return 'invalidContent';
  return error.kind;
}
