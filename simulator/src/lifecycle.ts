import type { CallbackDispatcher } from './callbacks';
import type { ApiVersion } from './constants';
import type { SimulatorLogger } from './logger';
import type { SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import { resolveCallbackTarget, type TranscribeRequest } from './recording-params';
import type { Telephony } from './telephony';
import type { TimerSet } from './timers';
import type { TranscriptionStore } from './transcription-store';
import { voiceParams, type Params } from './voice-params';
import { reportedVersion } from './wire';

export interface LifecycleOptions {
  telephony: Telephony;
  transcriptions: TranscriptionStore;
  dispatcher: CallbackDispatcher;
  timers: TimerSet;
  logger: SimulatorLogger;
  /** The simulator's root URL, known only once it listens. */
  publicUrl: () => string;
  /** The AuthToken to sign with, or undefined when callbacks are not signed. */
  signingToken: (accountSid: string) => string | undefined;
  callbackDelayMs: number;
  transcriptionDelayMs: number;
}

/** How long the simulator pretends an audio file it did not record lasts. */
const UNKNOWN_AUDIO_SECONDS = 10;

/**
 * What happens after a recording ends or a transcription is asked for: the recording callback,
 * then (when asked) the finished transcription and its callback, on TelAPI's order and delays.
 */
export class CallbackLifecycle {
  readonly #options: LifecycleOptions;

  constructor(options: LifecycleOptions) {
    this.#options = options;
  }

  /**
   * After the callback delay, the recording callback; once that has settled (delivered or given up),
   * after the transcription delay, the finished transcription and its callback.
   */
  recordingEnded(recording: SimulatedRecording, call: SimulatedCall): void {
    const { logger, transcriptions, timers } = this.#options;
    logger.info(`recording ${recording.sid} on ${call.sid} ended (${recording.endReason ?? 'stopped'}, ${recording.duration} s)`);
    const voiceParams = this.#voiceParams(call, recording.apiVersion);
    const transcription = recording.params.transcribe
      ? transcriptions.create({
          accountSid: recording.accountSid,
          apiVersion: recording.apiVersion,
          recording,
          audioUrl: recording.recordingUrl,
          duration: recording.duration,
          quality: recording.params.transcribeQuality,
          callbackUrl: recording.params.transcribeCallback,
          callbackMethod: 'POST',
          sliceStart: undefined,
          sliceDuration: undefined,
        })
      : undefined;
    const callbackUrl = recording.params.callbackUrl;
    const deliverRecordingCallback = async (): Promise<void> => {
      if (callbackUrl === undefined) return;
      await this.#options.dispatcher.deliver({
        kind: 'recording',
        url: this.#target(callbackUrl, call),
        method: recording.params.callbackMethod,
        params: [
          ...voiceParams,
          ['Digits', recording.digits],
          ['RecordingDuration', String(recording.duration)],
          ['RecordingUrl', recording.recordingUrl],
          ['RecordingSid', recording.sid],
        ],
        signingToken: this.#options.signingToken(recording.accountSid),
        accountSid: recording.accountSid,
        callSid: recording.callSid,
        recordingSid: recording.sid,
      });
    };
    timers.after(this.#options.callbackDelayMs, () => {
      deliverRecordingCallback()
        .catch((error: unknown) => this.#logFailure(recording.sid, error))
        .finally(() => {
          if (transcription) this.#scheduleCompletion(transcription.sid, voiceParams);
        });
    });
  }

  /**
   * `POST …/Recordings/{RecordingSid}/Transcriptions.json` (with the recording) or
   * `POST …/Transcriptions.json` (with `AudioUrl`): in progress now, completed and called back after
   * the transcription delay.
   */
  transcribe(accountSid: string, apiVersion: ApiVersion, request: TranscribeRequest, recording: SimulatedRecording | undefined): SimulatedTranscription {
    const { telephony, transcriptions } = this.#options;
    const audioUrl = request.audioUrl ?? recording?.recordingUrl ?? '';
    const known = recording ?? telephony.recordings(accountSid).find((candidate) => candidate.recordingUrl === audioUrl);
    const whole = known?.duration ?? UNKNOWN_AUDIO_SECONDS;
    const fromSecond = Math.min(request.sliceStart ?? 0, whole);
    const transcription = transcriptions.create({
      accountSid,
      apiVersion,
      recording,
      audioUrl,
      duration: Math.max(0, Math.min(whole - fromSecond, request.sliceDuration ?? whole)),
      quality: request.quality,
      callbackUrl: request.callbackUrl,
      callbackMethod: request.callbackMethod,
      sliceStart: request.sliceStart,
      sliceDuration: request.sliceDuration,
    });
    const call = recording && telephony.call(recording.callSid);
    const baseParams: Params = call ? this.#voiceParams(call, apiVersion) : [['AccountSid', accountSid], ['ApiVersion', reportedVersion(apiVersion)]];
    this.#scheduleCompletion(transcription.sid, baseParams);
    return transcription;
  }

  #scheduleCompletion(transcriptionSid: string, baseParams: Params): void {
    this.#options.timers.after(this.#options.transcriptionDelayMs, () => {
      this.#finishTranscription(transcriptionSid, baseParams).catch((error: unknown) => this.#logFailure(transcriptionSid, error));
    });
  }

  async #finishTranscription(transcriptionSid: string, baseParams: Params): Promise<void> {
    const { telephony, transcriptions, logger } = this.#options;
    const transcription = transcriptions.complete(transcriptionSid);
    if (!transcription) return;
    logger.info(`transcription ${transcription.sid}${transcription.recordingSid ? ` of ${transcription.recordingSid}` : ''} completed`);
    if (transcription.callbackUrl === undefined) return;
    const call = transcription.callSid === undefined ? undefined : telephony.call(transcription.callSid);
    const params: Params = [
      ...baseParams,
      ['TranscriptionStatus', transcription.status],
      ['TranscriptionSid', transcription.sid],
      ['AudioUrl', transcription.audioUrl],
      ['TranscriptionText', transcription.text],
    ];
    if (transcription.recordingSid) params.push(['RecordingSid', transcription.recordingSid]);
    await this.#options.dispatcher.deliver({
      kind: 'transcription',
      url: this.#target(transcription.callbackUrl, call),
      method: transcription.callbackMethod,
      params,
      signingToken: this.#options.signingToken(transcription.accountSid),
      accountSid: transcription.accountSid,
      callSid: transcription.callSid,
      recordingSid: transcription.recordingSid,
      transcriptionSid: transcription.sid,
    });
  }

  #voiceParams(call: SimulatedCall, apiVersion: ApiVersion): Params {
    return voiceParams(call, apiVersion, this.#options.publicUrl());
  }

  /** Where a callback URL as given is requested: relative ones against the call's URL, like TelAPI's UrlBase. */
  #target(urlAsGiven: string, call: SimulatedCall | undefined): string {
    return resolveCallbackTarget(urlAsGiven, call?.url ?? `${this.#options.publicUrl()}/`);
  }

  #logFailure(sid: string, error: unknown): void {
    this.#options.logger.error(`callbacks for ${sid} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
