import type { Express, Request, Response } from 'express';
import cors, { type CorsOptions } from 'cors';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { randomBytes } from 'node:crypto';
import { SIGNATURE_HEADER, canonicalPublicUrl, constantTimeEqual, paramString, publicUrlHasNodeRoot, resolveCallbackUrl, withoutUserinfo } from '../../telapi';
import {
  DEFAULT_CALLBACK_SECURITY,
  callbackFields,
  isCallbackSecurity,
  parseCallbackBody,
  type CallbackRejection,
  type CallbackSecurity,
} from '../../telapi';
import { checkCallback } from '../../telapi';
import { accountProblem, isUsable, type AccountProblem, type TelApiAccountNode } from '../shared/account';
import { CALLBACK_BODY_LIMIT, DEFAULT_BODY_TIMEOUT_MS, REJECTION_STATUS, answer, callbackBody, captureMiddleware, refuseOversize, refuseSlow } from '../shared/body';
import { mountPath, rootApp } from '../shared/express';
import { adminOwnsPath, claimPath, endRestart, installAtTop, isOwnedPath, pathBelow, pathKey, releasePath, requestPath, type Handler, type Listener, type RouteOptions } from '../shared/routes';
import { cachedText } from '../shared/cached-text';
import { normaliseNodePath } from '../shared/paths';
import { TEST_HEADER, TEST_PARAM, diagnose, newMarker, noteArrival, post, readMarker, type Arrival } from '../shared/reachability';
import { callbackRules } from '../shared/editor-rules';
import { nodeCloseTimeoutMs } from '../shared/settings';
import { WarningLimiter } from '../shared/warning-limiter';

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

/** The test marker header as sent ("" when absent). */
function markerHeader(req: Request): string {
  const value = req.headers[TEST_HEADER];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** A request target in origin form ("/path?query"), also when the request line held an absolute URL. */
function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return target;
  }
}

/** What the reachability test needs of a deployed callback node. */
interface TestTarget {
  path: string;
  account: TelApiAccountNode | null;
  unavailable: boolean;
  /** Why the node listens nowhere (its error text), when it does not. */
  problem?: string;
}

/** The path and query as received, relative to where RED.httpNode is mounted (httpNodeRoot). */
function receivedUrl(req: Request): string {
  const original = originForm(req.originalUrl || req.url);
  const base = req.baseUrl || '';
  if (original.startsWith('/') && original.startsWith(base)) {
    const relative = original.slice(base.length);
    return relative.startsWith('/') ? relative : `/${relative}`;
  }
  return originForm(req.url);
}

export = function register(RED: NodeAPI): void {
  const settings = RED.settings as unknown as Record<string, unknown>;
  const receivedText = cachedText(RED._, 'telapi-callback.status.received', 'count');
  const targets = new Map<string, TestTarget>();

  function TelApiCallback(this: Node, config: TelApiCallbackDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const t = (key: string, params?: Record<string, string | number>): string => RED._(`telapi-callback.${key}`, params);

    const security: CallbackSecurity | undefined =
      config.security === undefined || config.security === '' ? DEFAULT_CALLBACK_SECURITY : isCallbackSecurity(config.security) ? config.security : undefined;
    const path = normaliseNodePath(config.url);
    const account = config.account ? (RED.nodes.getNode(config.account) as TelApiAccountNode | null) : null;

    let problem: ConfigProblem | undefined;
    if (settings.httpNodeRoot === false) problem = 'httpDisabled';
    else if (path === undefined) problem = 'badUrl';
    else if (adminOwnsPath(RED.httpAdmin, RED.httpNode, path, settings.httpAdminRoot === false)) problem = 'adminUrl';
    else if (security === undefined) problem = 'badSecurity';
    else if (security !== 'none') {
      problem = accountProblem(account) ?? (isUsable(account) ? undefined : 'missingCredentials');
      if (!problem && security === 'signature' && canonicalPublicUrl(account?.publicUrl ?? '') === undefined) problem = 'noPublicUrl';
    }
    if (settings.httpNodeAuth && !account?.callbackCredentials) node.warn(t('warn.httpNodeAuth', { url: path ?? String(config.url ?? '') }));

    const showProblem = (key: ConfigProblem | 'duplicateUrl'): void => {
      node.status({ fill: 'red', shape: 'ring', text: t(`status.${key}`) });
      node.error(t(`errors.${key}`, { url: path ?? String(config.url ?? ''), security: String(config.security) }));
    };
    if (problem) showProblem(problem);
    if (problem === 'httpDisabled' || problem === 'badUrl' || problem === 'adminUrl' || path === undefined) {
      if (settings.httpNodeRoot !== false) endRestart(RED.httpNode, node.id);
      // Deployed, but listening nowhere: the reachability test says why instead of "deploy first".
      const key: ConfigProblem = problem ?? 'badUrl';
      targets.set(node.id, { path: path ?? '', account, unavailable: true, problem: t(`errors.${key}`, { url: path ?? String(config.url ?? '') }) });
      node.on('close', (_removed: boolean, done: () => void) => {
        targets.delete(node.id);
        done();
      });
      return;
    }
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
    function refuse(req: Request, res: Response, reason: Refusal, test?: string): void {
      const status = reason === 'unavailable' ? 503 : REJECTION_STATUS[reason];
      if (reason === 'tooLarge') refuseOversize(req, res, bodyTimeoutMs());
      else if (reason === 'slowBody') refuseSlow(req, res);
      else answer(res, status);
      if (test !== undefined) return noteArrival(test, { nodeId: node.id, verdict: reason });
      if (closed) return;
      rejected += 1;
      const reasonText = t(`reason.${reason}`);
      // A configuration problem stays on show: it is what the user has to fix.
      if (!problem) node.status({ fill: 'red', shape: 'ring', text: t('status.rejected', { reason: reasonText, count: rejected }) });
      // req.ip: the client as Express sees it under Node-RED's trust proxy setting (httpServerOptions).
      warnings.report({ url: route, from: req.ip ?? req.socket.remoteAddress ?? '?', reason: reasonText, status: String(status) });
    }

    async function receive(req: Request, res: Response): Promise<void> {
      const test = readMarker(req.headers[TEST_HEADER]);
      if (problem || !security) return refuse(req, res, 'unavailable', test);
      const read = await callbackBody(req, CALLBACK_BODY_LIMIT, bodyTimeoutMs());
      if (read.kind === 'aborted') return;
      if (read.kind === 'tooLarge') return refuse(req, res, 'tooLarge', test);
      if (read.kind === 'slow') return refuse(req, res, 'slowBody', test);
      if (read.kind === 'badLength') return refuse(req, res, 'badBody', test);
      const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const parsed =
        encoding === 'identity' || encoding === ''
          ? parseCallbackBody(read.body as Uint8Array | string | object | undefined, req.headers['content-type'])
          : ({ ok: false, reason: 'unsupportedBody' } as const);
      if (!parsed.ok) return refuse(req, res, parsed.reason, test);
      // A test callback's body names its marker: without the awaited marker beside it, it is a replay.
      if (Object.prototype.hasOwnProperty.call(parsed.callback.params, TEST_PARAM)) {
        const testParam = paramString(parsed.callback.params, TEST_PARAM);
        if (test === undefined || testParam === undefined || !constantTimeEqual(testParam, markerHeader(req))) {
          return refuse(req, res, 'staleTest', undefined);
        }
      }
      const signature = req.headers[SIGNATURE_HEADER];
      const verdict = checkCallback(
        { callback: parsed.callback, relativeUrl: receivedUrl(req), signature: Array.isArray(signature) ? signature[0] : signature },
        { security, verifier: isUsable(account) ? account.authenticator : undefined, publicUrl: account?.publicUrl },
      );
      if (!verdict.ok) return refuse(req, res, verdict.reason, test);
      if (closed) return refuse(req, res, 'unavailable', test);
      if (test !== undefined) {
        // A reachability test (a marker only this process can make): answered, never a message.
        answer(res, 200, ACCEPTED_BODY, 'application/xml; charset=utf-8');
        return noteArrival(test, { nodeId: node.id, verdict: 'accepted' });
      }

      // TelAPI only needs a 2xx: answer first, then hand the callback to the flow.
      answer(res, 200, ACCEPTED_BODY, 'application/xml; charset=utf-8');
      received += 1;
      node.status({ fill: 'green', shape: 'dot', text: receivedText(received) });
      const fields = callbackFields(parsed.callback.params);
      const msg: NodeMessage = { payload: parsed.callback.params, ...fields };
      node.send(msg);
    }

    const listener: Listener = {
      id: node.id,
      methods: ['POST'],
      notAllowedText: RED._('telapi-callback.http.notPost'),
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
    // This node answers its path ahead of Node-RED's router: a core http in node there never fires.
    const routeKey = pathKey(RED.httpNode, route);
    RED.nodes.eachNode((other: NodeDef & { url?: unknown }) => {
      if (other.type !== 'http in') return;
      const otherPath = normaliseNodePath(other.url);
      if (otherPath !== undefined && pathKey(RED.httpNode, otherPath) === routeKey) node.warn(t('warn.shadowsHttpIn', { url: route, node: other.name || other.id }));
    });
    targets.set(node.id, { path: route, account, unavailable: !!problem || !owner });

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      targets.delete(node.id);
      // Redeployed rather than removed: until the new node claims the path (other nodes' closes may
      // hold the deploy up to Node-RED's close timeout), TelAPI is told to retry, not that the URL is gone.
      releasePath(RED.httpNode, route, listener, removed ? 0 : restartWindowMs());
      warnings.close();
      middlewareWarnings.close();
      node.status({});
      done();
    });
  }

  /** How long a redeploy may keep a path without its node: Node-RED's close timeout, and time to start. */
  function restartWindowMs(): number {
    return nodeCloseTimeoutMs(settings) + 5_000;
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
    const takes = (req: Request): boolean => {
      const pathname = requestPath(req.url);
      if (pathBelow(pathname, mountPath(httpAdmin)) === undefined) return false;
      const relative = pathBelow(pathname, mountPath(httpNode));
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

  /**
   * The reachability test of a deployed callback node: a callback as the record node would send it
   * (token and signature, callback credentials), POSTed to the public URL from this runtime.
   */
  async function reachability(nodeId: string): Promise<Record<string, unknown>> {
    const target = targets.get(nodeId);
    if (!target) return { cause: 'notDeployed' };
    if (target.problem !== undefined) return { cause: 'misconfigured', problem: target.problem };
    const account = target.account;
    if (!account || canonicalPublicUrl(account.publicUrl) === undefined) return { cause: 'noPublicUrl' };
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const authenticator = account.authenticator;
    const url = resolveCallbackUrl('url', target.path, account.publicUrl, authenticator?.tokenFor(callSid) ?? 'test', account.callbackCredentials);
    const shown = withoutUserinfo(url);
    const marker = newMarker();
    const params = new URLSearchParams({
      AccountSid: authenticator?.accountSid ?? '',
      CallSid: callSid,
      RecordingSid: `RE${randomBytes(16).toString('hex')}`,
      RecordingDuration: '0',
      [TEST_PARAM]: marker.header,
    });
    const headers: Record<string, string> = { [TEST_HEADER]: marker.header };
    if (authenticator) headers[SIGNATURE_HEADER] = authenticator.sign(shown, params);
    const sent = await post(url, params.toString(), headers);
    const arrival: Arrival | undefined = marker.take();
    const cause = diagnose({
      sent,
      arrival,
      nodeId,
      hasNodeRoot: publicUrlHasNodeRoot(account.publicUrl, settings.httpNodeRoot),
      httpNodeAuth: !!settings.httpNodeAuth,
      hasCredentials: !!account.callbackCredentials,
    });
    return {
      cause,
      url: shown.replace(/([?&]token=)[^&]*/, '$1…'),
      ...(sent.status !== undefined ? { status: sent.status } : {}),
      ...(sent.error !== undefined ? { error: sent.error } : {}),
      detail: sent.error ?? `HTTP ${sent.status ?? 0}`,
      ...(arrival && arrival.verdict !== 'accepted' ? { reason: RED._(`telapi-callback.reason.${arrival.verdict}`) } : {}),
      root: typeof settings.httpNodeRoot === 'string' ? settings.httpNodeRoot : '/',
    };
  }

  RED.httpAdmin.post('/telapi-callback/:id/test', RED.auth.needsPermission('telapi-callback.write'), (req: Request, res: Response) => {
    reachability(String(req.params.id)).then(
      (result) => res.json(result),
      (error: unknown) => res.status(500).json({ cause: 'network', error: error instanceof Error ? error.message : String(error) }),
    );
  });

  RED.nodes.registerType('telapi-callback', TelApiCallback, {
    settings: { telapiCallbackRules: { value: callbackRules(settings), exportable: true } },
  });
};
