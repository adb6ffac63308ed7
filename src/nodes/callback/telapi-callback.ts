import type { NodeAPI, NodeMessage } from 'node-red';
import { callbackFields, parseCallbackBody } from '../../telapi';
import { answer } from '../shared/body';
import { callbackRules } from '../shared/editor-rules';
import { EMPTY_RESPONSE, XML_CONTENT_TYPE, registerReceiverNode } from '../shared/receiver-node';
import { settingsOf } from '../shared/settings';

/**
 * telapi-callback: TelAPI's recording, transcription and call status callbacks, checked, one message
 * each (docs/design.md, "`telapi-callback` node (contract)").
 */
export = function register(RED: NodeAPI): void {
  registerReceiverNode(RED, {
    type: 'telapi-callback',
    methods: ['POST'],
    settings: { telapiCallbackRules: { value: callbackRules(settingsOf(RED)), exportable: true } },
    senders: {
      'telapi-record': ['callbackUrl', 'transcribeCallback'],
      'telapi-recordings': ['transcribeCallback'],
      'telapi-call': ['statusCallback', 'recordCallback', 'transcribeCallback'],
    },

    parse: (req, body) => parseCallbackBody(body as Uint8Array | string | object | undefined, req.headers['content-type']),

    create: (node) => ({ res, callback }) => {
      // TelAPI only needs a 2xx: answer first, then hand the callback to the flow.
      answer(res, 200, EMPTY_RESPONSE, XML_CONTENT_TYPE);
      const msg: NodeMessage = { payload: callback.params, ...callbackFields(callback.params) };
      node.send(msg);
    },
  });
};
