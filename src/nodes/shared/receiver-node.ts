import type { Express, Request, Response } from 'express';
import cors, { type CorsOptions } from 'cors';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import {
  DEFAULT_CALLBACK_SECURITY,
  SIGNATURE_HEADER,
  canonicalPublicUrl,
  checkCallback,
  constantTimeEqual,
  isCallbackSecurity,
  paramString,
  type CallbackRejection,
  type CallbackSecurity,
  type ParseResult,
  type ParsedCallback,
} from '../../telapi';
import { accountProblem, isUsable, type AccountProblem, type TelApiAccountNode } from './account';
import { CALLBACK_BODY_LIMIT, DEFAULT_BODY_TIMEOUT_MS, REJECTION_STATUS, UNREAD_BODY_REFUSAL, answerRefusal, callbackBody, captureMiddleware, isUnreadBody, answer, type BodyResult } from './body';
import { cachedText } from './cached-text';
import { mountPath, rootApp } from './express';
import { normaliseNodePath } from './paths';
import { TEST_HEADER, TEST_PARAM, markerHeader, noteArrival, readMarker, registerReachabilityTest, testReachability, type Senders, type TestTarget } from './reachability';
import { adminOwnsPath, claimPath, endRestart, installAtTop, isOwnedPath, pathBelow, pathKey, releasePath, requestPath, type Handler, type Listener, type RouteOptions } from './routes';
import { nodeCloseTimeoutMs, positiveSecondsMs, settingsOf } from './settings';
import { WarningLimiter } from './warning-limiter';

/**
 * The base of every node that receives TelAPI's requests on Node-RED's HTTP server (callback,
 * voice): its path (checked, claimed from the shared dispatcher, released on close), the body read
 * within limits, the request checked (token or path key, signature, none), refusals answered and
 * warned about without a secret, and the reachability test. A node type supplies how a request's
 * parameters are read (`parse`) and, per node, what an authentic request becomes (`create`).
 *
 * Each node type's catalog holds `errors.*` and `status.*` for every ConfigProblem and
 * `duplicateUrl`, `errors.internal`, `status.rejected`, `status.received`, `reason.*` for every
 * Refusal, `warn.{rejected,rejectedSummary,middleware,middlewareSummary,httpNodeAuth,shadowsHttpIn}`,
 * `log.promoted`, `log.reachable`, `warn.unreachable`, `test.cause.*`, `test.signedElsewhere` and
 * `http.notAllowed`.
 */
export interface ReceiverNodeType {
  readonly type: string;
  /** The methods TelAPI uses for this kind of request. */
  readonly methods: readonly ('GET' | 'POST')[];
  /** Node settings the type exports to the editor (RED.nodes.registerType's `settings`). */
  readonly settings?: Record<string, { value: unknown; exportable: boolean }>;
  /** The other node types' properties whose URLs TelAPI is given to call this type's nodes at. */
  readonly senders: Senders;
  /** The request's parameters from its query or body (`body` as read, or what a middleware parsed). */
  parse(req: Request, body: unknown): ParseResult;
  /**
   * At deploy, for one node (its properties in `config`): what an authentic request becomes; the
   * node answers it, or hands it to the flow to answer.
   */
  create(node: Node, config: ReceiverNodeDef, account: TelApiAccountNode | null): (request: Accepted) => void;
}

export interface Accepted {
  req: Request;
  res: Response;
  callback: ParsedCallback;
  callSid: string;
  /** The path it came to, as configured. */
  path: string;
}

export interface ReceiverNodeDef extends NodeDef {
  account?: string;
  url?: string;
  security?: string;
}

/** Why the node cannot take requests at all; each names `errors.*` and `status.*`. */
export type ConfigProblem = AccountProblem | 'httpDisabled' | 'badUrl' | 'adminUrl' | 'badSecurity' | 'noPublicUrl';

/** Why one request got no message; names `reason.*`. */
export type Refusal = CallbackRejection | 'unavailable';

/** The deploy-time reachability check waits this long: the other nodes of the deploy have started. */
const REACHABILITY_CHECK_DELAY_MS = 2_000;
/** At most one summary of suppressed rejection warnings per this many ms. */
const WARNING_WINDOW_MS = 60_000;
/** What a reachability test request gets back: an empty InboundXML document, harmless wherever TelAPI reads it. */
export const EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?>\n<Response></Response>\n';
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

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

/** The path and query as received, relative to where RED.httpNode is mounted (httpNodeRoot). */
export function receivedUrl(req: Request): string {
  const original = originForm(req.originalUrl || req.url);
  const base = req.baseUrl || '';
  if (original.startsWith('/') && original.startsWith(base)) {
    const relative = original.slice(base.length);
    return relative.startsWith('/') ? relative : `/${relative}`;
  }
  return originForm(req.url);
}

export function registerReceiverNode(RED: NodeAPI, type: ReceiverNodeType): void {
  const settings = settingsOf(RED);
  const t = (key: string, params?: Record<string, string | number>): string => RED._(`${type.type}.${key}`, params);
  const receivedText = cachedText(RED._, `${type.type}.status.received`, 'count');
  const targets = new Map<string, TestTarget>();
  const bodyTimeoutMs = (): number => positiveSecondsMs(settings.telapiCallbackReadTimeout, DEFAULT_BODY_TIMEOUT_MS);

  function ReceiverNode(this: Node, config: ReceiverNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const security: CallbackSecurity | undefined =
      config.security === undefined || config.security === '' ? DEFAULT_CALLBACK_SECURITY : isCallbackSecurity(config.security) ? config.security : undefined;
    const path = normaliseNodePath(config.url);
    const account = config.account ? (RED.nodes.getNode(config.account) as TelApiAccountNode | null) : null;
    const shownUrl = path ?? String(config.url ?? '');

    let problem: ConfigProblem | undefined;
    if (settings.httpNodeRoot === false) problem = 'httpDisabled';
    else if (path === undefined) problem = 'badUrl';
    else if (adminOwnsPath(RED.httpAdmin, RED.httpNode, path, settings.httpAdminRoot === false)) problem = 'adminUrl';
    else if (security === undefined) problem = 'badSecurity';
    else if (security !== 'none') {
      problem = accountProblem(account) ?? (isUsable(account) ? undefined : 'missingCredentials');
      if (!problem && security === 'signature' && canonicalPublicUrl(account?.publicUrl ?? '') === undefined) problem = 'noPublicUrl';
    }
    if (settings.httpNodeAuth && !account?.callbackCredentials) node.warn(t('warn.httpNodeAuth', { url: shownUrl }));

    const showProblem = (key: ConfigProblem | 'duplicateUrl'): void => {
      node.status({ fill: 'red', shape: 'ring', text: t(`status.${key}`) });
      node.error(t(`errors.${key}`, { url: shownUrl, security: String(config.security) }));
    };
    if (problem) showProblem(problem);
    if (problem === 'httpDisabled' || problem === 'badUrl' || problem === 'adminUrl' || path === undefined) {
      if (settings.httpNodeRoot !== false) endRestart(RED.httpNode, node.id);
      // Deployed, but listening nowhere: the reachability test says why instead of "deploy first".
      const key: ConfigProblem = problem ?? 'badUrl';
      targets.set(node.id, { path: path ?? '', account, unavailable: true, problem: t(`errors.${key}`, { url: shownUrl }) });
      node.on('close', (_removed: boolean, done: () => void) => {
        targets.delete(node.id);
        done();
      });
      return;
    }
    const route: string = path;
    const accept = type.create(node, config, account);

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

    /** Refuses one request: an HTTP error, a red status, a rate-limited warning; never a secret. */
    function refuse(req: Request, res: Response, reason: Refusal, test?: string): void {
      const status = reason === 'unavailable' ? 503 : REJECTION_STATUS[reason];
      if (reason === 'unavailable') answer(res, status);
      else answerRefusal(req, res, reason, bodyTimeoutMs());
      if (test !== undefined) return noteArrival(test, { nodeId: node.id, verdict: reason });
      if (closed) return;
      rejected += 1;
      const reasonText = t(`reason.${reason}`);
      // A configuration problem stays on show: it is what the user has to fix.
      if (!problem) node.status({ fill: 'red', shape: 'ring', text: t('status.rejected', { reason: reasonText, count: rejected }) });
      // req.ip: the client as Express sees it under Node-RED's trust proxy setting (httpServerOptions).
      warnings.report({ url: route, from: req.ip ?? req.socket.remoteAddress ?? '?', reason: reasonText, status: String(status) });
    }

    /** The request's body, unless it is refused for its size, speed or framing. */
    async function bodyOf(req: Request): Promise<BodyResult> {
      if (req.method === 'GET' || req.method === 'HEAD') return { kind: 'parsed', body: undefined };
      return callbackBody(req, CALLBACK_BODY_LIMIT, bodyTimeoutMs());
    }

    async function receive(req: Request, res: Response): Promise<void> {
      const test = readMarker(req.headers[TEST_HEADER]);
      if (problem || !security) return refuse(req, res, 'unavailable', test);
      const read = await bodyOf(req);
      if (read.kind === 'aborted') return;
      if (isUnreadBody(read)) return refuse(req, res, UNREAD_BODY_REFUSAL[read.kind], test);
      const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const parsed: ParseResult = encoding === 'identity' || encoding === '' ? type.parse(req, read.body) : { ok: false, reason: 'unsupportedBody' };
      if (!parsed.ok) return refuse(req, res, parsed.reason, test);
      // A test request's body names its marker: without the awaited marker beside it, it is a replay.
      if (Object.prototype.hasOwnProperty.call(parsed.callback.params, TEST_PARAM)) {
        const testParam = paramString(parsed.callback.params, TEST_PARAM);
        if (test === undefined || testParam === undefined || !constantTimeEqual(testParam, markerHeader(req))) {
          return refuse(req, res, 'staleTest', undefined);
        }
      }
      const signature = req.headers[SIGNATURE_HEADER];
      const verdict = checkCallback(
        { callback: parsed.callback, relativeUrl: receivedUrl(req), signature: Array.isArray(signature) ? signature[0] : signature },
        { security, verifier: isUsable(account) ? account.authenticator : undefined, publicUrl: account?.publicUrl, path: route },
      );
      if (!verdict.ok) return refuse(req, res, verdict.reason, test);
      if (closed) return refuse(req, res, 'unavailable', test);
      if (test !== undefined) {
        // A reachability test (a marker only this process can make): answered, never a message.
        answer(res, 200, EMPTY_RESPONSE, XML_CONTENT_TYPE);
        return noteArrival(test, { nodeId: node.id, verdict: 'accepted' });
      }
      received += 1;
      node.status({ fill: 'green', shape: 'dot', text: receivedText(received) });
      accept({ req, res, callback: parsed.callback, callSid: verdict.callSid, path: route });
    }

    const listener: Listener = {
      id: node.id,
      methods: type.methods,
      notAllowedText: t('http.notAllowed'),
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
    warnAboutHttpIn(node, route);
    targets.set(node.id, { path: route, account, unavailable: !!problem || !owner, security, senders: type.senders });
    // A wrong public URL is in the log before the first call is lost, not only after a click.
    const check = owner && !problem && settings.telapiReachabilityCheck !== false ? setTimeout(checkReachability, REACHABILITY_CHECK_DELAY_MS) : undefined;

    function checkReachability(): void {
      void testReachability(RED, type.type, node.id, targets.get(node.id)).then((result) => {
        if (closed) return;
        const url = result.url ?? route;
        for (const sender of result.elsewhere ?? []) node.warn(t('test.signedElsewhere', { ...sender, expected: result.expected ?? '', path: route }));
        if (result.cause === 'arrived') return node.log(t('log.reachable', { url }));
        const params = { url, status: result.status ?? '', error: result.error ?? '', detail: result.detail ?? '', reason: result.reason ?? '', root: result.root ?? '', problem: result.problem ?? '', host: result.host ?? '' };
        node.warn(t('warn.unreachable', { url, finding: t(`test.cause.${result.cause}`, params) }));
      }, () => undefined);
    }

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      clearTimeout(check);
      targets.delete(node.id);
      // Redeployed rather than removed: until the new node claims the path (other nodes' closes may
      // hold the deploy up to Node-RED's close timeout), TelAPI is told to retry, not that the URL is gone.
      releasePath(RED.httpNode, route, listener, removed ? 0 : nodeCloseTimeoutMs(settings) + 5_000);
      warnings.close();
      middlewareWarnings.close();
      node.status({});
      done();
    });
  }

  /** This node answers its path ahead of Node-RED's router: a core http in node there never fires. */
  function warnAboutHttpIn(node: Node, route: string): void {
    const routeKey = pathKey(RED.httpNode, route);
    RED.nodes.eachNode((other: NodeDef & { url?: unknown }) => {
      if (other.type !== 'http in') return;
      const otherPath = normaliseNodePath(other.url);
      if (otherPath !== undefined && pathKey(RED.httpNode, otherPath) === routeKey) node.warn(t('warn.shadowsHttpIn', { url: route, node: other.name || other.id }));
    });
  }

  const bodyLimits = (): { limit: number; timeoutMs: number } => ({ limit: CALLBACK_BODY_LIMIT, timeoutMs: bodyTimeoutMs() });

  /**
   * Reads request bodies at the top of the root app, before the admin API's body parsers can
   * re-parse them: with httpAdminRoot a prefix of the node's path (the default: both "/") the admin
   * app sees every such POST first. Elsewhere the route reads the body itself, after
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

  registerReachabilityTest(RED, type.type, targets);
  RED.nodes.registerType(type.type, ReceiverNode, type.settings ? { settings: type.settings } : undefined);
}
