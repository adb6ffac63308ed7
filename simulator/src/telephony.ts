import { performance } from 'node:perf_hooks';
import { ApiError } from './api-errors';
import { MAX_RECORDINGS_PER_CALL, type ApiVersion, type CallSpec } from './constants';
import type { RecordingEndReason, SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import { newSid, SeededRandom } from './random';
import type { StartRecordingParams } from './recording-params';
import { RECORDING_DEFAULTS, isSid, type CallbackMethod, type FileFormat, type TranscribeQuality } from './spec';
import { TimerSet } from './timers';

export interface TelephonyOptions {
  /** Real milliseconds per simulated millisecond: 0.001 makes a 60 s TimeLimit end after 60 ms. */
  timeScale: number;
  now: () => Date;
  defaultAccountSid: string;
  recordingUrlFor: (recording: { accountSid: string; sid: string; fileFormat: string }) => string;
  /** Called once per recording, after it is complete (stopped, at its limit, or by a hang-up). */
  onRecordingEnded: (recording: SimulatedRecording, call: SimulatedCall) => void;
}

export interface TranscriptionSpec {
  accountSid: string;
  apiVersion: ApiVersion;
  recording: SimulatedRecording | undefined;
  audioUrl: string;
  duration: number;
  quality: TranscribeQuality;
  callbackUrl: string | undefined;
  callbackMethod: CallbackMethod;
  sliceStart: number | undefined;
  sliceDuration: number | undefined;
}

interface ActiveRecording {
  recordingSid: string;
  startedAt: number;
  limitTimer: NodeJS.Timeout | undefined;
}

const TRANSCRIPT_SENTENCES = [
  'Hello, thanks for calling.',
  'I am calling about the order I placed last week.',
  'Could you tell me when it will be delivered?',
  'Let me check that for you.',
  'It left our warehouse this morning.',
  'You should have it by Thursday.',
  'That is great, thank you.',
  'Is there anything else I can help you with?',
  'No, that was all.',
  'Have a nice day.',
];

/** Believable text whose length follows the recording's (the simulator has no speech recognition). */
export function simulatedTranscript(recordingSid: string, seconds: number): string {
  const random = new SeededRandom([...recordingSid].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261));
  const start = random.integerBetween(0, TRANSCRIPT_SENTENCES.length - 1);
  const count = Math.max(1, Math.round(seconds / 4));
  return Array.from({ length: count }, (_, index) => TRANSCRIPT_SENTENCES[(start + index) % TRANSCRIPT_SENTENCES.length]).join(' ');
}

function copyCall(call: SimulatedCall): SimulatedCall {
  return { ...call, recordingSids: [...call.recordingSids] };
}

function copyRecording(recording: SimulatedRecording): SimulatedRecording {
  return { ...recording, params: { ...recording.params } };
}

/** The simulated phone network: live calls, their recordings and transcriptions. */
export class Telephony {
  readonly #options: TelephonyOptions;
  readonly #calls = new Map<string, SimulatedCall>();
  readonly #recordings = new Map<string, SimulatedRecording>();
  readonly #transcriptions = new Map<string, SimulatedTranscription>();
  readonly #active = new Map<string, ActiveRecording>();
  readonly #timers = new TimerSet();

  constructor(options: TelephonyOptions) {
    this.#options = options;
  }

  createCall(spec: CallSpec = {}, apiVersion: ApiVersion = 'v1'): SimulatedCall {
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
      status: 'in-progress',
      apiVersion,
      dateCreated: now,
      dateUpdated: now,
      endTime: undefined,
      recordingSids: [],
    };
    this.#calls.set(sid, call);
    return copyCall(call);
  }

  /** Without `accountSid` any account's call; with it, only that account's (others are "not found"). */
  call(callSid: string, accountSid?: string): SimulatedCall | undefined {
    const call = this.#findCall(callSid, accountSid);
    return call && copyCall(call);
  }

  calls(accountSid?: string): SimulatedCall[] {
    return newestFirst([...this.#calls.values()].filter((call) => accountSid === undefined || call.accountSid === accountSid)).map(copyCall);
  }

  updateCallUrl(callSid: string, accountSid: string, url: string): SimulatedCall {
    const call = this.#requireCall(callSid, accountSid);
    call.url = url;
    call.dateUpdated = this.#options.now();
    return copyCall(call);
  }

  /** Ends the call; its recording, if one is running, ends with it. Hanging up twice is harmless. */
  hangUp(callSid: string, accountSid?: string): SimulatedCall {
    const call = this.#requireCall(callSid, accountSid);
    if (call.status === 'in-progress') {
      const now = this.#options.now();
      call.status = 'completed';
      call.endTime = now;
      call.dateUpdated = now;
      const active = this.#active.get(call.sid);
      if (active) this.#endRecording(active, 'hangup');
    }
    return copyCall(call);
  }

  startRecording(callSid: string, accountSid: string, params: StartRecordingParams, apiVersion: ApiVersion): SimulatedRecording {
    const call = this.#requireCall(callSid, accountSid);
    if (call.status !== 'in-progress') throw new ApiError('callNotInProgress', `Call ${call.sid} is ${call.status}; it cannot be recorded`);
    if (this.#active.has(call.sid)) throw new ApiError('recordingInProgress');
    if (call.recordingSids.length >= MAX_RECORDINGS_PER_CALL) {
      throw new ApiError('recordingLimitReached', `Call ${call.sid} already has ${MAX_RECORDINGS_PER_CALL} recordings, the most a call can have`);
    }
    const recording = this.#addRecording(call, params, apiVersion, this.#options.now());
    const active: ActiveRecording = {
      recordingSid: recording.sid,
      startedAt: performance.now(),
      limitTimer: this.#timers.after(params.timeLimit * 1000 * this.#options.timeScale, () => this.#endRecording(active, 'time-limit')),
    };
    this.#active.set(call.sid, active);
    return copyRecording(recording);
  }

  /**
   * Ends the running recording. With none running, stopping is idempotent: the call's latest
   * recording is answered again; a call never recorded has nothing to stop.
   */
  stopRecording(callSid: string, accountSid: string): SimulatedRecording {
    const call = this.#requireCall(callSid, accountSid);
    const active = this.#active.get(call.sid);
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
    const active = this.#active.get(recording.callSid);
    if (active?.recordingSid === recordingSid) this.#endRecording(active, 'deleted');
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

  /** In progress until `completeTranscription`; of a recording, or of an audio URL (no recording). */
  createTranscription(spec: TranscriptionSpec): SimulatedTranscription {
    const now = this.#options.now();
    const { recording } = spec;
    const transcription: SimulatedTranscription = {
      sid: newSid('TR'),
      accountSid: spec.accountSid,
      callSid: recording?.callSid,
      recordingSid: recording?.sid,
      apiVersion: spec.apiVersion,
      status: 'in-progress',
      quality: spec.quality,
      text: '',
      duration: spec.duration,
      audioUrl: spec.audioUrl,
      callbackUrl: spec.callbackUrl,
      callbackMethod: spec.callbackMethod,
      sliceStart: spec.sliceStart,
      sliceDuration: spec.sliceDuration,
      dateCreated: now,
      dateUpdated: now,
    };
    this.#transcriptions.set(transcription.sid, transcription);
    const stored = recording && this.#recordings.get(recording.sid);
    if (stored) stored.transcriptionSid = transcription.sid;
    return { ...transcription };
  }

  completeTranscription(transcriptionSid: string): SimulatedTranscription | undefined {
    const transcription = this.#transcriptions.get(transcriptionSid);
    if (!transcription) return undefined;
    transcription.status = 'completed';
    transcription.text = simulatedTranscript(transcription.recordingSid ?? transcription.sid, transcription.duration);
    transcription.dateUpdated = this.#options.now();
    return { ...transcription };
  }

  transcription(transcriptionSid: string, accountSid?: string): SimulatedTranscription | undefined {
    const transcription = this.#transcriptions.get(transcriptionSid);
    if (!transcription || (accountSid !== undefined && transcription.accountSid !== accountSid)) return undefined;
    return { ...transcription };
  }

  transcriptions(accountSid?: string): SimulatedTranscription[] {
    const all = [...this.#transcriptions.values()].filter((transcription) => accountSid === undefined || transcription.accountSid === accountSid);
    return newestFirst(all).map((transcription) => ({ ...transcription }));
  }

  /** Stops every timer for good; the state stays readable. */
  dispose(): void {
    this.#timers.dispose();
  }

  /** Forgets everything, without callbacks for recordings that were running. */
  clear(): void {
    this.#timers.cancelAll();
    this.#active.clear();
    this.#calls.clear();
    this.#recordings.clear();
    this.#transcriptions.clear();
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
    this.#active.delete(recording.callSid);
    const elapsedSeconds = (performance.now() - active.startedAt) / (1000 * this.#options.timeScale);
    recording.duration =
      reason === 'time-limit' ? recording.params.timeLimit : Math.min(recording.params.timeLimit, Math.max(1, Math.round(elapsedSeconds)));
    recording.status = 'completed';
    recording.endReason = reason;
    recording.dateUpdated = this.#options.now();
    const call = this.#calls.get(recording.callSid);
    if (call && reason !== 'deleted') this.#options.onRecordingEnded(copyRecording(recording), copyCall(call));
    return recording;
  }
}

/** Newest first; among equal dates, the later created first. */
function newestFirst<T extends { dateCreated: Date }>(items: T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.dateCreated.getTime() - a.item.dateCreated.getTime() || b.index - a.index)
    .map(({ item }) => item);
}
