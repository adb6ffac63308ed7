import type { ApiContext } from './api-context';
import { CallRoutes } from './api-calls';
import { ApiError } from './api-errors';
import type { CallRunner } from './call-runner';
import { sendJson, sendText } from './http-util';
import type { CallbackLifecycle } from './lifecycle';
import type { SimulatedRecording } from './model';
import { parseRecordRequest, parseTranscribeRequest } from './recording-params';
import type { Telephony } from './telephony';
import type { TranscriptionStore } from './transcription-store';
import {
  listEnvelope,
  matchesRecordingFilter,
  matchesTranscriptionFilter,
  parsePageRequest,
  parseRecordingFilter,
  parseTranscriptionFilter,
  recordingJson,
  transcriptionJson,
} from './wire';

type HttpMethod = 'GET' | 'POST' | 'DELETE';
type ApiHandler = (context: ApiContext, ids: string[]) => void;

interface ApiRoute {
  pattern: RegExp;
  handlers: Partial<Record<HttpMethod, ApiHandler>>;
}

export interface ApiRouterOptions {
  telephony: Telephony;
  transcriptions: TranscriptionStore;
  runner: CallRunner;
  lifecycle: CallbackLifecycle;
}

const SID = '([^/]+)';

/** The TelAPI REST resources the simulator serves: calls, recordings, transcriptions. */
export class ApiRouter {
  readonly #telephony: Telephony;
  readonly #transcriptions: TranscriptionStore;
  readonly #lifecycle: CallbackLifecycle;
  readonly #routes: ApiRoute[];

  constructor(options: ApiRouterOptions) {
    this.#telephony = options.telephony;
    this.#transcriptions = options.transcriptions;
    this.#lifecycle = options.lifecycle;
    const calls = new CallRoutes(options.telephony, options.runner);
    this.#routes = [
      { pattern: /^\/Calls\.json$/, handlers: { GET: (c) => calls.list(c), POST: (c) => calls.make(c) } },
      { pattern: new RegExp(`^/Calls/${SID}\\.json$`), handlers: { GET: (c, [sid]) => calls.get(c, sid), POST: (c, [sid]) => calls.modify(c, sid) } },
      {
        pattern: new RegExp(`^/Calls/${SID}/Recordings\\.json$`),
        handlers: { GET: (c, [sid]) => this.#listRecordings(c, calls.require(c, sid).sid), POST: (c, [sid]) => this.#startOrStopRecording(c, calls.require(c, sid).sid) },
      },
      { pattern: /^\/Recordings\.json$/, handlers: { GET: (c) => this.#listRecordings(c, undefined) } },
      {
        pattern: new RegExp(`^/Recordings/${SID}\\.json$`),
        handlers: { GET: (c, [sid]) => this.#getRecording(c, sid), DELETE: (c, [sid]) => this.#deleteRecording(c, sid) },
      },
      { pattern: new RegExp(`^/Recordings/${SID}\\.(mp3|wav)$`), handlers: { GET: (c, [sid, format]) => this.#redirectToMedia(c, sid, format) } },
      {
        pattern: new RegExp(`^/Recordings/${SID}/Transcriptions\\.json$`),
        handlers: { GET: (c, [sid]) => this.#listRecordingTranscriptions(c, sid), POST: (c, [sid]) => this.#transcribeRecording(c, sid) },
      },
      { pattern: /^\/Transcriptions\.json$/, handlers: { GET: (c) => this.#listTranscriptions(c), POST: (c) => this.#transcribeAudioUrl(c) } },
      { pattern: new RegExp(`^/Transcriptions/${SID}\\.(json|txt)$`), handlers: { GET: (c, [sid, extension]) => this.#getTranscription(c, sid, extension) } },
    ];
  }

  /** `rest` is the path below the account, e.g. `/Recordings.json`. */
  route(context: ApiContext, rest: string): void {
    for (const route of this.#routes) {
      const match = route.pattern.exec(rest);
      if (!match) continue;
      const handler = route.handlers[context.request.method as HttpMethod];
      if (!handler) {
        const allowed = Object.keys(route.handlers).join(', ');
        context.response.setHeader('allow', allowed);
        throw new ApiError('methodNotAllowed', `${context.request.method ?? 'This method'} is not allowed here; use ${allowed}`);
      }
      handler(context, match.slice(1));
      return;
    }
    if (rest !== '' && !/\.(json|txt|mp3|wav)$/.test(rest)) {
      throw new ApiError('resourceNotFound', 'The simulator speaks JSON only: add .json to the resource path');
    }
    throw new ApiError('resourceNotFound');
  }

  #requireRecording(context: ApiContext, recordingSid: string | undefined): SimulatedRecording {
    const recording = recordingSid === undefined ? undefined : this.#telephony.recording(recordingSid, context.accountSid);
    if (!recording) throw new ApiError('recordingNotFound', `Recording ${recordingSid ?? ''} was not found`);
    return recording;
  }

  // Recordings --------------------------------------------------------------------------------------

  #startOrStopRecording(context: ApiContext, callSid: string): void {
    const parsed = parseRecordRequest(context.params, context.version);
    const recording = parsed.record
      ? this.#telephony.startRecording(callSid, context.accountSid, parsed.params, context.version)
      : this.#telephony.stopRecording(callSid, context.accountSid);
    sendJson(context.response, 200, recordingJson(recording, context.version));
  }

  #listRecordings(context: ApiContext, callSid: string | undefined): void {
    const filter = parseRecordingFilter(context.params);
    const paging = parsePageRequest(context.params);
    const recordings = this.#telephony
      .recordings(context.accountSid)
      .filter((recording) => (callSid === undefined || recording.callSid === callSid) && matchesRecordingFilter(recording, filter));
    sendJson(context.response, 200, listEnvelope('recordings', recordings, paging, context, (recording) => recordingJson(recording, context.version)));
  }

  #getRecording(context: ApiContext, recordingSid: string | undefined): void {
    sendJson(context.response, 200, recordingJson(this.#requireRecording(context, recordingSid), context.version));
  }

  #deleteRecording(context: ApiContext, recordingSid: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    sendJson(context.response, 200, recordingJson(this.#telephony.deleteRecording(recording.sid, context.accountSid), context.version));
  }

  /** TelAPI answers a media request with a redirect to the file (docs/telapi-api.md). */
  #redirectToMedia(context: ApiContext, recordingSid: string | undefined, format: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    const location = recording.recordingUrl.replace(/\.(mp3|wav)$/, `.${format ?? 'mp3'}`);
    context.response.writeHead(302, { location, 'content-length': '0' });
    context.response.end();
  }

  // Transcriptions ----------------------------------------------------------------------------------

  #transcribeRecording(context: ApiContext, recordingSid: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    const request = parseTranscribeRequest(context.params, 'recording', context.version);
    if (recording.status !== 'completed') throw new ApiError('recordingNotComplete');
    const transcription = this.#lifecycle.transcribe(context.accountSid, context.version, request, recording);
    sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }

  #transcribeAudioUrl(context: ApiContext): void {
    const request = parseTranscribeRequest(context.params, 'audio-url', context.version);
    const transcription = this.#lifecycle.transcribe(context.accountSid, context.version, request, undefined);
    sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }

  #listTranscriptions(context: ApiContext): void {
    const filter = parseTranscriptionFilter(context.params);
    const paging = parsePageRequest(context.params);
    const transcriptions = this.#transcriptions.list(context.accountSid).filter((transcription) => matchesTranscriptionFilter(transcription, filter));
    sendJson(context.response, 200, listEnvelope('transcriptions', transcriptions, paging, context, (item) => transcriptionJson(item, context.version)));
  }

  /** One recording's transcriptions, newest first, in the list envelope (docs/telapi-api.md, "Managing recordings and transcriptions"). */
  #listRecordingTranscriptions(context: ApiContext, recordingSid: string | undefined): void {
    const recording = this.#requireRecording(context, recordingSid);
    const paging = parsePageRequest(context.params);
    const transcriptions = this.#transcriptions.list(context.accountSid).filter((transcription) => transcription.recordingSid === recording.sid);
    sendJson(context.response, 200, listEnvelope('transcriptions', transcriptions, paging, context, (item) => transcriptionJson(item, context.version)));
  }

  #getTranscription(context: ApiContext, transcriptionSid: string | undefined, extension: string | undefined): void {
    const transcription = transcriptionSid === undefined ? undefined : this.#transcriptions.get(transcriptionSid, context.accountSid);
    if (!transcription) throw new ApiError('transcriptionNotFound', `Transcription ${transcriptionSid ?? ''} was not found`);
    if (extension === 'txt') sendText(context.response, 200, 'text/plain; charset=utf-8', transcription.text);
    else sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }
}
