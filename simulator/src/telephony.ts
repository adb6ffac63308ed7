import { performance } from 'node:perf_hooks';
import { ApiError } from './api-errors';
import { MAX_RECORDINGS_PER_CALL, type ApiVersion, type CallSpec } from './constants';
import {
  isLiveStatus,
  type FinalCallStatus,
  type HangupCause,
  type RecordingEndReason,
  type SimulatedCall,
  type SimulatedRecording,
} from './model';
import { newSid } from './random';
import type { StartRecordingParams } from './recording-params';
import { RECORDING_DEFAULTS, isSid, type FileFormat } from './spec';
import { TimerSet } from './timers';
import { newestFirst } from './transcript-text';

export interface TelephonyOptions {
  /** Real milliseconds per simulated millisecond: 0.001 makes a 60 s TimeLimit end after 60 ms. */
  timeScale: number;
  now: () => Date;
  defaultAccountSid: string;
  recordingUrlFor: (recording: { accountSid: string; sid: string; fileFormat: string }) => string;
  /** Called once per recording, after it is complete (stopped, at its limit, or by a hang-up). */
  onRecordingEnded: (recording: SimulatedRecording, call: SimulatedCall) => void;
  onRecordingStarted: (recording: SimulatedRecording, origin: RecordingOrigin) => void;
  /** Called once per call, when it leaves its last live status (queued, ringing, in-progress). */
  onCallEnded: (call: SimulatedCall, cause: HangupCause) => void;
}

interface ActiveRecording {
  recordingSid: string;
  callSid: string;
  /** Started by the REST API: one at a time per call. `<Record>` verbs may run beside one. */
  exclusive: boolean;
  startedAt: number;
  limitTimer: NodeJS.Timeout | undefined;
}

/**
 * Who started a recording: the REST API (`api`), a make-call request's `Record=true` (`call`), or
 * an InboundXML `<Record>` verb (`verb`, which may run beside the others: they are one at a time).
 * `background`: the call's verbs run on while it records (only a `<Record background="false">`
 * holds the call and takes its keys).
 */
export interface RecordingOrigin {
  source: 'api' | 'call' | 'verb';
  background: boolean;
  playBeep: boolean;
}

const API_ORIGIN: RecordingOrigin = Object.freeze({ source: 'api', background: true, playBeep: false });

function copyRecording(recording: SimulatedRecording): SimulatedRecording {
  return { ...recording, params: { ...recording.params } };
}

/** The simulated phone network: calls and their recordings. */
export class Telephony {
  readonly #options: TelephonyOptions;
  readonly #calls = new Map<string, SimulatedCall>();
  readonly #recordings = new Map<string, SimulatedRecording>();
  /** Running recordings by RecordingSid. */
  readonly #active = new Map<string, ActiveRecording>();
  /** performance.now() at each live call's answer, for durations in simulated time. */
  readonly #answeredTicks = new Map<string, number>();
  readonly #timers = new TimerSet();

  constructor(options: TelephonyOptions) {
    this.#options = options;
  }

  /** A call answered at once (`in-progress`, as the demo calls), or one that starts `queued` or `ringing`. */
  createCall(spec: CallSpec = {}, apiVersion: ApiVersion = 'v1', status: 'queued' | 'ringing' | 'in-progress' = 'in-progress'): SimulatedCall {
    const sid = spec.callSid ?? newSid('CA');
    if (!isSid('CA', sid)) throw new RangeError(`callSid must be "CA" followed by 32 hex digits`);
    if (this.#calls.has(sid)) throw new RangeError(`A call ${sid} already exists`);
    const accountSid = spec.accountSid ?? this.#options.defaultAccountSid;
    if (!isSid('AC', accountSid)) throw new RangeError(`accountSid must be "AC" followed by 32 hex digits`);
    const now = this.#options.now();
    const call: SimulatedCall = {
      sid,
      accountSid,
      from: spec.from ?? '+15550100000',
      to: spec.to ?? '+15550100100',
      callerName: spec.callerName ?? '',
      direction: spec.direction ?? 'outbound-api',
      url: spec.url,
      forwardedFrom: spec.forwardedFrom,
      status,
      apiVersion,
      dateCreated: now,
      dateUpdated: now,
      answeredAt: undefined,
      endTime: undefined,
      duration: 0,
      hangupCause: undefined,
      recordingSids: [],
    };
    this.#calls.set(sid, call);
    if (status === 'in-progress') this.#markAnswered(call, now);
    return this.#copyCall(call);
  }

  /** queued -> ringing; false when the call is not queued. */
  ring(callSid: string): boolean {
    const call = this.#requireCall(callSid, undefined);
    if (call.status !== 'queued') return false;
    call.status = 'ringing';
    call.dateUpdated = this.#options.now();
    return true;
  }

  /** A queued or ringing call goes in-progress; false when it is not waiting to be answered. */
  answer(callSid: string): boolean {
    const call = this.#requireCall(callSid, undefined);
    if (call.status !== 'queued' && call.status !== 'ringing') return false;
    this.#markAnswered(call, this.#options.now());
    return true;
  }

  /**
   * Ends a live call with `status`; its running recordings end with it and call back. Ending a call
   * that has ended already changes nothing and answers it as it is.
   */
  endCall(callSid: string, status: FinalCallStatus, cause: HangupCause, accountSid?: string): SimulatedCall {
    const call = this.#requireCall(callSid, accountSid);
    if (!isLiveStatus(call.status)) return this.#copyCall(call);
    const now = this.#options.now();
    call.duration = this.#elapsedSeconds(call.sid);
    this.#answeredTicks.delete(call.sid);
    call.status = status;
    call.endTime = now;
    call.dateUpdated = now;
    call.hangupCause = cause;
    for (const active of [...this.#active.values()]) if (active.callSid === call.sid) this.#endRecording(active, 'hangup');
    const ended = this.#copyCall(call);
    this.#options.onCallEnded(ended, cause);
    return ended;
  }

  /** Without `accountSid` any account's call; with it, only that account's (others are "not found"). */
  call(callSid: string, accountSid?: string): SimulatedCall | undefined {
    const call = this.#findCall(callSid, accountSid);
    return call && this.#copyCall(call);
  }

  calls(accountSid?: string): SimulatedCall[] {
    return newestFirst([...this.#calls.values()].filter((call) => accountSid === undefined || call.accountSid === accountSid)).map((call) => this.#copyCall(call));
  }

  updateCallUrl(callSid: string, accountSid: string, url: string): SimulatedCall {
    const call = this.#requireCall(callSid, accountSid);
    call.url = url;
    call.dateUpdated = this.#options.now();
    return this.#copyCall(call);
  }

  /**
   * Hangs up: an answered call is `completed`, one still queued or ringing `canceled`. Its running
   * recordings end and call back. Hanging up twice is harmless.
   */
  hangUp(callSid: string, accountSid?: string, cause: HangupCause = 'api'): SimulatedCall {
    const call = this.#requireCall(callSid, accountSid);
    return this.endCall(call.sid, call.status === 'in-progress' ? 'completed' : 'canceled', cause, accountSid);
  }

  startRecording(
    callSid: string,
    accountSid: string,
    params: StartRecordingParams,
    apiVersion: ApiVersion,
    origin: RecordingOrigin = API_ORIGIN,
  ): SimulatedRecording {
    const call = this.#requireCall(callSid, accountSid);
    if (call.status !== 'in-progress') throw new ApiError('callNotInProgress', `Call ${call.sid} is ${call.status}; it cannot be recorded`);
    const exclusive = origin.source !== 'verb';
    if (exclusive && this.#activeOn(call.sid).some((active) => active.exclusive)) throw new ApiError('recordingInProgress');
    if (call.recordingSids.length >= MAX_RECORDINGS_PER_CALL) {
      throw new ApiError('recordingLimitReached', `Call ${call.sid} already has ${MAX_RECORDINGS_PER_CALL} recordings, the most a call can have`);
    }
    const recording = this.#addRecording(call, params, apiVersion, this.#options.now());
    const active: ActiveRecording = {
      recordingSid: recording.sid,
      callSid: call.sid,
      exclusive,
      startedAt: performance.now(),
      limitTimer: this.#timers.after(params.timeLimit * 1000 * this.#options.timeScale, () => this.#endRecording(active, 'time-limit')),
    };
    this.#active.set(recording.sid, active);
    this.#options.onRecordingStarted(copyRecording(recording), origin);
    return copyRecording(recording);
  }

  /** Ends one running recording (a `<Record>` verb's); undefined when it is not running. */
  endRecording(recordingSid: string, reason: RecordingEndReason, digits = ''): SimulatedRecording | undefined {
    const active = this.#active.get(recordingSid);
    if (!active) return undefined;
    const recording = this.#recordings.get(recordingSid);
    if (recording) recording.digits = digits;
    return copyRecording(this.#endRecording(active, reason));
  }

  /**
   * Ends the running recording. With none running, stopping is idempotent: the call's latest
   * recording is answered again; a call never recorded has nothing to stop.
   */
  stopRecording(callSid: string, accountSid: string): SimulatedRecording {
    const call = this.#requireCall(callSid, accountSid);
    const active = this.#activeOn(call.sid).at(-1);
    if (active) return copyRecording(this.#endRecording(active, 'stopped'));
    const latest = [...call.recordingSids].reverse().map((sid) => this.#recordings.get(sid)).find((recording) => recording !== undefined);
    if (!latest) throw new ApiError('noRecordingToStop', `Call ${call.sid} has no recording to stop`);
    return copyRecording(latest);
  }

  recording(recordingSid: string, accountSid?: string): SimulatedRecording | undefined {
    const recording = this.#recordings.get(recordingSid);
    if (!recording || (accountSid !== undefined && recording.accountSid !== accountSid)) return undefined;
    return copyRecording(recording);
  }

  recordings(accountSid?: string): SimulatedRecording[] {
    const all = [...this.#recordings.values()].filter((recording) => accountSid === undefined || recording.accountSid === accountSid);
    return newestFirst(all).map(copyRecording);
  }

  /** A recording deleted while running ends silently: nothing is left to call back about. */
  deleteRecording(recordingSid: string, accountSid: string): SimulatedRecording {
    const recording = this.#recordings.get(recordingSid);
    if (!recording || recording.accountSid !== accountSid) throw new ApiError('recordingNotFound');
    const active = this.#active.get(recordingSid);
    if (active) this.#endRecording(active, 'deleted');
    this.#recordings.delete(recordingSid);
    return copyRecording(recording);
  }

  /**
   * A finished recording with a date of the caller's choosing, for tests that need many (seeded
   * history). It counts on its call like any other; the call must exist.
   */
  addPastRecording(callSid: string, spec: { dateCreated: Date; duration: number; fileFormat: FileFormat }, apiVersion: ApiVersion): SimulatedRecording {
    const params: StartRecordingParams = { ...RECORDING_DEFAULTS, fileFormat: spec.fileFormat, callbackUrl: undefined, transcribeCallback: undefined, callbackMethod: 'POST' };
    const recording = this.#addRecording(this.#requireCall(callSid, undefined), params, apiVersion, spec.dateCreated);
    recording.status = 'completed';
    recording.duration = spec.duration;
    recording.endReason = 'stopped';
    recording.dateUpdated = new Date(spec.dateCreated.getTime() + spec.duration * 1000);
    return copyRecording(recording);
  }

  /** Notes the transcription asked for on a recording (answered by nothing but kept with it). */
  noteTranscription(recordingSid: string, transcriptionSid: string): void {
    const recording = this.#recordings.get(recordingSid);
    if (recording) recording.transcriptionSid = transcriptionSid;
  }

  /** Stops every timer for good; the state stays readable. */
  dispose(): void {
    this.#timers.dispose();
  }

  /** Forgets everything, without callbacks for recordings that were running. */
  clear(): void {
    this.#timers.cancelAll();
    this.#active.clear();
    this.#answeredTicks.clear();
    this.#calls.clear();
    this.#recordings.clear();
  }

  /** Stored, counted on its call, in progress; the caller finishes it. */
  #addRecording(call: SimulatedCall, params: StartRecordingParams, apiVersion: ApiVersion, dateCreated: Date): SimulatedRecording {
    const sid = newSid('RE');
    const recording: SimulatedRecording = {
      sid,
      accountSid: call.accountSid,
      callSid: call.sid,
      apiVersion,
      status: 'in-progress',
      params: { ...params },
      duration: 0,
      endReason: undefined,
      recordingUrl: this.#options.recordingUrlFor({ accountSid: call.accountSid, sid, fileFormat: params.fileFormat }),
      digits: '',
      transcriptionSid: undefined,
      dateCreated,
      dateUpdated: dateCreated,
    };
    this.#recordings.set(sid, recording);
    call.recordingSids.push(sid);
    return recording;
  }

  #markAnswered(call: SimulatedCall, now: Date): void {
    call.status = 'in-progress';
    call.answeredAt = now;
    call.dateUpdated = now;
    this.#answeredTicks.set(call.sid, performance.now());
  }

  /** Simulated whole seconds since the answer; 0 for a call not answered. */
  #elapsedSeconds(callSid: string): number {
    const tick = this.#answeredTicks.get(callSid);
    return tick === undefined ? 0 : Math.round((performance.now() - tick) / (1000 * this.#options.timeScale));
  }

  #copyCall(call: SimulatedCall): SimulatedCall {
    const duration = isLiveStatus(call.status) ? this.#elapsedSeconds(call.sid) : call.duration;
    return { ...call, duration, recordingSids: [...call.recordingSids] };
  }

  #activeOn(callSid: string): ActiveRecording[] {
    return [...this.#active.values()].filter((active) => active.callSid === callSid);
  }

  #findCall(callSid: string, accountSid: string | undefined): SimulatedCall | undefined {
    const call = this.#calls.get(callSid);
    return call && (accountSid === undefined || call.accountSid === accountSid) ? call : undefined;
  }

  #requireCall(callSid: string, accountSid: string | undefined): SimulatedCall {
    const call = this.#findCall(callSid, accountSid);
    if (!call) throw new ApiError('callNotFound', `Call ${callSid} was not found`);
    return call;
  }

  #endRecording(active: ActiveRecording, reason: RecordingEndReason): SimulatedRecording {
    this.#timers.cancel(active.limitTimer);
    const recording = this.#recordings.get(active.recordingSid);
    if (!recording) throw new Error(`Recording ${active.recordingSid} vanished while running`);
    this.#active.delete(recording.sid);
    const elapsedSeconds = (performance.now() - active.startedAt) / (1000 * this.#options.timeScale);
    recording.duration =
      reason === 'time-limit' ? recording.params.timeLimit : Math.min(recording.params.timeLimit, Math.max(1, Math.round(elapsedSeconds)));
    recording.status = 'completed';
    recording.endReason = reason;
    recording.dateUpdated = this.#options.now();
    const call = this.#calls.get(recording.callSid);
    if (call && reason !== 'deleted') this.#options.onRecordingEnded(copyRecording(recording), this.#copyCall(call));
    return recording;
  }
}
