import { TelApiInputError } from '../errors';
import type { CallbackCredentials } from '../public-url';
import { MAX_URL_LENGTH, resolveCallbackUrl, resolveNodeUrl, validateCallSid } from '../recording';
import { PATH_KEY_PARAM } from '../signature';
import type { UrlUse } from './kinds';

/**
 * URLs in InboundXML (docs/design.md "Calls", telapi-inboundxml): a `/path` names a node of this
 * Node-RED and is made absolute from the account's canonical public URL, with what lets that node
 * accept TelAPI's request (see UrlUse); an absolute URL is taken as it is.
 */

/** What an account lends the builder: CallbackAuthenticator fits, and keeps the AuthToken to itself. */
export interface InboundXmlAuthenticator {
  tokenFor(callSid: string): string;
  keyFor(path: string): string;
}

/** The account of the voice request being answered. */
export interface InboundXmlAccount {
  /** The account's public URL (with httpNodeRoot); "" when it has none. */
  publicUrl: string;
  authenticator: InboundXmlAuthenticator;
  /** The account's callback credentials (httpNodeAuth), if any: only URLs under the public URL get them. */
  callbackCredentials?: CallbackCredentials | undefined;
}

export interface UrlContext {
  /** Without an account (no voice request to answer), only absolute URLs can be given. */
  account?: InboundXmlAccount | undefined;
  /** The call being answered (msg.callSid): the per-call token of a `call` URL is its. */
  callSid?: unknown;
}

/** The path of a `/path?query#fragment`, over which its path key is computed. */
const pathOf = (value: string): string => value.split(/[?#]/, 1)[0] ?? value;

/**
 * The URL to emit for `value` (not empty). A `/path`: under the public URL, with the call's `token`
 * (`call`), its path's `key` (`leg`) or nothing (`media`), and the callback credentials; without a
 * public URL an error. An absolute http(s) URL: unchanged. URLs TelAPI requests with the call's
 * parameters are held to TelAPI's limit for callback URLs (MAX_URL_LENGTH) as everywhere in the
 * package; media URLs (signed storage links are long) are not.
 */
export function resolveInboundXmlUrl(field: string, value: string, use: UrlUse, context: UrlContext): string {
  const maxLength = use === 'media' ? Infinity : MAX_URL_LENGTH;
  if (!value.startsWith('/')) return resolveNodeUrl(field, value, '', undefined, undefined, maxLength);
  const account = context.account;
  if (account === undefined || account.publicUrl.trim() === '') throw new TelApiInputError(field, 'relative-without-public-url');
  const { publicUrl, authenticator, callbackCredentials } = account;
  if (use === 'media') return resolveNodeUrl(field, value, publicUrl, undefined, callbackCredentials, maxLength);
  if (use === 'call') return resolveCallbackUrl(field, value, publicUrl, authenticator.tokenFor(validateCallSid(context.callSid)), callbackCredentials);
  const key = { name: PATH_KEY_PARAM, value: authenticator.keyFor(pathOf(value)) };
  return resolveNodeUrl(field, value, publicUrl, key, callbackCredentials);
}
