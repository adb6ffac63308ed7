import type { NodeAPI, NodeMessage } from 'node-red';
import {
  DEFAULT_FALLBACK,
  DEFAULT_VOICE_TIMEOUT_SECONDS,
  MAX_VOICE_TIMEOUT_SECONDS,
  fallbackDocument,
  inboundXmlService,
  parseVoiceRequest,
  voiceTimeoutSeconds,
} from '../../telapi';
import { isUsable } from '../shared/account';
import { voiceRules } from '../shared/editor-rules';
import { receivedUrl, registerReceiverNode } from '../shared/receiver-node';
import { settingsOf } from '../shared/settings';
import { answerInboundXml, setVoiceContext } from '../shared/voice-context';
import { registerVoiceUrlRoute } from './voice-url';

/**
 * telapi-voice: TelAPI's voice requests (a number's Voice URL, a call's Url, a verb's action), checked,
 * one message each with msg.req and msg.res for the flow to answer (docs/design.md, "Calls").
 */
export = function register(RED: NodeAPI): void {
  const settings = settingsOf(RED);

  registerReceiverNode(RED, {
    type: 'telapi-voice',
    methods: ['GET', 'POST'],
    settings: { telapiVoiceRules: { value: voiceRules(settings), exportable: true } },
    senders: { 'telapi-call': ['url'] },

    parse: (req, body) => parseVoiceRequest({
      method: req.method,
      relativeUrl: receivedUrl(req),
      body: body as Uint8Array | string | object | undefined,
      contentType: req.headers['content-type'],
    }),

    create(node, config, account) {
      const properties = config as { timeout?: unknown; fallback?: unknown };
      let seconds = voiceTimeoutSeconds(properties.timeout);
      if (seconds === undefined) {
        node.warn(RED._('telapi-voice.warn.badTimeout', { max: MAX_VOICE_TIMEOUT_SECONDS, seconds: DEFAULT_VOICE_TIMEOUT_SECONDS }));
        seconds = DEFAULT_VOICE_TIMEOUT_SECONDS;
      }
      let fallback = fallbackDocument(properties.fallback);
      if (fallback === undefined) {
        node.warn(RED._('telapi-voice.warn.badFallback'));
        fallback = fallbackDocument(DEFAULT_FALLBACK) as string;
      }
      const service = inboundXmlService(account?.baseUrl ?? '');
      const usable = isUsable(account) ? account : undefined;
      const answerAfter = seconds * 1000;
      const fallbackXml = fallback;
      /** The calls the flow has not answered yet: each one's answer when the node is stopped. */
      const unanswered = new Set<() => void>();
      // A redeploy drops the messages on their way: the callers hear the fallback now, not at the timeout.
      node.on('close', () => {
        for (const answerOnClose of [...unanswered]) answerOnClose();
      });

      return ({ req, res, callback, callSid }) => {
        const answerFallback = (): void => {
          answerInboundXml(res, fallbackXml);
        };
        // The flow has `seconds` to answer; then the caller hears the fallback, and the log says which call.
        const timer = setTimeout(() => {
          if (answerInboundXml(res, fallbackXml)) node.warn(RED._('telapi-voice.warn.fallback', { call: callSid, seconds: seconds as number }));
        }, answerAfter);
        const answerOnClose = (): void => {
          if (answerInboundXml(res, fallbackXml)) node.warn(RED._('telapi-voice.warn.closedFallback', { call: callSid }));
        };
        unanswered.add(answerOnClose);
        const answered = (): void => {
          clearTimeout(timer);
          unanswered.delete(answerOnClose);
        };
        res.once('close', answered);
        res.once('finish', answered);
        setVoiceContext(res, { callSid, account: usable, service, answerFallback });
        const msg: NodeMessage & Record<string, unknown> = { payload: callback.params, callSid, req, res: { _res: res } };
        node.send(msg);
      };
    },
  });

  registerVoiceUrlRoute(RED);
};
