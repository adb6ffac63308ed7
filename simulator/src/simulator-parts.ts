import type { ServerResponse } from 'node:http';
import { ApiRouter } from './api-routes';
import { AudioLibrary } from './audio';
import type { CallTranscripts } from './call-events';
import { CallRunner } from './call-runner';
import { CallbackDispatcher, DEFAULT_CALLBACK_POLICY } from './callbacks';
import type { ControlRequest } from './control-support';
import { FaultInjector } from './faults';
import { isControlPath } from './control-api';
import { CallbackLifecycle } from './lifecycle';
import { mediaUrl, serveMedia } from './media-host';
import type { TelApiSimulatorOptions } from './options';
import type { PhonePage } from './phone-page';
import { RequestHandler } from './server';
import { nonNegative, type SimulatorSettings } from './simulator-support';
import { Telephony } from './telephony';
import type { TimerSet } from './timers';
import { TranscriptionStore } from './transcription-store';
import { VoiceFetcher } from './voice-fetcher';

const DEFAULT_VOICE_TIMEOUT_MS = 15_000;

/** What the facade has already read from its options, and what only it can answer. */
export interface AssemblyInput
  extends Pick<SimulatorSettings, 'accounts' | 'timeScale' | 'signCallbacks' | 'callbackDelayMs' | 'transcriptionDelayMs' | 'maxBodyBytes' | 'logger' | 'now'> {
  options: TelApiSimulatorOptions;
  timers: TimerSet;
  transcripts: CallTranscripts;
  closing: AbortSignal;
  publicUrl: () => string;
  mediaRoot: () => string;
  control: (request: ControlRequest, response: ServerResponse) => Promise<void>;
  phone: PhonePage | undefined;
}

export interface SimulatorParts {
  telephony: Telephony;
  transcriptions: TranscriptionStore;
  runner: CallRunner;
  dispatcher: CallbackDispatcher;
  faults: FaultInjector;
  handler: RequestHandler;
}

/** Builds the simulator's parts and wires them to one another. */
export function assembleSimulator(input: AssemblyInput): SimulatorParts {
  const { options, accounts, timeScale, signCallbacks, callbackDelayMs, transcriptionDelayMs, maxBodyBytes, logger, now, timers, transcripts, closing } = input;
  const { publicUrl, mediaRoot, control, phone } = input;
  const tls = { ca: options.ca, insecure: options.insecure };
  const dispatcher = new CallbackDispatcher(
    {
      maxAttempts: Math.max(1, Math.floor(options.callbackMaxAttempts ?? DEFAULT_CALLBACK_POLICY.maxAttempts)),
      retryBaseMs: nonNegative('callbackRetryBaseMs', options.callbackRetryBaseMs, DEFAULT_CALLBACK_POLICY.retryBaseMs),
      timeoutMs: nonNegative('callbackTimeoutMs', options.callbackTimeoutMs, DEFAULT_CALLBACK_POLICY.timeoutMs),
    },
    logger,
    tls,
  );
  const faults = new FaultInjector(options.faults);
  const audio = new AudioLibrary(options.audio);
  const signingToken = (accountSid: string): string | undefined => (signCallbacks ? accounts.get(accountSid)?.authToken : undefined);
  const telephony: Telephony = new Telephony({
    timeScale,
    now,
    defaultAccountSid: [...accounts.keys()][0] as string,
    recordingUrlFor: (recording) => mediaUrl(mediaRoot(), recording),
    onRecordingStarted: (recording, origin) => runner.recordingStarted(recording, origin),
    onRecordingEnded: (recording, call) => {
      runner.recordingEnded(recording);
      lifecycle.recordingEnded(recording, call);
    },
    onCallEnded: (call, cause) => runner.callEnded(call, cause),
  });
  const transcriptions = new TranscriptionStore(now, (recordingSid, transcriptionSid) => telephony.noteTranscription(recordingSid, transcriptionSid));
  const lifecycle = new CallbackLifecycle({
    telephony,
    transcriptions,
    dispatcher,
    timers,
    logger,
    publicUrl,
    signingToken,
    callbackDelayMs,
    transcriptionDelayMs,
  });
  const voiceTimeoutMs = nonNegative('voiceTimeoutMs', options.voiceTimeoutMs, DEFAULT_VOICE_TIMEOUT_MS);
  const runner: CallRunner = new CallRunner({
    telephony,
    transcripts,
    dispatcher,
    fetcher: new VoiceFetcher({ transcripts, logger, tls, timeoutMs: voiceTimeoutMs, publicUrl, signingToken }),
    timers,
    logger,
    scaled: (seconds) => seconds * 1000 * timeScale,
    publicUrl,
    signingToken,
    mediaSeconds: (url) => telephony.recordings().find((recording) => recording.recordingUrl === url && recording.status === 'completed')?.duration,
  });
  const handler = new RequestHandler({
    accounts,
    router: new ApiRouter({ telephony, transcriptions, runner, lifecycle }),
    faults,
    logger,
    maxBodyBytes,
    maxRecordedRequests: nonNegative('maxRecordedRequests', options.maxRecordedRequests, 1000),
    closing,
    serveMedia: (request, response, url) => serveMedia(request, response, url, telephony, audio),
    isControlPath,
    control,
    phone,
  });
  return { telephony, transcriptions, runner, dispatcher, faults, handler };
}
