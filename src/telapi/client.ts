import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { TelApiError, type TelApiErrorBody } from './errors';
import { parseRecordingResponse, type TelApiObject } from './response';

export interface TelApiClientOptions {
  accountSid: string;
  authToken: string;
  /** API root, e.g. https://api.telapi.com/v1 or https://api.zang.io/v2. */
  baseUrl: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts in all, for 429/503 and for requests that never reached TelAPI. */
  maxAttempts?: number;
  /** Upper bound of one Retry-After wait. */
  maxRetryAfterMs?: number;
  /** First back-off when TelAPI could not be reached; doubles each attempt. */
  unreachableBackoffMs?: number;
  userAgent?: string;
}

export interface TelApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below {base}/Accounts/{AccountSid}, e.g. "/Calls/CA…/Recordings.json". */
  path: string;
  form?: URLSearchParams;
  signal?: AbortSignal;
  /**
   * Called each time an attempt's request (headers and body) has been written out: from then on
   * TelAPI may act on it, so a caller must not treat cancelling it as "nothing happened".
   */
  onSent?: () => void;
}

export interface TelApiResult {
  statusCode: number;
  body: TelApiObject;
  attempts: number;
}

export interface RecordResult extends TelApiResult {
  /** The Recording object: the body itself, or the first item of a list envelope. */
  recording: TelApiObject;
}

export const DEFAULTS = {
  timeoutMs: 15_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  unreachableBackoffMs: 250,
} as const;

const IDLE_SOCKET_MS = 4_000;

/** Error codes raised before any byte reached the server: repeating such a request is safe. */
const NOTHING_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** One HTTP exchange as the client needs it: the status, the headers and the body as text. */
interface HttpAnswer {
  statusCode: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An error carrying a Node-style code, as the retry policy and #networkError read them. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One TelAPI account: its credentials, one keep-alive agent pair, and the retry policy. The token is
 * kept in private fields so that logging or inspecting a client cannot print it.
 */
export class TelApiClient {
  readonly accountSid: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly unreachableBackoffMs: number;
  readonly #authorization: string;
  // An idle keep-alive socket is dropped after 4 s, before a server's usual 5 s keep-alive timeout
  // can close it under a new request (a reset the client could not safely repeat).
  readonly #agents = {
    http: new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    https: new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };
  readonly #userAgent: string;
  #closed = false;
  /** Requests under way: close() frees the sockets only once they have settled. */
  #active = 0;

  constructor(options: TelApiClientOptions) {
    this.accountSid = options.accountSid;
    this.baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
    this.unreachableBackoffMs = options.unreachableBackoffMs ?? DEFAULTS.unreachableBackoffMs;
    this.#authorization = 'Basic ' + Buffer.from(`${options.accountSid}:${options.authToken}`, 'utf8').toString('base64');
    this.#userAgent = options.userAgent ?? 'node-red-telapi';
  }

  /** {base}/Accounts/{AccountSid}{path} */
  accountUrl(path: string): string {
    return `${this.baseUrl}/Accounts/${encodeURIComponent(this.accountSid)}${path}`;
  }

  /** POST …/Calls/{CallSid}/Recordings.json: starts (Record=true) or stops (Record=false) a recording. */
  async record(callSid: string, form: URLSearchParams, signal?: AbortSignal, onSent?: () => void): Promise<RecordResult> {
    const result = await this.request({
      method: 'POST',
      path: `/Calls/${encodeURIComponent(callSid)}/Recordings.json`,
      form,
      ...(signal ? { signal } : {}),
      ...(onSent ? { onSent } : {}),
    });
    return { ...result, recording: parseRecordingResponse(result.body, result.statusCode) };
  }

  async request(request: TelApiRequest): Promise<TelApiResult> {
    if (this.#closed) throw new TelApiError('TelAPI client is closed', { kind: 'aborted' });
    this.#active += 1;
    try {
      return await this.#attempts(request);
    } finally {
      this.#active -= 1;
      if (this.#closed && this.#active === 0) this.#destroyAgents();
    }
  }

  async #attempts(request: TelApiRequest): Promise<TelApiResult> {
    const url = this.accountUrl(request.path);
    const body = request.form?.toString();
    for (let attempt = 1; ; attempt++) {
      let response: HttpAnswer;
      try {
        response = await this.#send(url, request.method, body, request.signal, request.onSent);
      } catch (error) {
        const code = errorCode(error);
        if (request.signal?.aborted || code === 'ERR_ABORTED') throw abortedError(attempt);
        if (code !== undefined && NOTHING_SENT_CODES.has(code) && attempt < this.maxAttempts) {
          await this.#wait(this.#backoffMs(attempt), request.signal, attempt);
          continue;
        }
        throw this.#networkError(code, attempt);
      }
      const status = response.statusCode;
      if ((status === 429 || status === 503) && attempt < this.maxAttempts) {
        const delay = retryAfterMs(response.headers['retry-after']) ?? this.#backoffMs(attempt);
        await this.#wait(Math.min(delay, this.maxRetryAfterMs), request.signal, attempt);
        continue;
      }
      return parseResult(response, attempt);
    }
  }

  /**
   * Refuses new requests and frees the keep-alive sockets, once the requests under way have settled
   * (a redeploy closes the account while a record node may still wait for TelAPI's answers).
   */
  close(): void {
    this.#closed = true;
    if (this.#active === 0) this.#destroyAgents();
  }

  #destroyAgents(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /**
   * One attempt over the keep-alive agents, with node:http directly: no redirects, no retries, the
   * body read as UTF-8 text, `timeoutMs` for the whole exchange. (This was got; on the benchmark
   * machine got's per-request option handling cost several times the CPU of the exchange itself,
   * see bench/README.md.) Errors carry the Node code the retry policy reads: ETIMEDOUT for the
   * timeout, ERR_INVALID_URL for a base URL that is not http(s), ERR_ABORTED when cancelled.
   */
  #send(url: string, method: string, body: string | undefined, signal: AbortSignal | undefined, onSent: (() => void) | undefined): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(codedError('invalid URL', 'ERR_INVALID_URL'));
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(codedError('not an http(s) URL', 'ERR_INVALID_URL'));
        return;
      }
      if (signal?.aborted) {
        reject(codedError('aborted', 'ERR_ABORTED'));
        return;
      }
      const headers: http.OutgoingHttpHeaders = { authorization: this.#authorization, accept: 'application/json', 'user-agent': this.#userAgent };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      let settled = false;
      const finish = (error: Error | undefined, answer?: HttpAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(answer as HttpAnswer);
      };
      const options: http.RequestOptions = { method, headers, agent: secure ? this.#agents.https : this.#agents.http };
      const req = (secure ? https : http).request(target, options, (res) => {
        const chunks: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => chunks.push(chunk));
        res.on('end', () => {
          if (!res.complete) return finish(codedError('the answer was cut off', 'ECONNRESET'));
          finish(undefined, { statusCode: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body: chunks.join('') });
        });
        res.on('error', (error) => finish(error));
        res.on('aborted', () => finish(codedError('the answer was cut off', 'ECONNRESET')));
      });
      const onAbort = (): void => {
        finish(codedError('aborted', 'ERR_ABORTED'));
        req.destroy();
      };
      const timer = setTimeout(() => {
        finish(codedError(`no answer within ${this.timeoutMs} ms`, 'ETIMEDOUT'));
        req.destroy();
      }, this.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => finish(error));
      if (onSent) req.once('finish', onSent);
      req.end(body);
    });
  }

  /** Doubles from unreachableBackoffMs with each attempt. */
  #backoffMs(attempt: number): number {
    return this.unreachableBackoffMs * 2 ** (attempt - 1);
  }

  async #wait(ms: number, signal: AbortSignal | undefined, attempt: number): Promise<void> {
    try {
      await sleep(ms, undefined, signal ? { signal } : {});
    } catch {
      throw abortedError(attempt);
    }
    if (this.#closed) throw abortedError(attempt);
  }

  #networkError(code: string | undefined, attempts: number): TelApiError {
    const details = { attempts, ...(code ? { cause: code } : {}) };
    if (code === 'ETIMEDOUT') {
      return new TelApiError(
        `TelAPI did not answer within ${this.timeoutMs} ms; the request may have reached TelAPI, so it was not repeated`,
        { kind: 'timeout', ...details },
      );
    }
    if (code === 'ERR_INVALID_URL') {
      return new TelApiError('The TelAPI base URL is not a valid URL', { kind: 'invalid-base-url', ...details });
    }
    if (code !== undefined && NOTHING_SENT_CODES.has(code)) {
      return new TelApiError(
        `TelAPI could not be reached at ${originOf(this.baseUrl)} (${code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
        { kind: 'unreachable', ...details },
      );
    }
    return new TelApiError(
      `TelAPI connection failed (${code ?? 'unknown error'}); the request may have reached TelAPI, so it was not repeated`,
      { kind: 'network', ...details },
    );
  }
}

function abortedError(attempts: number): TelApiError {
  return new TelApiError('TelAPI request cancelled', { kind: 'aborted', attempts });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return 'the configured base URL';
  }
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

function parseJsonObject(text: string): TelApiObject | undefined {
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

function parseResult(response: HttpAnswer, attempts: number): TelApiResult {
  const status = response.statusCode;
  const body = parseJsonObject(response.body);
  if (status < 200 || status > 299) {
    throw TelApiError.fromHttp(status, parseErrorBody(body), response.statusMessage ?? '', attempts);
  }
  if (!body) {
    throw new TelApiError(`TelAPI ${status}: the answer is not a JSON object (${response.headers['content-type'] ?? 'no content type'})`, {
      kind: 'invalid-response',
      status,
      attempts,
    });
  }
  return { statusCode: status, body, attempts };
}
