import type { Node, NodeDef } from 'node-red';
import type { CallbackAuthenticator, CallbackCredentials, SecretRedactor, TelApiClient } from '../../telapi';

export const DEFAULT_BASE_URL = 'https://api.telapi.com/v1';
export const DEFAULT_TIMEOUT_SECONDS = 15;

export interface TelApiAccountCredentials {
  accountSid?: string;
  authToken?: string;
  /** For httpNodeAuth: the user and password TelAPI puts in front of the callback URL's host. */
  callbackUser?: string;
  callbackPassword?: string;
}

export interface TelApiAccountDef extends NodeDef {
  baseUrl?: string;
  publicUrl?: string;
  timeout?: number | string;
  /** Id of a core `http proxy` config node, or "". */
  proxy?: string;
}

/** What a core `http proxy` config node (06-httpproxy.js) holds. */
export interface HttpProxyNode extends Node<{ username?: string; password?: string }> {
  url?: string;
  noproxy?: string[];
}

/** What other nodes get from RED.nodes.getNode(account): the client and checks, never the token. */
export interface TelApiAccountNode extends Node<TelApiAccountCredentials> {
  baseUrl: string;
  /** As configured (trimmed, without user and password); callback URLs use its canonical form. */
  publicUrl: string;
  /** The callback credentials (httpNodeAuth), for callback URLs only: never logged or shown. */
  callbackCredentials: CallbackCredentials | undefined;
  /** Undefined when the AccountSid or AuthToken is missing or malformed; see `problem`. */
  client: TelApiClient | undefined;
  authenticator: CallbackAuthenticator | undefined;
  /** Masks the AuthToken, callback and proxy passwords and URL credentials in what the nodes output. */
  redactor: SecretRedactor;
  /** i18n key (under telapi-account.errors) of what is wrong with the configuration, if anything. */
  problem: 'missingCredentials' | 'invalidAccountSid' | undefined;
}


/** Why a node cannot use its account; the key names a message under `<node type>.errors`. */
export type AccountProblem = 'noAccount' | 'missingCredentials' | 'invalidAccountSid';

export type UsableAccount = TelApiAccountNode & { client: TelApiClient; authenticator: CallbackAuthenticator };

export function accountProblem(account: TelApiAccountNode | null | undefined): AccountProblem | undefined {
  if (!account) return 'noAccount';
  return account.problem;
}

export function isUsable(account: TelApiAccountNode | null | undefined): account is UsableAccount {
  return !!account && account.client !== undefined && account.authenticator !== undefined;
}
