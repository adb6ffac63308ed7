import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { telapiSignature, type CallbackMethod } from './spec';

/** How requests to receivers over HTTPS check the receiver's certificate. */
export interface CallbackTls {
  /** Extra certificate authorities (PEM), added to the system's. */
  ca?: string | Buffer | undefined;
  /** No certificate check at all. */
  insecure?: boolean | undefined;
}

/** A request TelAPI makes to a user's server: a callback, a voice request, an action. */
export interface OutboundRequest {
  url: string;
  method: CallbackMethod;
  params: ReadonlyArray<readonly [string, string]>;
  /** Present when the request is to be signed with this account's AuthToken. */
  signingToken: string | undefined;
}

/** What goes on the wire: the URL requested (with a GET's parameters), the form body of a POST, the signature. */
export interface PreparedRequest {
  url: string;
  body: string | undefined;
  signature: string | undefined;
}

export interface SendOptions {
  timeoutMs: number;
  tls: CallbackTls;
  signal: AbortSignal;
  /** How much of the answer's body to keep; 0 keeps none. */
  keepBodyBytes: number;
}

export interface HttpOutcome {
  startedAt: Date;
  /** The receiver's HTTP status, when it answered. */
  statusCode: number | undefined;
  /** A connection error or timeout, when it did not. */
  error: string | undefined;
  /** The first `keepBodyBytes` of the answer, as UTF-8. */
  body: string;
  /** Whether the answer had more than `keepBodyBytes`. */
  truncated: boolean;
}

const USER_AGENT = 'TelAPI-Simulator/1.0';

/**
 * A GET carries the parameters in its query string, appended to the query as given (the receiver
 * checks its own `token` or `key` there, so nothing of the original is re-encoded); a fragment is
 * never sent.
 */
function appendQuery(url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const withoutFragment = url.split('#', 1)[0] ?? url;
  const added = new URLSearchParams(params.map(([name, value]): [string, string] => [name, value])).toString();
  if (added === '') return withoutFragment;
  const separator = !withoutFragment.includes('?') ? '?' : /[?&]$/.test(withoutFragment) ? '' : '&';
  return `${withoutFragment}${separator}${added}`;
}

/**
 * The URL a signature covers: the one called, without a user and password (those travel as the
 * Authorization header, not as part of the request target).
 */
function signedUrl(url: string): string {
  const target = new URL(url);
  if (target.username === '' && target.password === '') return url;
  target.username = '';
  target.password = '';
  return target.href;
}

/** X-TelAPI-Signature covers the URL requested and a POST's parameters (docs/telapi-api.md, "Callback authenticity"). */
export function prepareRequest(request: OutboundRequest): PreparedRequest {
  const isGet = request.method === 'GET';
  const url = isGet ? appendQuery(request.url, request.params) : request.url;
  const signature = request.signingToken === undefined ? undefined : telapiSignature(request.signingToken, signedUrl(url), isGet ? [] : request.params);
  const body = isGet ? undefined : new URLSearchParams(request.params.map(([name, value]): [string, string] => [name, value])).toString();
  return { url, body, signature };
}

/** One attempt: POST with a form body, or GET when there is no body. Never rejects. */
export function sendOnce(prepared: PreparedRequest, options: SendOptions): Promise<HttpOutcome> {
  const startedAt = new Date();
  const failed = (error: string): HttpOutcome => ({ startedAt, statusCode: undefined, error, body: '', truncated: false });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(prepared.url);
    } catch {
      resolve(failed('invalid URL'));
      return;
    }
    const { body, signature } = prepared;
    const transport = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (signature !== undefined) headers['x-telapi-signature'] = signature;
    // A `ca` option replaces the system's authorities: the given one is added to them instead.
    const ca = options.tls.ca !== undefined ? { ca: [...rootCertificates, String(options.tls.ca)] } : {};
    const tls = target.protocol === 'https:' ? { ...ca, rejectUnauthorized: options.tls.insecure !== true } : {};
    const method = body === undefined ? 'GET' : 'POST';
    const request = transport.request(target, { method, headers, signal: options.signal, timeout: options.timeoutMs, agent: false, ...tls });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      response.on('data', (chunk: Buffer) => {
        if (kept >= options.keepBodyBytes) {
          truncated ||= options.keepBodyBytes > 0;
          return;
        }
        const part = chunk.subarray(0, options.keepBodyBytes - kept);
        truncated ||= part.length < chunk.length;
        chunks.push(part);
        kept += part.length;
      });
      const settle = (): void => resolve({ startedAt, statusCode: response.statusCode, error: undefined, body: Buffer.concat(chunks).toString('utf8'), truncated });
      response.on('end', settle);
      response.on('error', settle);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(failed(error.code ?? error.message)));
    request.end(body);
  });
}
