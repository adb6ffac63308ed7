import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ApiError } from './api-errors';
import { sendText } from './http-util';
import { isAbsoluteHttpUrl, sameSecret } from './spec';

/** The `phone` option: the browser phone at `GET /phone` (simulator/README.md, "The phone page"). */
export interface PhoneOptions {
  /** The voice URL the page calls unless its address names another (`/phone?url=…`). */
  voiceUrl?: string;
  /** The page's own number: calls made to it (`POST …/Calls.json`) ring on the page. Default +15550100200. */
  number?: string;
}

export const DEFAULT_PHONE_NUMBER = '+15550100200';

/** The header the page sends its session in (never a URL, never logged). */
export const PHONE_SESSION_HEADER = 'x-telapi-phone-session';

const PAGE_PREFIX = '/phone';

/** The page's files, in simulator/phone (next to dist). */
const PAGE_DIR = path.join(__dirname, '..', 'phone');
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/phone.css': { file: 'phone.css', type: 'text/css; charset=utf-8' },
  '/phone.js': { file: 'phone.js', type: 'text/javascript; charset=utf-8' },
  '/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

/**
 * Its own files only, no inline script or style; media (a `<Play>`) from anywhere; no framing; the
 * page's address (it may hold a voice URL's key) is not sent on as a Referer.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self' http: https:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * What the session may do below /_simulator (lower case): follow, place and end calls, press keys,
 * answer or reject a call that rings, set a number's behaviour. Not faults, reset, seeding or the logs.
 */
const SESSION_ROUTES: ReadonlyArray<readonly [string, RegExp]> = [
  ['GET', /^\/_simulator\/calls$/],
  ['POST', /^\/_simulator\/calls\/inbound$/],
  ['GET', /^\/_simulator\/calls\/[^/]+(?:\/events)?$/],
  ['POST', /^\/_simulator\/calls\/[^/]+\/(?:digits|hangup|answer|reject)$/],
  ['GET', /^\/_simulator\/numbers$/],
  ['POST', /^\/_simulator\/numbers$/],
];

export function isPhonePath(pathname: string): boolean {
  return pathname === PAGE_PREFIX || pathname.startsWith(`${PAGE_PREFIX}/`);
}

const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The host name of a Host header (`[::1]:8089` -> `[::1]`), lower case. */
function hostName(host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim());
  return (match?.[1] ?? '').toLowerCase();
}

/** No Origin (not a cross-origin fetch), or the page's own: http(s) and the host asked for (https behind a TLS proxy). */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === (request.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The browser phone of the offline demo: its page, and the per-process session that page uses on the
 * control API instead of an account's credentials (simulator/README.md, "The phone page", for why).
 */
export class PhonePage {
  /** The account whose calls the session may see and drive: the first configured one. */
  readonly accountSid: string;
  readonly number: string;
  #voiceUrl: string | undefined;
  readonly #session = randomBytes(32).toString('base64url');
  readonly #extraHosts: () => string[];
  readonly #files = new Map<string, string>();

  /** `extraHosts`: host names besides loopback ones the page may be asked under (the listening address, publicUrl's). */
  constructor(options: PhoneOptions, accountSid: string, extraHosts: () => string[]) {
    this.accountSid = accountSid;
    this.number = options.number?.trim() || DEFAULT_PHONE_NUMBER;
    this.voiceUrl = options.voiceUrl;
    this.#extraHosts = extraHosts;
  }

  get voiceUrl(): string | undefined {
    return this.#voiceUrl;
  }

  /** The voice URL the page offers to call; undefined: the user types one. */
  set voiceUrl(url: string | undefined) {
    const trimmed = url?.trim() || undefined;
    if (trimmed !== undefined && !isAbsoluteHttpUrl(trimmed)) throw new RangeError('phone.voiceUrl must be an http or https URL');
    this.#voiceUrl = trimmed;
  }

  /** `GET /phone` and its files. */
  serve(request: IncomingMessage, response: ServerResponse, url: URL): void {
    this.#checkHost(request);
    const entry = FILES[url.pathname.slice(PAGE_PREFIX.length)];
    if (!entry) throw new ApiError('resourceNotFound', `The phone page has no file ${url.pathname}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new ApiError('methodNotAllowed', 'The phone page answers GET and HEAD');
    let text = this.#file(entry.file);
    if (entry.file === 'index.html') {
      const values: Record<string, string> = { session: this.#session, number: escapeAttribute(this.number), voiceUrl: escapeAttribute(this.#voiceUrl ?? '') };
      text = text.replace(/\{\{(session|number|voiceUrl)\}\}/g, (_match, name: string) => values[name] ?? '');
    }
    sendText(response, 200, entry.type, request.method === 'HEAD' ? '' : text, PAGE_HEADERS);
  }

  /**
   * Whether the request carries the page's session (throws when it carries a wrong one, comes from
   * another origin, or names a host the page is not served under). The session opens SESSION_ROUTES only.
   */
  authorizes(request: IncomingMessage, method: string, controlPath: string): boolean {
    const given = request.headers[PHONE_SESSION_HEADER];
    if (given === undefined) return false;
    if (typeof given !== 'string' || !sameSecret(given, this.#session)) throw new ApiError('invalidCredentials', 'The phone session is not this simulator’s: reload the page');
    this.#checkHost(request);
    if (!sameOrigin(request)) throw new ApiError('phoneForbidden', `The phone session is for the page at ${request.headers.host ?? ''} only`);
    const route = controlPath.toLowerCase();
    if (!SESSION_ROUTES.some(([allowed, pattern]) => allowed === method && pattern.test(route))) {
      throw new ApiError('phoneForbidden', `The phone session does not open ${method} ${controlPath}`);
    }
    return true;
  }

  /** A name that is not the simulator's own could be DNS rebinding: another site's page reaching the loopback port. */
  #checkHost(request: IncomingMessage): void {
    const name = hostName(request.headers.host ?? '');
    const known = this.#extraHosts().map((host) => hostName(host));
    if (!LOOPBACK_HOSTS.test(name) && !known.includes(name)) {
      throw new ApiError('phoneForbidden', 'The phone page answers only under the simulator’s own address (127.0.0.1, localhost, the address it listens on)');
    }
  }

  #file(name: string): string {
    let text = this.#files.get(name);
    if (text === undefined) {
      text = readFileSync(path.join(PAGE_DIR, name), 'utf8');
      this.#files.set(name, text);
    }
    return text;
  }
}
