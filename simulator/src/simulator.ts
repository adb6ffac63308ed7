import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAbsoluteHttpUrl as isHttpUrl, isSid, sameSecret, type FileFormat } from './spec';
import { ApiError } from './api-errors';
import { AUDIO_CONTENT_TYPES, AudioLibrary, wavByteLength, type AudioLibraryOptions, type AudioSpec } from './audio';
import { CallbackDispatcher, DEFAULT_CALLBACK_POLICY, type CallbackDelivery, type CallbackKind, type DeliveryStatus } from './callbacks';
import {
  API_VERSIONS,
  DEFAULT_HOST,
  DEMO_ACCOUNT,
  DEMO_CALLS,
  type ApiVersion,
  type CallSpec,
  type SimulatorAccount,
} from './constants';
import { describeFault, FaultInjector, writeFaultAnswer, type FaultMode, type FaultOptions, type FaultSettings, type InjectedFault } from './faults';
import { handleControlRequest, isControlPath } from './control-api';
import { parseBasicAuth, parseParams, readBody, sendJson, sendText, type RequestParams } from './http-util';
import { SILENT_LOGGER, type SimulatorLogger } from './logger';
import type { SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import { parseRecordRequest, resolveCallbackTarget } from './recording-params';
import { Telephony } from './telephony';
import { TimerSet } from './timers';
import {
  callJson,
  listEnvelope,
  matchesRecordingFilter,
  parsePageRequest,
  parseRecordingFilter,
  recordingJson,
  transcriptionJson,
} from './wire';

export interface TelApiSimulatorOptions {
  /** Accounts that may log in; default: the demo account only. */
  accounts?: ReadonlyArray<SimulatorAccount>;
  /** Live calls created at start (and on `reset()`), on the first account; `false` for none. */
  demoCalls?: ReadonlyArray<CallSpec> | false;
  /** Root of the URLs the simulator hands out (recording_url); default: the address it listens on. */
  publicUrl?: string;
  /** Real time per simulated time: 0.001 makes a 60 s TimeLimit end after 60 ms. Default 1. */
  timeScale?: number;
  /** Send X-TelAPI-Signature with every callback. Default false (TelAPI does not sign). */
  signCallbacks?: boolean;
  /** Real milliseconds between a recording's end and its callback. Default 0. */
  callbackDelayMs?: number;
  /** Real milliseconds between the recording callback and the finished transcription. Default 0. */
  transcriptionDelayMs?: number;
  /** Attempts per callback in all. Default 3. */
  callbackMaxAttempts?: number;
  /** Wait before the first retry; doubles each time. Default 1000. */
  callbackRetryBaseMs?: number;
  /** Per callback attempt. Default 10000. */
  callbackTimeoutMs?: number;
  /** Larger request bodies get 413. Default 64 KiB. */
  maxBodyBytes?: number;
  /** How many received requests `requests()` keeps. Default 1000. */
  maxRecordedRequests?: number;
  faults?: FaultOptions;
  /** Default: silent. */
  logger?: SimulatorLogger;
  /** The clock for dates (date_created, DateCreated filters); timers always use real time. */
  now?: () => Date;
  audio?: AudioLibraryOptions;
}

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

export interface ListeningAddress {
  port: number;
  /** The root URL, e.g. http://127.0.0.1:8089; API bases are `${url}/v1` and `${url}/v2`. */
  url: string;
}

export type DeliveryMatch =
  | ((delivery: CallbackDelivery) => boolean)
  | { kind?: CallbackKind; callSid?: string; recordingSid?: string; status?: DeliveryStatus };

type HttpMethod = 'GET' | 'POST' | 'DELETE';

interface ApiContext {
  request: IncomingMessage;
  response: ServerResponse;
  version: ApiVersion;
  accountSid: string;
  params: RequestParams;
  path: string;
  query: URLSearchParams;
}

type ApiHandler = (context: ApiContext, ids: string[]) => void | Promise<void>;

interface ApiRoute {
  pattern: RegExp;
  handlers: Partial<Record<HttpMethod, ApiHandler>>;
}

const API_PATH = /^\/([^/]+)\/Accounts\/([^/]+)(\/.*)?$/;
const MEDIA_PATH = /^\/recordings\/([^/]+)\/([^/]+)\.(mp3|wav)$/;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_WAIT_MS = 5000;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new RangeError(`${name} must be 0 or more`);
  return result;
}

function urlForAddress(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function toDeliveryPredicate(match: DeliveryMatch | undefined): (delivery: CallbackDelivery) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  return (delivery) =>
    (match.kind === undefined || delivery.kind === match.kind) &&
    (match.callSid === undefined || delivery.callSid === match.callSid) &&
    (match.recordingSid === undefined || delivery.recordingSid === match.recordingSid) &&
    (match.status === undefined || delivery.status === match.status);
}

/**
 * A TelAPI-compatible server for the offline demo and the tests: Basic auth, live calls, call
 * recording with callbacks, the recordings and transcriptions API, real audio files, liberal
 * parameter parsing and switchable fault injection. See README.md beside this file.
 */
export class TelApiSimulator {
  readonly timeScale: number;
  readonly signCallbacks: boolean;
  readonly callbackDelayMs: number;
  readonly transcriptionDelayMs: number;
  readonly maxBodyBytes: number;
  readonly #accounts: ReadonlyMap<string, SimulatorAccount>;
  readonly #demoCalls: ReadonlyArray<CallSpec>;
  readonly #publicUrl: string | undefined;
  readonly #logger: SimulatorLogger;
  readonly #now: () => Date;
  readonly #maxRecordedRequests: number;
  readonly #telephony: Telephony;
  readonly #dispatcher: CallbackDispatcher;
  readonly #faults: FaultInjector;
  readonly #audio: AudioLibrary;
  readonly #timers = new TimerSet();
  readonly #requests: RecordedRequest[] = [];
  readonly #routes: ApiRoute[];
  #nextRequestId = 1;
  #server: http.Server | undefined;
  #address: ListeningAddress | undefined;
  // Every request delayed by the latency fault waits on this one signal: no listener limit applies.
  readonly #closing = unlimitedAbortController();
  #closed: Promise<void> | undefined;

  constructor(options: TelApiSimulatorOptions = {}) {
    const accounts = options.accounts ?? [DEMO_ACCOUNT];
    if (accounts.length === 0) throw new RangeError('The simulator needs at least one account');
    const byAccountSid = new Map<string, SimulatorAccount>();
    for (const account of accounts) {
      if (!isSid('AC', account.accountSid)) throw new RangeError(`accountSid ${account.accountSid} must be "AC" followed by 32 hex digits`);
      if (typeof account.authToken !== 'string' || account.authToken === '') throw new RangeError('Every account needs an AuthToken');
      if (byAccountSid.has(account.accountSid)) throw new RangeError(`Account ${account.accountSid} is configured twice`);
      byAccountSid.set(account.accountSid, { accountSid: account.accountSid, authToken: account.authToken });
    }
    this.#accounts = byAccountSid;
    this.timeScale = options.timeScale ?? 1;
    if (!Number.isFinite(this.timeScale) || this.timeScale <= 0) throw new RangeError('timeScale must be greater than 0');
    this.signCallbacks = options.signCallbacks ?? false;
    this.callbackDelayMs = nonNegative('callbackDelayMs', options.callbackDelayMs, 0);
    this.transcriptionDelayMs = nonNegative('transcriptionDelayMs', options.transcriptionDelayMs, 0);
    this.maxBodyBytes = nonNegative('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    this.#maxRecordedRequests = nonNegative('maxRecordedRequests', options.maxRecordedRequests, 1000);
    this.#publicUrl = options.publicUrl?.trim().replace(/\/+$/, '') || undefined;
    this.#logger = options.logger ?? SILENT_LOGGER;
    this.#now = options.now ?? (() => new Date());
    this.#demoCalls = options.demoCalls === false ? [] : (options.demoCalls ?? DEMO_CALLS);
    this.#dispatcher = new CallbackDispatcher(
      {
        maxAttempts: Math.max(1, Math.floor(options.callbackMaxAttempts ?? DEFAULT_CALLBACK_POLICY.maxAttempts)),
        retryBaseMs: nonNegative('callbackRetryBaseMs', options.callbackRetryBaseMs, DEFAULT_CALLBACK_POLICY.retryBaseMs),
        timeoutMs: nonNegative('callbackTimeoutMs', options.callbackTimeoutMs, DEFAULT_CALLBACK_POLICY.timeoutMs),
      },
      this.#logger,
    );
    this.#faults = new FaultInjector(options.faults);
    this.#audio = new AudioLibrary(options.audio);
    this.#telephony = new Telephony({
      timeScale: this.timeScale,
      now: this.#now,
      defaultAccountSid: [...byAccountSid.keys()][0] as string,
      recordingUrlFor: ({ accountSid, sid, fileFormat }) => `${this.publicUrl}/recordings/${accountSid}/${sid}.${fileFormat}`,
      onRecordingEnded: (recording, call) => this.#recordingEnded(recording, call),
    });
    this.#createDemoCalls();
    this.#routes = this.#apiRoutes();
  }

  /** The account SIDs that may log in (the tokens stay inside). */
  get accountSids(): string[] {
    return [...this.#accounts.keys()];
  }

  /** Where the simulator listens, once it does. */
  get address(): ListeningAddress | undefined {
    return this.#address && { ...this.#address };
  }

  get url(): string | undefined {
    return this.#address?.url;
  }

  /** The root of the URLs handed out: the `publicUrl` option, else the listening address. */
  get publicUrl(): string {
    return this.#publicUrl ?? this.#address?.url ?? `http://${DEFAULT_HOST}`;
  }

  listen(port = 0, host = DEFAULT_HOST): Promise<ListeningAddress> {
    if (this.#server) return Promise.reject(new Error('The simulator is already listening'));
    if (this.#closed) return Promise.reject(new Error('The simulator is closed'));
    const server = http.createServer((request, response) => void this.#handle(request, response));
    this.#server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.#server = undefined;
        reject(error);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        server.on('error', (error) => this.#logger.error(`server error: ${error.message}`));
        this.#address = { port: (server.address() as AddressInfo).port, url: urlForAddress(server.address() as AddressInfo) };
        this.#logger.debug(`listening on ${this.#address.url}`);
        resolve({ ...this.#address });
      });
    });
  }

  /** Stops listening, cancels every timer and pending callback; the state stays readable. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      this.#timers.dispose();
      this.#telephony.dispose();
      this.#dispatcher.abortAll();
      const server = this.#server;
      if (server) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    })();
    return this.#closed;
  }

  // Programmatic API (tests, demo) ------------------------------------------------------------

  /** Throws RangeError for a malformed or duplicate CallSid, an unconfigured account or a Url that is not http(s). */
  createCall(spec: CallSpec = {}): SimulatedCall {
    if (spec.accountSid !== undefined && !this.#accounts.has(spec.accountSid)) throw new RangeError(`${spec.accountSid} is not a configured account`);
    if (spec.url !== undefined && !isHttpUrl(spec.url)) throw new RangeError('url must be an http or https URL');
    return this.#telephony.createCall(spec);
  }

  /** Hangs up like `POST …/Calls/{CallSid}.json Status=completed`; a running recording ends and calls back. */
  hangUp(callSid: string): SimulatedCall {
    return this.#telephony.hangUp(callSid);
  }

  getCall(callSid: string): SimulatedCall | undefined {
    return this.#telephony.call(callSid);
  }

  calls(): SimulatedCall[] {
    return this.#telephony.calls();
  }

  getRecording(recordingSid: string): SimulatedRecording | undefined {
    return this.#telephony.recording(recordingSid);
  }

  /** Newest first. */
  recordings(filter: { callSid?: string; accountSid?: string } = {}): SimulatedRecording[] {
    return this.#telephony.recordings(filter.accountSid).filter((recording) => filter.callSid === undefined || recording.callSid === filter.callSid);
  }

  getTranscription(transcriptionSid: string): SimulatedTranscription | undefined {
    return this.#telephony.transcription(transcriptionSid);
  }

  transcriptions(): SimulatedTranscription[] {
    return this.#telephony.transcriptions();
  }

  /** API requests received, oldest first. */
  requests(): RecordedRequest[] {
    return this.#requests.map((request) => ({ ...request, headers: { ...request.headers }, params: { ...request.params } }));
  }

  clearRequests(): void {
    this.#requests.length = 0;
  }

  /** Callback deliveries, oldest first, pending ones included. */
  deliveries(): CallbackDelivery[] {
    return this.#dispatcher.list();
  }

  /** The first settled (delivered or failed) delivery that matches, waiting for it if need be. */
  waitForDelivery(match?: DeliveryMatch, timeoutMs = DEFAULT_WAIT_MS): Promise<CallbackDelivery> {
    return this.#dispatcher.waitFor(toDeliveryPredicate(match), timeoutMs);
  }

  get faults(): FaultSettings {
    return this.#faults.settings;
  }

  /** Changes the given fault settings, keeps the rest; giving `seed` restarts the random sequence. */
  setFaults(options: FaultOptions): FaultSettings {
    return this.#faults.update(options);
  }

  /** Exactly these fault settings (the rest back to none), nothing queued, the sequence restarted. */
  replaceFaults(options: FaultOptions = {}): FaultSettings {
    return this.#faults.reset(options);
  }

  /** No faults, nothing queued. */
  clearFaults(): FaultSettings {
    return this.#faults.reset();
  }

  /** How many "fail the next N" faults are still waiting. */
  get queuedFaults(): number {
    return this.#faults.queuedFaults;
  }

  /** The next `count` API requests are answered with this status (TelAPI error JSON) or fault mode. */
  failNext(count: number, fault: number | FaultMode | InjectedFault): void {
    this.#faults.failNext(count, fault);
  }

  /** Back to the start: demo calls only, no recordings, deliveries, requests or faults. */
  reset(): void {
    this.#timers.cancelAll();
    this.#dispatcher.abortAll();
    this.#dispatcher.clear();
    this.#telephony.clear();
    this.#requests.length = 0;
    this.#faults.reset();
    this.#createDemoCalls();
  }

  // HTTP ----------------------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://simulator.invalid');
      if (url.pathname.startsWith('/recordings/')) await this.#serveMedia(request, response, url);
      else if (isControlPath(url.pathname)) {
        this.#authenticate(request);
        const params = parseParams(url.searchParams, (await readBody(request, this.maxBodyBytes)).toString('utf8'));
        handleControlRequest(this, { method: request.method ?? 'GET', path: url.pathname, params }, response);
      }
      else await this.#api(request, response, url);
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
    this.#logger.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
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
    if (this.#requests.length > this.#maxRecordedRequests) this.#requests.shift();
    return recorded;
  }

  async #api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const recorded = this.#logRequest(request, url);
    response.on('finish', () => (recorded.status = response.statusCode));
    const decision = this.#faults.decide();
    if (decision.latencyMs > 0) {
      try {
        await sleep(decision.latencyMs, undefined, { signal: this.#closing.signal });
      } catch {
        request.socket.destroy();
        return;
      }
    }
    if (decision.fault) {
      recorded.fault = describeFault(decision.fault);
      this.#logger.debug(`${request.method} ${url.pathname}: injected ${recorded.fault}`);
      writeFaultAnswer(request, response, decision.fault, this.#faults.settings.retryAfterSeconds);
      return;
    }
    const bodyText = (await readBody(request, this.maxBodyBytes)).toString('utf8');
    const params = parseParams(url.searchParams, bodyText);
    recorded.body = bodyText;
    recorded.params = Object.fromEntries(params);
    this.#logger.debug(`${request.method} ${url.pathname}`);

    const match = API_PATH.exec(url.pathname);
    const version = API_VERSIONS.find((candidate) => candidate === match?.[1]);
    if (!match || !version) throw new ApiError('resourceNotFound', `No API at ${url.pathname}; the bases are /v1, /2011-07-01 and /v2`);
    const accountSid = this.#authenticate(request);
    recorded.accountSid = accountSid;
    if (match[2] !== accountSid) {
      throw new ApiError('accountMismatch', `The credentials supplied are for ${accountSid}, not for ${match[2] ?? 'this account'}`);
    }
    await this.#route({ request, response, version, accountSid, params, path: url.pathname, query: url.searchParams }, match[3] ?? '');
  }

  /** The AccountSid the request's Basic credentials belong to. */
  #authenticate(request: IncomingMessage): string {
    const credentials = parseBasicAuth(request.headers.authorization);
    const account = credentials && this.#accounts.get(credentials.user);
    if (!credentials || !account || !sameSecret(credentials.password, account.authToken)) throw new ApiError('invalidCredentials');
    return account.accountSid;
  }

  async #route(context: ApiContext, rest: string): Promise<void> {
    for (const route of this.#routes) {
      const match = route.pattern.exec(rest);
      if (!match) continue;
      const method = context.request.method as HttpMethod;
      const handler = route.handlers[method];
      if (!handler) {
        const allowed = Object.keys(route.handlers).join(', ');
        context.response.setHeader('allow', allowed);
        throw new ApiError('methodNotAllowed', `${context.request.method ?? 'This method'} is not allowed here; use ${allowed}`);
      }
      await handler(context, match.slice(1));
      return;
    }
    if (rest !== '' && !/\.(json|txt|mp3|wav)$/.test(rest)) {
      throw new ApiError('resourceNotFound', 'The simulator speaks JSON only: add .json to the resource path');
    }
    throw new ApiError('resourceNotFound');
  }

  #apiRoutes(): ApiRoute[] {
    const SID = '([^/]+)';
    return [
      { pattern: /^\/Calls\.json$/, handlers: { GET: (c) => this.#listCalls(c), POST: (c) => this.#createCallRoute(c) } },
      {
        pattern: new RegExp(`^/Calls/${SID}\\.json$`),
        handlers: { GET: (c, [callSid]) => this.#getCallRoute(c, callSid), POST: (c, [callSid]) => this.#modifyCall(c, callSid) },
      },
      {
        pattern: new RegExp(`^/Calls/${SID}/Recordings\\.json$`),
        handlers: { GET: (c, [callSid]) => this.#listCallRecordings(c, callSid), POST: (c, [callSid]) => this.#startOrStopRecording(c, callSid) },
      },
      { pattern: /^\/Recordings\.json$/, handlers: { GET: (c) => this.#listRecordings(c, undefined) } },
      {
        pattern: new RegExp(`^/Recordings/${SID}\\.json$`),
        handlers: { GET: (c, [sid]) => this.#getRecordingRoute(c, sid), DELETE: (c, [sid]) => this.#deleteRecording(c, sid) },
      },
      { pattern: new RegExp(`^/Recordings/${SID}\\.(mp3|wav)$`), handlers: { GET: (c, [sid, format]) => this.#redirectToMedia(c, sid, format) } },
      {
        pattern: new RegExp(`^/Transcriptions/${SID}\\.(json|txt)$`),
        handlers: { GET: (c, [sid, extension]) => this.#getTranscriptionRoute(c, sid, extension) },
      },
    ];
  }

  // API handlers ----------------------------------------------------------------------------------

  #requireCall(context: ApiContext, callSid: string | undefined): SimulatedCall {
    const call = callSid === undefined ? undefined : this.#telephony.call(callSid, context.accountSid);
    if (!call) throw new ApiError('callNotFound', `Call ${callSid ?? ''} was not found`);
    return call;
  }

  #requireRecording(context: ApiContext, recordingSid: string | undefined): SimulatedRecording {
    const recording = recordingSid === undefined ? undefined : this.#telephony.recording(recordingSid, context.accountSid);
    if (!recording) throw new ApiError('recordingNotFound', `Recording ${recordingSid ?? ''} was not found`);
    return recording;
  }

  #listCalls(context: ApiContext): void {
    const paging = parsePageRequest(context.params);
    const now = this.#now();
    const calls = this.#telephony.calls(context.accountSid);
    sendJson(context.response, 200, listEnvelope('calls', calls, paging, context, (call) => callJson(call, context.version, now)));
  }

  /** TelAPI's "make call", answered at once: the simulated callee always picks up. */
  #createCallRoute(context: ApiContext): void {
    const required = (name: string): string => {
      const value = context.params.get(name)?.trim();
      if (!value) throw new ApiError('missingParameter', `${name} is required`);
      return value;
    };
    const from = required('From');
    const to = required('To');
    const url = required('Url');
    if (!isHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    const callerName = context.params.get('CallerName')?.trim();
    const call = this.#telephony.createCall(
      { accountSid: context.accountSid, from, to, url, direction: 'outbound-api', ...(callerName ? { callerName } : {}) },
      context.version,
    );
    sendJson(context.response, 200, callJson(call, context.version, this.#now()));
  }

  #getCallRoute(context: ApiContext, callSid: string | undefined): void {
    sendJson(context.response, 200, callJson(this.#requireCall(context, callSid), context.version, this.#now()));
  }

  /** TelAPI's "modify call": Status=completed (or canceled) hangs up; Url redirects. */
  #modifyCall(context: ApiContext, callSid: string | undefined): void {
    const call = this.#requireCall(context, callSid);
    const status = context.params.get('Status')?.trim().toLowerCase();
    const url = context.params.get('Url')?.trim();
    if (!status && !url) throw new ApiError('missingParameter', 'Status or Url is required');
    if (status && status !== 'completed' && status !== 'canceled') {
      throw new ApiError('invalidParameter', 'Status must be completed or canceled');
    }
    if (url && !isHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    if (url) this.#telephony.updateCallUrl(call.sid, context.accountSid, url);
    const updated = status ? this.#telephony.hangUp(call.sid, context.accountSid) : this.#requireCall(context, call.sid);
    sendJson(context.response, 200, callJson(updated, context.version, this.#now()));
  }

  #startOrStopRecording(context: ApiContext, callSid: string | undefined): void {
    const call = this.#requireCall(context, callSid);
    const parsed = parseRecordRequest(context.params);
    const recording = parsed.record
      ? this.#telephony.startRecording(call.sid, context.accountSid, parsed.params, context.version)
      : this.#telephony.stopRecording(call.sid, context.accountSid);
    sendJson(context.response, 200, recordingJson(recording, context.version));
  }

  #listCallRecordings(context: ApiContext, callSid: string | undefined): void {
    const call = this.#requireCall(context, callSid);
    this.#listRecordings(context, call.sid);
  }

  #listRecordings(context: ApiContext, callSid: string | undefined): void {
    const filter = parseRecordingFilter(context.params);
    const paging = parsePageRequest(context.params);
    const recordings = this.#telephony
      .recordings(context.accountSid)
      .filter((recording) => (callSid === undefined || recording.callSid === callSid) && matchesRecordingFilter(recording, filter));
    sendJson(context.response, 200, listEnvelope('recordings', recordings, paging, context, (recording) => recordingJson(recording, context.version)));
  }

  #getRecordingRoute(context: ApiContext, recordingSid: string | undefined): void {
    sendJson(context.response, 200, recordingJson(this.#requireRecording(context, recordingSid), context.version));
  }

  #deleteRecording(context: ApiContext, recordingSid: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    sendJson(context.response, 200, recordingJson(this.#telephony.deleteRecording(recording.sid, context.accountSid), context.version));
  }

  /** TelAPI answers a media request with a redirect to the file (telapi-api.md). */
  #redirectToMedia(context: ApiContext, recordingSid: string | undefined, format: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    const location = recording.recordingUrl.replace(/\.(mp3|wav)$/, `.${format ?? 'mp3'}`);
    context.response.writeHead(302, { location, 'content-length': '0' });
    context.response.end();
  }

  #getTranscriptionRoute(context: ApiContext, transcriptionSid: string | undefined, extension: string | undefined): void {
    const transcription = transcriptionSid === undefined ? undefined : this.#telephony.transcription(transcriptionSid, context.accountSid);
    if (!transcription) throw new ApiError('transcriptionNotFound', `Transcription ${transcriptionSid ?? ''} was not found`);
    if (extension === 'txt') sendText(context.response, 200, 'text/plain; charset=utf-8', transcription.text);
    else sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }

  // Media host ------------------------------------------------------------------------------------

  /** Like TelAPI's recordings host: no credentials, the unguessable SIDs in the path are the key. */
  async #serveMedia(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const match = MEDIA_PATH.exec(url.pathname);
    if (!match) throw new ApiError('recordingNotFound');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      throw new ApiError('methodNotAllowed');
    }
    const [, accountSid = '', recordingSid = '', requested] = match;
    const extension: FileFormat = requested === 'wav' ? 'wav' : 'mp3';
    const recording = this.#telephony.recording(recordingSid, accountSid);
    if (!recording) throw new ApiError('recordingNotFound');
    if (recording.status !== 'completed') throw new ApiError('recordingNotFound', `Recording ${recordingSid} is still in progress`);
    const spec: AudioSpec = { seconds: recording.duration, direction: recording.params.direction, trimSilence: recording.params.trimSilence };
    const headers: Record<string, string> = {
      'content-type': AUDIO_CONTENT_TYPES[extension],
      'content-disposition': `inline; filename="${recordingSid}.${extension}"`,
      'cache-control': 'private, max-age=3600',
    };
    if (this.#audio.fitsInCache(extension, spec)) {
      const bytes = await this.#audio.file(extension, spec);
      response.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
      response.end(request.method === 'HEAD' ? undefined : bytes);
      return;
    }
    if (extension === 'wav') headers['content-length'] = String(wavByteLength(spec.seconds));
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    try {
      await pipeline(Readable.from(this.#audio.stream(extension, spec)), response);
    } catch {
      // The listener went away mid-file; nothing to answer.
    }
  }

  // Recording lifecycle -----------------------------------------------------------------------------

  #createDemoCalls(): void {
    for (const spec of this.#demoCalls) this.createCall(spec);
  }

  /** The call's directory URL, against which TelAPI resolves relative callback URLs. */
  #urlBase(call: SimulatedCall): string {
    return call.url ? new URL('.', call.url).href : `${this.publicUrl}/`;
  }

  /** Where a callback URL as given is posted: relative ones against the call's URL, like TelAPI's UrlBase. */
  #callbackTarget(urlAsGiven: string, call: SimulatedCall | undefined): string {
    return resolveCallbackTarget(urlAsGiven, call?.url ?? `${this.publicUrl}/`);
  }

  /** TelAPI's default voice request parameters, in its documented order. */
  #voiceParams(call: SimulatedCall, apiVersion: ApiVersion): Array<[string, string]> {
    const params: Array<[string, string]> = [
      ['AccountSid', call.accountSid],
      ['ApiVersion', apiVersion],
      ['Direction', call.direction],
      ['CallerName', call.callerName],
      ['To', call.to],
      ['From', call.from],
      ['CallSid', call.sid],
      ['CallStatus', call.status],
      ['UrlBase', this.#urlBase(call)],
    ];
    if (call.forwardedFrom) params.push(['ForwardedFrom', call.forwardedFrom]);
    return params;
  }

  #signingToken(accountSid: string): string | undefined {
    return this.signCallbacks ? this.#accounts.get(accountSid)?.authToken : undefined;
  }

  /**
   * After the callback delay, the recording callback; once that has settled (delivered or given up),
   * after the transcription delay, the finished transcription and its callback.
   */
  #recordingEnded(recording: SimulatedRecording, call: SimulatedCall): void {
    this.#logger.info(`recording ${recording.sid} on ${call.sid} ended (${recording.endReason ?? 'stopped'}, ${recording.duration} s)`);
    const voiceParams = this.#voiceParams(call, recording.apiVersion);
    const transcription = recording.params.transcribe ? this.#telephony.createTranscription(recording) : undefined;
    const callbackUrl = recording.params.callbackUrl;
    const deliverRecordingCallback = async (): Promise<void> => {
      if (callbackUrl === undefined) return;
      await this.#dispatcher.deliver({
        kind: 'recording',
        url: this.#callbackTarget(callbackUrl, call),
        params: [
          ...voiceParams,
          ['Digits', recording.digits],
          ['RecordingDuration', String(recording.duration)],
          ['RecordingUrl', recording.recordingUrl],
          ['RecordingSid', recording.sid],
        ],
        signingToken: this.#signingToken(recording.accountSid),
        accountSid: recording.accountSid,
        callSid: recording.callSid,
        recordingSid: recording.sid,
      });
    };
    const logFailure = (error: unknown): void => this.#logger.error(`callbacks for ${recording.sid} failed: ${error instanceof Error ? error.message : String(error)}`);
    this.#timers.after(this.callbackDelayMs, () => {
      deliverRecordingCallback()
        .catch(logFailure)
        .finally(() => {
          if (!transcription) return;
          this.#timers.after(this.transcriptionDelayMs, () => void this.#finishTranscription(transcription.sid, voiceParams).catch(logFailure));
        });
    });
  }

  async #finishTranscription(transcriptionSid: string, voiceParams: Array<[string, string]>): Promise<void> {
    const transcription = this.#telephony.completeTranscription(transcriptionSid);
    if (!transcription) return;
    this.#logger.info(`transcription ${transcription.sid} of ${transcription.recordingSid} completed`);
    if (transcription.callbackUrl === undefined) return;
    const call = this.#telephony.call(transcription.callSid);
    await this.#dispatcher.deliver({
      kind: 'transcription',
      url: this.#callbackTarget(transcription.callbackUrl, call),
      params: [
        ...voiceParams,
        ['TranscriptionStatus', transcription.status],
        ['TranscriptionSid', transcription.sid],
        ['AudioUrl', transcription.audioUrl],
        ['TranscriptionText', transcription.text],
        ['RecordingSid', transcription.recordingSid],
      ],
      signingToken: this.#signingToken(transcription.accountSid),
      accountSid: transcription.accountSid,
      callSid: transcription.callSid,
      recordingSid: transcription.recordingSid,
      transcriptionSid: transcription.sid,
    });
  }
}

export function createSimulator(options: TelApiSimulatorOptions = {}): TelApiSimulator {
  return new TelApiSimulator(options);
}

/** Creates a simulator and starts it listening (port 0: any free port). */
export async function startSimulator(options: TelApiSimulatorOptions & { port?: number; host?: string } = {}): Promise<TelApiSimulator> {
  const { port, host, ...simulatorOptions } = options;
  const simulator = new TelApiSimulator(simulatorOptions);
  await simulator.listen(port ?? 0, host ?? DEFAULT_HOST);
  return simulator;
}

function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
