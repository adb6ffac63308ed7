import { ApiError } from './api-errors';
import type { CallTranscripts } from './call-events';
import { CallEngine } from './call-engine';
import type { CallbackDispatcher } from './callbacks';
import type { ApiVersion, CallSpec } from './constants';
import type { CalleeBehavior } from './engine-verbs';
import type { SimulatorLogger } from './logger';
import type { FinalCallStatus, HangupCause, SimulatedCall, SimulatedRecording } from './model';
import { resolveCallbackTarget, type MakeCallOptions } from './recording-params';
import type { CallbackMethod } from './spec';
import type { RecordingOrigin, Telephony } from './telephony';
import type { TimerSet } from './timers';
import type { VoiceFetcher } from './voice-fetcher';
import { voiceParams } from './voice-params';

/** An inbound call placed on a number whose voice URL is `url` (`placeCall()`, `POST /_simulator/calls/inbound`). */
export interface PlaceCallSpec extends Omit<CallSpec, 'direction' | 'url'> {
  url: string;
  /** How the voice URL is requested; default POST. */
  method?: CallbackMethod;
  /** The `ApiVersion` the voice requests report; default v1. */
  apiVersion?: ApiVersion;
}

export interface CallRunnerOptions {
  telephony: Telephony;
  transcripts: CallTranscripts;
  dispatcher: CallbackDispatcher;
  fetcher: VoiceFetcher;
  timers: TimerSet;
  logger: SimulatorLogger;
  scaled: (seconds: number) => number;
  publicUrl: () => string;
  signingToken: (accountSid: string) => string | undefined;
  mediaSeconds: (url: string) => number | undefined;
}

/** How long a called number rings before it answers (or says it is busy). */
const RING_SECONDS = 2;

/**
 * The life of the calls the simulator runs: inbound calls placed on a voice URL, outbound calls
 * that ring, are answered (or are busy, not answered, fail, wait for the control API), run their
 * InboundXML and end; the StatusCallback of a make-call request; the transcript's status, recording
 * and hang-up entries.
 */
export class CallRunner {
  readonly #options: CallRunnerOptions;
  readonly #engine: CallEngine;
  readonly #outbound = new Map<string, MakeCallOptions>();
  readonly #ringTimers = new Map<string, NodeJS.Timeout | undefined>();
  readonly #callees = new Map<string, CalleeBehavior>();

  constructor(options: CallRunnerOptions) {
    this.#options = options;
    const { telephony } = options;
    this.#engine = new CallEngine({
      ...options,
      answer: (callSid) => this.answer(callSid),
      end: (callSid, status, cause) => telephony.endCall(callSid, status, cause),
      calleeBehavior: (number) => this.calleeBehavior(number),
    });
  }

  placeInbound(spec: PlaceCallSpec): SimulatedCall {
    const { url, method, apiVersion, ...callSpec } = spec;
    const call = this.#options.telephony.createCall({ ...callSpec, url, direction: 'inbound' }, apiVersion ?? 'v1', 'ringing');
    this.#options.transcripts.add(call.sid, { type: 'status', status: 'ringing' });
    this.#engine.start(call, { url, method: method ?? 'POST', purpose: 'voice', extraParams: [] });
    return call;
  }

  /** A queued make-call call starts ringing, and the number's behaviour decides what follows. */
  startOutbound(call: SimulatedCall, options: MakeCallOptions): void {
    const { telephony, timers, scaled, transcripts } = this.#options;
    this.#outbound.set(call.sid, options);
    transcripts.add(call.sid, { type: 'status', status: 'queued' });
    timers.after(0, () => {
      if (!telephony.ring(call.sid)) return;
      transcripts.add(call.sid, { type: 'status', status: 'ringing' });
      const behavior = this.calleeBehavior(call.to);
      const endAfter = (seconds: number, status: FinalCallStatus, cause: HangupCause): void => {
        this.#ringTimers.set(call.sid, timers.after(scaled(seconds), () => telephony.endCall(call.sid, status, cause)));
      };
      if (behavior === 'answer' && RING_SECONDS < options.timeout) {
        this.#ringTimers.set(call.sid, timers.after(scaled(RING_SECONDS), () => this.#connect(call.sid)));
      } else if (behavior === 'busy') endAfter(Math.min(RING_SECONDS, options.timeout), 'busy', 'busy');
      else if (behavior === 'failed') endAfter(0, 'failed', 'failed');
      else endAfter(options.timeout, 'no-answer', 'no-answer');
    });
  }

  /** queued/ringing -> in-progress, told in the transcript and to the StatusCallback; false when the call was not waiting. */
  answer(callSid: string): boolean {
    const { telephony, transcripts } = this.#options;
    if (!telephony.answer(callSid)) return false;
    this.#timersOff(callSid);
    transcripts.add(callSid, { type: 'status', status: 'in-progress' });
    const call = telephony.call(callSid);
    const options = this.#outbound.get(callSid);
    if (call && options) {
      this.#statusCallback(call, options, false);
      if (options.recording) telephony.startRecording(call.sid, call.accountSid, options.recording, call.apiVersion, { source: 'call', background: true, playBeep: false });
    }
    return true;
  }

  /** The control API answers a ringing outbound call (a number set to `manual`, or any other before its time). */
  answerManually(callSid: string): SimulatedCall {
    const call = this.#requireRinging(callSid);
    this.#connect(call.sid);
    return this.#call(call.sid);
  }

  /** The control API refuses a ringing outbound call: busy, no-answer or failed. */
  rejectManually(callSid: string, status: 'busy' | 'no-answer' | 'failed' = 'busy'): SimulatedCall {
    const call = this.#requireRinging(callSid);
    return this.#options.telephony.endCall(call.sid, status, status);
  }

  /** The caller presses keys; a Gather or Record listening hears them, else they are lost. */
  press(callSid: string, digits: string): void {
    if (!/^[0-9*#wW]+$/.test(digits)) throw new ApiError('invalidParameter', 'Digits may hold 0-9, * and # only');
    const call = this.#call(callSid);
    if (call.status !== 'in-progress') throw new ApiError('callNotInProgress', `Call ${call.sid} is ${call.status}; nobody can press keys on it`);
    const session = this.#engine.session(call.sid);
    const keys = digits.replace(/[wW]/g, '');
    if (session) session.press(keys);
    else this.#options.transcripts.add(call.sid, { type: 'digits', digits: keys, heardBy: 'nobody' });
  }

  /** The REST API's `Url` for a live call the engine runs: it asks that URL next. */
  redirect(callSid: string, url: string, method: CallbackMethod): void {
    this.#engine.session(callSid)?.redirect({ url, method, purpose: 'voice', extraParams: [] });
  }

  calleeBehavior(number: string): CalleeBehavior {
    return this.#callees.get(number.trim()) ?? 'answer';
  }

  /** How calls to `number` go from now on; undefined: answered after a short ring (the default). */
  setCalleeBehavior(number: string, behavior: CalleeBehavior | undefined): void {
    if (behavior === undefined || behavior === 'answer') this.#callees.delete(number.trim());
    else this.#callees.set(number.trim(), behavior);
  }

  callees(): Record<string, CalleeBehavior> {
    return Object.fromEntries(this.#callees);
  }

  /** Telephony's word that a call has ended, whoever ended it. */
  callEnded(call: SimulatedCall, cause: HangupCause): void {
    this.#timersOff(call.sid);
    this.#engine.stop(call.sid);
    this.#options.transcripts.add(call.sid, { type: 'hangup', cause, status: call.status });
    const options = this.#outbound.get(call.sid);
    if (options) this.#statusCallback(call, options, true);
    this.#outbound.delete(call.sid);
  }

  recordingStarted(recording: SimulatedRecording, origin: RecordingOrigin): void {
    const { background, playBeep } = origin;
    this.#options.transcripts.add(recording.callSid, { type: 'record-started', recordingSid: recording.sid, background, playBeep, maxLength: recording.params.timeLimit });
  }

  recordingEnded(recording: SimulatedRecording): void {
    this.#options.transcripts.add(recording.callSid, { type: 'record-stopped', recordingSid: recording.sid, duration: recording.duration, reason: recording.endReason ?? 'stopped' });
    this.#engine.session(recording.callSid)?.recordingEnded(recording);
  }

  /** Stops every call the engine runs; with `forget`, also what the runner knows of calls and numbers. */
  stopAll(forget: boolean): void {
    this.#engine.stopAll();
    if (!forget) return;
    this.#outbound.clear();
    this.#ringTimers.clear();
    this.#callees.clear();
  }

  #connect(callSid: string): void {
    const options = this.#outbound.get(callSid);
    const call = this.#options.telephony.call(callSid);
    if (!options || !call?.url || !this.answer(callSid)) return;
    this.#engine.start(this.#call(callSid), { url: call.url, method: options.method, purpose: 'voice', extraParams: [] });
  }

  #timersOff(callSid: string): void {
    this.#options.timers.cancel(this.#ringTimers.get(callSid));
    this.#ringTimers.delete(callSid);
  }

  #call(callSid: string): SimulatedCall {
    const call = this.#options.telephony.call(callSid);
    if (!call) throw new ApiError('callNotFound', `Call ${callSid} was not found`);
    return call;
  }

  #requireRinging(callSid: string): SimulatedCall {
    const call = this.#call(callSid);
    if (!this.#outbound.has(call.sid) || (call.status !== 'ringing' && call.status !== 'queued')) {
      throw new ApiError('callNotRinging', `Call ${call.sid} is not an outbound call that rings (it is ${call.status})`);
    }
    return call;
  }

  /** When the call connects and when it ends (then with CallDuration), as the make-call request asked. */
  #statusCallback(call: SimulatedCall, options: MakeCallOptions, ended: boolean): void {
    if (options.statusCallback === undefined) return;
    const { dispatcher, publicUrl, signingToken, logger } = this.#options;
    const params = voiceParams(call, call.apiVersion, publicUrl());
    if (ended) params.push(['CallDuration', String(call.duration)]);
    dispatcher
      .deliver({
        kind: 'status',
        url: resolveCallbackTarget(options.statusCallback, call.url ?? `${publicUrl()}/`),
        method: options.statusCallbackMethod,
        params,
        signingToken: signingToken(call.accountSid),
        accountSid: call.accountSid,
        callSid: call.sid,
        recordingSid: undefined,
      })
      .catch((error: unknown) => logger.error(`status callback for ${call.sid} failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
