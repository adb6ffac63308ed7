import { setTimeout as sleep } from 'node:timers/promises';
import type { Got, OptionsOfTextResponseBody, Response } from 'got' with { 'resolution-mode': 'import' };
import { MAX_ANSWER_BYTES, answerTooLarge, parseResult, type TelApiResult } from './answers';
import { abortedError, type GotFailures } from './failures';
import { REFUSED_STATUSES, type RetryPolicy } from './retry';

/** One TelAPI request on got: what the caller learns of its attempts, its size limit, cancelling. */

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

/** What a caller learns of a request on its way: whether TelAPI may have it (see TelApiRequest). */
export type Delivery = Pick<TelApiRequest, 'onSent' | 'onRefused'>;

/** What a client sends its requests with. */
export interface Sender {
  /** The API's got instances without and with a form body (AccountInstances). */
  plain: Got;
  form: Got;
  retry: RetryPolicy;
  failures: GotFailures;
  /** Whether the client was closed: a closed client retries no more. */
  readonly closed: () => boolean;
}

/** Sends `request` to `url`, with got's retries and, for an attempt Node abandoned, the client's own. */
export async function sendRequest(sender: Sender, url: string, request: TelApiRequest): Promise<TelApiResult> {
  const { onSent, onRefused, signal } = request;
  if (signal?.aborted) throw abortedError(1);
  const body = request.form?.toString();
  const options: OptionsOfTextResponseBody = { method: request.method };
  if (body !== undefined) options.body = body;
  if (request.query !== undefined && request.query.size > 0) options.searchParams = request.query;
  const instance = body === undefined ? sender.plain : sender.form;
  const { retry } = sender;
  // Attempts made by earlier got calls of this request (see the catch).
  let earlier = 0;
  for (;;) {
    const pending = instance(url, earlier === 0 ? options : { ...options, retry: { limit: retry.maxAttempts - earlier - 1 } });
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
      const attempts = earlier + sender.failures.attemptsOf(error);
      if (tooLarge) throw answerTooLarge(attempts);
      if (retry.retriesAbandonedSocket(error, written, attempts) && !sender.closed() && !signal?.aborted) {
        earlier = attempts;
        await pause(retry.backoffMs(attempts), signal, attempts, sender.closed);
        continue;
      }
      throw sender.failures.of(error, signal, earlier);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    return parseResult(response, earlier + response.retryCount + 1);
  }
}

/** Waits `ms` unless cancelled; a cancel or a close ends the request as cancelled. */
async function pause(ms: number, signal: AbortSignal | undefined, attempts: number, closed: () => boolean): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throw abortedError(attempts);
  }
  if (closed()) throw abortedError(attempts);
}
