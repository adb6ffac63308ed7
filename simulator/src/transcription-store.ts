import type { ApiVersion } from './constants';
import type { SimulatedRecording, SimulatedTranscription } from './model';
import { newSid } from './random';
import type { CallbackMethod, TranscribeQuality } from './spec';
import { newestFirst, simulatedTranscript } from './transcript-text';

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

/** Transcriptions of recordings and of audio URLs. */
export class TranscriptionStore {
  readonly #transcriptions = new Map<string, SimulatedTranscription>();
  readonly #now: () => Date;
  readonly #onCreated: (recordingSid: string, transcriptionSid: string) => void;

  constructor(now: () => Date, onCreated: (recordingSid: string, transcriptionSid: string) => void) {
    this.#now = now;
    this.#onCreated = onCreated;
  }

  /** In progress until `complete`; of a recording, or of an audio URL (no recording). */
  create(spec: TranscriptionSpec): SimulatedTranscription {
    const now = this.#now();
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
    if (recording) this.#onCreated(recording.sid, transcription.sid);
    return { ...transcription };
  }

  complete(transcriptionSid: string): SimulatedTranscription | undefined {
    const transcription = this.#transcriptions.get(transcriptionSid);
    if (!transcription) return undefined;
    transcription.status = 'completed';
    transcription.text = simulatedTranscript(transcription.recordingSid ?? transcription.sid, transcription.duration);
    transcription.dateUpdated = this.#now();
    return { ...transcription };
  }

  get(transcriptionSid: string, accountSid?: string): SimulatedTranscription | undefined {
    const transcription = this.#transcriptions.get(transcriptionSid);
    if (!transcription || (accountSid !== undefined && transcription.accountSid !== accountSid)) return undefined;
    return { ...transcription };
  }

  list(accountSid?: string): SimulatedTranscription[] {
    const all = [...this.#transcriptions.values()].filter((transcription) => accountSid === undefined || transcription.accountSid === accountSid);
    return newestFirst(all).map((transcription) => ({ ...transcription }));
  }

  clear(): void {
    this.#transcriptions.clear();
  }
}
