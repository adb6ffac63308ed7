/**
 * The one canonical form of the account's public URL (docs/design.md): callback URLs are built from it and
 * signatures are checked over it, so that what the record node sends and what the callback node
 * verifies cannot differ by spelling.
 */
import { isLocalOnlyHost } from './addresses';

/** The optional user and password TelAPI sends when httpNodeAuth protects the HTTP nodes. */
export interface CallbackCredentials {
  user: string;
  password: string;
}

/** The URL when `text` is an absolute http(s) URL, else undefined. */
export function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function isHttpUrl(value: string): boolean {
  return parseHttpUrl(value) !== undefined;
}

/**
 * `publicUrl` with scheme and host in lower case, the default port dropped, no user and password,
 * no query or fragment, repeated slashes in its path collapsed and no trailing slash. Undefined when
 * it is not an absolute http(s) URL (or empty).
 */
export function canonicalPublicUrl(publicUrl: string): string | undefined {
  const text = publicUrl.trim();
  if (text === '') return undefined;
  const url = parseHttpUrl(text);
  if (url === undefined) return undefined;
  // WHATWG URL parsing already lower-cases scheme and host and drops a default port.
  const path = url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * A "." or ".." segment, also percent-encoded or after a "\\" (which a URL reads as "/"): under the
 * public URL https://host/nr, `/../x` is https://host/x, outside Node-RED, where a token, a key or
 * the callback credentials must never go. The editor reads this rule from the account's settings.
 */
export const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\]|$)/i;

/** A C0 control character or DEL. */
export const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;

/**
 * True when a `/path` could leave the public URL's path: a dot segment in its path (what comes before
 * its query or fragment), or a control character anywhere, since a URL parser drops tabs and
 * newlines wherever they are and controls at the ends ("/.\t./x" is "/../x", "/..\u0001" is "/..").
 */
export function isUnsafePath(pathAndQuery: string): boolean {
  return CONTROL_CHARACTER.test(pathAndQuery) || DOT_SEGMENT.test(pathAndQuery.split(/[?#]/, 1)[0] ?? '');
}

/** The canonical public URL joined with a path (and query) starting with "/", one slash between them. */
export function canonicalCallbackUrl(publicUrl: string, pathAndQuery: string): string | undefined {
  const base = canonicalPublicUrl(publicUrl);
  if (base === undefined) return undefined;
  const relative = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  return base + relative.replace(/^\/+/, '/');
}

/** The path of a public URL ("" for none), canonical: e.g. "/nr/api". */
export function publicUrlPath(publicUrl: string): string | undefined {
  const canonical = canonicalPublicUrl(publicUrl);
  return canonical === undefined ? undefined : new URL(canonical).pathname.replace(/\/+$/, '');
}

/**
 * True when the public URL's path ends with Node-RED's httpNodeRoot (a proxy may put a prefix in
 * front of it, never take it away). With httpNodeRoot "/" every path qualifies.
 */
export function publicUrlHasNodeRoot(publicUrl: string, httpNodeRoot: unknown): boolean {
  const path = publicUrlPath(publicUrl);
  if (path === undefined) return true;
  const root = typeof httpNodeRoot === 'string' ? httpNodeRoot.replace(/\/{2,}/g, '/').replace(/\/+$/, '') : '';
  if (root === '') return true;
  const lowerPath = path.toLowerCase();
  const lowerRoot = (root.startsWith('/') ? root : `/${root}`).toLowerCase();
  return lowerPath === lowerRoot || lowerPath.endsWith(lowerRoot);
}

/** `url` with the callback credentials as its user and password (percent-encoded by URL). */
export function withCallbackCredentials(url: string, credentials: CallbackCredentials | undefined): string {
  if (!credentials || credentials.user === '') return url;
  const parsed = new URL(url);
  parsed.username = credentials.user;
  parsed.password = credentials.password;
  return parsed.href;
}

/**
 * The public URL's host when TelAPI at `baseUrl` cannot reach it: a host only this machine or its
 * network reaches (isLocalOnlyHost) while the API is out on the internet. An API on such a host too
 * (the simulator on loopback) can: undefined then, and for a URL that is not one.
 */
export function privatePublicHost(publicUrl: string, baseUrl: string): string | undefined {
  const host = parseHttpUrl(publicUrl.trim())?.hostname;
  const apiHost = parseHttpUrl(baseUrl.trim())?.hostname;
  if (host === undefined || apiHost === undefined) return undefined;
  return isLocalOnlyHost(host) && !isLocalOnlyHost(apiHost) ? host : undefined;
}

/**
 * Whether an absolute URL given to TelAPI (`value`) names a receiving node's `path` (its path ends with
 * it) under another root than the public URL. TelAPI signs the URL it calls and a node in signature
 * mode checks against public URL + path, so every request sent there is refused. A `/path` is put
 * under the public URL: never elsewhere.
 */
export function signedElsewhere(value: string, publicUrl: string, path: string): boolean {
  const text = value.trim();
  if (text.startsWith('/')) return false;
  const absolute = canonicalPublicUrl(text);
  const root = canonicalPublicUrl(publicUrl);
  const suffix = path.replace(/\/+$/, '').toLowerCase();
  if (absolute === undefined || root === undefined || suffix === '') return false;
  // Express routes a path whatever its case; the root before it is what the signature covers.
  if (!absolute.toLowerCase().endsWith(suffix)) return false;
  return absolute.slice(0, absolute.length - suffix.length) !== root;
}
