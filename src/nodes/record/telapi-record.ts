import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_RECORDING_OPTIONS,
  DEFAULT_RECORDINGS_OPTIONS,
  MAX_RECORDINGS_PER_CALL,
  endsRecording,
  listRecordings,
  TelApiError,
  type TelApiInputError,
  buildRecordForm,
  parseRecordingOptions,
  recordCall,
  withResolvedCallbackUrls,
  shortSid,
  type RecordAction,
  type RecordingOptions,
} from '../../telapi';
import type { UsableAccount } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { recordRules } from '../shared/editor-rules';
import { inputProblem, registerRequestNode } from '../shared/request-node';

type RecordMessage = NodeMessageInFlow & {
  callSid?: unknown;
  recording?: unknown;
  statusCode?: number;
};

interface RecordInput {
  callSid: string;
  action: RecordAction;
  timeLimit: number;
  form: URLSearchParams;
}

/** The time of day as the status shows it (the runtime's local time, HH:MM:SS), formatted once per second. */
const timeOfDay = ((): (() => string) => {
  let second = -1;
  let text = '';
  return () => {
    const now = Date.now();
    const current = Math.floor(now / 1000);
    if (current !== second) {
      second = current;
      text = new Date(now).toTimeString().slice(0, 8);
    }
    return text;
  };
})();

/** telapi-record: starts or stops the recording of the live call `msg.callSid` (docs/design.md, "`telapi-record` node (contract)"). */
export = function register(RED: NodeAPI): void {
  // What the node knows, not a state it cannot see: when it started or stopped a call's recording.
  const working: Record<RecordAction, (call: string) => string> = {
    start: cachedText(RED._, 'telapi-record.status.starting', 'call'),
    stop: cachedText(RED._, 'telapi-record.status.stopping', 'call'),
    pause: cachedText(RED._, 'telapi-record.status.pausing', 'call'),
    resume: cachedText(RED._, 'telapi-record.status.resuming', 'call'),
  };
  const done: Record<RecordAction, (call: string, time: string, limit: number) => string> = {
    start: cachedText(RED._, 'telapi-record.status.started', 'call', 'time', 'limit'),
    stop: cachedText(RED._, 'telapi-record.status.stopped', 'call', 'time'),
    pause: cachedText(RED._, 'telapi-record.status.paused', 'call', 'time'),
    resume: cachedText(RED._, 'telapi-record.status.resumed', 'call', 'time', 'limit'),
  };

  registerRequestNode<RecordingOptions, RecordInput, RecordMessage>(RED, {
    type: 'telapi-record',
    properties: Object.keys(DEFAULT_RECORDING_OPTIONS),
    defaults: DEFAULT_RECORDING_OPTIONS,
    outputKeys: ['payload', 'statusCode'],
    settings: { telapiRecordRules: { value: recordRules(), exportable: true } },

    parse: (properties) => parseRecordingOptions(properties),

    // A callback path the account cannot resolve would fail every start.
    check: (options, account) => callbackUrlProblem(options, account),

    read(msg, defaults, account) {
      const options = parseRecordingOptions(msg.recording, defaults);
      const form = buildRecordForm({
        callSid: msg.callSid,
        options,
        publicUrl: account.publicUrl,
        tokenFor: (callSid) => account.authenticator.tokenFor(callSid),
        callbackCredentials: account.callbackCredentials,
      });
      const callSid = msg.callSid as string;
      return {
        input: { callSid, action: options.action, timeLimit: options.timeLimit, form },
        working: working[options.action](shortSid(callSid)),
        describe: { key: options.action, params: { call: callSid } },
        changes: true,
      };
    },

    async run({ callSid, action, timeLimit, form }, msg, { account, signal, delivery }) {
      try {
        const result = await recordCall(account.client, callSid, form, signal, delivery);
        msg.payload = account.redactor.value(result.recording);
        msg.statusCode = result.statusCode;
      } catch (error) {
        if (error instanceof TelApiError && error.status !== undefined) msg.statusCode = error.status;
        throw await asRecordingLimit(error, account, callSid, action, signal);
      }
      const sid = (msg.payload as { sid?: unknown }).sid;
      return {
        status: done[action](shortSid(callSid), timeOfDay(), timeLimit),
        result: () => RED._('telapi-record.result', { recording: typeof sid === 'string' ? sid : '?' }),
      };
    },
  });
};

/** Refusals a full call could be behind: not credentials, a missing call, or a busy TelAPI. */
const NOT_A_LIMIT = new Set([401, 403, 404, 429]);

/**
 * TelAPI keeps at most MAX_RECORDINGS_PER_CALL recordings of a call, and no TelAPI document names
 * the error it then gives: when a start or resume is refused, the call's recordings are counted, and
 * a call that has them all is said to be full (a paused call may be resumed 4 times).
 */
async function asRecordingLimit(error: unknown, account: UsableAccount, callSid: string, action: RecordAction, signal: AbortSignal): Promise<unknown> {
  if (!(error instanceof TelApiError) || error.kind !== 'http' || endsRecording(action)) return error;
  if (error.status === undefined || error.status < 400 || error.status > 499 || NOT_A_LIMIT.has(error.status)) return error;
  try {
    const listed = await listRecordings(account.client, { ...DEFAULT_RECORDINGS_OPTIONS, callSid, maxRecordings: MAX_RECORDINGS_PER_CALL }, signal);
    if (listed.recordings.length < MAX_RECORDINGS_PER_CALL) return error;
  } catch {
    return error;
  }
  return new TelApiError(`TelAPI keeps at most ${MAX_RECORDINGS_PER_CALL} recordings of a call, and call ${callSid} has them`, {
    kind: 'recording-limit', status: error.status, callSid, attempts: error.attempts, ...(error.code !== undefined ? { code: error.code } : {}),
  });
}

/** The error a start with these options would raise for its callback URLs, without a real call. */
function callbackUrlProblem(options: RecordingOptions, account: UsableAccount): TelApiInputError | undefined {
  return inputProblem(() => withResolvedCallbackUrls(options, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials));
}
