import type http from 'node:http';

/** Every DownloadErrorKind, e.g. for checking that each has a message in the node catalogs. */
export const DOWNLOAD_ERROR_KINDS = [
  'too-large', 'cut-off', 'http', 'redirect-loop', 'too-many-redirects', 'redirect-protocol', 'network', 'timeout', 'aborted',
] as const;

export type DownloadErrorKind =
  | 'too-large' // more bytes than maxBytes arrived, or were announced
  | 'cut-off' // the body ended before its announced length, or the connection broke while reading it
  | 'http' // an answer other than 2xx (or a redirect without Location)
  | 'redirect-loop' // a redirect back to a URL already requested
  | 'too-many-redirects' // more than MAX_REDIRECTS
  | 'redirect-protocol' // a redirect to anything but http(s)
  | 'network' // no answer: connection refused, DNS, TLS
  | 'timeout' // the media server went silent
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
}

/** A failed download; its message names hosts only, never a path, query or credential. */
export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  readonly status: number | undefined;
  readonly bytes: number | undefined;
  readonly maxBytes: number | undefined;
  readonly host: string | undefined;
  readonly causeCode: string | undefined;

  constructor(message: string, details: DownloadErrorDetails) {
    super(message);
    this.name = 'DownloadError';
    this.kind = details.kind;
    this.status = details.status;
    this.bytes = details.bytes;
    this.maxBytes = details.maxBytes;
    this.host = details.host;
    this.causeCode = details.cause;
  }
}

export const MAX_REDIRECTS = 3;

/** One request: a readable body that also emits 'response' once the head arrived (a got stream). */
export interface MediaStream {
  on(event: 'response', listener: (response: http.IncomingMessage) => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): unknown;
}

/** Opens one GET without following redirects; credentials only when `withCredentials`. */
export type OpenMedia = (url: URL, withCredentials: boolean) => MediaStream;

/** Reserves the memory for `size` bytes of a body. */
export type Allocate = (size: number) => Buffer;

/** How the client reaches media: what downloadMedia needs besides the caller's options. */
export interface MediaAccess {
  open: OpenMedia;
  /** Credentials go only to this origin. */
  apiOrigin: string;
  /** Buffer.allocUnsafe unless given (a test can watch what a download reserves). */
  allocate?: Allocate;
}

export interface DownloadOptions {
  maxBytes: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  body: Buffer;
  contentType: string | undefined;
  /** The URL the bytes came from, after redirects. */
  url: string;
  redirects: number;
}

type Hop = { redirect: URL } | { body: Buffer; contentType: string | undefined };

/**
 * Downloads `start` into one Buffer, or fails without one: bytes are counted as they arrive (a
 * Content-Length is checked, not trusted), credentials go only to `apiOrigin`, at most MAX_REDIRECTS
 * redirects, each to http(s) and never back to a URL already requested.
 */
export async function downloadMedia(access: MediaAccess, start: string, options: DownloadOptions): Promise<DownloadResult> {
  let url = new URL(start);
  if (!isHttp(url)) throw new DownloadError('The recording URL is not http(s)', { kind: 'redirect-protocol' });
  const visited = new Set<string>();
  for (let redirects = 0; ; redirects += 1) {
    if (options.signal?.aborted) throw new DownloadError('The download was cancelled', { kind: 'aborted' });
    visited.add(url.href);
    const hop = await fetchOnce(access, url, options);
    if ('body' in hop) return { body: hop.body, contentType: hop.contentType, url: url.href, redirects };
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

function fetchOnce(access: MediaAccess, url: URL, options: DownloadOptions): Promise<Hop> {
  const { maxBytes, signal } = options;
  const allocate = access.allocate ?? Buffer.allocUnsafe;
  const host = url.host;
  return new Promise<Hop>((resolve, reject) => {
    let stream: MediaStream;
    try {
      stream = access.open(url, url.origin === access.apiOrigin);
    } catch (error) {
      reject(new DownloadError(`The download from ${host} could not start`, { kind: 'network', host, ...codeOf(error) }));
      return;
    }
    const chunks: Buffer[] = [];
    let whole: Buffer | undefined;
    let received = 0;
    let head: http.IncomingMessage | undefined;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: DownloadError): void => {
      finish(() => {
        chunks.length = 0;
        whole = undefined;
        stream.destroy();
        reject(error);
      });
    };
    const onAbort = (): void => fail(new DownloadError('The download was cancelled', { kind: 'aborted', host }));
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
      const announced = Number(response.headers['content-length']);
      if (Number.isFinite(announced) && announced > maxBytes) {
        fail(new DownloadError(`The file is ${announced} bytes, more than the limit of ${maxBytes}`, { kind: 'too-large', bytes: announced, maxBytes, host }));
      } else if (Number.isSafeInteger(announced) && announced > 0) {
        // One buffer of the announced size (at most maxBytes), filled as bytes arrive: the file is
        // held once, not as chunks and again as their concatenation.
        whole = allocate(announced);
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (received + chunk.length > maxBytes) {
        fail(new DownloadError(`The file is more than the limit of ${maxBytes} bytes`, { kind: 'too-large', bytes: received + chunk.length, maxBytes, host }));
        return;
      }
      if (whole !== undefined) {
        if (received + chunk.length > whole.length) {
          fail(new DownloadError(`The download from ${host} sent more than its announced ${whole.length} bytes`, { kind: 'cut-off', bytes: received, host }));
          return;
        }
        chunk.copy(whole, received);
      } else {
        chunks.push(chunk);
      }
      received += chunk.length;
    });
    stream.on('end', () => {
      if (settled) return;
      const announced = Number(head?.headers['content-length']);
      if (Number.isFinite(announced) && announced !== received) {
        fail(new DownloadError(`The download from ${host} ended after ${received} of ${announced} bytes`, { kind: 'cut-off', bytes: received, host }));
        return;
      }
      const body = whole ?? Buffer.concat(chunks, received);
      finish(() => resolve({ body, contentType: contentTypeOf(head) }));
    });
    stream.on('error', (error: Error) => {
      const code = codeOf(error);
      if (signal?.aborted) return onAbort();
      if (error.name === 'TimeoutError') {
        fail(new DownloadError(`${host} stopped sending`, { kind: 'timeout', host, ...code }));
      } else if (head !== undefined || error.name === 'ReadError') {
        fail(new DownloadError(`The download from ${host} was cut off after ${received} bytes`, { kind: 'cut-off', bytes: received, host, ...code }));
      } else {
        fail(new DownloadError(`${host} could not be reached (${code.cause ?? 'network error'})`, { kind: 'network', host, ...code }));
      }
    });
  });
}

function contentTypeOf(head: http.IncomingMessage | undefined): string | undefined {
  const value = head?.headers['content-type'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function codeOf(error: unknown): { cause?: string } {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? { cause: error.code } : {};
}
