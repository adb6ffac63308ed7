import http from 'node:http';
import { CallTranscripts, type CallEvent, type CallEventMatch } from './call-events';
import type { CallRunner, PlaceCallSpec } from './call-runner';
import type { CallbackDelivery, CallbackDispatcher } from './callbacks';
import { DEFAULT_HOST, type CallSpec, type SimulatorAccount } from './constants';
import { handleControlRequest } from './control-api';
import { CALLEE_BEHAVIORS, type CalleeBehavior } from './engine-verbs';
import type { FaultInjector, FaultMode, FaultOptions, FaultSettings, InjectedFault } from './faults';
import type { SimulatorLogger } from './logger';
import type { SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import type { DeliveryMatch, ListeningAddress, RecordingSeed, TelApiSimulatorOptions } from './options';
import { PhonePage } from './phone-page';
import { seedRecordings } from './seeding';
import type { MediaRequest, RecordedRequest, RequestHandler } from './server';
import { assembleSimulator } from './simulator-parts';
import { listenOn, simulatorSettings, toDeliveryPredicate, unlimitedAbortController } from './simulator-support';
import { isAbsoluteHttpUrl } from './spec';
import type { Telephony } from './telephony';
import { TimerSet } from './timers';
import type { TranscriptionStore } from './transcription-store';

export type { MediaRequest, RecordedRequest } from './server';

export type { DeliveryMatch, ListeningAddress, RecordingSeed, TelApiSimulatorOptions } from './options';

const DEFAULT_WAIT_MS = 5000;

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
  readonly #transcriptions: TranscriptionStore;
  readonly #transcripts = new CallTranscripts();
  readonly #runner: CallRunner;
  readonly #dispatcher: CallbackDispatcher;
  readonly #faults: FaultInjector;
  readonly #timers = new TimerSet();
  readonly #handler: RequestHandler;
  readonly #phone: PhonePage | undefined;
  #server: http.Server | undefined;
  #address: ListeningAddress | undefined;
  readonly #closing = unlimitedAbortController();
  #closed: Promise<void> | undefined;

  constructor(options: TelApiSimulatorOptions = {}) {
    const settings = simulatorSettings(options);
    ({ timeScale: this.timeScale, signCallbacks: this.signCallbacks, callbackDelayMs: this.callbackDelayMs } = settings);
    ({ transcriptionDelayMs: this.transcriptionDelayMs, maxBodyBytes: this.maxBodyBytes } = settings);
    this.#accounts = settings.accounts;
    this.#publicUrl = settings.publicUrl;
    this.#mediaHostName = settings.mediaHostName;
    this.#logger = settings.logger;
    this.#now = settings.now;
    this.#demoCalls = settings.demoCalls;
    const phone = options.phone ? new PhonePage(options.phone === true ? {} : options.phone, [...this.#accounts.keys()][0] as string, () => this.#ownHosts()) : undefined;
    this.#phone = phone;
    const parts = assembleSimulator({
      ...settings,
      options,
      timers: this.#timers,
      transcripts: this.#transcripts,
      closing: this.#closing.signal,
      publicUrl: () => this.publicUrl,
      mediaRoot: () => this.#mediaRoot(),
      control: (request, response) => handleControlRequest(this, request, response),
      phone,
    });
    this.#telephony = parts.telephony;
    this.#transcriptions = parts.transcriptions;
    this.#runner = parts.runner;
    this.#dispatcher = parts.dispatcher;
    this.#faults = parts.faults;
    this.#handler = parts.handler;
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

  /** The browser phone's address (`GET /phone`), when the `phone` option is on and the simulator listens. */
  get phoneUrl(): string | undefined {
    return this.#phone && this.#address ? `${this.#address.url}/phone` : undefined;
  }

  /** The phone page's own number (calls to it ring on the page); undefined when the phone is off. */
  get phoneNumber(): string | undefined {
    return this.#phone?.number;
  }

  /** The voice URL the phone page offers to call (its `/phone?url=` overrides it). */
  get phoneVoiceUrl(): string | undefined {
    return this.#phone?.voiceUrl;
  }

  /** Sets it, e.g. once the flow's port is known; RangeError for a URL that is not http(s), or when the phone is off. */
  set phoneVoiceUrl(url: string | undefined) {
    if (!this.#phone) throw new RangeError('The phone is off: create the simulator with the phone option');
    this.#phone.voiceUrl = url;
  }

  listen(port = 0, host = DEFAULT_HOST): Promise<ListeningAddress> {
    if (this.#server) return Promise.reject(new Error('The simulator is already listening'));
    if (this.#closed) return Promise.reject(new Error('The simulator is closed'));
    const server = http.createServer((request, response) => void this.#handler.handle(request, response));
    this.#server = server;
    return listenOn(server, port, host, this.#logger).then((address) => {
      this.#address = address;
      return { ...address };
    }, (error: unknown) => {
      this.#server = undefined;
      throw error;
    });
  }

  /** Stops listening, cancels every timer and pending callback; the state stays readable. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      this.#timers.dispose();
      this.#runner.stopAll(false);
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

  /**
   * An inbound call to a number whose voice URL is `spec.url`: it rings, the simulator asks the
   * voice URL (CallStatus `ringing`) and runs the InboundXML answered. Follow it with
   * `callEvents()`, `onCallEvent()` or `waitForCallEvent()`.
   */
  placeCall(spec: PlaceCallSpec): SimulatedCall {
    if (spec.accountSid !== undefined && !this.#accounts.has(spec.accountSid)) throw new RangeError(`${spec.accountSid} is not a configured account`);
    if (!isAbsoluteHttpUrl(spec.url)) throw new RangeError('url must be an http or https URL');
    return this.#runner.placeInbound(spec);
  }

  /** The caller hangs up (cause `caller`); a ringing call is `canceled`, an answered one `completed`; running recordings end and call back. */
  hangUp(callSid: string): SimulatedCall {
    return this.#telephony.hangUp(callSid, undefined, 'caller');
  }

  /** The caller presses keys (0-9, *, #); a listening `<Gather>` or `<Record>` hears them, else they are lost. */
  sendDigits(callSid: string, digits: string): void {
    this.#runner.press(callSid, digits);
  }

  /** Answers a ringing outbound call (one to a `manual` number, or any other before its ring is over). */
  answerCall(callSid: string): SimulatedCall {
    return this.#runner.answerManually(callSid);
  }

  /** Refuses a ringing outbound call: `busy` (default), `no-answer` or `failed`. */
  rejectCall(callSid: string, status: 'busy' | 'no-answer' | 'failed' = 'busy'): SimulatedCall {
    return this.#runner.rejectManually(callSid, status);
  }

  /** How outbound calls (and `<Dial>`) to `number` go: answer (default), busy, no-answer, failed, manual; undefined resets. */
  setCalleeBehavior(number: string, behavior: CalleeBehavior | undefined): void {
    if (behavior !== undefined && !CALLEE_BEHAVIORS.includes(behavior)) throw new RangeError(`behavior must be one of ${CALLEE_BEHAVIORS.join(', ')}`);
    this.#runner.setCalleeBehavior(number, behavior);
  }

  /** The numbers whose behaviour is not the default. */
  calleeBehaviors(): Record<string, CalleeBehavior> {
    return this.#runner.callees();
  }

  /** The call's transcript after `afterSequence` (default: all of it), oldest first. */
  callEvents(callSid: string, afterSequence = 0): CallEvent[] {
    return this.#transcripts.list(callSid, afterSequence);
  }

  /** The first call event that matches, past ones included, waiting for it if need be. */
  waitForCallEvent(match: CallEventMatch, timeoutMs = DEFAULT_WAIT_MS): Promise<CallEvent> {
    return this.#transcripts.waitFor(match, timeoutMs);
  }

  /** Every call event as it happens; the answer stops listening. */
  onCallEvent(listener: (event: CallEvent) => void): () => void {
    this.#transcripts.on('call-event', listener);
    return () => this.#transcripts.off('call-event', listener);
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
    return this.#transcriptions.get(transcriptionSid);
  }

  transcriptions(): SimulatedTranscription[] {
    return this.#transcriptions.list();
  }

  /** Finished recordings with chosen dates, newest first (see seeding.ts). */
  seedRecordings(seed: RecordingSeed): SimulatedRecording[] {
    return seedRecordings(this.#telephony, seed, this.#now(), (accountSid) => {
      const callSid = this.createCall({ ...(accountSid ? { accountSid } : {}), direction: 'inbound' }).sid;
      this.#telephony.hangUp(callSid);
      return callSid;
    });
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
    this.#runner.stopAll(true);
    this.#dispatcher.abortAll();
    this.#dispatcher.clear();
    this.#telephony.clear();
    this.#transcriptions.clear();
    this.#transcripts.clear();
    this.#handler.clearRequests();
    this.#faults.reset();
    this.#createDemoCalls();
  }

  #mediaRoot(): string {
    if (this.#publicUrl !== undefined || this.#mediaHostName === undefined || this.#address === undefined) return this.publicUrl;
    return `http://${this.#mediaHostName}:${this.#address.port}`;
  }

  /** The demo calls, and the phone's number set to ring until the page answers (`manual`). */
  #createDemoCalls(): void {
    for (const spec of this.#demoCalls) this.createCall(spec);
    if (this.#phone) this.#runner.setCalleeBehavior(this.#phone.number, 'manual');
  }

  /** Host names the simulator is reached under besides loopback ones: its listening address, publicUrl's. */
  #ownHosts(): string[] {
    return [this.#address?.url, this.#publicUrl].flatMap((url) => (url ? [new URL(url).host] : []));
  }
}
