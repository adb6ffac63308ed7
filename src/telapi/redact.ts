/**
 * What must never reach a message, a status, an error or the log, even when TelAPI, a proxy or a
 * media host echoes it: the user and password of URLs (callback credentials), the URL `token` and
 * path `key` that admit callbacks, and the account's own secrets.
 */

const MASK = '…';
/**
 * user:password@ after "//", or its URL-encoded form between "%2F%2F" and "%40". Each attempt stops
 * where the next one could start (a plain user and password hold no "/", an encoded one no "%2F"), so
 * this is one pass however long the text: a lazy scan to "@" or "%40" was quadratic (240 kB of
 * "%2F%2F" after an "@" took 15 s, with Node-RED's event loop blocked).
 */
const USERINFO = /(\/\/)[^\s/@?#&]*(@)|(%2F%2F)(?:[^\s/@?#&%]|%(?!2F|40)[0-9A-F]{2})*(%40)/gi;
/** token=… and key=… as query parameters (not "monkey=" or "X-Token="), plain or URL-encoded. */
const QUERY_SECRET = /((?:^|[?&\s"'(]|%3F|%26)(?:token|key)(?:=|%3D))[A-Za-z0-9_%-]+/gi;

/** `text` with URL credentials and `token`/`key` values masked. */
export function maskUrlSecrets(text: string): string {
  if (!text.includes('@') && !text.includes('%40') && !/token|key/i.test(text)) return text;
  return maskUrlCredentials(text).replace(QUERY_SECRET, `$1${MASK}`);
}

/** `text` with the user and password of its URLs masked (plain or URL-encoded). */
function maskUrlCredentials(text: string): string {
  if (!text.includes('@') && !text.includes('%40')) return text;
  return text.replace(USERINFO, (_match, slashes?: string, at?: string, encodedSlashes?: string, encodedAt?: string) => `${slashes ?? encodedSlashes}${MASK}${at ?? encodedAt}`);
}

/** The Base64 of `user:password` that a Basic Authorization header carries. */
export function basicCredentials(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** Shorter secrets are not masked inside other text: they would garble it and hide little. */
const MIN_SECRET_LENGTH = 4;
/**
 * Names TelAPI never sends, left out of the copy as the callback node leaves them out of a callback:
 * an own "__proto__" (JSON.parse makes one, also from "\u005f_proto__") assigned to the copy would
 * become its prototype, with fields a flow reads but a debug view does not show.
 */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Answers are parsed JSON bounded in depth (answers.ts); this bounds the walk on its own too. */
const MAX_WALK_DEPTH = 64;

/**
 * Masks one account's secrets (AuthToken, callback password, proxy password), plain or URL-encoded,
 * the Basic credentials that carry them (Base64 of `user:password`, as an Authorization or
 * Proxy-Authorization header a server echoes), and URL credentials, in text and in the strings of a
 * parsed answer.
 */
export class SecretRedactor {
  readonly #secrets: string[];

  /** `credentials`: the user and password pairs sent as Basic credentials. */
  constructor(secrets: ReadonlyArray<string | undefined>, credentials: ReadonlyArray<readonly [string, string]> = []) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
      forms.add(secret);
      forms.add(encodeURIComponent(secret));
    }
    for (const [user, password] of credentials) {
      if (password.length < MIN_SECRET_LENGTH) continue;
      const encoded = basicCredentials(user, password);
      // With and without its padding.
      forms.add(encoded);
      forms.add(encoded.replace(/=+$/, ''));
    }
    // Longest first, so a secret containing another is masked whole.
    this.#secrets = [...forms].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    return maskUrlSecrets(this.#maskSecrets(text));
  }

  /**
   * `text` with the account's secrets and URL credentials masked, its `token` and `key` values kept:
   * for what this package itself made with the per-call tokens, such as an InboundXML answer.
   */
  withoutCredentials(text: string): string {
    return maskUrlCredentials(this.#maskSecrets(text));
  }

  #maskSecrets(text: string): string {
    let result = text;
    for (const secret of this.#secrets) if (result.includes(secret)) result = result.split(secret).join(MASK);
    return result;
  }

  /** A copy of a parsed answer (objects, arrays, strings) with every string masked; other values as they are. */
  value<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  #walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null || depth > MAX_WALK_DEPTH || ArrayBuffer.isView(value)) return value;
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (!PROTOTYPE_NAMES.has(key)) copy[key] = this.#walk(item, depth + 1);
    return copy;
  }
}
