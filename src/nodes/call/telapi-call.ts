import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import {
  CALL_OPTION_KEYS,
  DEFAULT_CALL_OPTIONS,
  buildCallForm,
  callUrls,
  makeCall,
  parseCallOptions,
  shortSid,
  type CallOptions,
  type CallUrlsInput,
} from '../../telapi';
import type { UsableAccount } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { callRules } from '../shared/editor-rules';
import { inputProblem, registerRequestNode } from '../shared/request-node';

type CallMessage = NodeMessageInFlow & {
  call?: unknown;
  callSid?: string;
};

/** telapi-call: makes a call (docs/design.md, "Calls"), msg.call overriding the node's properties. */
export = function register(RED: NodeAPI): void {
  const statusText = {
    calling: cachedText(RED._, 'telapi-call.status.calling', 'to'),
    called: cachedText(RED._, 'telapi-call.status.called', 'call'),
  };
  /** These options under this account: its public URL, the path keys, the callback credentials. */
  const under = (options: CallOptions, account: UsableAccount): CallUrlsInput =>
    ({ options, publicUrl: account.publicUrl, keyFor: (path) => account.authenticator.keyFor(path), callbackCredentials: account.callbackCredentials });

  registerRequestNode<CallOptions, URLSearchParams, CallMessage>(RED, {
    type: 'telapi-call',
    properties: CALL_OPTION_KEYS,
    defaults: DEFAULT_CALL_OPTIONS,
    outputKeys: ['payload', 'callSid'],
    settings: { telapiCallRules: { value: callRules(), exportable: true } },

    parse: (properties) => parseCallOptions(properties),

    // The node's URLs under this account (a path without a public URL, a URL too long with its key).
    check: (options, account) => inputProblem(() => callUrls(under(options, account))),

    read(msg, defaults, account) {
      const options = parseCallOptions(msg.call, defaults);
      const form = buildCallForm(under(options, account));
      return {
        input: form,
        working: statusText.calling(options.to),
        describe: { key: 'call', params: { to: options.to } },
        changes: true,
      };
    },

    async run(form, msg, { account, signal, delivery }) {
      const call = await makeCall(account.client, form, signal, delivery);
      const callSid = call.sid as string;
      msg.payload = account.redactor.value(call);
      msg.callSid = callSid;
      return { status: statusText.called(shortSid(callSid)), result: () => RED._('telapi-call.result', { call: callSid }) };
    },
  });
};
