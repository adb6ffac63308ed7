import type { Express, NextFunction, Request, Response } from 'express';

/*
 * How callback requests reach their node.
 *
 * One dispatching middleware per RED.httpNode app, installed once near the top of its stack and
 * never removed, looks up the request's path in a registry (WeakMap app -> Map path -> slot) and
 * hands the request to the path's current owner. There are no per-path Express routes: the core
 * `http in` node's close handler splices every route of its path out of the router stack (and,
 * splicing while it iterates, can skip and so keep a stale route of its own that never answers);
 * a middleware layer is out of its reach, and sits ahead of any such stale route.
 *
 * - A node claims its path when created and releases it on close, synchronously.
 * - A path nobody owns is passed on (`next()`): whatever else is registered answers, usually 404.
 * - On an owned path any method but POST (and OPTIONS, for CORS) is answered 405 with `Allow: POST`.
 * - While a node that was not removed is being redeployed its path answers 503 with Retry-After,
 *   so TelAPI retries instead of being told the URL does not exist.
 * - A second node on an owned path gets an error (status and log) and waits: if the owner is removed
 *   by a later "modified nodes" deploy, the waiting node takes over and says so.
 */

export type Handler = (req: Request, res: Response, next: NextFunction) => void;

export interface Listener {
  /** The node's id: a redeployed node ends the 503 window of the path it had, wherever it now listens. */
  readonly id: string;
  handle(req: Request, res: Response): void;
  failed(error: unknown, req: Request, res: Response): void;
  /** It now owns the path it waited for: the node that had it was removed, or now listens elsewhere. */
  promoted(): void;
}

interface PathSlot {
  owner: Listener | undefined;
  waiting: Listener[];
  /** While its node is being redeployed (ms since epoch): requests get 503 until then. */
  restartingUntil: number;
  /** The id of the node being redeployed. */
  restartingFor: string | undefined;
}

export interface RouteOptions {
  /** httpNodeMiddleware, as the core http in node applies it: a function or an array of them. */
  middleware?: unknown;
  /** The CORS handler for httpNodeCors, if set: it answers preflight requests itself. */
  cors?: Handler;
  /** The one line a request other than POST gets with its 405. */
  notPostText?: string;
}

interface AppRoutes {
  slots: Map<string, PathSlot>;
  options: RouteOptions;
  dispatch: Handler;
}

/** The parts of Express's router internals read here; both Express 4 and 5 have them. */
interface Layer {
  route?: unknown;
  name?: string;
  handle?: unknown;
}

const routesByApp = new WeakMap<object, AppRoutes>();

/** The router stack of an Express 4 (`_router`) or 5 (`router`) app; undefined where neither is found. */
export function routerStack(app: object): Layer[] | undefined {
  // Express 4 creates its router on first use.
  const lazy = (app as { lazyrouter?: unknown }).lazyrouter;
  if (typeof lazy === 'function') lazy.call(app);
  let router: unknown = (app as { _router?: unknown })._router;
  if (router === undefined) {
    try {
      // Express 4 throws here ("app.router is deprecated"); Express 5 creates its router.
      router = (app as { router?: unknown }).router;
    } catch {
      router = undefined;
    }
  }
  const stack = (router as { stack?: unknown } | undefined)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

function enabled(app: Express, setting: string): boolean {
  return typeof app.enabled === 'function' && app.enabled(setting);
}

/** The registry key of a path: it matches the requests an Express route for the path would match. */
export function pathKey(app: Express, path: string): string {
  let key = path;
  if (!enabled(app, 'strict routing')) key = key.replace(/\/+$/, '') || '/';
  if (!enabled(app, 'case sensitive routing')) key = key.toLowerCase();
  return key;
}

/** Whether a callback node owns this path now (for the body capture). */
export function isOwnedPath(app: Express, relativePath: string): boolean {
  return routesByApp.get(app)?.slots.get(pathKey(app, relativePath))?.owner !== undefined;
}

/** The path of a request, also when its request line carried an absolute URL. */
export function requestPath(url: string): string {
  const query = url.indexOf('?');
  const target = query === -1 ? url : url.slice(0, query);
  if (target.startsWith('/')) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/**
 * Runs httpNodeMiddleware (a function or nested arrays of them, error handlers skipped as Express
 * skips them) and then `last`; an error goes to `failed`, a `next('route')` passes the request on.
 */
function runChain(handlers: unknown[], req: Request, res: Response, last: () => void, failed: (error: unknown) => void, passOn: () => void): void {
  const chain = (handlers.flat(Infinity) as unknown[]).filter(
    (handler): handler is Handler => typeof handler === 'function' && handler.length < 4,
  );
  let index = 0;
  const next = (error?: unknown): void => {
    if (error === 'route' || error === 'router') return passOn();
    if (error !== undefined && error !== null) return failed(error);
    const handler = chain[index++];
    if (!handler) return last();
    try {
      handler(req, res, next as NextFunction);
    } catch (thrown) {
      failed(thrown);
    }
  };
  next();
}

const RETRY_AFTER_SECONDS = 2;

function dispatcher(app: Express, routes: () => AppRoutes): Handler {
  // Named: a layer in the router stack that says what it is.
  const telapiCallbackDispatch: Handler = (req, res, next) => {
    const { slots, options } = routes();
    const slot = slots.get(pathKey(app, requestPath(req.url)));
    if (!slot) return next();
    // The node being redeployed did not come back in time: a node waiting for the path takes it.
    if (!slot.owner && slot.waiting.length > 0 && Date.now() >= slot.restartingUntil) promoteWaiting(slot);
    const owner = slot.owner;
    if (!owner && Date.now() >= slot.restartingUntil) return next();
    if (req.method !== 'POST' && req.method !== 'OPTIONS') {
      // A browser's check of the URL tells a right callback URL (405) from a wrong one (404).
      res.statusCode = 405;
      res.setHeader('Allow', 'POST');
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(`${options.notPostText ?? 'This is a TelAPI callback URL: it takes POST requests only.'}\n`);
      return;
    }
    if (!owner) {
      res.statusCode = 503;
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Node-RED is redeploying this callback node; retry shortly\n');
      return;
    }
    if (req.method === 'OPTIONS') {
      if (options.cors) options.cors(req, res, next);
      else next();
      return;
    }
    const handlers: unknown[] = [options.middleware ?? [], options.cors ?? []];
    runChain(
      handlers,
      req,
      res,
      () => owner.handle(req, res),
      (error) => owner.failed(error, req, res),
      () => next(),
    );
  };
  return telapiCallbackDispatch;
}

/**
 * Installs the dispatcher of an app once, right after Express's own request setup (`query`,
 * `expressInit`), ahead of every route.
 */
function ensureDispatcher(app: Express, options: RouteOptions): AppRoutes {
  let routes = routesByApp.get(app);
  if (routes) {
    routes.options = options;
    return routes;
  }
  const created: AppRoutes = { slots: new Map(), options, dispatch: () => undefined };
  created.dispatch = dispatcher(app, () => created);
  routesByApp.set(app, created);
  routes = created;
  app.use(created.dispatch);
  const stack = routerStack(app);
  if (stack) {
    const at = stack.findIndex((layer) => layer.handle === created.dispatch);
    let first = 0;
    while (first < stack.length && (stack[first]?.name === 'query' || stack[first]?.name === 'expressInit')) first += 1;
    if (at > first) {
      const [layer] = stack.splice(at, 1);
      if (layer) stack.splice(first, 0, layer);
    }
  }
  return routes;
}

/**
 * A node (re)started, elsewhere than `except` if given: the paths it had while being redeployed go
 * to a node waiting for them, or answer as nobody's again.
 */
export function endRestart(app: Express, nodeId: string, except?: PathSlot): void {
  for (const slot of routesByApp.get(app)?.slots.values() ?? []) {
    if (slot.restartingFor === nodeId && slot !== except) {
      slot.restartingUntil = 0;
      slot.restartingFor = undefined;
      if (!slot.owner) promoteWaiting(slot);
    }
  }
}

function promoteWaiting(slot: PathSlot): void {
  slot.owner = slot.waiting.shift();
  if (slot.owner) {
    slot.restartingUntil = 0;
    slot.restartingFor = undefined;
    slot.owner.promoted();
  }
}

/** Claims `path` for `listener`; false when another node owns it (the listener then waits). */
export function claimPath(app: Express, path: string, listener: Listener, options: RouteOptions): boolean {
  const { slots } = ensureDispatcher(app, options);
  const key = pathKey(app, path);
  let slot = slots.get(key);
  if (!slot) {
    slot = { owner: undefined, waiting: [], restartingUntil: 0, restartingFor: undefined };
    slots.set(key, slot);
  }
  endRestart(app, listener.id, slot);
  // A node being redeployed keeps its path until it is back (or its window ends).
  const heldForAnother = slot.restartingFor !== undefined && slot.restartingFor !== listener.id && Date.now() < slot.restartingUntil;
  if (slot.owner === undefined && !heldForAnother) {
    slot.owner = listener;
    slot.restartingUntil = 0;
    slot.restartingFor = undefined;
    return true;
  }
  slot.waiting.push(listener);
  return false;
}

/**
 * Releases `path`. `restartMs` > 0 when the node is being redeployed rather than removed: for that
 * long, or until a node claims the path again, callbacks are answered 503 to be retried.
 */
export function releasePath(app: Express, path: string, listener: Listener, restartMs = 0): void {
  const slot = routesByApp.get(app)?.slots.get(pathKey(app, path));
  if (!slot) return;
  slot.waiting = slot.waiting.filter((waiting) => waiting !== listener);
  if (slot.owner !== listener) return;
  slot.owner = undefined;
  if (restartMs > 0) {
    // Redeployed: the path stays this node's until it starts again (a waiting node keeps waiting).
    slot.restartingUntil = Date.now() + restartMs;
    slot.restartingFor = listener.id;
  } else {
    promoteWaiting(slot);
  }
}

/** The dispatching middleware of an app, if installed (for tests that inspect the stack). */
export function dispatcherOf(app: object): Handler | undefined {
  return routesByApp.get(app)?.dispatch;
}

/**
 * Where an app is mounted ("" for the root app or one not mounted): Express's app.path(), which
 * both Express 4 and 5 have.
 */
export function mountPath(app: object): string {
  const path = (app as { path?: () => unknown }).path;
  const value = typeof path === 'function' ? path.call(app) : '';
  return typeof value === 'string' ? value.replace(/\/+$/, '') : '';
}

/** The top-level app an app is mounted in (itself when it is not mounted). */
export function rootApp(app: object): object {
  let current = app as { parent?: object };
  while (current.parent && current.parent !== current) current = current.parent as { parent?: object };
  return current;
}

const capturedRoots = new WeakSet<object>();

/**
 * Installs a middleware at the top of the root app's stack, once per root app; it is never removed
 * (core nodes only remove route layers). Where the stack cannot be found, the middleware is not
 * installed and the callback route reads or reconstructs the body itself.
 */
export function installAtTop(root: object, middleware: Handler): void {
  if (capturedRoots.has(root)) return;
  const stack = routerStack(root);
  if (!stack) return;
  capturedRoots.add(root);
  (root as Express).use(middleware);
  const at = stack.findIndex((layer) => layer.handle === middleware);
  if (at > 0) {
    const [layer] = stack.splice(at, 1);
    if (layer) stack.unshift(layer);
  }
}

/**
 * The paths at which Node-RED's own admin API (editor-api) answers POST. With httpAdminRoot a prefix
 * of the HTTP nodes' root (the default: both "/") the admin app sees every request first, so a
 * callback path among these would never reach the callback node.
 */
const ADMIN_POST_PATHS: readonly RegExp[] = [
  /^\/auth\/(token|revoke)\/?$/i,
  /^\/flows(\/state)?\/?$/i,
  /^\/flow\/?$/i,
  /^\/nodes\/?$/i,
  /^\/library\/[^/]+\/[^/]+\/.*/i,
  /^\/settings\/user(\/keys(\/.*)?)?\/?$/i,
  /^\/projects(\/.*)?$/i,
];

/**
 * True when the admin API would answer a POST to `path` (a callback path below RED.httpNode) before
 * the callback node could: one of Node-RED's own admin POST endpoints, or a POST route that nodes
 * registered on RED.httpAdmin (such as the core inject node's /inject/:id).
 */
export function adminOwnsPath(httpAdmin: object | undefined, httpNode: object, path: string, adminDisabled: boolean): boolean {
  if (adminDisabled || !httpAdmin) return false;
  const full = `${mountPath(httpNode)}${path}`;
  const adminRoot = mountPath(httpAdmin);
  const lowerFull = full.toLowerCase();
  const lowerRoot = adminRoot.toLowerCase();
  if (lowerRoot !== '' && lowerFull !== lowerRoot && !lowerFull.startsWith(`${lowerRoot}/`)) return false;
  const relative = full.slice(adminRoot.length) || '/';
  if (ADMIN_POST_PATHS.some((pattern) => pattern.test(relative))) return true;
  return (routerStack(httpAdmin) ?? []).some((layer) => {
    const route = layer.route as { methods?: Record<string, boolean> } | undefined;
    const match = (layer as { match?: (path: string) => boolean }).match;
    const posts = route?.methods?.post === true || route?.methods?._all === true;
    return posts && typeof match === 'function' && match.call(layer, relative) === true;
  });
}
