import { setTimeout as sleep } from 'node:timers/promises';
import { prepareRequest, sendOnce, type CallbackTls, type OutboundRequest } from './outbound-http';
import { redactUrl, type SimulatorLogger } from './logger';
import type { CallbackMethod } from './spec';

export type { CallbackTls } from './outbound-http';

/** `status`: a make-call request's StatusCallback; `recording` also covers a background `<Record>`'s action. */
export type CallbackKind = 'recording' | 'transcription' | 'status';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  startedAt: Date;
  /** The receiver's HTTP status, when it answered. */
  statusCode: number | undefined;
  /** A connection error or timeout, when it did not. */
  error: string | undefined;
}

/** One callback TelAPI owes a receiver, with every attempt to deliver it. */
export interface CallbackDelivery {
  id: number;
  kind: CallbackKind;
  /** Exactly the URL requested (query string included, GET parameters too), and the one the signature covers. */
  url: string;
  method: CallbackMethod;
  /** The parameters, in the order sent (the form body of a POST, added to the query of a GET). */
  params: Record<string, string>;
  /** X-TelAPI-Signature, when callbacks are signed. */
  signature: string | undefined;
  accountSid: string;
  /** Absent for the transcription of an audio URL. */
  callSid: string | undefined;
  recordingSid: string | undefined;
  transcriptionSid: string | undefined;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: Date;
  settledAt: Date | undefined;
}

export interface CallbackRequest extends OutboundRequest {
  kind: CallbackKind;
  accountSid: string;
  callSid: string | undefined;
  recordingSid: string | undefined;
  transcriptionSid?: string;
}

export interface CallbackPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles after each further failure. */
  retryBaseMs: number;
  timeoutMs: number;
}

export const DEFAULT_CALLBACK_POLICY: Readonly<CallbackPolicy> = Object.freeze({ maxAttempts: 3, retryBaseMs: 1000, timeoutMs: 10_000 });

interface Waiter {
  matches: (delivery: CallbackDelivery) => boolean;
  resolve: (delivery: CallbackDelivery) => void;
}

function copyOf(delivery: CallbackDelivery): CallbackDelivery {
  return { ...delivery, params: { ...delivery.params }, attempts: delivery.attempts.map((attempt) => ({ ...attempt })) };
}

/** Posts callbacks as TelAPI does (form-encoded), retrying failures with exponential backoff. */
export class CallbackDispatcher {
  readonly #policy: CallbackPolicy;
  readonly #logger: SimulatorLogger;
  readonly #tls: CallbackTls;
  readonly #deliveries: CallbackDelivery[] = [];
  readonly #waiters = new Set<Waiter>();
  #closing = new AbortController();
  #nextId = 1;

  constructor(policy: CallbackPolicy, logger: SimulatorLogger, tls: CallbackTls = {}) {
    this.#policy = policy;
    this.#logger = logger;
    this.#tls = tls;
  }

  list(): CallbackDelivery[] {
    return this.#deliveries.map(copyOf);
  }

  clear(): void {
    this.#deliveries.length = 0;
  }

  /** Resolves with the first settled delivery (past or future) that matches; rejects after `timeoutMs`. */
  waitFor(matches: (delivery: CallbackDelivery) => boolean, timeoutMs: number): Promise<CallbackDelivery> {
    const settled = this.#deliveries.find((delivery) => delivery.status !== 'pending' && matches(delivery));
    if (settled) return Promise.resolve(copyOf(settled));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (delivery) => {
          clearTimeout(timer);
          resolve(delivery);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.#deliveries.map((delivery) => `${delivery.kind} #${delivery.id} ${delivery.status}`).join(', ') || 'none';
        reject(new Error(`No matching callback delivery settled within ${timeoutMs} ms (deliveries: ${seen})`));
      }, timeoutMs);
      timer.unref();
      this.#waiters.add(waiter);
    });
  }

  /** Stops retries and in-flight requests; later deliveries start afresh. */
  abortAll(): void {
    this.#closing.abort();
    this.#closing = new AbortController();
  }

  async deliver(request: CallbackRequest): Promise<CallbackDelivery> {
    const params = Object.fromEntries(request.params);
    const prepared = prepareRequest(request);
    const { url, signature } = prepared;
    const delivery: CallbackDelivery = {
      id: this.#nextId++,
      kind: request.kind,
      url,
      method: request.method,
      params,
      signature,
      accountSid: request.accountSid,
      callSid: request.callSid,
      recordingSid: request.recordingSid,
      transcriptionSid: request.transcriptionSid,
      status: 'pending',
      attempts: [],
      createdAt: new Date(),
      settledAt: undefined,
    };
    this.#deliveries.push(delivery);
    const closing = this.#closing.signal;
    const label = `${request.kind} callback for ${request.transcriptionSid ?? request.recordingSid ?? request.callSid ?? ''} to ${redactUrl(request.url)}`;

    for (let attempt = 1; attempt <= this.#policy.maxAttempts && !closing.aborted; attempt++) {
      const outcome = await sendOnce(prepared, { timeoutMs: this.#policy.timeoutMs, tls: this.#tls, signal: closing, keepBodyBytes: 0 });
      delivery.attempts.push({ startedAt: outcome.startedAt, statusCode: outcome.statusCode, error: outcome.error });
      if (outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300) {
        this.#logger.info(`${label}: delivered (HTTP ${outcome.statusCode})`);
        return this.#settle(delivery, 'delivered');
      }
      const reason = outcome.statusCode !== undefined ? `HTTP ${outcome.statusCode}` : (outcome.error ?? 'no answer');
      if (attempt === this.#policy.maxAttempts || closing.aborted) {
        this.#logger.error(`${label}: failed (${reason}) after ${attempt} attempt${attempt === 1 ? '' : 's'}; giving up`);
        break;
      }
      const waitMs = this.#policy.retryBaseMs * 2 ** (attempt - 1);
      this.#logger.warn(`${label}: attempt ${attempt} of ${this.#policy.maxAttempts} failed (${reason}); retrying in ${waitMs} ms`);
      try {
        await sleep(waitMs, undefined, { signal: closing });
      } catch {
        break;
      }
    }
    return this.#settle(delivery, 'failed');
  }

  #settle(delivery: CallbackDelivery, status: DeliveryStatus): CallbackDelivery {
    delivery.status = status;
    delivery.settledAt = new Date();
    for (const waiter of this.#waiters) {
      if (waiter.matches(delivery)) {
        this.#waiters.delete(waiter);
        waiter.resolve(copyOf(delivery));
      }
    }
    return copyOf(delivery);
  }
}
