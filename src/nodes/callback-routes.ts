import type { Express, NextFunction, Request, Response } from 'express';

/*
 * Route lifecycle of the callback nodes.
 *
 * Express has no public way to remove a route, so the Express route of a path is registered once per
 * RED.httpNode app and kept: a dispatcher that looks up the path's current owner in a registry
 * (WeakMap app -> Map path -> slot) at request time.
 *
 * - A node claims its path when created and releases it on close, synchronously: no window in which
 *   two handlers are live.
 * - A path without an owner skips the route with next('route'): the request falls through to
 *   whatever else is registered (usually nothing: 404).
 * - The core `http in` node's close handler deletes every route of its path and method from the
 *   router stack, ours included, and while splicing during iteration it can skip (and so keep) its
 *   own, which then holds requests it never answers. So each claim checks that the route is still in
 *   the stack, installs it again if not, and keeps it ahead of any other route of the same path.
 * - A second node on a path that is owned gets an error (status and log) and waits: if the owner is
 *   removed by a later "modified nodes" deploy, the waiting node takes over and says so.
 */

export type Handler = (req: Request, res: Response, next: NextFunction) => void;
type ErrorHandler = (err: unknown, req: Request, res: Response, next: NextFunction) => void;

export interface Listener {
  handle(req: Request, res: Response): void;
  failed(error: unknown, req: Request, res: Response): void;
  promoted(): void;
}

interface PathSlot {
  owner: Listener | undefined;
  waiting: Listener[];
  /** The route's dispatching handler: how the route is recognised in the router stack. */
  dispatch: Handler;
}

/** The parts of Express's router internals read here; both Express 4 and 5 have them. */
interface Layer {
  route?: { path?: unknown; methods?: Record<string, boolean>; stack?: Array<{ handle?: unknown }> };
  handle?: unknown;
}

export interface RouteOptions {
  /** httpNodeMiddleware, as the core http in node applies it. */
  middleware?: unknown;
  /** The CORS handler for httpNodeCors, if set: it answers preflight requests itself. */
  cors?: Handler;
}

const slotsByApp = new WeakMap<object, Map<string, PathSlot>>();

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

/** The registry key of a path: it matches exactly the requests Express's route for it matches. */
export function pathKey(app: Express, path: string): string {
  let key = path;
  if (!enabled(app, 'strict routing')) key = key.replace(/\/+$/, '') || '/';
  if (!enabled(app, 'case sensitive routing')) key = key.toLowerCase();
  return key;
}

/** Whether a callback node owns this path now (for the body capture). */
export function isOwnedPath(app: Express, relativePath: string): boolean {
  return slotsByApp.get(app)?.get(pathKey(app, relativePath))?.owner !== undefined;
}

function handlesPost(layer: Layer): boolean {
  const methods = layer.route?.methods;
  return !!methods && (methods.post === true || methods._all === true);
}

/**
 * Puts the path's route back if something removed it, and ahead of any other route of the same path
 * and method (a stale one left by the core http in node would otherwise take its requests).
 */
function ensureRoute(app: Express, path: string, slot: PathSlot, install: () => void): void {
  const stack = routerStack(app);
  if (!stack) return;
  const ours = (layer: Layer): boolean => !!layer.route?.stack?.some((handler) => handler.handle === slot.dispatch);
  let at = stack.findIndex(ours);
  if (at === -1) {
    install();
    at = stack.findIndex(ours);
    if (at === -1) return;
  }
  const key = pathKey(app, path);
  const first = stack.findIndex((layer) => typeof layer.route?.path === 'string' && handlesPost(layer) && pathKey(app, layer.route.path) === key);
  if (first !== -1 && first < at) {
    const [layer] = stack.splice(at, 1);
    if (layer) stack.splice(first, 0, layer);
  }
}

/** Claims `path` for `listener`; false when another node owns it (the listener then waits). */
export function claimPath(app: Express, path: string, listener: Listener, options: RouteOptions): boolean {
  let slots = slotsByApp.get(app);
  if (!slots) slotsByApp.set(app, (slots = new Map()));
  const key = pathKey(app, path);
  let slot = slots.get(key);
  const install = (): void => installRoute(app, path, slot as PathSlot, options);
  if (!slot) {
    slot = { owner: undefined, waiting: [], dispatch: () => undefined };
    slots.set(key, slot);
    install();
  }
  ensureRoute(app, path, slot, install);
  if (slot.owner === undefined) {
    slot.owner = listener;
    return true;
  }
  slot.waiting.push(listener);
  return false;
}

export function releasePath(app: Express, path: string, listener: Listener): void {
  const slot = slotsByApp.get(app)?.get(pathKey(app, path));
  if (!slot) return;
  slot.waiting = slot.waiting.filter((waiting) => waiting !== listener);
  if (slot.owner === listener) {
    slot.owner = slot.waiting.shift();
    slot.owner?.promoted();
  }
}

/** The one Express route of a path: httpNodeMiddleware and CORS as the core http in node, then the owner. */
function installRoute(app: Express, routePath: string, slot: PathSlot, options: RouteOptions): void {
  const active: Handler = (_req, _res, next) => (slot.owner ? next() : next('route'));
  const dispatch: Handler = (req, res, next) => {
    const owner = slot.owner;
    if (owner) owner.handle(req, res);
    else next();
  };
  const failure: ErrorHandler = (error, req, res, next) => {
    if (slot.owner) slot.owner.failed(error, req, res);
    else next(error);
  };
  slot.dispatch = dispatch;
  const handlers: unknown[] = [active];
  const middleware = options.middleware;
  if (typeof middleware === 'function' || Array.isArray(middleware)) handlers.push(middleware);
  if (options.cors) handlers.push(options.cors);
  handlers.push(dispatch, failure);
  (app.post as (path: string, ...handlers: unknown[]) => unknown).call(app, routePath, ...handlers);
  if (options.cors) (app.options as (path: string, ...handlers: unknown[]) => unknown).call(app, routePath, active, options.cors);
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
 * The top-level segments of Node-RED's own admin API and editor (editor-api's routes and static
 * folders). With httpAdminRoot = httpNodeRoot the admin app sees every request first, so a callback
 * path under one of them would never reach the callback node.
 */
const ADMIN_SEGMENTS = new Set([
  'auth', 'comms', 'context', 'credentials', 'diagnostics', 'flow', 'flows', 'icons', 'library',
  'locales', 'nodes', 'plugins', 'projects', 'red', 'resources', 'settings', 'theme', 'types', 'vendor',
  'favicon.ico',
]);

/**
 * True when the admin API would answer `path` (a callback path below RED.httpNode) before the
 * callback node could: Node-RED's own admin segments, and any route that nodes registered on
 * RED.httpAdmin (such as the core inject node's /inject/:id).
 */
export function adminOwnsPath(httpAdmin: object | undefined, httpNode: object, path: string, adminDisabled: boolean): boolean {
  if (adminDisabled || !httpAdmin) return false;
  const full = `${mountPath(httpNode)}${path}`.toLowerCase();
  const adminRoot = mountPath(httpAdmin).toLowerCase();
  if (adminRoot !== '' && full !== adminRoot && !full.startsWith(`${adminRoot}/`)) return false;
  const relative = full.slice(adminRoot.length) || '/';
  const first = relative.split('/')[1] ?? '';
  if (relative === '/' || ADMIN_SEGMENTS.has(first)) return true;
  const stack = routerStack(httpAdmin) ?? [];
  return stack.some((layer) => {
    const match = (layer as { match?: (path: string) => boolean }).match;
    return layer.route !== undefined && typeof match === 'function' && match.call(layer, relative) === true;
  });
}

/**
 * A callback node's path: "/" followed by segments of letters, digits, "-", "_", ".", "~" — no
 * route patterns (":id", "*", "(…)"), which Express 4 and 5 read differently, no "." or ".."
 * segments and no empty ones. A missing leading "/" is added, as the core http in node does.
 */
export function normaliseCallbackPath(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let path = value.trim();
  if (path === '') return undefined;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path === '/') return path;
  const segments = path.slice(1).replace(/\/$/, '').split('/');
  const valid = segments.every((segment) => /^[A-Za-z0-9._~-]+$/.test(segment) && segment !== '.' && segment !== '..');
  return valid ? path : undefined;
}
