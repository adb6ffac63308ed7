import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_DOWNLOAD_DEADLINE_MS,
  DEFAULT_RECORDINGS_OPTIONS,
  deleteRecording,
  getRecording,
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
  type RecordingsOptions,
  type TelApiObject,
} from '../../telapi';
import type { UsableAccount } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { recordingsRules } from '../shared/editor-rules';
import { inputProblem, registerRequestNode, type Outcome, type RunContext } from '../shared/request-node';
import { positiveSecondsMs } from '../shared/settings';

type RecordingsMessage = NodeMessageInFlow & {
  recordingSid?: unknown;
  callSid?: unknown;
  recordings?: unknown;
  total?: number;
  contentType?: string;
  filename?: string;
  recording?: TelApiObject;
};

interface RecordingsInput {
  options: RecordingsOptions;
  /** Every operation but `list` is about one recording. */
  recordingSid: string;
}

/** The node's properties that are options; msg.recordings may override every option. */
const PROPERTIES = ['operation', 'maxRecordings', 'maxBytes', 'transcribeQuality', 'transcribeCallback'] as const;
/** Operations that change something at TelAPI. */
const CHANGING = new Set(['delete', 'transcribe']);

/** telapi-recordings: what happens to a recording after the call (docs/design.md, "`telapi-recordings` node (contract)"). */
export = function register(RED: NodeAPI): void {
  const statusText = {
    working: cachedText(RED._, 'telapi-recordings.status.working', 'operation'),
    listed: cachedText(RED._, 'telapi-recordings.status.listed', 'count'),
    got: cachedText(RED._, 'telapi-recordings.status.got', 'recording'),
    downloaded: cachedText(RED._, 'telapi-recordings.status.downloaded', 'recording'),
    deleted: cachedText(RED._, 'telapi-recordings.status.deleted', 'recording'),
    transcribing: cachedText(RED._, 'telapi-recordings.status.transcribing', 'recording'),
  };
  const done = (status: string): Outcome => ({ status, result: () => status });
  // An operation's name in the user's language, read once per operation.
  const operationNames = new Map<string, string>();
  const operationName = (operation: string): string => {
    let name = operationNames.get(operation);
    if (name === undefined) {
      name = RED._(`telapi-recordings.operation.${operation}`);
      operationNames.set(operation, name);
    }
    return name;
  };

  async function run({ options, recordingSid }: RecordingsInput, msg: RecordingsMessage, { account, signal, delivery, settings }: RunContext): Promise<Outcome> {
    const { client, redactor } = account;
    const short = shortSid(recordingSid);
    switch (options.operation) {
      case 'list': {
        const result = await listRecordings(client, options, signal);
        msg.payload = redactor.value(result.recordings);
        msg.total = result.total;
        return done(statusText.listed(result.recordings.length));
      }
      case 'get':
        msg.payload = redactor.value(await getRecording(client, recordingSid, signal));
        return done(statusText.got(short));
      case 'download': {
        const recording = await getRecording(client, recordingSid, signal);
        const url = recordingUrlOf(recording);
        const file = await client.download(url, {
          maxBytes: options.maxBytes,
          deadlineMs: positiveSecondsMs(settings.telapiDownloadTimeout, DEFAULT_DOWNLOAD_DEADLINE_MS),
          allowPrivateAddresses: settings.telapiDownloadPrivateAddresses === true,
          signal,
        });
        msg.payload = file.body;
        // A header of the media host's, which may be the API's own (and echo its credentials).
        msg.contentType = redactor.text(file.contentType ?? 'application/octet-stream');
        msg.filename = recordingFilename(recordingSid, url);
        msg.recording = redactor.value(recording);
        return done(statusText.downloaded(short));
      }
      case 'delete':
        msg.payload = redactor.value(await deleteRecording(client, recordingSid, signal, delivery));
        return done(statusText.deleted(short));
      case 'transcribe': {
        const recording = await getRecording(client, recordingSid, signal);
        const callback = transcribeCallbackFor(recording, options.transcribeCallback, account.publicUrl, (callSid) =>
          account.authenticator.tokenFor(callSid), account.callbackCredentials);
        msg.payload = redactor.value(await transcribeRecording(client, recordingSid, transcribeForm(options, callback), signal, delivery));
        return done(statusText.transcribing(short));
      }
    }
  }

  registerRequestNode<RecordingsOptions, RecordingsInput, RecordingsMessage>(RED, {
    type: 'telapi-recordings',
    properties: PROPERTIES,
    defaults: DEFAULT_RECORDINGS_OPTIONS,
    outputKeys: ['payload', 'total', 'contentType', 'filename', 'recording'],
    settings: { telapiRecordingsRules: { value: recordingsRules(), exportable: true } },

    parse: (properties) => parseRecordingsOptions(properties),

    // A transcription callback path the account cannot resolve would fail every transcribe.
    check: (options, account) => transcribeCallbackProblem(options, account),

    read(msg, defaults, account) {
      const options = messageOptions(defaults, msg.callSid, msg.recordings);
      const recordingSid = options.operation === 'list' ? '' : validateRecordingSid(msg.recordingSid);
      if (options.operation === 'transcribe') {
        const problem = transcribeCallbackProblem(options, account);
        if (problem) throw problem;
      }
      const params: Record<string, string> = options.operation === 'list' ? {} : { operation: options.operation, recording: recordingSid };
      return {
        input: { options, recordingSid },
        working: statusText.working(operationName(options.operation)),
        describe: { key: options.operation === 'list' ? 'list' : 'recording', params },
        changes: CHANGING.has(options.operation),
      };
    },

    run,
  });
};

/** The error a transcribe with these options would raise for its callback URL, without a real recording. */
function transcribeCallbackProblem(options: RecordingsOptions, account: UsableAccount): ReturnType<typeof inputProblem> {
  if (options.transcribeCallback === '') return undefined;
  return inputProblem(() =>
    resolveCallbackUrl('transcribeCallback', options.transcribeCallback, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials));
}
