import type { CallbackMethod, TranscribeQuality } from './spec';
import type { ApiVersion, CallDirection } from './constants';
import type { StartRecordingParams } from './recording-params';

/** TelAPI's call statuses (telapi-api.md, "Default voice request parameters"). */
export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type SimulatedCallStatus = (typeof CALL_STATUSES)[number];
/** The statuses a call ends in. */
export type FinalCallStatus = Exclude<SimulatedCallStatus, 'queued' | 'ringing' | 'in-progress'>;

export function isLiveStatus(status: SimulatedCallStatus): boolean {
  return status === 'queued' || status === 'ringing' || status === 'in-progress';
}

/**
 * Why a call ended: `caller` (the simulated caller hung up), `api` (a hang-up request to the REST
 * API), `hangup-verb`, `reject-verb`, `document-ended` (no verbs left), `error` (the voice URL failed
 * or answered something that is not InboundXML), or the callee's `busy`, `no-answer`, `failed`.
 */
export const HANGUP_CAUSES = ['caller', 'api', 'hangup-verb', 'reject-verb', 'document-ended', 'error', 'busy', 'no-answer', 'failed'] as const;
export type HangupCause = (typeof HANGUP_CAUSES)[number];

export interface SimulatedCall {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  callerName: string;
  direction: CallDirection;
  /** The call's voice URL; relative callback URLs resolve against it. */
  url: string | undefined;
  forwardedFrom: string | undefined;
  status: SimulatedCallStatus;
  apiVersion: ApiVersion;
  dateCreated: Date;
  dateUpdated: Date;
  /** When the call was answered (went `in-progress`); undefined while it rings, or if it never was. */
  answeredAt: Date | undefined;
  endTime: Date | undefined;
  /** Simulated whole seconds from the answer to the end (or to now, while live); 0 if never answered. */
  duration: number;
  hangupCause: HangupCause | undefined;
  /** Every recording started on the call, oldest first, deleted ones included (they count toward the limit). */
  recordingSids: string[];
}

export type RecordingStatus = 'in-progress' | 'completed';
/** `finish-key`, `silence`: a `<Record>` verb's finishOnKey was pressed, or its timeout of silence ran out. */
export type RecordingEndReason = 'stopped' | 'time-limit' | 'hangup' | 'deleted' | 'finish-key' | 'silence';

export interface SimulatedRecording {
  sid: string;
  accountSid: string;
  callSid: string;
  apiVersion: ApiVersion;
  status: RecordingStatus;
  /** The start request's parameters, defaults filled in; URLs as given. */
  params: StartRecordingParams;
  /** Whole seconds; 0 while recording. */
  duration: number;
  endReason: RecordingEndReason | undefined;
  /** The media file, served by the simulator itself (no auth, like TelAPI's recordings host). */
  recordingUrl: string;
  /** Digits pressed during a `<Record>` verb's recording (its finishOnKey included); '' otherwise. */
  digits: string;
  transcriptionSid: string | undefined;
  dateCreated: Date;
  dateUpdated: Date;
}

export type TranscriptionStatus = 'in-progress' | 'completed' | 'failed';

export interface SimulatedTranscription {
  sid: string;
  accountSid: string;
  /** Absent for a transcription of an audio URL (`POST /Transcriptions.json`). */
  callSid: string | undefined;
  recordingSid: string | undefined;
  apiVersion: ApiVersion;
  status: TranscriptionStatus;
  quality: TranscribeQuality;
  text: string;
  duration: number;
  audioUrl: string;
  callbackUrl: string | undefined;
  callbackMethod: CallbackMethod;
  /** Seconds into the audio where the transcribed slice starts, and its length (Zang's SliceStart/SliceDuration). */
  sliceStart: number | undefined;
  sliceDuration: number | undefined;
  dateCreated: Date;
  dateUpdated: Date;
}
