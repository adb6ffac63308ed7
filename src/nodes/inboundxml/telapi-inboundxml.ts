import type { Request, Response } from 'express';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  DEFAULT_FALLBACK,
  buildInboundXml,
  checkInboundXmlVerbs,
  fallbackDocument,
  inboundXmlService,
  shortSid,
  type InboundXmlAccount,
  type InboundXmlService,
} from '../../telapi';
import { isUsable, type TelApiAccountNode } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { inboundxmlRules } from '../shared/editor-rules';
import { localizedError } from '../shared/errors';
import { endWithError, readableError, shorten } from '../shared/request-node';
import { answerInboundXml, expressResponseOf, voiceContextOf } from '../shared/voice-context';

interface InboundXmlDef extends NodeDef {
  verbs?: unknown;
}

type InboundXmlMessage = NodeMessageInFlow & { res?: unknown; inboundxml?: unknown; callSid?: unknown };
type Send = (msg: InboundXmlMessage) => void;
type Done = (error?: Error) => void;

/** Where a deploy-time check looks: Zang's schema has every verb, so nothing valid is refused before the service is known. */
const CHECK_SERVICE: InboundXmlService = 'zang';
/** Without a voice node's request, `/path` URLs have no public URL; with msg.res of a core http in node, this answers a failure. */
const PLAIN_FALLBACK = fallbackDocument(DEFAULT_FALLBACK) as string;

/**
 * telapi-inboundxml: builds InboundXML from the verbs edited in the dialog (and msg.inboundxml) and
 * answers the voice request of msg.res with it (docs/design.md, "Calls"). A bad verb or value is an
 * error to Catch, and the caller hears the voice node's fallback at once.
 */
export = function register(RED: NodeAPI): void {
  const answeredText = cachedText(RED._, 'telapi-inboundxml.status.answered', 'call');
  const builtText = cachedText(RED._, 'telapi-inboundxml.status.built');

  function TelApiInboundXml(this: Node, config: InboundXmlDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const verbs = config.verbs ?? [];
    let configError: Error | undefined;
    try {
      checkInboundXmlVerbs(verbs, CHECK_SERVICE);
    } catch (error) {
      configError = localizedError(RED, 'telapi-inboundxml', error);
      node.status({ fill: 'red', shape: 'ring', text: shorten(configError.message) });
    }

    node.on('input', (incoming: NodeMessageInFlow, send: Send, done: Done) => {
      const msg = incoming as InboundXmlMessage;
      const res = expressResponseOf(msg.res);
      const context = voiceContextOf(res);
      const callSid = context?.callSid ?? (typeof msg.callSid === 'string' ? msg.callSid : undefined);
      try {
        if (configError) throw configError;
        const xml = buildInboundXml({ verbs, extra: msg.inboundxml }, {
          service: context?.service ?? CHECK_SERVICE,
          account: context?.account && lent(context.account),
          callSid,
          resolve: (expression) => messageValue(RED, msg, expression),
        });
        if (res && !answerInboundXml(res, xml)) node.warn(RED._('telapi-inboundxml.warn.alreadyAnswered', { call: callSid ?? '?' }));
        // The answer carries the callback credentials for TelAPI; the flow gets it without them.
        msg.payload = context?.account ? context.account.redactor.withoutCredentials(xml) : xml;
        const text = callSid ? answeredText(shortSid(callSid)) : builtText();
        node.status({ fill: 'green', shape: 'dot', text });
        send(msg);
        done();
      } catch (error) {
        const failure = configError !== undefined && error === configError ? configError : readableError(RED, 'telapi-inboundxml', error, context?.account);
        // Never leave the caller waiting: the fallback now, not at the voice node's timeout.
        if (context) context.answerFallback();
        else if (res) answerInboundXml(res, PLAIN_FALLBACK);
        node.status({ fill: 'red', shape: 'ring', text: shorten(failure.message) });
        endWithError(node, msg, failure, done, ['payload'], RED.util.cloneMessage);
      }
    });
  }

  RED.nodes.registerType('telapi-inboundxml', TelApiInboundXml, {
    settings: {
      telapiInboundxmlRules: { value: inboundxmlRules(CHECK_SERVICE), exportable: true },
    },
  });

  registerPreviewRoute(RED);
};

/**
 * A placeholder's value: the msg property, or undefined (an empty text) when it or any parent of it is
 * missing, as in core's template node; RED.util.getMessageProperty throws on a missing parent. A
 * malformed expression, or a getter that throws, is still an error.
 */
function messageValue(RED: NodeAPI, msg: NodeMessage, expression: string): unknown {
  const parts = RED.util.normalisePropertyExpression(expression.startsWith('msg.') ? expression.slice(4) : expression, msg);
  let value: unknown = msg;
  for (const part of parts) {
    if (value === undefined || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** What the builder may use of an account: its public URL and the tokens, never the AuthToken. */
function lent(account: TelApiAccountNode & { authenticator: NonNullable<TelApiAccountNode['authenticator']> }): InboundXmlAccount {
  return { publicUrl: account.publicUrl, authenticator: account.authenticator, callbackCredentials: account.callbackCredentials };
}

/** What the dialog's preview shows in place of a token or key (they depend on the call, or are secret). */
const PREVIEW_CREDENTIAL = 'TOKEN';

/**
 * POST /telapi-inboundxml/preview { verbs, account? } answers { xml } as the node would build it for
 * that account's service and public URL (tokens and keys shown as TOKEN, placeholders empty), or
 * { error, field } naming the first problem.
 */
function registerPreviewRoute(RED: NodeAPI): void {
  RED.httpAdmin.post('/telapi-inboundxml/preview', RED.auth.needsPermission('telapi-inboundxml.read'), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { verbs?: unknown; account?: unknown };
    const account = typeof body.account === 'string' ? (RED.nodes.getNode(body.account) as TelApiAccountNode | null) : null;
    const masked = { tokenFor: (): string => PREVIEW_CREDENTIAL, keyFor: (): string => PREVIEW_CREDENTIAL };
    try {
      const xml = buildInboundXml({ verbs: body.verbs ?? [] }, {
        service: account ? inboundXmlService(account.baseUrl) : CHECK_SERVICE,
        account: isUsable(account) ? { publicUrl: account.publicUrl, authenticator: masked } : undefined,
        callSid: 'CA00000000000000000000000000000000',
      });
      res.json({ xml });
    } catch (error) {
      const readable = localizedError(RED, 'telapi-inboundxml', error);
      res.json({ error: readable.message, field: (error as { field?: unknown }).field ?? '' });
    }
  });
}
