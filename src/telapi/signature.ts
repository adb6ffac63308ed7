import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Callback authenticity (docs/telapi-api.md). TelAPI does not sign its callbacks, so the record node puts
 * a per-call token into every callback URL it sends, and the callback node recomputes it.
 */
export const CALLBACK_TOKEN_PARAM = 'token';
/** The query parameter of the path key (docs/telapi-api.md "Callback authenticity"): `key=<k>`. */
export const PATH_KEY_PARAM = 'key';
export const SIGNATURE_HEADER = 'x-telapi-signature';

/** A callback token's length: 32 HMAC-SHA256 bytes in unpadded base64url. */
export const CALLBACK_TOKEN_LENGTH = 43;

/** base64url(HMAC-SHA256(key = AuthToken, data = CallSid)), without padding. */
export function callbackToken(authToken: string, callSid: string): string {
  return createHmac('sha256', authToken).update(callSid, 'utf8').digest('base64url');
}

/** Returns `url` with its `token` query parameter set (replacing any earlier one). */
export function withCallbackToken(url: string, token: string): string {
  return withQueryParam(url, CALLBACK_TOKEN_PARAM, token);
}

/**
 * Returns `url` with the query parameter `name` set to `value`, as its last parameter (replacing any
 * earlier one). Last: a signature joins names and values without separators, and a token or key at
 * the end swallows what a GET would join after it (callback-check.ts, checkCallback).
 */
export function withQueryParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete(name);
  parsed.searchParams.append(name, value);
  return parsed.toString();
}

/**
 * The path a path key is computed over: one leading "/" and no trailing "/" (the root stays "/"),
 * so that "telapi/voice", "/telapi/voice/" and "//telapi/voice" share one key.
 */
export function pathKeyPath(path: string): string {
  return `/${path.trim().replace(/^\/+/, '').replace(/\/+$/, '')}`;
}

/**
 * The path key (docs/telapi-api.md "Callback authenticity"): base64url(HMAC-SHA256(key = AuthToken,
 * data = "path:" + path)) without padding. For URLs made before the call exists; it admits any
 * CallSid of the account on that one path, so a URL made once the CallSid is known carries the
 * per-call token instead.
 */
export function pathKey(authToken: string, path: string): string {
  return createHmac('sha256', authToken).update(`path:${pathKeyPath(path)}`, 'utf8').digest('base64url');
}

export type SignedParams = Iterable<readonly [string, string]> | Readonly<Record<string, string | readonly string[]>>;

function paramPairs(params: SignedParams): Array<readonly [string, string]> {
  if (Symbol.iterator in params) return [...(params as Iterable<readonly [string, string]>)];
  const pairs: Array<readonly [string, string]> = [];
  for (const [name, value] of Object.entries(params as Record<string, string | readonly string[]>)) {
    for (const item of typeof value === 'string' ? [value] : value) pairs.push([name, item]);
  }
  return pairs;
}

/**
 * X-TelAPI-Signature: base64(HMAC-SHA1(AuthToken, URL + name1 + value1 + name2 + value2 …)) with the
 * POST parameters in name order (the Twilio-style scheme). `url` is the full public URL that was
 * called, query string included.
 */
export function computeSignature(authToken: string, url: string, params: SignedParams): string {
  const pairs = paramPairs(params);
  // Stable sort by code units keeps repeated names in the order they were sent.
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hmac = createHmac('sha1', authToken).update(url, 'utf8');
  for (const [name, value] of pairs) hmac.update(name, 'utf8').update(value, 'utf8');
  return hmac.digest('base64');
}

/** Constant-time string comparison that also hides length differences. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB) && a.length === b.length;
}

export function verifyCallbackToken(authToken: string, callSid: string, token: string): boolean {
  return constantTimeEqual(callbackToken(authToken, callSid), token);
}

export function verifyPathKey(authToken: string, path: string, key: string): boolean {
  return constantTimeEqual(pathKey(authToken, path), key);
}

export function verifySignature(authToken: string, url: string, params: SignedParams, signature: string): boolean {
  return constantTimeEqual(computeSignature(authToken, url, params), signature);
}

/**
 * An account's callback checks, holding the AuthToken privately so that the object can be handed to
 * other nodes (and even logged) without exposing it.
 */
export class CallbackAuthenticator {
  readonly accountSid: string;
  readonly #authToken: string;

  constructor(accountSid: string, authToken: string) {
    this.accountSid = accountSid;
    this.#authToken = authToken;
  }

  tokenFor(callSid: string): string {
    return callbackToken(this.#authToken, callSid);
  }

  verifyToken(callSid: string, token: string): boolean {
    return verifyCallbackToken(this.#authToken, callSid, token);
  }

  /** The path key of a node's path (as configured, below the public URL). A secret, like the token. */
  keyFor(path: string): string {
    return pathKey(this.#authToken, path);
  }

  verifyPathKey(path: string, key: string): boolean {
    return verifyPathKey(this.#authToken, path, key);
  }

  verifySignature(url: string, params: SignedParams, signature: string): boolean {
    return verifySignature(this.#authToken, url, params, signature);
  }

  sign(url: string, params: SignedParams): string {
    return computeSignature(this.#authToken, url, params);
  }
}
