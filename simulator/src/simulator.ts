import http from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApiRouter } from './api-routes';
import { AudioLibrary } from './audio';
import { CallbackDispatcher, DEFAULT_CALLBACK_POLICY, type CallbackDelivery } from './callbacks';
import { DEFAULT_HOST, DEMO_ACCOUNT, DEMO_CALLS, type CallSpec, type SimulatorAccount } from './constants';
import { handleControlRequest, isControlPath } from './control-api';
import { FaultInjector, type FaultMode, type FaultOptions, type FaultSettings, type InjectedFault } from './faults';
import { CallbackLifecycle } from './lifecycle';
import { SILENT_LOGGER, type SimulatorLogger } from './logger';
import { mediaUrl, serveMedia } from './media-host';
import type { SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import type { DeliveryMatch, ListeningAddress, RecordingSeed, TelApiSimulatorOptions } from './options';
import { RequestHandler, type MediaRequest, type RecordedRequest } from './server';
import { isAbsoluteHttpUrl, isSid } from './spec';
import { Telephony } from './telephony';
import { TimerSet } from './timers';

export type { MediaRequest, RecordedRequest } from './server';

export type { DeliveryMatch, ListeningAddress, RecordingSeed, TelApiSimulatorOptions } from './options';

const MAX_SEEDED_RECORDINGS = 100_000;
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
 * parameter parsing and switchable fault injection. See README.md of this package.
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
  readonly #mediaHostName: string | undefined;
  readonly #logger: SimulatorLogger;
  readonly #now: () => Date;
  readonly #telephony: Telephony;
  readonly #dispatcher: CallbackDispatcher;
  readonly #faults: FaultInjector;
  readonly #timers = new TimerSet();
  readonly #handler: RequestHandler;
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
    this.#publicUrl = options.publicUrl?.trim().replace(/\/+$/, '') || undefined;
    this.#mediaHostName = options.mediaHostName?.trim() || undefined;
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
      { ca: options.ca, insecure: options.insecure },
    );
    this.#faults = new FaultInjector(options.faults);
    const audio = new AudioLibrary(options.audio);
    const lifecycle: CallbackLifecycle = new CallbackLifecycle({
      telephony: (this.#telephony = new Telephony({
        timeScale: this.timeScale,
        now: this.#now,
        defaultAccountSid: [...byAccountSid.keys()][0] as string,
        recordingUrlFor: (recording) => mediaUrl(this.#mediaRoot(), recording),
        onRecordingEnded: (recording, call) => lifecycle.recordingEnded(recording, call),
      })),
      dispatcher: this.#dispatcher,
      timers: this.#timers,
      logger: this.#logger,
      publicUrl: () => this.publicUrl,
      signingToken: (accountSid) => (this.signCallbacks ? this.#accounts.get(accountSid)?.authToken : undefined),
      callbackDelayMs: this.callbackDelayMs,
      transcriptionDelayMs: this.transcriptionDelayMs,
    });
    this.#handler = new RequestHandler({
      accounts: this.#accounts,
      router: new ApiRouter({ telephony: this.#telephony, lifecycle, now: this.#now }),
      faults: this.#faults,
      logger: this.#logger,
      maxBodyBytes: this.maxBodyBytes,
      maxRecordedRequests: nonNegative('maxRecordedRequests', options.maxRecordedRequests, 1000),
      closing: this.#closing.signal,
      serveMedia: (request, response, url) => serveMedia(request, response, url, this.#telephony, audio),
      isControlPath,
      control: (request, response) => handleControlRequest(this, request, response),
    });
    this.#createDemoCalls();
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
    const server = http.createServer((request, response) => void this.#handler.handle(request, response));
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
    if (spec.url !== undefined && !isAbsoluteHttpUrl(spec.url)) throw new RangeError('url must be an http or https URL');
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

  /**
   * Finished recordings with chosen dates, for tests of listing and paging ("120 recordings over
   * 3 pages"): `count` of them on `callSid` (default: one new completed call), dated evenly from
   * `from` to `to` (default: now), each `duration` seconds long. Newest first, as lists are.
   */
  seedRecordings(seed: RecordingSeed): SimulatedRecording[] {
    const count = seed.count;
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SEEDED_RECORDINGS) {
      throw new RangeError(`count must be a whole number from 1 to ${MAX_SEEDED_RECORDINGS}`);
    }
    const duration = seed.duration ?? 5;
    if (!Number.isSafeInteger(duration) || duration < 1) throw new RangeError('duration must be a whole number of seconds greater than 0');
    const from = (seed.from ?? seed.to ?? this.#now()).getTime();
    const to = (seed.to ?? seed.from ?? this.#now()).getTime();
    if (Number.isNaN(from) || Number.isNaN(to) || to < from) throw new RangeError('from and to must be dates, from not after to');
    let callSid = seed.callSid;
    if (callSid === undefined) {
      callSid = this.createCall({ ...(seed.accountSid ? { accountSid: seed.accountSid } : {}), direction: 'inbound' }).sid;
      this.#telephony.hangUp(callSid);
    } else if (!this.#telephony.call(callSid, seed.accountSid)) {
      throw new RangeError(`No call ${callSid}${seed.accountSid ? ` on ${seed.accountSid}` : ''}`);
    }
    const step = count > 1 ? (to - from) / (count - 1) : 0;
    const made: SimulatedRecording[] = [];
    for (let index = 0; index < count; index++) {
      const dateCreated = new Date(Math.round(from + step * index));
      made.push(this.#telephony.addPastRecording(callSid, { dateCreated, duration, fileFormat: seed.fileFormat ?? 'mp3' }, seed.apiVersion ?? 'v2'));
    }
    return made.reverse();
  }

  /** API requests received, oldest first. */
  requests(): RecordedRequest[] {
    return this.#handler.requests();
  }

  /** Requests to the media host (recording_url), oldest first: whether credentials came along. */
  mediaRequests(): MediaRequest[] {
    return this.#handler.mediaRequests();
  }

  clearRequests(): void {
    this.#handler.clearRequests();
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
    this.#handler.clearRequests();
    this.#faults.reset();
    this.#createDemoCalls();
  }

  #mediaRoot(): string {
    if (this.#publicUrl !== undefined || this.#mediaHostName === undefined || this.#address === undefined) return this.publicUrl;
    return `http://${this.#mediaHostName}:${this.#address.port}`;
  }

  #createDemoCalls(): void {
    for (const spec of this.#demoCalls) this.createCall(spec);
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
