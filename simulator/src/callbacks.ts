import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { telapiSignature, type CallbackMethod } from './spec';
import { redactUrl, type SimulatorLogger } from './logger';

export type CallbackKind = 'recording' | 'transcription';
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

export interface CallbackRequest {
  kind: CallbackKind;
  url: string;
  method: CallbackMethod;
  params: ReadonlyArray<readonly [string, string]>;
  /** Present when the callback is to be signed with this account's AuthToken. */
  signingToken: string | undefined;
  accountSid: string;
  callSid: string | undefined;
  recordingSid: string | undefined;
  transcriptionSid?: string;
}

/** A GET carries the parameters in its query string, so the signature covers them as part of the URL. */
function withQuery(url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const target = new URL(url);
  for (const [name, value] of params) target.searchParams.append(name, value);
  return target.href;
}

export interface CallbackPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles after each further failure. */
  retryBaseMs: number;
  timeoutMs: number;
}

export const DEFAULT_CALLBACK_POLICY: Readonly<CallbackPolicy> = Object.freeze({ maxAttempts: 3, retryBaseMs: 1000, timeoutMs: 10_000 });

/** How callbacks over HTTPS check the receiver's certificate. */
export interface CallbackTls {
  /** Extra certificate authorities (PEM), added to the system's. */
  ca?: string | Buffer | undefined;
  /** No certificate check at all. */
  insecure?: boolean | undefined;
}

/**
 * The URL a signature covers: the one called, without a user and password (those travel as the
 * Authorization header, not as part of the request target).
 */
function signedUrl(url: string): string {
  const target = new URL(url);
  if (target.username === '' && target.password === '') return url;
  target.username = '';
  target.password = '';
  return target.href;
}

const USER_AGENT = 'TelAPI-Simulator/1.0';

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
    const isGet = request.method === 'GET';
    const url = isGet ? withQuery(request.url, request.params) : request.url;
    const signed = isGet ? [] : request.params;
    const signature = request.signingToken === undefined ? undefined : telapiSignature(request.signingToken, signedUrl(url), signed);
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
    const body = isGet ? undefined : new URLSearchParams(request.params.map(([name, value]): [string, string] => [name, value])).toString();
    const closing = this.#closing.signal;
    const label = `${request.kind} callback for ${request.transcriptionSid ?? request.recordingSid ?? ''} to ${redactUrl(request.url)}`;

    for (let attempt = 1; attempt <= this.#policy.maxAttempts && !closing.aborted; attempt++) {
      const outcome = await this.#send(url, body, signature, closing);
      delivery.attempts.push(outcome);
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

  /** POST with a form body, or GET when there is no body. */
  #send(url: string, body: string | undefined, signature: string | undefined, closing: AbortSignal): Promise<DeliveryAttempt> {
    const startedAt = new Date();
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ startedAt, statusCode: undefined, error: 'invalid URL' });
        return;
      }
      const transport = target.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      if (signature !== undefined) headers['x-telapi-signature'] = signature;
      // A `ca` option replaces the system's authorities: the given one is added to them instead.
      const ca = this.#tls.ca !== undefined ? { ca: [...rootCertificates, String(this.#tls.ca)] } : {};
      const tls = target.protocol === 'https:' ? { ...ca, rejectUnauthorized: this.#tls.insecure !== true } : {};
      const request = transport.request(target, { method: body === undefined ? 'GET' : 'POST', headers, signal: closing, timeout: this.#policy.timeoutMs, agent: false, ...tls });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.#policy.timeoutMs} ms`)));
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve({ startedAt, statusCode: response.statusCode, error: undefined }));
        response.on('error', () => resolve({ startedAt, statusCode: response.statusCode, error: undefined }));
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ startedAt, statusCode: undefined, error: error.code ?? error.message }));
      request.end(body);
    });
  }
}
