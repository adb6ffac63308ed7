import type { Express, Request, Response } from 'express';
import { hasPostRoute, mountPath, routerStack, routingKey, runChain, useFirst, type Handler } from './express';

export type { Handler } from './express';

/*
 * How TelAPI's requests (callbacks, voice requests) reach their node.
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
 * - On an owned path a method the node does not take (callbacks: POST; voice requests: GET and POST)
 *   is answered 405 with `Allow`; OPTIONS goes to CORS when httpNodeCors is set, else it gets 405 too.
 * - While a node that was not removed is being redeployed its path answers 503 with Retry-After,
 *   so TelAPI retries instead of being told the URL does not exist.
 * - A second node on an owned path gets an error (status and log) and waits: if the owner is removed
 *   by a later "modified nodes" deploy, the waiting node takes over and says so.
 */

export interface Listener {
  /** The node's id: a redeployed node ends the 503 window of the path it had, wherever it now listens. */
  readonly id: string;
  /** The methods it takes (upper case); any other gets 405 with `notAllowedText`. */
  readonly methods: readonly string[];
  /** The one line a request with another method gets with its 405. */
  readonly notAllowedText: string;
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
}

interface AppRoutes {
  slots: Map<string, PathSlot>;
  options: RouteOptions;
  dispatch: Handler;
}

const routesByApp = new WeakMap<object, AppRoutes>();

/** The registry key of a path: it matches the requests an Express route for the path would match. */
export function pathKey(app: Express, path: string): string {
  return routingKey(app, path);
}

/** Whether a node owns this path now (for the body capture). */
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

const RETRY_AFTER_SECONDS = 2;

/** 503 with Retry-After: the node at this URL is changing; TelAPI retries, and the retry finds the new one. */
export function answerRedeploying(res: Response): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = 503;
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end('Node-RED is redeploying the node at this URL; retry shortly\n');
}

function dispatcher(app: Express, routes: () => AppRoutes): Handler {
  // Named: a layer in the router stack that says what it is.
  const telapiDispatch: Handler = (req, res, next) => {
    const { slots, options } = routes();
    const slot = slots.get(pathKey(app, requestPath(req.url)));
    if (!slot) return next();
    // The node being redeployed did not come back in time: a node waiting for the path takes it.
    if (!slot.owner && slot.waiting.length > 0 && Date.now() >= slot.restartingUntil) promoteWaiting(slot);
    const owner = slot.owner;
    if (!owner && Date.now() >= slot.restartingUntil) return next();
    const taker = owner ?? slot.waiting[0];
    // OPTIONS is a CORS preflight only where httpNodeCors is set; elsewhere it is one more method the node does not take.
    const preflight = req.method === 'OPTIONS' && options.cors !== undefined;
    if (!preflight && taker && !taker.methods.includes(req.method)) {
      // A browser's check of the URL tells a right URL (405) from a wrong one (404).
      res.statusCode = 405;
      res.setHeader('Allow', taker.methods.join(', '));
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(`${taker.notAllowedText}\n`);
      return;
    }
    if (!owner) {
      answerRedeploying(res);
      return;
    }
    if (preflight && options.cors) {
      options.cors(req, res, next);
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
  return telapiDispatch;
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
  useFirst(app, created.dispatch, true);
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

const capturedRoots = new WeakSet<object>();

/**
 * Installs a middleware at the top of the root app's stack, once per root app; it is never removed
 * (core nodes only remove route layers). Where the stack cannot be found, the middleware is not
 * installed and the callback route reads or reconstructs the body itself.
 */
export function installAtTop(root: object, middleware: Handler): void {
  if (capturedRoots.has(root) || !routerStack(root)) return;
  capturedRoots.add(root);
  useFirst(root as Express, middleware, false);
}

/**
 * The paths at which Node-RED's own admin API (editor-api) answers POST. With httpAdminRoot a prefix
 * of the HTTP nodes' root (the default: both "/") the admin app sees every request first, so a
 * callback path among these would never reach the callback node.
 */
export const ADMIN_POST_PATHS: readonly RegExp[] = [
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
  const relative = pathBelow(`${mountPath(httpNode)}${path}`, mountPath(httpAdmin));
  if (relative === undefined) return false;
  return ADMIN_POST_PATHS.some((pattern) => pattern.test(relative)) || hasPostRoute(httpAdmin, relative);
}

/**
 * `pathname` relative to `prefix` ("/" for the prefix itself), compared without regard to case as
 * Express routes; undefined when it is not below the prefix. "" is the root: everything is below it.
 */
export function pathBelow(pathname: string, prefix: string): string | undefined {
  if (prefix === '') return pathname;
  const lower = pathname.toLowerCase();
  const lowerPrefix = prefix.toLowerCase();
  if (lower !== lowerPrefix && !lower.startsWith(`${lowerPrefix}/`)) return undefined;
  return pathname.slice(prefix.length) || '/';
}
