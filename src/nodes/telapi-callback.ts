import type { Express, Request, Response } from 'express';
import cors, { type CorsOptions } from 'cors';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { SIGNATURE_HEADER } from '../telapi';
import {
  DEFAULT_CALLBACK_SECURITY,
  callbackFields,
  checkCallback,
  isCallbackSecurity,
  parseCallbackBody,
  type CallbackRejection,
  type CallbackSecurity,
} from '../telapi/callback';
import { accountProblem, isUsable, type AccountProblem, type TelApiAccountNode } from './account-types';
import { CALLBACK_BODY_LIMIT, DEFAULT_BODY_TIMEOUT_MS, REJECTION_STATUS, answer, callbackBody, captureMiddleware, refuseOversize, refuseSlow } from './callback-body';
import { adminOwnsPath, claimPath, normaliseCallbackPath, installAtTop, isOwnedPath, mountPath, releasePath, rootApp, type Handler, type Listener, type RouteOptions } from './callback-routes';
import { cachedText } from './cached-text';
import { WarningLimiter } from './warning-limiter';

interface TelApiCallbackDef extends NodeDef {
  account?: string;
  url?: string;
  security?: string;
}

/** Why the node cannot take callbacks at all; each names telapi-callback.errors.* and .status.*. */
type ConfigProblem = AccountProblem | 'httpDisabled' | 'badUrl' | 'adminUrl' | 'badSecurity' | 'noPublicUrl';

/** Why one callback got no message; names telapi-callback.reason.*. */
type Refusal = CallbackRejection | 'unavailable';

/** At most one summary of suppressed rejection warnings per this many ms. */
const WARNING_WINDOW_MS = 60_000;
/** What an accepted callback gets back: an empty InboundXML document, harmless wherever TelAPI reads it. */
const ACCEPTED_BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<Response></Response>\n';

/** The path and query as received, relative to where RED.httpNode is mounted (httpNodeRoot). */
function receivedUrl(req: Request): string {
  const original = req.originalUrl || req.url;
  const base = req.baseUrl || '';
  if (original.startsWith('/') && original.startsWith(base)) {
    const relative = original.slice(base.length);
    return relative.startsWith('/') ? relative : `/${relative}`;
  }
  return req.url;
}

export = function register(RED: NodeAPI): void {
  const settings = RED.settings as unknown as Record<string, unknown>;
  const receivedText = cachedText(RED._, 'telapi-callback.status.received', 'count');

  function TelApiCallback(this: Node, config: TelApiCallbackDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const t = (key: string, params?: Record<string, string | number>): string => RED._(`telapi-callback.${key}`, params);

    const security: CallbackSecurity | undefined =
      config.security === undefined || config.security === '' ? DEFAULT_CALLBACK_SECURITY : isCallbackSecurity(config.security) ? config.security : undefined;
    const path = normaliseCallbackPath(config.url);
    const account = config.account ? (RED.nodes.getNode(config.account) as TelApiAccountNode | null) : null;

    let problem: ConfigProblem | undefined;
    if (settings.httpNodeRoot === false) problem = 'httpDisabled';
    else if (path === undefined) problem = 'badUrl';
    else if (adminOwnsPath(RED.httpAdmin, RED.httpNode, path, settings.httpAdminRoot === false)) problem = 'adminUrl';
    else if (security === undefined) problem = 'badSecurity';
    else if (security !== 'none') {
      problem = accountProblem(account) ?? (isUsable(account) ? undefined : 'missingCredentials');
      if (!problem && security === 'signature' && !account?.publicUrl) problem = 'noPublicUrl';
    }

    const showProblem = (key: ConfigProblem | 'duplicateUrl'): void => {
      node.status({ fill: 'red', shape: 'ring', text: t(`status.${key}`) });
      node.error(t(`errors.${key}`, { url: path ?? String(config.url ?? ''), security: String(config.security) }));
    };
    if (problem) showProblem(problem);
    if (problem === 'httpDisabled' || problem === 'badUrl' || problem === 'adminUrl' || path === undefined) return;
    const route: string = path;

    let received = 0;
    let rejected = 0;
    let closed = false;
    const warnings = new WarningLimiter(
      WARNING_WINDOW_MS,
      (details) => node.warn(t('warn.rejected', details)),
      (count, last) => node.warn(t('warn.rejectedSummary', { ...last, count })),
    );
    const middlewareWarnings = new WarningLimiter(
      WARNING_WINDOW_MS,
      (details) => node.warn(t('warn.middleware', details)),
      (count, last) => node.warn(t('warn.middlewareSummary', { ...last, count })),
    );

    /** Refuses one callback: an HTTP error, a red status, a rate-limited warning; never a secret. */
    function refuse(req: Request, res: Response, reason: Refusal): void {
      const status = reason === 'unavailable' ? 503 : REJECTION_STATUS[reason];
      if (reason === 'tooLarge') refuseOversize(req, res, bodyTimeoutMs());
      else if (reason === 'slowBody') refuseSlow(req, res);
      else answer(res, status);
      if (closed) return;
      rejected += 1;
      const reasonText = t(`reason.${reason}`);
      // A configuration problem stays on show: it is what the user has to fix.
      if (!problem) node.status({ fill: 'red', shape: 'ring', text: t('status.rejected', { reason: reasonText, count: rejected }) });
      warnings.report({ url: route, from: req.socket.remoteAddress ?? '?', reason: reasonText, status: String(status) });
    }

    async function receive(req: Request, res: Response): Promise<void> {
      if (problem || !security) return refuse(req, res, 'unavailable');
      const read = await callbackBody(req, CALLBACK_BODY_LIMIT, bodyTimeoutMs());
      if (read.kind === 'aborted') return;
      if (read.kind === 'tooLarge') return refuse(req, res, 'tooLarge');
      if (read.kind === 'slow') return refuse(req, res, 'slowBody');
      if (read.kind === 'badLength') return refuse(req, res, 'badBody');
      const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const parsed =
        encoding === 'identity' || encoding === ''
          ? parseCallbackBody(read.body as Uint8Array | string | object | undefined, req.headers['content-type'])
          : ({ ok: false, reason: 'unsupportedBody' } as const);
      if (!parsed.ok) return refuse(req, res, parsed.reason);
      const signature = req.headers[SIGNATURE_HEADER];
      const verdict = checkCallback(
        { callback: parsed.callback, relativeUrl: receivedUrl(req), signature: Array.isArray(signature) ? signature[0] : signature },
        { security, verifier: isUsable(account) ? account.authenticator : undefined, publicUrl: account?.publicUrl },
      );
      if (!verdict.ok) return refuse(req, res, verdict.reason);
      if (closed) return refuse(req, res, 'unavailable');

      // TelAPI only needs a 2xx: answer first, then hand the callback to the flow.
      answer(res, 200, ACCEPTED_BODY, 'application/xml; charset=utf-8');
      received += 1;
      node.status({ fill: 'green', shape: 'dot', text: receivedText(received) });
      const fields = callbackFields(parsed.callback.params);
      const msg: NodeMessage = { payload: parsed.callback.params, ...fields };
      node.send(msg);
    }

    const listener: Listener = {
      handle(req, res) {
        receive(req, res).catch((error: unknown) => {
          node.error(t('errors.internal', { url: route, error: error instanceof Error ? error.message : String(error) }));
          answer(res, 500);
        });
      },
      failed(error, _req, res) {
        // A middleware (httpNodeMiddleware) failed the request before it reached this node.
        middlewareWarnings.report({ url: route, error: error instanceof Error ? error.message : String(error) });
        answer(res, 500);
      },
      promoted() {
        node.status(problem ? { fill: 'red', shape: 'ring', text: t(`status.${problem}`) } : {});
        node.log(t('log.promoted', { url: route }));
      },
    };

    installBodyCapture(RED.httpNode, RED.httpAdmin);
    const owner = claimPath(RED.httpNode, route, listener, routeOptions());
    if (!owner) showProblem('duplicateUrl');

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      releasePath(RED.httpNode, route, listener);
      warnings.close();
      middlewareWarnings.close();
      node.status({});
      done();
    });
  }

  /** The callback body's time limit: `telapiCallbackReadTimeout` seconds, or the default. */
  function bodyTimeoutMs(): number {
    const seconds = Number(settings.telapiCallbackReadTimeout);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_BODY_TIMEOUT_MS;
  }
  const bodyLimits = (): { limit: number; timeoutMs: number } => ({ limit: CALLBACK_BODY_LIMIT, timeoutMs: bodyTimeoutMs() });

  /**
   * Reads callback bodies at the top of the root app, before the admin API's body parsers can
   * re-parse them: with httpAdminRoot a prefix of the callback's path (the default: both "/") the
   * admin app sees every such POST first. Elsewhere the route reads the body itself, after
   * httpNodeMiddleware, as the core http in node does.
   */
  function installBodyCapture(httpNode: Express, httpAdmin: Express | undefined): void {
    const root = rootApp(httpNode);
    if (!httpAdmin || settings.httpAdminRoot === false || rootApp(httpAdmin) !== root || root === httpNode) return;
    const under = (pathname: string, prefix: string): string | undefined => {
      if (prefix === '') return pathname;
      const lower = pathname.toLowerCase();
      const lowerPrefix = prefix.toLowerCase();
      if (lower !== lowerPrefix && !lower.startsWith(`${lowerPrefix}/`)) return undefined;
      return pathname.slice(prefix.length) || '/';
    };
    const takes = (req: Request): boolean => {
      const query = req.url.indexOf('?');
      const pathname = query === -1 ? req.url : req.url.slice(0, query);
      if (under(pathname, mountPath(httpAdmin)) === undefined) return false;
      const relative = under(pathname, mountPath(httpNode));
      return relative !== undefined && isOwnedPath(httpNode, relative);
    };
    installAtTop(root, captureMiddleware(takes, bodyLimits) as Handler);
  }

  /** As the core http in node: httpNodeMiddleware, and httpNodeCors through the `cors` package. */
  function routeOptions(): RouteOptions {
    const corsOptions = settings.httpNodeCors;
    return {
      middleware: settings.httpNodeMiddleware,
      ...(corsOptions ? { cors: cors(corsOptions as CorsOptions) as Handler } : {}),
    };
  }

  RED.nodes.registerType('telapi-callback', TelApiCallback);
};
