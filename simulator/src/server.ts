import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './api-errors';
import type { ApiRouter } from './api-routes';
import { API_VERSIONS, type SimulatorAccount } from './constants';
import { describeFault, writeFaultAnswer, type FaultInjector } from './faults';
import { parseBasicAuth, parseParams, readBody, sendJson, type RequestParams } from './http-util';
import type { SimulatorLogger } from './logger';
import { isMediaPath } from './media-host';
import { isPhonePath, type PhonePage } from './phone-page';
import { sameSecret } from './spec';

/** An API request as received, for tests. The Authorization header is redacted. */
export interface RecordedRequest {
  id: number;
  receivedAt: Date;
  method: string;
  /** Path and query string as sent. */
  url: string;
  path: string;
  headers: Record<string, string>;
  /** The authenticated account, if the credentials were valid. */
  accountSid: string | undefined;
  /** Query and body parameters merged, as the simulator understood them. */
  params: Record<string, string>;
  body: string;
  /** The status answered; undefined while in progress or when the connection was dropped. */
  status: number | undefined;
  /** The fault injected instead of the real answer, if any. */
  fault: string | undefined;
}

/** A request to the media host, which needs no credentials: tests check that none were sent. */
export interface MediaRequest {
  method: string;
  path: string;
  host: string;
  /** Whether an Authorization header came along (its value is never kept). */
  authorization: boolean;
  status: number | undefined;
}

export interface RequestHandlerOptions {
  accounts: ReadonlyMap<string, SimulatorAccount>;
  router: ApiRouter;
  faults: FaultInjector;
  logger: SimulatorLogger;
  maxBodyBytes: number;
  maxRecordedRequests: number;
  /** Aborted when the simulator closes: requests held back by the latency fault give up. */
  closing: AbortSignal;
  serveMedia: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;
  isControlPath: (path: string) => boolean;
  /** `accountSid`: the request came with the phone page's session, which sees and drives that account's calls only. */
  control: (request: { method: string; path: string; params: RequestParams; accountSid?: string }, response: ServerResponse) => Promise<void>;
  /** The browser phone, when the simulator serves it. */
  phone: PhonePage | undefined;
}

const API_PATH = /^\/([^/]+)\/Accounts\/([^/]+)(\/.*)?$/;

/**
 * The HTTP front: the media host (no auth), the control API (any account's credentials) and the
 * TelAPI API (faults and latency first, then auth, then the router), with TelAPI's error JSON.
 */
export class RequestHandler {
  readonly #options: RequestHandlerOptions;
  readonly #requests: RecordedRequest[] = [];
  readonly #media: MediaRequest[] = [];
  #nextRequestId = 1;

  constructor(options: RequestHandlerOptions) {
    this.#options = options;
  }

  requests(): RecordedRequest[] {
    return this.#requests.map((request) => ({ ...request, headers: { ...request.headers }, params: { ...request.params } }));
  }

  mediaRequests(): MediaRequest[] {
    return this.#media.map((request) => ({ ...request }));
  }

  clearRequests(): void {
    this.#requests.length = 0;
    this.#media.length = 0;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://simulator.invalid');
      if (isMediaPath(url.pathname)) {
        this.#logMedia(request, response, url);
        await this.#options.serveMedia(request, response, url);
      }
      else if (isPhonePath(url.pathname)) {
        const { phone } = this.#options;
        if (!phone) throw new ApiError('resourceNotFound', 'The phone page is off: start the simulator with the phone option (CLI: --phone)');
        phone.serve(request, response, url);
      } else if (this.#options.isControlPath(url.pathname)) {
        const method = request.method ?? 'GET';
        const accountSid = this.#controlScope(request, method, url.pathname);
        const params = parseParams(url.searchParams, (await readBody(request, this.#options.maxBodyBytes)).toString('utf8'));
        await this.#options.control({ method, path: url.pathname, params, ...(accountSid ? { accountSid } : {}) }, response);
      } else await this.#api(request, response, url);
    } catch (error) {
      this.#answerError(response, error);
    }
  }

  #answerError(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof ApiError) {
      const headers: Record<string, string> = {};
      if (error.status === 401) headers['www-authenticate'] = 'Basic realm="TelAPI"';
      if (error.status === 413) headers.connection = 'close';
      sendJson(response, error.status, error.toBody(), headers);
      return;
    }
    this.#options.logger.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendJson(response, 500, new ApiError('internalError').toBody());
  }

  #logRequest(request: IncomingMessage, url: URL): RecordedRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name] = name === 'authorization' ? `${String(value).split(' ')[0] ?? ''} [redacted]` : Array.isArray(value) ? value.join(', ') : value;
    }
    const recorded: RecordedRequest = {
      id: this.#nextRequestId++,
      receivedAt: new Date(),
      method: request.method ?? 'GET',
      url: request.url ?? url.pathname,
      path: url.pathname,
      headers,
      accountSid: undefined,
      params: Object.fromEntries(url.searchParams),
      body: '',
      status: undefined,
      fault: undefined,
    };
    this.#requests.push(recorded);
    if (this.#requests.length > this.#options.maxRecordedRequests) this.#requests.shift();
    return recorded;
  }

  #logMedia(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const logged: MediaRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      host: request.headers.host ?? '',
      authorization: request.headers.authorization !== undefined,
      status: undefined,
    };
    this.#media.push(logged);
    if (this.#media.length > this.#options.maxRecordedRequests) this.#media.shift();
    response.on('finish', () => (logged.status = response.statusCode));
  }

  async #api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { faults, logger } = this.#options;
    const recorded = this.#logRequest(request, url);
    response.on('finish', () => (recorded.status = response.statusCode));
    const decision = faults.decide();
    if (decision.latencyMs > 0) {
      try {
        await sleep(decision.latencyMs, undefined, { signal: this.#options.closing });
      } catch {
        request.socket.destroy();
        return;
      }
    }
    if (decision.fault) {
      recorded.fault = describeFault(decision.fault);
      logger.debug(`${request.method} ${url.pathname}: injected ${recorded.fault}`);
      writeFaultAnswer(request, response, decision.fault, faults.settings.retryAfterSeconds);
      return;
    }
    const bodyText = (await readBody(request, this.#options.maxBodyBytes)).toString('utf8');
    const params = parseParams(url.searchParams, bodyText);
    recorded.body = bodyText;
    recorded.params = Object.fromEntries(params);
    logger.debug(`${request.method} ${url.pathname}`);

    const match = API_PATH.exec(url.pathname);
    const version = API_VERSIONS.find((candidate) => candidate === match?.[1]);
    if (!match || !version) throw new ApiError('resourceNotFound', `No API at ${url.pathname}; the bases are /v1, /2011-07-01 and /v2`);
    const accountSid = this.#authenticate(request);
    recorded.accountSid = accountSid;
    if (match[2] !== accountSid) {
      throw new ApiError('accountMismatch', `The credentials supplied are for ${accountSid}, not for ${match[2] ?? 'this account'}`);
    }
    this.#options.router.route({ request, response, version, accountSid, params, path: url.pathname, query: url.searchParams }, match[3] ?? '');
  }

  /**
   * Any account's Basic credentials open the whole control API (undefined: no limit); without them,
   * the phone page's session opens its own routes for its account (that AccountSid).
   */
  #controlScope(request: IncomingMessage, method: string, path: string): string | undefined {
    const { phone } = this.#options;
    if (request.headers.authorization === undefined && phone?.authorizes(request, method, path)) return phone.accountSid;
    this.#authenticate(request);
    return undefined;
  }

  /** The AccountSid the request's Basic credentials belong to. */
  #authenticate(request: IncomingMessage): string {
    const credentials = parseBasicAuth(request.headers.authorization);
    const account = credentials && this.#options.accounts.get(credentials.user);
    if (!credentials || !account || !sameSecret(credentials.password, account.authToken)) throw new ApiError('invalidCredentials');
    return account.accountSid;
  }
}
