import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExtendOptions, Got, OptionsOfTextResponseBody, Response, RetryObject } from 'got' with { 'resolution-mode': 'import' };
import { isNonPublicHost, publicOnlyLookup } from './addresses';
import { downloadMedia, type DownloadOptions, type DownloadResult, type MediaErrorKind, type MediaStream } from './download';
import { MAX_ANSWER_BYTES, answerTooLarge, failureOf, parseResult, retryAfterMs, type TelApiResult } from './answers';
import { TelApiError } from './errors';
import type { GotParts } from './got';
import type { TelApiProxy } from './proxy';
import { parseHttpUrl } from './public-url';
import { basic, directAgents, errorCode, transportFor } from './transport';
import { parseRecordingResponse, type TelApiObject } from './response';

export interface TelApiClientOptions {
  /** The got module (loadGot()): the client extends its instance and recognises its errors by class. */
  got: GotParts;
  accountSid: string;
  authToken: string;
  /** API root, e.g. https://api.telapi.com/v1 or https://api.zang.io/v2. */
  baseUrl: string;
  /** Per attempt, for each of: writing the request, TelAPI's answer to begin, the answer's body. */
  timeoutMs?: number;
  /** Per attempt, for each of DNS lookup, TCP connect and TLS handshake; never more than timeoutMs. */
  connectTimeoutMs?: number;
  /** Attempts in all, for 429/503 and for requests that never reached TelAPI. */
  maxAttempts?: number;
  /** Upper bound of one Retry-After wait; a longer Retry-After waits this long, then tries again. */
  maxRetryAfterMs?: number;
  /** First back-off when TelAPI could not be reached; doubles each attempt, with jitter. */
  unreachableBackoffMs?: number;
  userAgent?: string;
  /** Send every request through this proxy (see resolveProxy). */
  proxy?: TelApiProxy;
  /** Name resolution in place of dns.lookup, e.g. to pin an address. */
  lookup?: LookupFunction;
  /** Certificate authorities (PEM) to trust instead of Node's bundle, e.g. a test server's own. */
  ca?: string;
}

/** What a caller learns of a request on its way: whether TelAPI may have it (see TelApiRequest). */
export type Delivery = Pick<TelApiRequest, 'onSent' | 'onRefused'>;

export interface TelApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below {base}/Accounts/{AccountSid}, e.g. "/Calls/CA…/Recordings.json". */
  path: string;
  /** Absolute URL on the API's origin in place of `path` (a list's next_page_uri). */
  url?: string;
  query?: URLSearchParams;
  form?: URLSearchParams;
  signal?: AbortSignal;
  /**
   * Called as soon as an attempt's request (headers and body) has been completely written to the
   * socket: from then on TelAPI may act on it. Once per such attempt, so possibly more than once.
   */
  onSent?: () => void;
  /**
   * Called when TelAPI refused an attempt it had received (429 or 503: it did not act on it), so
   * that until the next attempt is written, nothing of this request is at TelAPI.
   */
  onRefused?: () => void;
}

export type { TelApiResult } from './answers';
export { MAX_ANSWER_BYTES, retryAfterMs } from './answers';

export interface RecordResult extends TelApiResult {
  /** The Recording object: the body itself, or the first item of a list envelope. */
  recording: TelApiObject;
}

export const DEFAULTS = {
  timeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  unreachableBackoffMs: 250,
} as const;

/**
 * Error codes raised before any byte reached TelAPI: repeating such a request is safe. Node 24
 * reports a refused connection that got retries as ERR_SOCKET_CLOSED_BEFORE_CONNECTION.
 */
const NOTHING_SENT_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPROXY',
  'ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
];

/** How Node >= 24.20 ends got's retry after a refused connection or a connect-phase timeout (see request()). */
const ABANDONED_SOCKET_CODES: ReadonlySet<string> = new Set(['ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'ECANCELED']);

/** Statuses TelAPI answers without acting on the request; got retries them. */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The code of the error that ends a retry wait of a closed client. */
const CLOSED = 'ERR_TELAPI_CLIENT_CLOSED';

/** got's timeout phases in which nothing has been written to TelAPI yet. */
const CONNECT_PHASES = new Set(['lookup', 'connect', 'secureConnect']);

interface Instances {
  plain: Got;
  /** The same, with the form content type. */
  form: Got;
  /** Without credentials, for media files (credentials are added per request, API origin only). */
  media: Got;
  /** The same, refusing names that resolve to non-public addresses when the API is public. */
  publicMedia: Got;
}

/**
 * One TelAPI account: its credentials, keep-alive agents, and the retry policy, on one extended got
 * instance. The token (inside the instance's headers) and any proxy credentials are kept in private
 * fields so that logging or inspecting a client cannot print them.
 */
export class TelApiClient {
  readonly accountSid: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly unreachableBackoffMs: number;
  /** The proxy's scheme://host:port, without credentials; undefined when requests go direct. */
  readonly proxyUrl: string | undefined;
  readonly #agents: { http: http.Agent; https: https.Agent };
  /**
   * Direct downloads under a public API: sockets of their own, each opened through the address check
   * (an API socket, opened without it, would otherwise be reused for a media hop to the API's host).
   */
  readonly #checkedAgents: { http: http.Agent; https: https.Agent } | undefined;
  /** The base URL's origin (credentials go only there), and whether its host is a public one. */
  readonly #api: { origin: string; isPublic: boolean } | undefined;
  readonly #got: GotParts;
  readonly #instances: Instances;
  /** Requests under way: close() frees the sockets only once they have settled. */
  #active = 0;
  readonly #authorization: string;
  #closed = false;

  constructor(options: TelApiClientOptions) {
    this.accountSid = options.accountSid;
    this.baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs, this.timeoutMs);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
    this.unreachableBackoffMs = options.unreachableBackoffMs ?? DEFAULTS.unreachableBackoffMs;
    this.proxyUrl = options.proxy?.url;
    const target = parseHttpUrl(this.baseUrl);
    const transport = transportFor(target, options.proxy);
    this.#agents = transport.agents;
    // Under a public API, a name must resolve to public addresses only; the proxy's own name is exempt.
    this.#api = target && { origin: target.origin, isPublic: !isNonPublicHost(target.hostname) };
    const publicOnly = this.#api?.isPublic === true;
    this.#checkedAgents = publicOnly && !transport.request ? directAgents() : undefined;
    const authorization = basic(options.accountSid, options.authToken);
    this.#authorization = authorization;
    const defaults: ExtendOptions = {
      headers: { authorization, accept: 'application/json', 'user-agent': options.userAgent ?? 'node-red-telapi' },
      agent: this.#agents,
      ...(transport.request ? { request: transport.request } : {}),
      ...(options.lookup ? { dnsLookup: options.lookup } : {}),
      ...(options.ca ? { https: { certificateAuthority: options.ca } } : {}),
      followRedirect: false,
      responseType: 'text',
      timeout: {
        lookup: this.connectTimeoutMs,
        connect: this.connectTimeoutMs,
        secureConnect: this.connectTimeoutMs,
        send: this.timeoutMs,
        response: this.timeoutMs,
        read: this.timeoutMs,
      },
      retry: {
        limit: this.maxAttempts - 1,
        // Safety is decided by what happened to the request, not by its method (see #retryDelay).
        methods: ['GET', 'POST', 'DELETE'],
        statusCodes: [...REFUSED_STATUSES],
        errorCodes: [...NOTHING_SENT_CODES, 'ETIMEDOUT'],
        calculateDelay: (retry) => this.#retryDelay(retry),
      },
      hooks: {
        // got has no option for "stop retrying": a client closed during a retry wait ends there.
        beforeRetry: [
          () => {
            if (this.#closed) throw Object.assign(new Error('the client was closed'), { code: CLOSED });
          },
        ],
      },
    };
    this.#got = options.got;
    const plain = options.got.got.extend(defaults);
    // Media: no Authorization by default, every redirect handled by downloadMedia, raw bytes
    // counted (no decompression), and a stall rather than a slow large file is the timeout.
    const proxyHost = options.proxy && parseHttpUrl(options.proxy.url)?.hostname;
    const media = plain.extend({
      headers: { authorization: undefined, accept: '*/*', 'accept-encoding': 'identity' },
      decompress: false,
      throwHttpErrors: false,
      strictContentLength: true,
      retry: { limit: 0 },
      timeout: { read: undefined, socket: this.timeoutMs },
    });
    const publicMedia = publicOnly
      ? media.extend({
          dnsLookup: publicOnlyLookup(options.lookup, proxyHost ? [proxyHost] : []),
          ...(this.#checkedAgents ? { agent: this.#checkedAgents } : {}),
        })
      : media;
    this.#instances = { plain, form: plain.extend({ headers: { 'content-type': 'application/x-www-form-urlencoded' } }), media, publicMedia };
  }

  /** {base}/Accounts/{AccountSid}{path} */
  accountUrl(path: string): string {
    return `${this.baseUrl}/Accounts/${encodeURIComponent(this.accountSid)}${path}`;
  }

  /** POST …/Calls/{CallSid}/Recordings.json: starts (Record=true) or stops (Record=false) a recording. */
  async record(callSid: string, form: URLSearchParams, signal?: AbortSignal, delivery: Delivery = {}): Promise<RecordResult> {
    const result = await this.request({
      method: 'POST',
      path: `/Calls/${encodeURIComponent(callSid)}/Recordings.json`,
      form,
      ...(signal ? { signal } : {}),
      ...delivery,
    });
    return { ...result, recording: parseRecordingResponse(result.body, result.statusCode) };
  }

  /**
   * Downloads a recording's media into one Buffer (see downloadMedia): Authorization only to the
   * base URL's origin, the account's agents and proxy for every hop.
   */
  async download(url: string, options: DownloadOptions): Promise<DownloadResult> {
    if (this.#closed) throw new TelApiError('TelAPI client is closed', { kind: 'aborted' });
    const api = this.#api;
    if (!api) throw this.#networkError('ERR_INVALID_URL', 1, false);
    const instances = this.#instances;
    const publicOnly = !options.allowPrivateAddresses && api.isPublic;
    const media = publicOnly ? instances.publicMedia : instances.media;
    const authorization = this.#authorization;
    const open = (target: URL, withCredentials: boolean): MediaStream =>
      media.stream(target, withCredentials ? { headers: { authorization } } : {}) as unknown as MediaStream;
    this.#active += 1;
    try {
      return await downloadMedia({ open, apiOrigin: api.origin, publicOnly, kindOf: this.#mediaErrorKind }, url, options);
    } finally {
      this.#active -= 1;
      if (this.#closed && this.#active === 0) this.#destroyAgents();
    }
  }

  async request(request: TelApiRequest): Promise<TelApiResult> {
    if (this.#closed) throw new TelApiError('TelAPI client is closed', { kind: 'aborted' });
    if (!this.#api) throw this.#networkError('ERR_INVALID_URL', 1, false);
    const instances = this.#instances;
    if (request.signal?.aborted) throw abortedError(1);
    const body = request.form?.toString();
    const options: OptionsOfTextResponseBody = { method: request.method };
    if (body !== undefined) options.body = body;
    if (request.query !== undefined && request.query.size > 0) options.searchParams = request.query;
    const { onSent, onRefused, signal } = request;
    this.#active += 1;
    try {
      // Attempts made by earlier got calls of this request (see the loop's catch).
      let earlier = 0;
      for (;;) {
        const attemptOptions = earlier === 0 ? options : { ...options, retry: { limit: this.maxAttempts - earlier - 1 } };
        const pending = (body === undefined ? instances.plain : instances.form)(request.url ?? this.accountUrl(request.path), attemptOptions);
        // Whether the latest attempt's request was completely written out (TelAPI may have it).
        let written = false;
        pending.on('request', (sent) => {
          written = false;
          sent.once('finish', () => {
            written = true;
            onSent?.();
          });
        });
        pending.on('response', (answer: Response) => {
          if (REFUSED_STATUSES.has(answer.statusCode)) onRefused?.();
        });
        // An answer is counted as it arrives (after decompression) and never read past the limit.
        let tooLarge = false;
        pending.on('downloadProgress', ({ transferred, total }) => {
          if (!tooLarge && (transferred > MAX_ANSWER_BYTES || (total ?? 0) > MAX_ANSWER_BYTES)) {
            tooLarge = true;
            pending.cancel();
          }
        });
        // Cancelling the promise, rather than giving got the signal, also ends a retry wait, and
        // costs less CPU per request (measured side by side, bench/README.md).
        const cancel = (): void => pending.cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        let response: Response<string>;
        try {
          response = await pending;
        } catch (error) {
          const attempts = earlier + this.#attemptsOf(error);
          if (tooLarge) throw answerTooLarge(attempts);
          // Node >= 24.20 ends a retry that got started after a refused connection or a connect-phase
          // timeout with an error of the abandoned socket, outside got's retry logic (got #2469, fixed
          // only in got 16, which needs Node 22). Nothing was written, so the client retries itself,
          // within the same attempts.
          const abandonedSocket = !written && ABANDONED_SOCKET_CODES.has(errorCode(error) ?? '');
          if (abandonedSocket && attempts < this.maxAttempts && !this.#closed && !signal?.aborted) {
            earlier = attempts;
            await this.#pause(this.#backoffMs(attempts), signal, attempts);
            continue;
          }
          throw this.#failure(error, signal, earlier);
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
        return parseResult(response, earlier + response.retryCount + 1);
      }
    } finally {
      this.#active -= 1;
      if (this.#closed && this.#active === 0) this.#destroyAgents();
    }
  }

  /** Waits `ms` unless cancelled; a cancel or a close ends the request as cancelled. */
  async #pause(ms: number, signal: AbortSignal | undefined, attempts: number): Promise<void> {
    try {
      await sleep(ms, undefined, signal ? { signal } : {});
    } catch {
      throw abortedError(attempts);
    }
    if (this.#closed) throw abortedError(attempts);
  }

  /**
   * Refuses new requests and frees the keep-alive sockets, once the requests under way have settled
   * (a redeploy closes the account while a record node may still wait for TelAPI's answers). A
   * request under way that waits to be retried ends as cancelled when the wait is over (beforeRetry).
   */
  close(): void {
    this.#closed = true;
    if (this.#active === 0) this.#destroyAgents();
  }

  #destroyAgents(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
    this.#checkedAgents?.http.destroy();
    this.#checkedAgents?.https.destroy();
  }

  /**
   * got's retry rules (limit, status 429/503, the nothing-sent error codes) have already given
   * `computedValue`, 0 meaning "do not retry". On top: a timeout is retried only in a phase before
   * anything was written, and the wait is Retry-After when TelAPI sent one, else a back-off with
   * jitter, both capped at maxRetryAfterMs. A Retry-After above the cap is not a reason to give up
   * (got's own rule): a recording is only useful while its call lasts, so the client waits the cap
   * and tries again, still within maxAttempts.
   */
  #retryDelay({ attemptCount, error, computedValue }: RetryObject): number {
    if (computedValue === 0) return 0;
    if (error.code === 'ETIMEDOUT' && !this.#isConnectPhaseTimeout(error)) return 0;
    const retryAfter = retryAfterMs(headerValue(error.response?.headers['retry-after']));
    const delay = retryAfter ?? this.#backoffMs(attemptCount);
    return Math.max(1, Math.min(delay, this.maxRetryAfterMs));
  }

  /** Doubles from unreachableBackoffMs with each attempt; the upper half is random ("equal jitter"). */
  #backoffMs(attempt: number): number {
    const ceiling = this.unreachableBackoffMs * 2 ** (attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #failure(error: unknown, signal: AbortSignal | undefined, earlierAttempts: number): TelApiError {
    const attempts = earlierAttempts + this.#attemptsOf(error);
    const code = errorCode(error);
    const { CancelError, AbortError, HTTPError } = this.#got;
    if (signal?.aborted || error instanceof CancelError || error instanceof AbortError || code === CLOSED) return abortedError(attempts);
    if (error instanceof HTTPError && typeof error.response.body === 'string') return failureOf(error.response as Response<string>, attempts);
    return this.#networkError(code, attempts, this.#isConnectPhaseTimeout(error));
  }

  /** A got TimeoutError in lookup, connect or secureConnect: nothing was written yet. */
  #isConnectPhaseTimeout(error: unknown): boolean {
    return error instanceof this.#got.TimeoutError && CONNECT_PHASES.has(error.event);
  }

  /** got counts retries on its Request; the attempts are one more. */
  #attemptsOf(error: unknown): number {
    return error instanceof this.#got.RequestError && error.request ? error.request.retryCount + 1 : 1;
  }

  /** What a media stream's error means, when it is one of got's: a stall, or a body cut off. */
  readonly #mediaErrorKind = (error: Error): MediaErrorKind | undefined => {
    if (error instanceof this.#got.TimeoutError) return 'timeout';
    return error instanceof this.#got.ReadError ? 'cut-off' : undefined;
  };

  #networkError(code: string | undefined, attempts: number, nothingSent: boolean): TelApiError {
    const details = { attempts, ...(code ? { cause: code } : {}) };
    if (code === 'ETIMEDOUT' && !nothingSent) {
      return new TelApiError(
        `TelAPI did not answer within ${this.timeoutMs} ms; the request may have reached TelAPI, so it was not repeated`,
        { kind: 'timeout', ...details },
      );
    }
    if (code === 'ERR_INVALID_URL') {
      return new TelApiError('The TelAPI base URL is not a valid URL', { kind: 'invalid-base-url', ...details });
    }
    if (nothingSent || (code !== undefined && NOTHING_SENT_CODES.includes(code))) {
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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return 'the configured base URL';
  }
}
