import type { Express, NextFunction, Request, Response } from 'express';

/*
 * Every use of Express's internals, in one place: what an Express upgrade can break. Read from the
 * router: its stack of layers (Express 4 `app._router.stack`, Express 5 `app.router.stack`), a
 * layer's `handle`, `name`, `route.methods` and `match(path)`; written: the order of the stack (a
 * layer moved to the front). Both Express 4 (Node-RED 3.1, 4) and 5 (Node-RED 5) are tested.
 */

export type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** The parts of a router layer read here. */
interface Layer {
  route?: unknown;
  name?: string;
  handle?: unknown;
}

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

/**
 * Adds `handler` to `app` as a middleware and moves it to the front of the stack: after Express's
 * own request setup (`query`, `expressInit`) when `afterSetup`, else first of all.
 */
export function useFirst(app: Express, handler: Handler, afterSetup: boolean): void {
  app.use(handler);
  const stack = routerStack(app);
  if (!stack) return;
  const at = stack.findIndex((layer) => layer.handle === handler);
  // Express's own setup may sit below middleware others moved to the very front (the core http in
  // node's rawBodyCapture): right after `expressInit`, wherever it is, req and res are Express's.
  const first = afterSetup ? stack.findIndex((layer) => layer.name === 'expressInit') + 1 : 0;
  if (at > first) {
    const [layer] = stack.splice(at, 1);
    if (layer) stack.splice(first, 0, layer);
  }
}

/** Whether a route registered on `app` takes a POST to `path` (e.g. the core inject node's /inject/:id). */
export function hasPostRoute(app: object, path: string): boolean {
  return (routerStack(app) ?? []).some((layer) => {
    const route = layer.route as { methods?: Record<string, boolean> } | undefined;
    const match = (layer as { match?: (path: string) => boolean }).match;
    const posts = route?.methods?.post === true || route?.methods?._all === true;
    return posts && typeof match === 'function' && match.call(layer, path) === true;
  });
}

function enabled(app: Express, setting: string): boolean {
  return typeof app.enabled === 'function' && app.enabled(setting);
}

/** A path as Express's routing compares it: without a trailing slash and in lower case, unless the app says otherwise. */
export function routingKey(app: Express, path: string): string {
  let key = path;
  if (!enabled(app, 'strict routing')) key = key.replace(/\/+$/, '') || '/';
  if (!enabled(app, 'case sensitive routing')) key = key.toLowerCase();
  return key;
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

/**
 * Runs middleware as Express would (a function or nested arrays of them, error handlers skipped as
 * Express skips them) and then `last`; an error goes to `failed`, a `next('route')` passes the
 * request on.
 */
export function runChain(handlers: unknown[], req: Request, res: Response, last: () => void, failed: (error: unknown) => void, passOn: () => void): void {
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
