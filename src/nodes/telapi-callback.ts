import type { Express, NextFunction, Request, Response } from 'express';
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
import { cachedText } from './cached-text';

interface TelApiCallbackDef extends NodeDef {
  account?: string;
  url?: string;
  security?: string;
}

/** Why the node cannot take callbacks at all; each names telapi-callback.errors.* and .status.*. */
type ConfigProblem = AccountProblem | 'httpDisabled' | 'badUrl' | 'badSecurity' | 'noPublicUrl';

/** Why one callback got no message; names telapi-callback.reason.*. */
type Refusal = CallbackRejection | 'unavailable';

type Handler = (req: Request, res: Response, next: NextFunction) => void;
type ErrorHandler = (err: unknown, req: Request, res: Response, next: NextFunction) => void;

/** At most one summary of suppressed rejection warnings per this many ms. */
const WARNING_WINDOW_MS = 60_000;
/** After a 413, what the client still sends is read and dropped up to this many bytes; then the connection is cut. */
const DISCARD_LIMIT = DEFAULT_CALLBACK_BODY_LIMIT;
/** What an accepted callback gets back: an empty InboundXML document, harmless wherever TelAPI reads it. */
const ACCEPTED_BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<Response></Response>\n';
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 413: 'Payload Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/*
 * Route lifecycle.
 *
 * Express has no public way to remove a route. The core `http in` node splices
 * RED.httpNode._router.stack on close, which depends on Express internals (`_router` became `router`
 * in Express 5) and, with routes added and removed by index during a redeploy, can remove the wrong
 * layer. Here the Express route for a path is registered ONCE per RED.httpNode app, the first time
 * any callback node uses that path, and never removed. It is a dispatcher: it looks up the path's
 * current owner in a module-level registry (WeakMap app -> Map path -> slot) at request time.
 *
 * - A node claims its path when created and releases it on close, synchronously: no window in which
 *   two handlers are live, and nothing to race with.
 * - A path without an owner skips the route with next('route'): the request falls through to
 *   whatever else is registered (usually nothing: 404), and the user's httpNodeMiddleware is not run.
 * - However many redeploys, the Express stack holds exactly one route per distinct path ever used.
 * - A second node on a path that is owned gets an error (status and log) and waits: if the owner is
 *   removed by a later "modified nodes" deploy, the waiting node takes over and says so.
 */
interface Listener {
  handle(req: Request, res: Response): void;
  failed(error: unknown): void;
  promoted(): void;
}

interface PathSlot {
  owner: Listener | undefined;
  waiting: Listener[];
}

const slotsByApp = new WeakMap<object, Map<string, PathSlot>>();

/** The registry key of a path: it matches exactly the requests Express's route for it matches. */
function slotKey(app: Express, path: string): string {
  const enabled = (setting: string): boolean => typeof app.enabled === 'function' && app.enabled(setting);
  let key = path;
  if (!enabled('strict routing')) key = key.replace(/\/+$/, '') || '/';
  if (!enabled('case sensitive routing')) key = key.toLowerCase();
  return key;
}

function claimPath(app: Express, path: string, listener: Listener, install: (slot: PathSlot) => void): boolean {
  let slots = slotsByApp.get(app);
  if (!slots) slotsByApp.set(app, (slots = new Map()));
  const key = slotKey(app, path);
  let slot = slots.get(key);
  if (!slot) {
    slot = { owner: undefined, waiting: [] };
    slots.set(key, slot);
    install(slot);
  }
  if (slot.owner === undefined) {
    slot.owner = listener;
    return true;
  }
  slot.waiting.push(listener);
  return false;
}

function releasePath(app: Express, path: string, listener: Listener): void {
  const slot = slotsByApp.get(app)?.get(slotKey(app, path));
  if (!slot) return;
  slot.waiting = slot.waiting.filter((waiting) => waiting !== listener);
  if (slot.owner === listener) {
    slot.owner = slot.waiting.shift();
    slot.owner?.promoted();
  }
}

function answer(res: Response, status: number, body?: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent || res.writableEnded) return;
  const text = body ?? STATUS_TEXT[status] ?? '';
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

type BodyResult = { kind: 'body'; body: unknown } | { kind: 'tooLarge' } | { kind: 'aborted' };

/**
 * The request body: what a middleware (httpNodeMiddleware) already parsed, or the raw bytes, read
 * here with a size limit. Beyond the limit nothing more is buffered.
 */
function readBody(req: Request, limit: number): Promise<BodyResult> {
  const parsed = req as Request & { _body?: boolean };
  if (parsed._body === true || req.readableEnded) return Promise.resolve({ kind: 'body', body: req.body });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'tooLarge' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish({ kind: 'tooLarge' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => finish({ kind: 'body', body: Buffer.concat(chunks) });
    const onAborted = (): void => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
  });
}

/**
 * Answers 413 and stops buffering. The rest of the body is read and dropped up to DISCARD_LIMIT so a
 * client that is still sending gets to read the 413 (closing on unread data makes the peer's TCP
 * stack discard our answer); a client that keeps sending beyond that is cut off.
 */
function refuseOversize(req: Request, res: Response): void {
  const declared = Number(req.headers['content-length']);
  const hopeless = Number.isFinite(declared) && declared > DEFAULT_CALLBACK_BODY_LIMIT + DISCARD_LIMIT;
  if (hopeless) res.setHeader('Connection', 'close');
  answer(res, 413);
  if (hopeless) return;
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) req.socket.destroy();
  });
  req.resume();
}

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
    if (problem === 'httpDisabled' || problem === 'badUrl' || path === undefined) return;
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
      if (reason === 'tooLarge') refuseOversize(req, res);
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
      const read = await readBody(req, DEFAULT_CALLBACK_BODY_LIMIT);
      if (read.kind === 'aborted') return;
      if (read.kind === 'tooLarge') return refuse(req, res, 'tooLarge');
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
      failed(error) {
        // A middleware (httpNodeMiddleware) failed the request before it reached this node.
        middlewareWarnings.report({ url: route, error: error instanceof Error ? error.message : String(error) });
      },
      promoted() {
        node.status(problem ? { fill: 'red', shape: 'ring', text: t(`status.${problem}`) } : {});
        node.log(t('log.promoted', { url: route }));
      },
    };

    const owner = claimPath(RED.httpNode, route, listener, (slot) => installRoute(RED.httpNode, route, slot));
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

  /** The one Express route of a path (see "Route lifecycle" above). */
  function installRoute(app: Express, routePath: string, slot: PathSlot): void {
    const active: Handler = (_req, _res, next) => (slot.owner ? next() : next('route'));
    const dispatch: Handler = (req, res, next) => {
      const owner = slot.owner;
      if (owner) owner.handle(req, res);
      else next();
    };
    const failure: ErrorHandler = (error, _req, res, _next) => {
      slot.owner?.failed(error);
      answer(res, 500);
    };
    const handlers: unknown[] = [active];
    // As the core http in node: httpNodeMiddleware (a function or an array of them), then CORS.
    const middleware = settings.httpNodeMiddleware;
    if (typeof middleware === 'function' || Array.isArray(middleware)) handlers.push(middleware);
    const corsOptions = settings.httpNodeCors;
    const cors = corsOptions ? corsHandlers(corsOptions as CorsOptions) : undefined;
    if (cors) handlers.push(cors.simple);
    handlers.push(dispatch, failure);
    (app.post as (path: string, ...handlers: unknown[]) => unknown).call(app, routePath, ...handlers);
    if (cors) (app.options as (path: string, ...handlers: unknown[]) => unknown).call(app, routePath, active, cors.preflight);
  }

  RED.nodes.registerType('telapi-callback', TelApiCallback);
};
