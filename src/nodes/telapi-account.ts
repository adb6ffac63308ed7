import type { NodeAPI } from 'node-red';
import { CallbackAuthenticator, TelApiClient, isAccountSid, withoutUserinfo } from '../telapi';
import {
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_SECONDS,
  type TelApiAccountCredentials,
  type TelApiAccountDef,
  type TelApiAccountNode,
} from './account-types';

function timeoutMs(value: number | string | undefined): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_SECONDS * 1000;
}

/** http:// to anything but this machine sends the Basic credentials in the clear. */
function isCleartextRemote(baseUrl: string): boolean {
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && !url.hostname.startsWith('127.');
  } catch {
    return false;
  }
}

export = function register(RED: NodeAPI): void {
  function TelApiAccount(this: TelApiAccountNode, config: TelApiAccountDef): void {
    RED.nodes.createNode(this, config);
    // A user and password in the base URL are never sent (requests carry AccountSid:AuthToken), so
    // they are dropped here rather than kept where a log, status or error could show them.
    this.baseUrl = withoutUserinfo((config.baseUrl ?? '').trim() || DEFAULT_BASE_URL);
    this.publicUrl = (config.publicUrl ?? '').trim().replace(/\/+$/, '');
    const accountSid = (this.credentials.accountSid ?? '').trim();
    const authToken = this.credentials.authToken ?? '';
    this.client = undefined;
    this.authenticator = undefined;
    if (accountSid === '' || authToken === '') {
      this.problem = 'missingCredentials';
    } else if (!isAccountSid(accountSid)) {
      this.problem = 'invalidAccountSid';
    } else {
      this.problem = undefined;
      this.client = new TelApiClient({
        accountSid,
        authToken,
        baseUrl: this.baseUrl,
        timeoutMs: timeoutMs(config.timeout),
        userAgent: 'node-red-telapi (Node-RED)',
      });
      this.authenticator = new CallbackAuthenticator(accountSid, authToken);
    }
    if (isCleartextRemote(this.baseUrl)) this.warn(RED._('telapi-account.warn.insecureBaseUrl', { url: this.baseUrl }));
    this.on('close', (done: () => void) => {
      this.client?.close();
      done();
    });
  }

  RED.nodes.registerType<TelApiAccountNode, TelApiAccountDef, unknown, TelApiAccountCredentials>('telapi-account', TelApiAccount, {
    credentials: {
      accountSid: { type: 'text' },
      authToken: { type: 'password' },
    },
  });
};
