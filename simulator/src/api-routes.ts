import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-errors';
import type { ApiVersion } from './constants';
import { sendJson, sendText, type RequestParams } from './http-util';
import type { CallbackLifecycle } from './lifecycle';
import type { SimulatedCall, SimulatedRecording } from './model';
import { parseMakeCallRecording, parseRecordRequest, parseTranscribeRequest } from './recording-params';
import { isAbsoluteHttpUrl } from './spec';
import type { Telephony } from './telephony';
import {
  callJson,
  listEnvelope,
  matchesRecordingFilter,
  matchesTranscriptionFilter,
  parsePageRequest,
  parseRecordingFilter,
  parseTranscriptionFilter,
  recordingJson,
  transcriptionJson,
} from './wire';

/** One authenticated API request, below `/{prefix}/Accounts/{AccountSid}`. */
export interface ApiContext {
  request: IncomingMessage;
  response: ServerResponse;
  version: ApiVersion;
  accountSid: string;
  params: RequestParams;
  path: string;
  query: URLSearchParams;
}

type HttpMethod = 'GET' | 'POST' | 'DELETE';
type ApiHandler = (context: ApiContext, ids: string[]) => void;

interface ApiRoute {
  pattern: RegExp;
  handlers: Partial<Record<HttpMethod, ApiHandler>>;
}

export interface ApiRouterOptions {
  telephony: Telephony;
  lifecycle: CallbackLifecycle;
  now: () => Date;
}

const SID = '([^/]+)';

/** The TelAPI REST resources the simulator serves: calls, recordings, transcriptions. */
export class ApiRouter {
  readonly #telephony: Telephony;
  readonly #lifecycle: CallbackLifecycle;
  readonly #now: () => Date;
  readonly #routes: ApiRoute[];

  constructor(options: ApiRouterOptions) {
    this.#telephony = options.telephony;
    this.#lifecycle = options.lifecycle;
    this.#now = options.now;
    this.#routes = [
      { pattern: /^\/Calls\.json$/, handlers: { GET: (c) => this.#listCalls(c), POST: (c) => this.#makeCall(c) } },
      { pattern: new RegExp(`^/Calls/${SID}\\.json$`), handlers: { GET: (c, [sid]) => this.#getCall(c, sid), POST: (c, [sid]) => this.#modifyCall(c, sid) } },
      {
        pattern: new RegExp(`^/Calls/${SID}/Recordings\\.json$`),
        handlers: { GET: (c, [sid]) => this.#listRecordings(c, this.#requireCall(c, sid).sid), POST: (c, [sid]) => this.#startOrStopRecording(c, sid) },
      },
      { pattern: /^\/Recordings\.json$/, handlers: { GET: (c) => this.#listRecordings(c, undefined) } },
      {
        pattern: new RegExp(`^/Recordings/${SID}\\.json$`),
        handlers: { GET: (c, [sid]) => this.#getRecording(c, sid), DELETE: (c, [sid]) => this.#deleteRecording(c, sid) },
      },
      { pattern: new RegExp(`^/Recordings/${SID}\\.(mp3|wav)$`), handlers: { GET: (c, [sid, format]) => this.#redirectToMedia(c, sid, format) } },
      { pattern: new RegExp(`^/Recordings/${SID}/Transcriptions\\.json$`), handlers: { POST: (c, [sid]) => this.#transcribeRecording(c, sid) } },
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

  #requireCall(context: ApiContext, callSid: string | undefined): SimulatedCall {
    const call = callSid === undefined ? undefined : this.#telephony.call(callSid, context.accountSid);
    if (!call) throw new ApiError('callNotFound', `Call ${callSid ?? ''} was not found`);
    return call;
  }

  #requireRecording(context: ApiContext, recordingSid: string | undefined): SimulatedRecording {
    const recording = recordingSid === undefined ? undefined : this.#telephony.recording(recordingSid, context.accountSid);
    if (!recording) throw new ApiError('recordingNotFound', `Recording ${recordingSid ?? ''} was not found`);
    return recording;
  }

  // Calls -------------------------------------------------------------------------------------------

  #listCalls(context: ApiContext): void {
    const now = this.#now();
    const calls = this.#telephony.calls(context.accountSid);
    sendJson(context.response, 200, listEnvelope('calls', calls, parsePageRequest(context.params), context, (call) => callJson(call, context.version, now)));
  }

  /**
   * TelAPI's "make call", answered at once: the simulated callee always picks up. `Record=true`
   * records the whole call (until the hang-up); every parameter is checked before anything happens.
   */
  #makeCall(context: ApiContext): void {
    const required = (name: string): string => {
      const value = context.params.get(name)?.trim();
      if (!value) throw new ApiError('missingParameter', `${name} is required`);
      return value;
    };
    const from = required('From');
    const to = required('To');
    const url = required('Url');
    if (!isAbsoluteHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    const recordingParams = parseMakeCallRecording(context.params);
    const callerName = context.params.get('CallerName')?.trim();
    const call = this.#telephony.createCall(
      { accountSid: context.accountSid, from, to, url, direction: 'outbound-api', ...(callerName ? { callerName } : {}) },
      context.version,
    );
    if (recordingParams) this.#telephony.startRecording(call.sid, context.accountSid, recordingParams, context.version);
    sendJson(context.response, 200, callJson(this.#requireCall(context, call.sid), context.version, this.#now()));
  }

  #getCall(context: ApiContext, callSid: string | undefined): void {
    sendJson(context.response, 200, callJson(this.#requireCall(context, callSid), context.version, this.#now()));
  }

  /** TelAPI's "modify call": Status=completed (or canceled) hangs up; Url redirects. */
  #modifyCall(context: ApiContext, callSid: string | undefined): void {
    const call = this.#requireCall(context, callSid);
    const status = context.params.get('Status')?.trim().toLowerCase();
    const url = context.params.get('Url')?.trim();
    if (!status && !url) throw new ApiError('missingParameter', 'Status or Url is required');
    if (status && status !== 'completed' && status !== 'canceled') throw new ApiError('invalidParameter', 'Status must be completed or canceled');
    if (url && !isAbsoluteHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    if (url) this.#telephony.updateCallUrl(call.sid, context.accountSid, url);
    const updated = status ? this.#telephony.hangUp(call.sid, context.accountSid) : this.#requireCall(context, call.sid);
    sendJson(context.response, 200, callJson(updated, context.version, this.#now()));
  }

  // Recordings --------------------------------------------------------------------------------------

  #startOrStopRecording(context: ApiContext, callSid: string | undefined): void {
    const call = this.#requireCall(context, callSid);
    const parsed = parseRecordRequest(context.params);
    const recording = parsed.record
      ? this.#telephony.startRecording(call.sid, context.accountSid, parsed.params, context.version)
      : this.#telephony.stopRecording(call.sid, context.accountSid);
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
    const request = parseTranscribeRequest(context.params, 'recording');
    if (recording.status !== 'completed') throw new ApiError('recordingNotComplete');
    const transcription = this.#lifecycle.transcribe(context.accountSid, context.version, request, recording);
    sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }

  #transcribeAudioUrl(context: ApiContext): void {
    const request = parseTranscribeRequest(context.params, 'audio-url');
    const transcription = this.#lifecycle.transcribe(context.accountSid, context.version, request, undefined);
    sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }

  #listTranscriptions(context: ApiContext): void {
    const filter = parseTranscriptionFilter(context.params);
    const paging = parsePageRequest(context.params);
    const transcriptions = this.#telephony.transcriptions(context.accountSid).filter((transcription) => matchesTranscriptionFilter(transcription, filter));
    sendJson(context.response, 200, listEnvelope('transcriptions', transcriptions, paging, context, (item) => transcriptionJson(item, context.version)));
  }

  #getTranscription(context: ApiContext, transcriptionSid: string | undefined, extension: string | undefined): void {
    const transcription = transcriptionSid === undefined ? undefined : this.#telephony.transcription(transcriptionSid, context.accountSid);
    if (!transcription) throw new ApiError('transcriptionNotFound', `Transcription ${transcriptionSid ?? ''} was not found`);
    if (extension === 'txt') sendText(context.response, 200, 'text/plain; charset=utf-8', transcription.text);
    else sendJson(context.response, 200, transcriptionJson(transcription, context.version));
  }
}
