import type { CallbackMethod, TranscribeQuality } from './spec';
import type { ApiVersion, CallDirection } from './constants';
import type { StartRecordingParams } from './recording-params';

/** The call statuses the simulator uses out of TelAPI's list: its calls are live or over. */
export type SimulatedCallStatus = 'in-progress' | 'completed';

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
  endTime: Date | undefined;
  /** Every recording started on the call, oldest first, deleted ones included (they count toward the limit). */
  recordingSids: string[];
}

export type RecordingStatus = 'in-progress' | 'completed';
export type RecordingEndReason = 'stopped' | 'time-limit' | 'hangup' | 'deleted';

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
  /** Digits pressed during the recording: the simulator's callers press none. */
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
