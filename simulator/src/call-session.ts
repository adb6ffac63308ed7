import type { CallTranscripts } from './call-events';
import type { SimulatedRecording } from './model';
import type { VoiceTarget } from './voice-fetcher';

/** Who hears a key press: a `<Gather>` (or `<GetSpeech>`), a `<Record>`, or nobody (it is lost, as on a real call). */
export type Listener = 'gather' | 'record' | undefined;

/**
 * One call the engine runs: its key presses, whether a verb listens, and the signals that stop
 * what it is doing (the hang-up for good, a redirect through the API for the current document).
 */
export class CallSession {
  readonly callSid: string;
  /** The document being run, against which its relative URLs resolve. */
  documentUrl: string;
  readonly #hangup = new AbortController();
  #interrupt = new AbortController();
  #redirect: VoiceTarget | undefined;
  #listener: Listener;
  readonly #keys: string[] = [];
  #onKey: (() => void) | undefined;
  readonly #recordingWaiters = new Map<string, (recording: SimulatedRecording) => void>();
  readonly #transcripts: CallTranscripts;

  constructor(callSid: string, documentUrl: string, transcripts: CallTranscripts) {
    this.callSid = callSid;
    this.documentUrl = documentUrl;
    this.#transcripts = transcripts;
  }

  /** Aborted when the call ends, or when the API redirects it (then `takeRedirect()` says where). */
  get signal(): AbortSignal {
    return AbortSignal.any([this.#hangup.signal, this.#interrupt.signal]);
  }

  get ended(): boolean {
    return this.#hangup.signal.aborted;
  }

  end(): void {
    this.#hangup.abort();
    this.#keys.length = 0;
  }

  /** The API's `Url` for a live call: what runs now stops, and the call asks that URL next. */
  redirect(target: VoiceTarget): void {
    this.#redirect = target;
    this.#interrupt.abort();
    this.#interrupt = new AbortController();
  }

  takeRedirect(): VoiceTarget | undefined {
    const target = this.#redirect;
    this.#redirect = undefined;
    return target;
  }

  /** From here on key presses are heard by `listener` (undefined: by nobody, and those waiting are dropped). */
  listen(listener: Listener): void {
    this.#listener = listener;
    if (listener === undefined) this.#keys.length = 0;
  }

  /** The caller presses keys; each one told in the transcript, with who heard it. */
  press(digits: string): void {
    this.#transcripts.add(this.callSid, { type: 'digits', digits, heardBy: this.#listener ?? 'nobody' });
    if (this.#listener === undefined || this.ended) return;
    this.#keys.push(...digits);
    this.#onKey?.();
  }

  /** Calls `action` whenever a key arrives, until the returned function is called. */
  onKey(action: () => void): () => void {
    this.#onKey = action;
    return () => {
      if (this.#onKey === action) this.#onKey = undefined;
    };
  }

  /** The next key pressed, or undefined when none comes within `timeoutMs`; rejects when `signal` aborts. */
  nextKey(timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
    const waiting = this.#keys.shift();
    if (waiting !== undefined) return Promise.resolve(waiting);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        stopListening();
      };
      const aborted = (): void => {
        finish();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        finish();
        resolve(undefined);
      }, timeoutMs);
      const stopListening = this.onKey(() => {
        finish();
        resolve(this.#keys.shift());
      });
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Resolves when the recording ends (its time limit, a stop, the hang-up). */
  whenRecordingEnds(recordingSid: string): Promise<SimulatedRecording> {
    return new Promise((resolve) => this.#recordingWaiters.set(recordingSid, resolve));
  }

  recordingEnded(recording: SimulatedRecording): void {
    this.#recordingWaiters.get(recording.sid)?.(recording);
    this.#recordingWaiters.delete(recording.sid);
  }
}
