import type { ExtendOptions, RetryObject } from 'got' with { 'resolution-mode': 'import' };
import { retryAfterMs } from './answers';
import type { GotParts } from './got';
import { errorCode } from './transport';

/**
 * The client's retry policy: a request is repeated only when TelAPI cannot have acted on it (a
 * 429/503 refusal, or nothing written: the nothing-sent codes and connect-phase timeouts), after
 * Retry-After or a back-off with jitter, within maxAttempts.
 */

export interface RetrySettings {
  /** Attempts in all. */
  maxAttempts: number;
  /** Upper bound of one wait, Retry-After or back-off. */
  maxRetryAfterMs: number;
  /** First back-off when TelAPI could not be reached; doubles each attempt. */
  unreachableBackoffMs: number;
}

/**
 * Error codes raised before any byte reached TelAPI: repeating such a request is safe. Node 24
 * reports a refused connection that got retries as ERR_SOCKET_CLOSED_BEFORE_CONNECTION.
 */
export const NOTHING_SENT_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPROXY',
  'ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
];

/** How Node >= 24.20 ends got's retry after a refused connection or a connect-phase timeout (see retriesAbandonedSocket). */
const ABANDONED_SOCKET_CODES: ReadonlySet<string> = new Set(['ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'ECANCELED']);

/** Statuses TelAPI answers without acting on the request; got retries them. */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The code of the error that ends a retry wait of a closed client. */
export const CLOSED = 'ERR_TELAPI_CLIENT_CLOSED';

/** got's timeout phases in which nothing has been written to TelAPI yet. */
const CONNECT_PHASES: ReadonlySet<string> = new Set(['lookup', 'connect', 'secureConnect']);

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly #settings: RetrySettings;
  readonly #TimeoutError: GotParts['TimeoutError'];

  constructor(settings: RetrySettings, got: Pick<GotParts, 'TimeoutError'>) {
    this.maxAttempts = settings.maxAttempts;
    this.#settings = settings;
    this.#TimeoutError = got.TimeoutError;
  }

  /** got's retry options, and the hook that ends a retry wait once `isClosed()`: got has no option for "stop retrying". */
  gotOptions(isClosed: () => boolean): Pick<ExtendOptions, 'retry' | 'hooks'> {
    return {
      retry: {
        limit: this.maxAttempts - 1,
        // Safety is decided by what happened to the request, not by its method (see delay).
        methods: ['GET', 'POST', 'DELETE'],
        statusCodes: [...REFUSED_STATUSES],
        errorCodes: [...NOTHING_SENT_CODES, 'ETIMEDOUT'],
        calculateDelay: (retry) => this.delay(retry),
      },
      hooks: {
        beforeRetry: [
          () => {
            if (isClosed()) throw Object.assign(new Error('the client was closed'), { code: CLOSED });
          },
        ],
      },
    };
  }

  /**
   * got's retry rules (limit, status 429/503, the nothing-sent error codes) have already given
   * `computedValue`, 0 meaning "do not retry". On top: a timeout is retried only in a phase before
   * anything was written, and the wait is Retry-After when TelAPI sent one, else a back-off with
   * jitter, both capped at maxRetryAfterMs. A Retry-After above the cap is not a reason to give up
   * (got's own rule): a recording is only useful while its call lasts, so the client waits the cap
   * and tries again, still within maxAttempts.
   */
  delay({ attemptCount, error, computedValue }: RetryObject): number {
    if (computedValue === 0) return 0;
    if (error.code === 'ETIMEDOUT' && !this.isConnectPhaseTimeout(error)) return 0;
    const header = error.response?.headers['retry-after'];
    const retryAfter = retryAfterMs(Array.isArray(header) ? header[0] : header);
    const delay = retryAfter ?? this.backoffMs(attemptCount);
    return Math.max(1, Math.min(delay, this.#settings.maxRetryAfterMs));
  }

  /** Doubles from unreachableBackoffMs with each attempt; the upper half is random ("equal jitter"). */
  backoffMs(attempt: number): number {
    const ceiling = this.#settings.unreachableBackoffMs * 2 ** (attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** A got TimeoutError in lookup, connect or secureConnect: nothing was written yet. */
  isConnectPhaseTimeout(error: unknown): boolean {
    return error instanceof this.#TimeoutError && CONNECT_PHASES.has(error.event);
  }

  /**
   * Node >= 24.20 ends a retry that got started after a refused connection or a connect-phase
   * timeout with an error of the abandoned socket, outside got's retry logic (got #2469, fixed only
   * in got 16, which needs Node 22). When nothing was written, the client retries itself, within the
   * same attempts (`attempts` made so far).
   */
  retriesAbandonedSocket(error: unknown, written: boolean, attempts: number): boolean {
    return !written && ABANDONED_SOCKET_CODES.has(errorCode(error) ?? '') && attempts < this.maxAttempts;
  }
}
