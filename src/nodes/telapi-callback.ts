import type { Express, Request, Response } from 'express';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { SIGNATURE_HEADER } from '../telapi';
import {
  DEFAULT_CALLBACK_BODY_LIMIT,
  DEFAULT_CALLBACK_SECURITY,
  REJECTION_STATUS,
  callbackFields,
  checkCallback,
  isCallbackSecurity,
  normaliseCallbackPath,
  parseCallbackBody,
  type CallbackRejection,
  type CallbackSecurity,
} from '../telapi/callback';
import { accountProblem, isUsable, type AccountProblem, type TelApiAccountNode } from './account-types';
import { DEFAULT_BODY_TIMEOUT_MS, answer, callbackBody, captureMiddleware, refuseOversize, refuseSlow } from './callback-body';
import { adminOwnsPath, claimPath, installAtTop, isOwnedPath, mountPath, releasePath, rootApp, type Handler, type Listener, type RouteOptions } from './callback-routes';
import { cachedText } from './cached-text';

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

interface CorsOptions {
  origin?: unknown;
  methods?: string | string[];
  allowedHeaders?: string | string[];
  exposedHeaders?: string | string[];
  credentials?: boolean;
  maxAge?: number | string;
  optionsSuccessStatus?: number;
}

const list = (value: string | string[] | undefined): string | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value.join(',') : value;

/**
 * RED.settings.httpNodeCors for this node's route, with the options of the `cors` package that the
 * core http in node hands it to (that package is Node-RED's dependency, not ours, so the common
 * subset is implemented here): origin (string, true, RegExp, array, function), methods,
 * allowedHeaders, exposedHeaders, credentials, maxAge, optionsSuccessStatus.
 */
function corsHandlers(options: CorsOptions): { simple: Handler; preflight: Handler } {
  const matches = (allowed: unknown, origin: string): boolean => {
    if (Array.isArray(allowed)) return allowed.some((item) => matches(item, origin));
    if (allowed instanceof RegExp) return allowed.test(origin);
    return typeof allowed === 'string' && allowed === origin;
  };
  const resolveOrigin = (req: Request, then: (origin: unknown) => void): void => {
    const origin = options.origin === undefined ? '*' : options.origin;
    if (typeof origin === 'function') {
      (origin as (o: string | undefined, cb: (e: unknown, allow?: unknown) => void) => void)(req.headers.origin, (error, allow) =>
        then(error ? false : allow),
      );
    } else {
      then(origin);
    }
  };
  const setOrigin = (req: Request, res: Response, allowed: unknown): void => {
    const origin = req.headers.origin;
    if (allowed === '*') {
      res.setHeader('Access-Control-Allow-Origin', '*');
      return;
    }
    res.setHeader('Vary', 'Origin');
    if (typeof allowed === 'string') res.setHeader('Access-Control-Allow-Origin', allowed);
    else if (origin && (allowed === true || matches(allowed, origin))) res.setHeader('Access-Control-Allow-Origin', origin);
  };
  const common = (req: Request, res: Response, allowed: unknown): boolean => {
    if (allowed === false) return false;
    setOrigin(req, res, allowed);
    if (options.credentials === true) res.setHeader('Access-Control-Allow-Credentials', 'true');
    return true;
  };
  const simple: Handler = (req, res, next) =>
    resolveOrigin(req, (allowed) => {
      if (common(req, res, allowed)) {
        const exposed = list(options.exposedHeaders);
        if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
      }
      next();
    });
  const preflight: Handler = (req, res) =>
    resolveOrigin(req, (allowed) => {
      if (common(req, res, allowed)) {
        res.setHeader('Access-Control-Allow-Methods', list(options.methods) ?? 'GET,HEAD,PUT,PATCH,POST,DELETE');
        const headers = list(options.allowedHeaders) ?? req.headers['access-control-request-headers'];
        if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
        if (options.maxAge !== undefined) res.setHeader('Access-Control-Max-Age', String(options.maxAge));
      }
      res.statusCode = options.optionsSuccessStatus ?? 204;
      res.setHeader('Content-Length', '0');
      res.end();
    });
  return { simple, preflight };
}

/**
 * Rejection warnings, rate-limited: the first is logged at once; further ones within the window are
 * counted and logged as one summary when the window ends (or when the node closes).
 */
class WarningLimiter {
  #timer: NodeJS.Timeout | undefined;
  #suppressed = 0;
  #last: Record<string, string> | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly first: (details: Record<string, string>) => void,
    private readonly summary: (count: number, last: Record<string, string>) => void,
  ) {}

  report(details: Record<string, string>): void {
    if (this.#timer === undefined) {
      this.first(details);
      this.#startWindow();
    } else {
      this.#suppressed += 1;
      this.#last = details;
    }
  }

  #startWindow(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.flush()) this.#startWindow();
    }, this.windowMs);
    this.#timer.unref();
  }

  /** Logs the summary of what was suppressed, if anything; true if it did. */
  flush(): boolean {
    if (this.#suppressed === 0 || !this.#last) return false;
    this.summary(this.#suppressed, this.#last);
    this.#suppressed = 0;
    this.#last = undefined;
    return true;
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
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
      const read = await callbackBody(req, DEFAULT_CALLBACK_BODY_LIMIT, bodyTimeoutMs());
      if (read.kind === 'aborted') return;
      if (read.kind === 'tooLarge') return refuse(req, res, 'tooLarge');
      if (read.kind === 'slow') return refuse(req, res, 'slowBody');
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
  const bodyLimits = (): { limit: number; timeoutMs: number } => ({ limit: DEFAULT_CALLBACK_BODY_LIMIT, timeoutMs: bodyTimeoutMs() });

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

  function routeOptions(): RouteOptions {
    const corsOptions = settings.httpNodeCors;
    return {
      middleware: settings.httpNodeMiddleware,
      ...(corsOptions ? { cors: corsHandlers(corsOptions as CorsOptions) } : {}),
    };
  }

  RED.nodes.registerType('telapi-callback', TelApiCallback);
};
