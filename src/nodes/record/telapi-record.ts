import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_RECORDING_OPTIONS,
  TelApiError,
  type TelApiInputError,
  buildRecordForm,
  parseRecordingOptions,
  withResolvedCallbackUrls,
  shortSid,
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
  starting: boolean;
  form: URLSearchParams;
}

/** telapi-record: starts or stops the recording of the live call `msg.callSid` (docs/design.md, "`telapi-record` node (contract)"). */
export = function register(RED: NodeAPI): void {
  const statusText = {
    starting: cachedText(RED._, 'telapi-record.status.starting', 'call'),
    stopping: cachedText(RED._, 'telapi-record.status.stopping', 'call'),
    recording: cachedText(RED._, 'telapi-record.status.recording', 'call'),
    stopped: cachedText(RED._, 'telapi-record.status.stopped', 'call'),
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
      const starting = options.action === 'start';
      return {
        input: { callSid, starting, form },
        working: statusText[starting ? 'starting' : 'stopping'](shortSid(callSid)),
        describe: { key: starting ? 'start' : 'stop', params: { call: callSid } },
        changes: true,
      };
    },

    async run({ callSid, starting, form }, msg, { account, signal, delivery }) {
      try {
        const result = await account.client.record(callSid, form, signal, delivery);
        msg.payload = account.redactor.value(result.recording);
        msg.statusCode = result.statusCode;
      } catch (error) {
        if (error instanceof TelApiError && error.status !== undefined) msg.statusCode = error.status;
        throw error;
      }
      const sid = (msg.payload as { sid?: unknown }).sid;
      return {
        status: statusText[starting ? 'recording' : 'stopped'](shortSid(callSid)),
        result: RED._('telapi-record.result', { recording: typeof sid === 'string' ? sid : '?' }),
      };
    },
  });
};

/** The error a start with these options would raise for its callback URLs, without a real call. */
function callbackUrlProblem(options: RecordingOptions, account: UsableAccount): TelApiInputError | undefined {
  return inputProblem(() => withResolvedCallbackUrls(options, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials));
}
