import { paramString, queryText, type CallbackRejection, type CallbackSecurity, type ParsedCallback } from './callback';
import { canonicalCallbackUrl } from './public-url';
import { isCallSid } from './sids';
import { CALLBACK_TOKEN_PARAM, PATH_KEY_PARAM, constantTimeEqual } from './signature';

/**
 * Whether a callback or a voice request is authentic (docs/telapi-api.md "Callback authenticity";
 * docs/design.md "telapi-callback" and "Calls"). One check serves the callback node and the voice
 * node: both accept, in `token` mode, the per-call token of the posted CallSid or the path key of
 * their own path. Pure: the nodes do the I/O.
 */

/** What a check needs of an account: CallbackAuthenticator fits, and hides the AuthToken. */
export interface CallbackVerifier {
  readonly accountSid: string;
  verifyToken(callSid: string, token: string): boolean;
  verifyPathKey(path: string, key: string): boolean;
  verifySignature(url: string, params: Iterable<readonly [string, string]>, signature: string): boolean;
}

export interface CallbackCheckRequest {
  /** The parameters (parseCallbackBody for a POST, parseVoiceRequest for a voice GET or POST). */
  callback: ParsedCallback;
  /**
   * The request's path and query exactly as received, relative to where Node-RED serves its HTTP
   * nodes (httpNodeRoot), e.g. "/telapi/recording?token=…".
   */
  relativeUrl: string;
  /** The X-TelAPI-Signature header, if any. */
  signature?: string | undefined;
}

export interface CallbackCheckPolicy {
  security: CallbackSecurity;
  /** Required in `token` and `signature` modes. */
  verifier?: CallbackVerifier | undefined;
  /** The account's public URL (with httpNodeRoot), taken in its canonical form; required in `signature` mode. */
  publicUrl?: string | undefined;
  /**
   * The receiving node's own path as configured (below the public URL), e.g. "/telapi/voice": in
   * `token` mode a `key` is accepted when it is this path's key. Without it, any `key` is refused.
   */
  path?: string | undefined;
}

export type CallbackVerdict = { ok: true; callSid: string } | { ok: false; reason: CallbackRejection };

/** The credential a request's URL carries: our `token` or `key` query parameter, at most one of them once. */
export type UrlCredential =
  | { ok: true; kind: 'token' | 'key'; value: string }
  | { ok: true; kind: 'none' }
  | { ok: false; reason: 'repeatedParam' | 'tokenAndKey' };

/** The query parameters of a relative URL, as received. */
export function queryOf(relativeUrl: string): URLSearchParams {
  return new URLSearchParams(queryText(relativeUrl));
}

/**
 * Reads the URL's credential. Either parameter twice, or both of them, is malformed (400): a URL the
 * package makes carries exactly one, and which one was meant would otherwise be a guess. An empty
 * value counts as present for that rule and as no credential for the check.
 */
export function urlCredential(relativeUrl: string): UrlCredential {
  const query = queryOf(relativeUrl);
  const tokens = query.getAll(CALLBACK_TOKEN_PARAM);
  const keys = query.getAll(PATH_KEY_PARAM);
  if (tokens.length > 1 || keys.length > 1) return { ok: false, reason: 'repeatedParam' };
  if (tokens.length === 1 && keys.length === 1) return { ok: false, reason: 'tokenAndKey' };
  const [kind, value] = tokens.length === 1 ? ['token', tokens[0]] as const : ['key', keys[0]] as const;
  return value === undefined || value === '' ? { ok: true, kind: 'none' } : { ok: true, kind, value };
}

/** The `token` mode: the per-call token of the CallSid, or the path key of the node's own path. */
function tokenVerdict(credential: UrlCredential & { ok: true }, callSid: string, verifier: CallbackVerifier, path: string | undefined): CallbackRejection | undefined {
  if (credential.kind === 'none') return 'noToken';
  if (credential.kind === 'token') return verifier.verifyToken(callSid, credential.value) ? undefined : 'badToken';
  return path !== undefined && verifier.verifyPathKey(path, credential.value) ? undefined : 'badKey';
}

/**
 * Decides whether a parsed callback or voice request is acceptable. Every mode requires a
 * well-formed CallSid (a request without one is not from TelAPI) and a URL with at most one of
 * `token` and `key`, once; `token` and `signature` also require the AccountSid to be the account's
 * (a path key admits any CallSid, so that check is what binds it to the account). The URL the
 * signature covers is the configured public URL plus the path and query as received — never one
 * rebuilt from Host or X-Forwarded-* headers; a token or key that URL carries must be right too.
 */
export function checkCallback(request: CallbackCheckRequest, policy: CallbackCheckPolicy): CallbackVerdict {
  const { params, pairs } = request.callback;
  const callSid = paramString(params, 'CallSid');
  if (callSid === undefined || callSid === '') return { ok: false, reason: 'noCallSid' };
  if (!isCallSid(callSid)) return { ok: false, reason: 'badCallSid' };
  const credential = urlCredential(request.relativeUrl);
  if (!credential.ok) return { ok: false, reason: credential.reason };
  if (policy.security === 'none') return { ok: true, callSid };

  const verifier = policy.verifier;
  if (!verifier) throw new Error(`checkCallback: security "${policy.security}" needs a verifier`);
  if (policy.security === 'token') {
    const rejection = tokenVerdict(credential, callSid, verifier, policy.path);
    if (rejection !== undefined) return { ok: false, reason: rejection };
  } else {
    const url = canonicalCallbackUrl(policy.publicUrl ?? '', request.relativeUrl);
    if (url === undefined) throw new Error('checkCallback: security "signature" needs the public URL');
    const signature = request.signature?.trim() ?? '';
    if (signature === '') return { ok: false, reason: 'noSignature' };
    if (!verifier.verifySignature(url, pairs, signature)) return { ok: false, reason: 'badSignature' };
    // A token or key the URL carries holds as well. The signature joins names and values without
    // separators, so a signed POST's signature is also valid for a GET to that joined string, whose
    // query can name another call; the token the package put last in the URL swallows the join.
    if (credential.kind !== 'none') {
      const rejection = tokenVerdict(credential, callSid, verifier, policy.path);
      if (rejection !== undefined) return { ok: false, reason: rejection };
    }
  }
  const accountSid = paramString(params, 'AccountSid') ?? '';
  if (!constantTimeEqual(accountSid, verifier.accountSid)) return { ok: false, reason: 'foreignAccount' };
  return { ok: true, callSid };
}
