import type { LookupFunction } from 'node:net';
import { downloadMedia, type DownloadOptions, type DownloadResult } from './download';
import type { TelApiResult } from './answers';
import { GotFailures } from './failures';
import type { GotParts } from './got';
import { InFlight } from './in-flight';
import { accountInstances, type AccountInstances } from './instances';
import type { TelApiProxy } from './proxy';
import { sendRequest, type Sender, type TelApiRequest } from './request';
import { RetryPolicy } from './retry';

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

export type { Delivery, TelApiRequest } from './request';
export type { TelApiResult } from './answers';
export { MAX_ANSWER_BYTES, retryAfterMs } from './answers';

export const DEFAULTS = {
  timeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  unreachableBackoffMs: 250,
} as const;

/**
 * One TelAPI account: its credentials, keep-alive agents and retry policy on extended got instances
 * (instances.ts), requests (request.ts), media downloads (download.ts). The token and any proxy
 * credentials are kept in private fields so that logging or inspecting a client cannot print them.
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
  readonly #instances: AccountInstances;
  readonly #failures: GotFailures;
  readonly #sender: Sender;
  /** Requests and downloads under way: close() frees the sockets only once they have settled. */
  readonly #inFlight: InFlight;

  constructor(options: TelApiClientOptions) {
    this.accountSid = options.accountSid;
    this.baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs, this.timeoutMs);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
    this.unreachableBackoffMs = options.unreachableBackoffMs ?? DEFAULTS.unreachableBackoffMs;
    this.proxyUrl = options.proxy?.url;
    const retry = new RetryPolicy(this, options.got);
    const inFlight = new InFlight(() => instances.destroy());
    const closed = (): boolean => inFlight.closed;
    const instances = accountInstances(options.got.got, this.baseUrl, {
      accountSid: this.accountSid,
      authToken: options.authToken,
      timeoutMs: this.timeoutMs,
      connectTimeoutMs: this.connectTimeoutMs,
      userAgent: options.userAgent ?? 'node-red-telapi',
      proxy: options.proxy,
      lookup: options.lookup,
      ca: options.ca,
      retry: retry.gotOptions(closed),
    });
    this.#instances = instances;
    this.#inFlight = inFlight;
    this.#failures = new GotFailures(options.got, { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs, retry });
    this.#sender = { plain: instances.plain, form: instances.form, retry, failures: this.#failures, closed };
  }

  /** {base}/Accounts/{AccountSid} */
  accountUrl(path: string): string {
    return `${this.baseUrl}/Accounts/${encodeURIComponent(this.accountSid)}${path}`;
  }

  /** Sends one request to {base}/Accounts/{AccountSid}{path} (or `url`); see TelApiRequest. */
  request(request: TelApiRequest): Promise<TelApiResult> {
    return this.#inFlight.run(() => {
      if (!this.#instances.api) throw this.#failures.network('ERR_INVALID_URL', 1, false);
      return sendRequest(this.#sender, request.url ?? this.accountUrl(request.path), request);
    });
  }

  /**
   * Downloads a recording's media into one Buffer (see downloadMedia): Authorization only to the
   * base URL's origin, the account's agents and proxy for every hop.
   */
  download(url: string, options: DownloadOptions): Promise<DownloadResult> {
    return this.#inFlight.run(() => {
      const { api } = this.#instances;
      if (!api) throw this.#failures.network('ERR_INVALID_URL', 1, false);
      const publicOnly = !options.allowPrivateAddresses && api.isPublic;
      const access = { open: this.#instances.openMedia(publicOnly), apiOrigin: api.origin, publicOnly, kindOf: this.#failures.mediaKind };
      return downloadMedia(access, url, options);
    });
  }

  /**
   * Refuses new requests and frees the keep-alive sockets, once the requests under way have settled.
   * A request under way that waits to be retried ends as cancelled when the wait is over.
   */
  close(): void {
    this.#inFlight.close();
  }
}
