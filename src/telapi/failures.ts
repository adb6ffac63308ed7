import type { Response } from 'got' with { 'resolution-mode': 'import' };
import { failureOf } from './answers';
import type { MediaErrorKind } from './download';
import { TelApiError } from './errors';
import type { GotParts } from './got';
import { CLOSED, NOTHING_SENT_CODES, type RetryPolicy } from './retry';
import { errorCode } from './transport';

/** What a failed request on got becomes: a TelApiError of its kind, with the attempts it took. */

export function abortedError(attempts: number): TelApiError {
  return new TelApiError('TelAPI request cancelled', { kind: 'aborted', attempts });
}

export function closedClientError(): TelApiError {
  return new TelApiError('TelAPI client is closed', { kind: 'aborted' });
}

export interface FailureContext {
  baseUrl: string;
  /** The client's timeout, named in a timeout's message. */
  timeoutMs: number;
  /** Tells a connect-phase timeout (nothing sent) from one after the request was written. */
  retry: RetryPolicy;
}

/** One client's classification of got's errors, recognised by got's own classes. */
export class GotFailures {
  readonly #got: GotParts;
  readonly #context: FailureContext;

  constructor(got: GotParts, context: FailureContext) {
    this.#got = got;
    this.#context = context;
  }

  /** got counts retries on its Request; the attempts are one more. */
  attemptsOf(error: unknown): number {
    return error instanceof this.#got.RequestError && error.request ? error.request.retryCount + 1 : 1;
  }

  /** `earlierAttempts`: those of earlier got calls of the same request (see sendRequest). */
  of(error: unknown, signal: AbortSignal | undefined, earlierAttempts: number): TelApiError {
    const attempts = earlierAttempts + this.attemptsOf(error);
    const code = errorCode(error);
    const { CancelError, AbortError, HTTPError } = this.#got;
    if (signal?.aborted || error instanceof CancelError || error instanceof AbortError || code === CLOSED) return abortedError(attempts);
    if (error instanceof HTTPError && typeof error.response.body === 'string') return failureOf(error.response as Response<string>, attempts);
    return this.network(code, attempts, this.#context.retry.isConnectPhaseTimeout(error));
  }

  /** A failure without an answer; `nothingSent` when it is known that nothing was written. */
  network(code: string | undefined, attempts: number, nothingSent: boolean): TelApiError {
    const details = { attempts, ...(code ? { cause: code } : {}) };
    if (code === 'ETIMEDOUT' && !nothingSent) {
      return new TelApiError(
        `TelAPI did not answer within ${this.#context.timeoutMs} ms; the request may have reached TelAPI, so it was not repeated`,
        { kind: 'timeout', ...details },
      );
    }
    if (code === 'ERR_INVALID_URL') {
      return new TelApiError('The TelAPI base URL is not a valid URL', { kind: 'invalid-base-url', ...details });
    }
    if (nothingSent || (code !== undefined && NOTHING_SENT_CODES.includes(code))) {
      return new TelApiError(
        `TelAPI could not be reached at ${originOf(this.#context.baseUrl)} (${code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
        { kind: 'unreachable', ...details },
      );
    }
    return new TelApiError(
      `TelAPI connection failed (${code ?? 'unknown error'}); the request may have reached TelAPI, so it was not repeated`,
      { kind: 'network', ...details },
    );
  }

  /** What a media stream's error means (MediaAccess.kindOf): got's TimeoutError a stall, its ReadError a body cut off. */
  readonly mediaKind = (error: Error): MediaErrorKind | undefined => {
    if (error instanceof this.#got.TimeoutError) return 'timeout';
    return error instanceof this.#got.ReadError ? 'cut-off' : undefined;
  };
}

function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return 'the configured base URL';
  }
}
