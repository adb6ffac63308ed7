import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_RECORDING_OPTIONS,
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
        throw error;
      }
      const sid = (msg.payload as { sid?: unknown }).sid;
      return {
        status: done[action](shortSid(callSid), timeOfDay(), timeLimit),
        result: () => RED._('telapi-record.result', { recording: typeof sid === 'string' ? sid : '?' }),
      };
    },
  });
};

/** The error a start with these options would raise for its callback URLs, without a real call. */
function callbackUrlProblem(options: RecordingOptions, account: UsableAccount): TelApiInputError | undefined {
  return inputProblem(() => withResolvedCallbackUrls(options, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials));
}
