import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-errors';

/** Request parameters by name; the first value of a repeated name wins. */
export type RequestParams = ReadonlyMap<string, string>;

/**
 * Reads the whole body, refusing more than `maxBytes`. A refused body is drained (not buffered) so
 * the client can finish sending and still read the 413.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      request.resume();
      reject(new ApiError('bodyTooLarge', `The request body is larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > maxBytes) {
        refused = true;
        chunks.length = 0;
        reject(new ApiError('bodyTooLarge', `The request body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    request.on('end', () => {
      ended = true;
      if (!refused) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!refused) reject(error);
    });
    request.on('close', () => {
      if (!ended && !refused) reject(new Error('The client went away before sending the whole body'));
    });
  });
}

function addFirst(into: Map<string, string>, name: string, value: string): void {
  if (name === '' || into.has(name)) return;
  into.set(name, value);
}

function jsonScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? jsonScalar(value[0]) : undefined;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return undefined;
}

function jsonObjectParams(text: string): Map<string, string> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const scalar = jsonScalar(value);
    if (scalar !== undefined) addFirst(params, name, scalar);
  }
  return params;
}

/**
 * Parameters the way TelAPI's clients in the wild send them (docs/telapi-api.md, "Be liberal"): in the
 * query string of a POST and in the body, the body being a form whatever its label (JSON-labelled,
 * unlabelled, text/plain), or a JSON object. Body values win over query values; empty names are
 * dropped.
 */
export function parseParams(query: URLSearchParams, bodyText: string): Map<string, string> {
  const fromBody = jsonObjectParams(bodyText) ?? formParams(bodyText);
  const params = new Map<string, string>(fromBody);
  for (const [name, value] of query) addFirst(params, name, value);
  return params;
}

function formParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text.trim())) addFirst(params, name, value);
  return params;
}

export interface BasicCredentials {
  user: string;
  password: string;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  const match = /^\s*Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}
