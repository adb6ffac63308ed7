import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { BLOCKED_ADDRESS_CODE, isNonPublicHost } from './addresses';
import { ArrivingBody, SinkReceiver, type Allocate, type MediaSink, type Receiver } from './arriving-body';

export type { Allocate, MediaSink } from './arriving-body';

/** Every DownloadErrorKind, e.g. for checking that each has a message in the node catalogs. */
export const DOWNLOAD_ERROR_KINDS = [
  'too-large', 'cut-off', 'http', 'encoding', 'redirect-loop', 'too-many-redirects', 'redirect-protocol', 'blocked-address', 'network', 'timeout', 'aborted',
] as const;

export type DownloadErrorKind =
  | 'too-large' // more bytes than maxBytes arrived, or were announced
  | 'cut-off' // the body ended before its announced length, or the connection broke while reading it
  | 'http' // an answer other than 2xx (or a redirect without Location)
  | 'encoding' // the file came content-encoded (gzip, …) although it was asked for as is
  | 'redirect-loop' // a redirect back to a URL already requested
  | 'too-many-redirects' // more than MAX_REDIRECTS
  | 'redirect-protocol' // a redirect to anything but http(s)
  | 'blocked-address' // a host at a non-public address while the API is public (see MediaAccess.publicOnly)
  | 'network' // no answer: connection refused, DNS, TLS
  | 'timeout' // the media server went silent, or the whole download passed its deadline
  | 'aborted'; // the caller cancelled (the node was closed)

type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const _kindsComplete: Missing<DownloadErrorKind, (typeof DOWNLOAD_ERROR_KINDS)[number]> = true;
void _kindsComplete;

export interface DownloadErrorDetails {
  kind: DownloadErrorKind;
  status?: number;
  bytes?: number;
  maxBytes?: number;
  /** The host whose answer failed (no user, password, path or query). */
  host?: string;
  cause?: string;
  /** The deadline the whole download passed (a `timeout` without one is a silent server). */
  deadlineMs?: number;
  /** The Content-Encoding the file came in (kind `encoding`). */
  encoding?: string;
}

/** A failed download; its message names hosts only, never a path, query or credential. */
export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  readonly status: number | undefined;
  readonly bytes: number | undefined;
  readonly maxBytes: number | undefined;
  readonly host: string | undefined;
  readonly causeCode: string | undefined;
  readonly deadlineMs: number | undefined;
  readonly encoding: string | undefined;

  constructor(message: string, details: DownloadErrorDetails) {
    super(message);
    this.name = 'DownloadError';
    this.kind = details.kind;
    this.status = details.status;
    this.bytes = details.bytes;
    this.maxBytes = details.maxBytes;
    this.host = details.host;
    this.causeCode = details.cause;
    this.deadlineMs = details.deadlineMs;
    this.encoding = details.encoding;
  }
}

export const MAX_REDIRECTS = 3;

/** How long a whole download may take, every hop included, unless the caller sets its own deadline. */
export const DEFAULT_DOWNLOAD_DEADLINE_MS = 10 * 60_000;
/** The longest delay a Node timer takes; a longer one fires at once (TimeoutOverflowWarning). */
const MAX_DEADLINE_MS = 2 ** 31 - 1;

/** One request: a readable body that also emits 'response' once the head arrived (a got stream). */
export interface MediaStream {
  on(event: 'response', listener: (response: http.IncomingMessage) => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): unknown;
  /** While a sink takes a chunk (got's streams have both). */
  pause?(): unknown;
  resume?(): unknown;
}

/** Opens one GET without following redirects; credentials only when `withCredentials`. */
export type OpenMedia = (url: URL, withCredentials: boolean) => MediaStream;

/** What a stream's error means, as the transport that opened it knows: a stall, or a body cut off. */
export type MediaErrorKind = 'timeout' | 'cut-off';

/** How the client reaches media: what downloadMedia needs besides the caller's options. */
export interface MediaAccess {
  open: OpenMedia;
  /** Credentials go only to this origin. */
  apiOrigin: string;
  /**
   * Every hop must reach a public address: a literal address or localhost name is refused here, before
   * opening; `open` must refuse names that resolve to one, with an error coded BLOCKED_ADDRESS_CODE.
   */
  publicOnly: boolean;
  /** Buffer.allocUnsafe unless given (a test can watch what a download reserves). */
  allocate?: Allocate;
  /** Recognises the transport's own errors (got's TimeoutError, ReadError); others are judged by when they came. */
  kindOf?: (error: Error) => MediaErrorKind | undefined;
}

export interface DownloadOptions {
  maxBytes: number;
  /** The whole download, every hop included (DEFAULT_DOWNLOAD_DEADLINE_MS unless given). */
  deadlineMs?: number;
  /**
   * Let hops reach local and private addresses although the API is public, for a TelAPI-compatible
   * server on the user's own network that the base URL names by a public-looking DNS name.
   */
  allowPrivateAddresses?: boolean;
  signal?: AbortSignal;
  /** Where the bytes go as they arrive, instead of into `body` (a file, a join). */
  sink?: MediaSink;
}

export interface DownloadResult {
  /** The file, unless a sink took its bytes. */
  body: Buffer | undefined;
  /** The file's length. */
  bytes: number;
  contentType: string | undefined;
  /** The URL the bytes came from, after redirects. */
  url: string;
  redirects: number;
}

type Hop = { redirect: URL } | { body: Buffer | undefined; bytes: number; contentType: string | undefined };

/** When the whole download must have finished (performance.now() time), and the limit that sets it. */
interface Deadline {
  at: number;
  ms: number;
}

/**
 * Downloads `start` into one Buffer, or fails without one: bytes are counted as they arrive (a
 * Content-Length is checked, not trusted), credentials go only to `apiOrigin`, at most MAX_REDIRECTS
 * redirects, each to http(s) and never back to a URL already requested, all within one deadline (a
 * server that keeps sending a byte now and then must not hold a download open for ever).
 */
export async function downloadMedia(access: MediaAccess, start: string, options: DownloadOptions): Promise<DownloadResult> {
  let url = new URL(start);
  if (!isHttp(url)) throw new DownloadError('The recording URL is not http(s)', { kind: 'redirect-protocol' });
  const visited = new Set<string>();
  const deadlineMs = Math.min(options.deadlineMs ?? DEFAULT_DOWNLOAD_DEADLINE_MS, MAX_DEADLINE_MS);
  const deadline: Deadline = { at: performance.now() + deadlineMs, ms: deadlineMs };
  // Credentials go to the API origin only while the hops have not left it: a host elsewhere that
  // redirects back to the API must not get an authenticated answer of the API as "media".
  let onApiSoFar = true;
  for (let redirects = 0; ; redirects += 1) {
    if (options.signal?.aborted) throw new DownloadError('The download was cancelled', { kind: 'aborted' });
    if (performance.now() >= deadline.at) throw deadlinePassed(url.host, deadline);
    if (access.publicOnly && isNonPublicHost(url.hostname)) throw blockedAddress(url.host);
    visited.add(url.href);
    onApiSoFar &&= url.origin === access.apiOrigin;
    const hop = await fetchOnce(access, url, onApiSoFar, deadline, options);
    if ('bytes' in hop) return { body: hop.body, bytes: hop.bytes, contentType: hop.contentType, url: url.href, redirects };
    const next = hop.redirect;
    if (!isHttp(next)) {
      throw new DownloadError(`${url.host} redirected to a ${next.protocol.replace(/:$/, '')} URL; only http(s) is followed`, {
        kind: 'redirect-protocol', host: url.host,
      });
    }
    if (visited.has(next.href)) throw new DownloadError(`${url.host} redirected in a loop`, { kind: 'redirect-loop', host: url.host });
    if (redirects + 1 > MAX_REDIRECTS) {
      throw new DownloadError(`More than ${MAX_REDIRECTS} redirects (last from ${url.host})`, { kind: 'too-many-redirects', host: url.host });
    }
    url = next;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/** Milliseconds as the seconds an error message shows (at most one decimal). */
export function inSeconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function blockedAddress(host: string): DownloadError {
  return new DownloadError(`${host} is not at a public address; a download from a public TelAPI may not reach it`, { kind: 'blocked-address', host });
}

function deadlinePassed(host: string, deadline: Deadline): DownloadError {
  return new DownloadError(`The download from ${host} did not finish within ${inSeconds(deadline.ms)} s`, { kind: 'timeout', host, deadlineMs: deadline.ms });
}

function fetchOnce(access: MediaAccess, url: URL, withCredentials: boolean, deadline: Deadline, options: DownloadOptions): Promise<Hop> {
  const { maxBytes, signal } = options;
  const host = url.host;
  return new Promise<Hop>((resolve, reject) => {
    let stream: MediaStream;
    try {
      stream = access.open(url, withCredentials);
    } catch (error) {
      reject(new DownloadError(`The download from ${host} could not start`, { kind: 'network', host, ...codeOf(error) }));
      return;
    }
    const body: Receiver = options.sink ? new SinkReceiver(options.sink) : new ArrivingBody(access.allocate ?? Buffer.allocUnsafe);
    let head: http.IncomingMessage | undefined;
    let settled = false;
    /** The sink's latest write: the download ends once it has settled. */
    let writing: Promise<void> | undefined;
    const deadlineTimer = setTimeout(() => fail(deadlinePassed(host, deadline)), deadline.at - performance.now());
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadlineTimer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    /** Fails the download: with a DownloadError, or with what a sink threw (a file's or a join's own error). */
    const fail = (error: Error): void => {
      finish(() => {
        body.release();
        stream.destroy();
        reject(error);
      });
    };
    const onAbort = (): void => fail(new DownloadError('The download was cancelled', { kind: 'aborted', host }));
    /**
     * Runs what may reserve the file's memory. That fails past the process's limit or what one Buffer
     * holds; a stream handler must not throw (the error would be uncaught, and Node-RED exits).
     */
    const reserving = (action: () => void): void => {
      try {
        action();
      } catch (error) {
        if (options.sink) return fail(asErrorOf(error));
        const bytes = body.announced ?? body.received;
        fail(new DownloadError(`Memory for the ${bytes} bytes of the file could not be reserved`, { kind: 'too-large', bytes, maxBytes, host, ...codeOf(error) }));
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    stream.on('response', (response) => {
      head = response;
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        const location = response.headers.location;
        if (!location) {
          fail(new DownloadError(`${host} answered ${status} without a Location`, { kind: 'http', status, host }));
          return;
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          fail(new DownloadError(`${host} redirected to an invalid URL`, { kind: 'redirect-protocol', host }));
          return;
        }
        finish(() => {
          stream.destroy();
          resolve({ redirect: next });
        });
        return;
      }
      if (status < 200 || status > 299) {
        fail(new DownloadError(`${host} answered ${status} ${response.statusMessage ?? ''}`.trim(), { kind: 'http', status, host }));
        return;
      }
      const encoding = response.headers['content-encoding']?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
        fail(new DownloadError(`${host} sent the file ${encoding}-encoded although it was asked for as is`, { kind: 'encoding', host, encoding }));
        return;
      }
      const announced = Number(response.headers['content-length']);
      if (Number.isFinite(announced) && announced > maxBytes) {
        fail(new DownloadError(`The file is ${announced} bytes, more than the limit of ${maxBytes}`, { kind: 'too-large', bytes: announced, maxBytes, host }));
      } else if (Number.isSafeInteger(announced) && announced > 0) {
        reserving(() => body.announce(announced));
      }
    });
    stream.on('data', (chunk: Buffer) => {
      const { received, announced } = body;
      if (received + chunk.length > maxBytes) {
        fail(new DownloadError(`The file is more than the limit of ${maxBytes} bytes`, { kind: 'too-large', bytes: received + chunk.length, maxBytes, host }));
      } else if (announced !== undefined && received + chunk.length > announced) {
        fail(new DownloadError(`The download from ${host} sent more than its announced ${announced} bytes`, { kind: 'cut-off', bytes: received, host }));
      } else {
        reserving(() => {
          const taking = body.add(chunk);
          if (taking === undefined) return;
          stream.pause?.();
          writing = taking.then(() => {
            if (!settled) stream.resume?.();
          }, fail);
        });
      }
    });
    stream.on('end', () => {
      if (settled) return;
      const announced = Number(head?.headers['content-length']);
      const { received } = body;
      if (Number.isFinite(announced) && announced !== received) {
        fail(new DownloadError(`The download from ${host} ended after ${received} of ${announced} bytes`, { kind: 'cut-off', bytes: received, host }));
        return;
      }
      const done = (): void => finish(() => resolve({ body: body.take(), bytes: received, contentType: contentTypeOf(head) }));
      if (writing) void writing.then(done);
      else done();
    });
    stream.on('error', (error: Error) => {
      const code = codeOf(error);
      if (signal?.aborted) return onAbort();
      const kind = access.kindOf?.(error);
      if (code.cause === BLOCKED_ADDRESS_CODE) {
        fail(blockedAddress(host));
      } else if (kind === 'timeout') {
        fail(new DownloadError(`${host} stopped sending`, { kind: 'timeout', host, ...code }));
      } else if (head !== undefined || kind === 'cut-off') {
        fail(new DownloadError(`The download from ${host} was cut off after ${body.received} bytes`, { kind: 'cut-off', bytes: body.received, host, ...code }));
      } else {
        fail(new DownloadError(`${host} could not be reached (${code.cause ?? 'network error'})`, { kind: 'network', host, ...code }));
      }
    });
  });
}

function asErrorOf(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

function contentTypeOf(head: http.IncomingMessage | undefined): string | undefined {
  const value = head?.headers['content-type'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function codeOf(error: unknown): { cause?: string } {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? { cause: error.code } : {};
}
