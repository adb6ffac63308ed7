import type { Request, Response } from 'express';
import getRawBody from 'raw-body';
import type { CallbackRejection } from '../../telapi';
import { answerRedeploying } from './routes';

/**
 * Reading a callback's body: bounded in bytes and in time, before any other middleware can parse
 * it, and the HTTP answers the callback node gives. Web-server concerns only; no TelAPI rules.
 */

/** A callback body larger than this is refused (413) without being buffered. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;
/** How long a callback's body may take to arrive, unless `telapiCallbackReadTimeout` (s) says otherwise. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/**
 * After a 413, what the client still sends is read and dropped up to this many bytes (Node-RED's own
 * admin API takes 5 MB bodies); then the connection is cut.
 */
const DISCARD_LIMIT = 8 * 1024 * 1024;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The HTTP answer to each refusal: 400 for a request that is not a callback at all, 403 for one that
 * fails the authenticity checks, 408 for a body that did not arrive in time, 413 for one too large.
 */
export const REJECTION_STATUS: Readonly<Record<CallbackRejection, 400 | 403 | 408 | 413>> = Object.freeze({
  tooLarge: 413,
  tooManyParams: 413,
  slowBody: 408,
  unsupportedBody: 400,
  badBody: 400,
  unverifiableBody: 400,
  repeatedParam: 400,
  noCallSid: 400,
  badCallSid: 400,
  tokenAndKey: 400,
  noToken: 403,
  badToken: 403,
  badKey: 403,
  noSignature: 403,
  badSignature: 403,
  foreignAccount: 403,
  staleTest: 403,
});

export type BodyResult =
  | { kind: 'raw'; body: Buffer }
  | { kind: 'parsed'; body: unknown }
  | { kind: 'tooLarge' }
  | { kind: 'badLength' }
  | { kind: 'slow' }
  | { kind: 'aborted' };

/** Where the capture middleware leaves what it read, for the callback node's route. */
const CAPTURED = Symbol('telapi.callbackBody');
type CapturingRequest = Request & { [CAPTURED]?: BodyResult; _body?: boolean };

export function answer(res: Response, status: number, body?: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent || res.writableEnded) return;
  const text = body ?? STATUS_TEXT[status] ?? '';
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** raw-body's error types (https://github.com/stream-utils/raw-body#errors). */
function errorType(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
}

/**
 * Reads the raw body with raw-body (the reader Express's body parsers use): a size limit, a check of
 * Content-Length, and here a time limit as well. Beyond the size limit nothing more is buffered; a
 * body that has not arrived in time is not waited for (the request is paused).
 */
export function readBody(req: Request, limit: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      req.pause();
      finish({ kind: 'slow' });
    }, timeoutMs);
    getRawBody(req, { limit, length: req.headers['content-length'] }).then(
      (body) => finish({ kind: 'raw', body }),
      (error: unknown) => {
        const type = errorType(error);
        if (type === 'entity.too.large') finish({ kind: 'tooLarge' });
        else if (type === 'request.size.invalid') finish({ kind: 'badLength' });
        else finish({ kind: 'aborted' });
      },
    );
  });
}

/**
 * The body of a callback request: what the capture middleware read, else what a middleware before
 * this route already parsed, else read here.
 */
export function callbackBody(req: Request, limit: number, timeoutMs: number): Promise<BodyResult> {
  const capturing = req as CapturingRequest;
  const captured = capturing[CAPTURED];
  if (captured) return Promise.resolve(captured);
  if (capturing._body === true || req.readableEnded) {
    // Read under another parser's limits (an httpNodeMiddleware parser, or Node-RED's own when a
    // deploy gave this node the path during the read): ours hold too.
    if (readSize(req.body) > limit) return Promise.resolve({ kind: 'tooLarge' });
    return Promise.resolve(Buffer.isBuffer(req.body) ? { kind: 'raw', body: req.body } : { kind: 'parsed', body: req.body });
  }
  return readBody(req, limit, timeoutMs);
}

/** About the bytes a body another parser read had: its JSON's for a parsed object (Infinity if it cannot be written as JSON, 0 if it writes as nothing). */
function readSize(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (Buffer.isBuffer(body)) return body.length;
  try {
    return Buffer.byteLength(typeof body === 'string' ? body : JSON.stringify(body) ?? '');
  } catch {
    return Infinity;
  }
}

/**
 * A middleware for the top of the root app's stack: it reads the body of a POST that a callback
 * node will take, before any body parser can (with httpAdminRoot = httpNodeRoot the admin API's
 * parsers would otherwise turn `Foo[bar]=1` into an object), and marks it parsed so they skip it.
 * When a deploy during the read gave the path to something else (a core `http in` node would get
 * the request without its body), the request is answered here: 503 for a body read whole, so that
 * TelAPI's retry reaches the new owner.
 */
export function captureMiddleware(
  takes: (req: Request) => boolean,
  limits: () => { limit: number; timeoutMs: number },
): (req: Request, res: Response, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const capturing = req as CapturingRequest;
    if (req.method !== 'POST' || capturing._body === true || capturing[CAPTURED] || !takes(req)) {
      next();
      return;
    }
    const { limit, timeoutMs } = limits();
    void readBody(req, limit, timeoutMs).then((result) => {
      if (result.kind === 'aborted') return;
      // The path still a TelAPI node's: it refuses a slow, oversize or misframed body itself (408,
      // 413, 400). Now another node's: answered here, as that TelAPI node would have, or 503 for a
      // whole body; never handed on without it.
      if (!takes(req)) {
        if (isUnreadBody(result)) answerRefusal(req, res, UNREAD_BODY_REFUSAL[result.kind], timeoutMs);
        else answerRedeploying(res);
        return;
      }
      capturing[CAPTURED] = result;
      capturing._body = true;
      next();
    });
  };
}

/** Why a body that was not read whole (oversize, slow, misframed) is refused. */
export const UNREAD_BODY_REFUSAL = Object.freeze({ tooLarge: 'tooLarge', slow: 'slowBody', badLength: 'badBody' } as const satisfies Record<string, CallbackRejection>);

export type UnreadBody = Extract<BodyResult, { kind: keyof typeof UNREAD_BODY_REFUSAL }>;

export function isUnreadBody(result: BodyResult): result is UnreadBody {
  return Object.prototype.hasOwnProperty.call(UNREAD_BODY_REFUSAL, result.kind);
}

/** Answers a refused callback request: with its REJECTION_STATUS, and as refuseOversize and refuseSlow do for those two. */
export function answerRefusal(req: Request, res: Response, reason: CallbackRejection, timeoutMs: number): void {
  if (reason === 'tooLarge') refuseOversize(req, res, timeoutMs);
  else if (reason === 'slowBody') refuseSlow(req, res);
  else answer(res, REJECTION_STATUS[reason]);
}

/**
 * Answers 413 and stops buffering. The rest of the body is read and dropped up to DISCARD_LIMIT so a
 * client that is still sending gets to read the 413 (closing on unread data makes the peer's TCP
 * stack discard our answer); a client that keeps sending beyond that is cut off.
 */
function refuseOversize(req: Request, res: Response, timeoutMs: number): void {
  if (req.readableEnded) return answer(res, 413);
  const declared = Number(req.headers['content-length']);
  const hopeless = Number.isFinite(declared) && declared > CALLBACK_BODY_LIMIT + DISCARD_LIMIT;
  if (hopeless) res.setHeader('Connection', 'close');
  answer(res, 413);
  if (hopeless) return;
  let dropped = 0;
  const cutOff = (): void => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(cutOff, timeoutMs);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) cutOff();
  });
  req.once('end', () => clearTimeout(timer));
  req.resume();
}

/** Answers 408 and closes the connection: the rest of a body that stalled is not worth reading. */
function refuseSlow(req: Request, res: Response): void {
  res.setHeader('Connection', 'close');
  res.once('finish', () => req.socket.destroy());
  answer(res, 408);
}
