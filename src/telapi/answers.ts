import type http from 'node:http';
import { TelApiError, type TelApiErrorBody } from './errors';
import { jsonNestsDeeperThan } from './json';
import type { TelApiObject } from './response';

/** TelAPI's answers as the client reads them: results, error bodies and Retry-After. */

/** One exchange as the client reads it; a got Response is one. */
export interface HttpAnswer {
  statusCode: number;
  statusMessage?: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TelApiResult {
  statusCode: number;
  body: TelApiObject;
  attempts: number;
  /** The answer's length in characters, as read (what a list of many pages counts). */
  size?: number;
}

/** An HTTP date (IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"). */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * No TelAPI answer reaches this size: a list page of 50 recordings is about 40 KB. A larger one is
 * not read to the end, so that an answer that never ends cannot take the process's memory.
 */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

/** TelAPI's answers nest three levels (list envelope, items, sub-resource links); a few more are tolerated. */
export const MAX_ANSWER_DEPTH = 16;

export function answerTooLarge(attempts: number): TelApiError {
  return new TelApiError(`TelAPI's answer is larger than ${MAX_ANSWER_BYTES} bytes; it was not read`, { kind: 'too-large', attempts });
}

function parseJsonObject(text: string): TelApiObject | undefined {
  if (jsonNestsDeeperThan(text, MAX_ANSWER_DEPTH)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TelApiObject) : undefined;
  } catch {
    return undefined;
  }
}

function parseErrorBody(body: TelApiObject | undefined): TelApiErrorBody | undefined {
  if (!body) return undefined;
  const code = typeof body.code === 'number' ? body.code : typeof body.code === 'string' && /^\d+$/.test(body.code) ? Number(body.code) : undefined;
  const parsed: TelApiErrorBody = {};
  if (typeof body.message === 'string') parsed.message = body.message;
  if (code !== undefined) parsed.code = code;
  if (typeof body.more_info === 'string') parsed.moreInfo = body.more_info;
  return parsed;
}

export function failureOf(answer: HttpAnswer, attempts: number): TelApiError {
  return TelApiError.fromHttp(answer.statusCode, parseErrorBody(parseJsonObject(answer.body)), answer.statusMessage ?? '', attempts);
}

export function parseResult(response: HttpAnswer, attempts: number): TelApiResult {
  const status = response.statusCode;
  if (status < 200 || status > 299) throw failureOf(response, attempts);
  if (jsonNestsDeeperThan(response.body, MAX_ANSWER_DEPTH)) {
    throw new TelApiError(`TelAPI ${status}: the answer nests more than ${MAX_ANSWER_DEPTH} levels deep`, { kind: 'invalid-response', attempts });
  }
  const body = parseJsonObject(response.body);
  if (!body) {
    throw new TelApiError(`TelAPI ${status}: the answer is not a JSON object (${response.headers['content-type'] ?? 'no content type'})`, {
      kind: 'invalid-response',
      status,
      attempts,
    });
  }
  return { statusCode: status, body, attempts, size: response.body.length };
}
