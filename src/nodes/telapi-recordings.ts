import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_DOWNLOAD_DEADLINE_MS,
  DEFAULT_RECORDINGS_OPTIONS,
  DownloadError,
  deleteRecording,
  getRecording,
  inSeconds,
  listRecordings,
  messageOptions,
  parseRecordingsOptions,
  recordingFilename,
  recordingUrlOf,
  resolveCallbackUrl,
  shortSid,
  transcribeCallbackFor,
  transcribeForm,
  transcribeRecording,
  validateRecordingSid,
  type RecordingsOperation,
  type RecordingsOptions,
  type TelApiObject,
} from '../telapi';
import { isUsable, type TelApiAccountNode, type UsableAccount } from './account-types';
import { cachedText } from './cached-text';
import { asError, deliveryOf, endWithError, filledProperties, readConfiguration, redactedError, settleOnClose, shorten, translateTelApiError, type RequestInFlight } from './node-requests';

interface TelApiRecordingsDef extends NodeDef {
  account: string;
  operation?: string;
  maxRecordings?: number | string;
  maxBytes?: number | string;
  transcribeQuality?: string;
  transcribeCallback?: string;
}

type RecordingsMessage = NodeMessageInFlow & {
  recordingSid?: unknown;
  callSid?: unknown;
  recordings?: unknown;
  total?: number;
  contentType?: string;
  filename?: string;
  recording?: TelApiObject;
};

type Send = (msg: RecordingsMessage) => void;

/** What this node sets on a message. */
const OUTPUT_KEYS = ['payload', 'total', 'contentType', 'filename', 'recording'] as const;
type Done = (err?: Error) => void;

/** One message being handled, with what it does to which recording (named in the log if the node closes). */
interface InFlight extends RequestInFlight {
  recordingSid: string | undefined;
  operation?: RecordingsOperation;
}

const CONFIG_KEYS = ['operation', 'maxRecordings', 'maxBytes', 'transcribeQuality', 'transcribeCallback'] as const;


/** How long a whole download may take: `telapiDownloadTimeout` (seconds) in settings.js, or the default. */
function downloadDeadlineMs(settings: Record<string, unknown>): number {
  const seconds = Number(settings.telapiDownloadTimeout);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_DOWNLOAD_DEADLINE_MS;
}

export = function register(RED: NodeAPI): void {
  const statusText = {
    working: cachedText(RED._, 'telapi-recordings.status.working', 'operation'),
    listed: cachedText(RED._, 'telapi-recordings.status.listed', 'count'),
    got: cachedText(RED._, 'telapi-recordings.status.got', 'recording'),
    downloaded: cachedText(RED._, 'telapi-recordings.status.downloaded', 'recording'),
    deleted: cachedText(RED._, 'telapi-recordings.status.deleted', 'recording'),
    transcribing: cachedText(RED._, 'telapi-recordings.status.transcribing', 'recording'),
  };

  /** An Error whose text comes from this node's catalog; nothing secret is in any of them. */
  function translate(error: unknown): Error {
    if (error instanceof DownloadError) {
      const params = {
        host: error.host ?? '', status: error.status ?? '', bytes: error.bytes ?? '', maxBytes: error.maxBytes ?? '', cause: error.causeCode ?? '',
        seconds: error.deadlineMs === undefined ? '' : inSeconds(error.deadlineMs), encoding: error.encoding ?? '',
      };
      // A timeout with a deadline is the whole download running too long, not a silent server.
      const key = error.kind === 'timeout' && error.deadlineMs !== undefined ? 'deadline' : error.kind;
      const text = RED._(`telapi-recordings.errors.download.${key}`, params);
      return Object.assign(new Error(text), { name: 'DownloadError', kind: error.kind, status: error.status });
    }
    const translated = translateTelApiError(error, {
      input: (reason, params) => RED._(`telapi-recordings.errors.input.${reason}`, params),
      api: (key, params) => RED._(`telapi-recordings.errors.${key}`, params),
    });
    if (translated) return translated;
    return asError(error);
  }

  function TelApiRecordings(this: Node, config: TelApiRecordingsDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as TelApiAccountNode | null;
    const inFlight = new Set<InFlight>();
    let closing = false;
    const { options: defaults, error: configError } = readConfiguration<RecordingsOptions>(
      account,
      () => parseRecordingsOptions(filledProperties(config, CONFIG_KEYS)),
      { ...DEFAULT_RECORDINGS_OPTIONS },
      (key) => RED._(`telapi-recordings.errors.${key}`),
      translate,
    );

    const fail = (error: Error): void => {
      node.status({ fill: 'red', shape: 'ring', text: shorten(error.message) });
    };

    if (configError) {
      fail(configError);
    } else if (account && defaults.transcribeCallback !== '') {
      // A path the account cannot resolve would fail every transcribe: say so at deploy.
      try {
        resolveCallbackUrl('transcribeCallback', defaults.transcribeCallback, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials);
      } catch (error) {
        const translated = translate(error);
        fail(translated);
        node.warn(translated.message);
      }
    }

    async function run(account: UsableAccount, operation: RecordingsOperation, options: RecordingsOptions, msg: RecordingsMessage, request: InFlight): Promise<string> {
      const { client, redactor } = account;
      const { signal } = request.controller;
      if (operation === 'list') {
        const result = await listRecordings(client, options, signal);
        msg.payload = redactor.value(result.recordings);
        msg.total = result.total;
        return statusText.listed(result.recordings.length);
      }
      const recordingSid = validateRecordingSid(msg.recordingSid);
      request.recordingSid = recordingSid;
      const short = shortSid(recordingSid);
      const sent = deliveryOf(request);
      switch (operation) {
        case 'get':
          msg.payload = redactor.value(await getRecording(client, recordingSid, signal));
          return statusText.got(short);
        case 'download': {
          const recording = await getRecording(client, recordingSid, signal);
          const url = recordingUrlOf(recording);
          const settings = RED.settings as unknown as Record<string, unknown>;
          const file = await client.download(url, {
            maxBytes: options.maxBytes,
            deadlineMs: downloadDeadlineMs(settings),
            allowPrivateAddresses: settings.telapiDownloadPrivateAddresses === true,
            signal,
          });
          msg.payload = file.body;
          // A header of the media host's, which may be the API's own (and echo its credentials).
          msg.contentType = redactor.text(file.contentType ?? 'application/octet-stream');
          msg.filename = recordingFilename(recordingSid, url);
          msg.recording = redactor.value(recording);
          return statusText.downloaded(short);
        }
        case 'delete':
          msg.payload = redactor.value(await deleteRecording(client, recordingSid, signal, sent));
          return statusText.deleted(short);
        case 'transcribe': {
          const recording = await getRecording(client, recordingSid, signal);
          const callback = transcribeCallbackFor(recording, options.transcribeCallback, account.publicUrl, (callSid) =>
            account.authenticator.tokenFor(callSid), account.callbackCredentials);
          msg.payload = redactor.value(await transcribeRecording(client, recordingSid, transcribeForm(options, callback), signal, sent));
          return statusText.transcribing(short);
        }
      }
    }

    async function handle(msg: RecordingsMessage, send: Send, done: Done, request: InFlight): Promise<void> {
      if (configError) throw configError;
      if (!isUsable(account)) throw new Error(RED._('telapi-recordings.errors.noAccount'));
      const options = messageOptions(defaults, msg.callSid, msg.recordings);
      request.operation = options.operation;
      if (options.operation !== 'list') validateRecordingSid(msg.recordingSid);
      if (options.transcribeCallback !== '' && options.operation === 'transcribe') {
        resolveCallbackUrl('transcribeCallback', options.transcribeCallback, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials);
      }
      node.status({ fill: 'blue', shape: 'dot', text: statusText.working(RED._(`telapi-recordings.operation.${options.operation}`)) });
      const text = await run(account, options.operation, options, msg, request);
      if (closing) {
        node.warn(RED._('telapi-recordings.warn.closed.done', { operation: options.operation, recording: request.recordingSid ?? '' }));
      } else {
        node.status({ fill: 'green', shape: 'dot', text });
      }
      send(msg);
      done();
    }

    node.on('input', (msg: RecordingsMessage, send: Send, done: Done) => {
      const request: InFlight = { controller: new AbortController(), sent: false, recordingSid: undefined, settled: Promise.resolve() };
      request.settled = handle(msg, send, done, request)
        .catch((error: unknown) => {
          const translated = redactedError(translate(error), account);
          if (closing && request.sent) {
            // The Catch nodes of a flow being stopped may be stopped already: the log is sure to be seen.
            node.warn(RED._('telapi-recordings.warn.closed.failed', { recording: request.recordingSid ?? '', error: translated.message }));
          } else if (closing && request.refused) {
            // A delete or transcribe TelAPI refused (429/503) and the close cancelled before its retry.
            node.warn(RED._('telapi-recordings.warn.closed.refused', { operation: request.operation ?? '', recording: request.recordingSid ?? '' }));
          } else if (!closing) {
            fail(translated);
          }
          endWithError(node, msg, translated, done, OUTPUT_KEYS, RED.util.cloneMessage);
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      // A delete or transcribe TelAPI may have received is waited for, and its outcome logged;
      // reads (never marked sent) and anything not yet sent are cancelled.
      settleOnClose(inFlight, RED.settings as unknown as Record<string, unknown>, () => {
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType('telapi-recordings', TelApiRecordings);
};
