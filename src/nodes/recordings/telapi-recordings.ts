import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_DOWNLOAD_DEADLINE_MS,
  DEFAULT_RECORDINGS_OPTIONS,
  TelApiInputError,
  callSegments,
  deleteRecording,
  getRecording,
  joinRecordings,
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
  type DownloadOptions,
  type JoinEnd,
  type RecordingsOptions,
  type TelApiObject,
} from '../../telapi';
import type { UsableAccount } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { recordingsRules } from '../shared/editor-rules';
import { inputProblem, registerRequestNode, type Outcome, type RunContext } from '../shared/request-node';
import { positiveSecondsMs, type Settings } from '../shared/settings';
import { BufferOutput, FileOutput, outputPath } from './file-output';

type RecordingsMessage = NodeMessageInFlow & {
  recordingSid?: unknown;
  callSid?: unknown;
  recordings?: unknown;
  total?: number;
  contentType?: string;
  filename?: unknown;
  recording?: TelApiObject;
  segments?: TelApiObject[];
};

/** The node's options: the contract's, and the folder of its file mode ("" keeps files in msg.payload). */
type NodeOptions = RecordingsOptions & { folder: string };

interface RecordingsInput {
  options: NodeOptions;
  /** Every operation but `list` and `join` is about one recording. */
  recordingSid: string;
  /** File mode (download, join): the file's path, by its name (msg.filename, or the recording's or call's own). */
  target: ((name: string) => string) | undefined;
  /** msg.filename (download, join), checked before anything is sent. */
  filename: string | undefined;
}

/** The node's properties that are options; msg.recordings may override every option but the folder. */
const PROPERTIES = ['operation', 'maxRecordings', 'maxBytes', 'transcribeQuality', 'transcribeCallback', 'folder'] as const;
/** Operations that change something at TelAPI. */
const CHANGING = new Set(['delete', 'transcribe']);

function parseNodeOptions(properties: Readonly<Record<string, unknown>>): NodeOptions {
  const { folder, ...options } = properties;
  if (folder !== undefined && typeof folder !== 'string') throw new TelApiInputError('folder', 'type', { expected: 'string' });
  return { ...parseRecordingsOptions(options), folder: folder?.trim() ?? '' };
}

/** telapi-recordings: what happens to a recording after the call (docs/design.md, "`telapi-recordings` node (contract)"). */
export = function register(RED: NodeAPI): void {
  const statusText = {
    working: cachedText(RED._, 'telapi-recordings.status.working', 'operation'),
    listed: cachedText(RED._, 'telapi-recordings.status.listed', 'count'),
    got: cachedText(RED._, 'telapi-recordings.status.got', 'recording'),
    downloaded: cachedText(RED._, 'telapi-recordings.status.downloaded', 'recording'),
    deleted: cachedText(RED._, 'telapi-recordings.status.deleted', 'recording'),
    transcribing: cachedText(RED._, 'telapi-recordings.status.transcribing', 'recording'),
    joined: cachedText(RED._, 'telapi-recordings.status.joined', 'count', 'call'),
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

  const downloadOptions = (options: NodeOptions, settings: Settings, signal: AbortSignal): Omit<DownloadOptions, 'sink'> => ({
    maxBytes: options.maxBytes,
    deadlineMs: positiveSecondsMs(settings.telapiDownloadTimeout, DEFAULT_DOWNLOAD_DEADLINE_MS),
    allowPrivateAddresses: settings.telapiDownloadPrivateAddresses === true,
    signal,
  });

  /**
   * Writes through `write` into a file of the folder (renamed to `name(result)` once complete), or
   * into a Buffer; a failure leaves no file.
   */
  async function intoFileOrBuffer<T>(
    target: ((name: string) => string) | undefined,
    name: (result: T) => string,
    write: (output: FileOutput | BufferOutput) => Promise<{ result: T; header?: Buffer | undefined }>,
  ): Promise<{ result: T; body: Buffer | string; filename: string }> {
    if (target === undefined) {
      const buffer = new BufferOutput();
      const { result, header } = await write(buffer);
      return { result, body: buffer.take(header), filename: name(result) };
    }
    const file = await FileOutput.create(target(''));
    try {
      const { result, header } = await write(file);
      const path = target(name(result));
      await file.commit(path, header);
      return { result, body: path, filename: path };
    } catch (error) {
      await file.discard();
      throw error;
    }
  }

  async function run({ options, recordingSid, target, filename: given }: RecordingsInput, msg: RecordingsMessage, { account, signal, delivery, settings }: RunContext): Promise<Outcome> {
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
        const download = downloadOptions(options, settings, signal);
        const name = given ?? recordingFilename(recordingSid, url);
        const { result, body, filename } = target === undefined
          ? { result: await client.download(url, download), body: undefined, filename: name }
          : await intoFileOrBuffer(target, () => name, async (file) => ({ result: await client.download(url, { ...download, sink: { write: (chunk) => file.write([chunk]) } }) }));
        msg.payload = body ?? result.body;
        // A header of the media host's, which may be the API's own (and echo its credentials).
        msg.contentType = redactor.text(result.contentType ?? 'application/octet-stream');
        msg.filename = filename;
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
      case 'join': {
        const listed = await listRecordings(client, options, signal);
        const segments = callSegments(listed.recordings);
        const { result: end, body, filename } = await intoFileOrBuffer<JoinEnd>(target, (joined) => given ?? `${options.callSid}.${joined.summary.format}`, async (output) => {
          const joined = await joinRecordings(client, segments, downloadOptions(options, settings, signal), output);
          return { result: joined, header: joined.header };
        });
        msg.payload = body;
        msg.contentType = end.summary.contentType;
        msg.filename = filename;
        msg.segments = redactor.value(segments);
        return done(statusText.joined(segments.length, shortSid(options.callSid)));
      }
    }
  }

  registerRequestNode<NodeOptions, RecordingsInput, RecordingsMessage>(RED, {
    type: 'telapi-recordings',
    properties: PROPERTIES,
    defaults: { ...DEFAULT_RECORDINGS_OPTIONS, folder: '' },
    outputKeys: ['payload', 'total', 'contentType', 'filename', 'recording', 'segments'],
    settings: { telapiRecordingsRules: { value: recordingsRules(), exportable: true } },

    parse: parseNodeOptions,

    // A transcription callback path the account cannot resolve would fail every transcribe.
    check: (options, account) => transcribeCallbackProblem(options, account),

    read(msg, defaults, account) {
      const options: NodeOptions = { ...messageOptions(defaults, msg.callSid, msg.recordings), folder: defaults.folder };
      const perRecording = options.operation !== 'list' && options.operation !== 'join';
      const recordingSid = perRecording ? validateRecordingSid(msg.recordingSid) : '';
      if (options.operation === 'join' && options.callSid === '') throw new TelApiInputError('callSid', 'required');
      if (options.operation === 'transcribe') {
        const problem = transcribeCallbackProblem(options, account);
        if (problem) throw problem;
      }
      const named = options.operation === 'download' || options.operation === 'join';
      const writes = named && options.folder !== '';
      // A name of the message's own is checked now, before anything is sent.
      const given = named ? givenName(msg.filename) : undefined;
      const base = fileWorkingDirectory(RED);
      if (writes && given !== undefined) outputPath(base, options.folder, given);
      // ('' names the folder itself: where the file is written before it has its name.)
      const target = writes ? (name: string): string => outputPath(base, options.folder, name || '.') : undefined;
      const params: Record<string, string> = perRecording ? { operation: options.operation, recording: recordingSid } : { call: options.callSid };
      return {
        input: { options, recordingSid, target, filename: given },
        working: statusText.working(operationName(options.operation)),
        describe: { key: options.operation === 'list' ? 'list' : options.operation === 'join' ? 'join' : 'recording', params },
        changes: CHANGING.has(options.operation),
      };
    },

    run,
  });
};

/** Where relative folders are: Node-RED's fileWorkingDirectory (as the core file node takes it), else the working directory. */
function fileWorkingDirectory(RED: NodeAPI): string {
  const configured = (RED.settings as unknown as Settings).fileWorkingDirectory;
  return typeof configured === 'string' && configured !== '' ? configured : process.cwd();
}

/** msg.filename as the name of the file to write, if the message gives one. */
function givenName(given: unknown): string | undefined {
  if (given === undefined || given === null || given === '') return undefined;
  if (typeof given !== 'string') throw new TelApiInputError('filename', 'type', { expected: 'string' });
  return given;
}

/** The error a transcribe with these options would raise for its callback URL, without a real recording. */
function transcribeCallbackProblem(options: RecordingsOptions, account: UsableAccount): ReturnType<typeof inputProblem> {
  if (options.transcribeCallback === '') return undefined;
  return inputProblem(() =>
    resolveCallbackUrl('transcribeCallback', options.transcribeCallback, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials));
}
