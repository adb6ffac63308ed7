import type { NodeAPI } from 'node-red';
import {
  CallbackAuthenticator,
  ProxyUrlError,
  SecretRedactor,
  TelApiClient,
  isLocalOnlyHost,
  parseHttpUrl,
  isAccountSid,
  loadGot,
  publicUrlHasNodeRoot,
  resolveProxy,
  withoutUserinfo,
  type CallbackCredentials,
  type ProxyOptions,
  type TelApiProxy,
} from '../../telapi';
import {
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_SECONDS,
  type TelApiAccountCredentials,
  type HttpProxyNode,
  type TelApiAccountDef,
  type TelApiAccountNode,
} from '../shared/account';
import { accountRules } from '../shared/editor-rules';

function timeoutMs(value: number | string | undefined): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_SECONDS * 1000;
}

/** http:// to a host the internet reaches: what goes there (Basic credentials, URL tokens) goes in the clear. */
function isCleartextRemote(url: string): boolean {
  const parsed = parseHttpUrl(url);
  return parsed !== undefined && parsed.protocol === 'http:' && !isLocalOnlyHost(parsed.hostname);
}

/** RED.settings.proxyOptions (settings.js), the same options the core http request node reads. */
function proxyOptions(RED: NodeAPI): ProxyOptions {
  const value: unknown = (RED.settings as unknown as Record<string, unknown>).proxyOptions;
  if (typeof value !== 'object' || value === null) return {};
  const options: ProxyOptions = {};
  const settings = value as Record<string, unknown>;
  if (settings.mode === 'strict' || settings.mode === 'legacy') options.mode = settings.mode;
  for (const flag of ['favourUpperCase', 'lowerCaseOnly', 'excludeNpm'] as const) {
    if (typeof settings[flag] === 'boolean') options[flag] = settings[flag];
  }
  return options;
}

function callbackCredentials(user: string | undefined, password: string | undefined): CallbackCredentials | undefined {
  const name = (user ?? '').trim();
  return name === '' ? undefined : { user: name, password: password ?? '' };
}

/**
 * The public URL without a user and password. Flows saved before the account had callback
 * credentials may carry them there (a plain property, visible in flows.json): they still work, as
 * callback credentials, and the account warns that they belong in the credential fields.
 */
function splitPublicUrl(value: string): { publicUrl: string; legacyCredentials: CallbackCredentials | undefined } {
  const trimmed = value.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { publicUrl: withoutUserinfo(trimmed), legacyCredentials: undefined };
  }
  if (url.username === '' && url.password === '') return { publicUrl: trimmed, legacyCredentials: undefined };
  const legacyCredentials = callbackCredentials(decodeURIComponent(url.username), decodeURIComponent(url.password));
  return { publicUrl: withoutUserinfo(trimmed).replace(/\/+$/, ''), legacyCredentials };
}

/**
 * Node-RED awaits a register function's promise before it starts flows (3.1, 4.1 and 5 alike, and
 * node-red-node-test-helper's load()): got, ESM-only, is imported here once, as the core http request
 * node does, and handed to every account's client.
 */
export = async function register(RED: NodeAPI): Promise<void> {
  const got = await loadGot();

  /**
   * The proxy for this account's requests, as the core http request node picks it: the selected
   * `http proxy` config node, else HTTP_PROXY/HTTPS_PROXY/NO_PROXY. Like the core node, an unusable
   * proxy URL is warned about (without the URL: it may hold credentials) and requests go direct.
   */
  function proxyFor(node: TelApiAccountNode, config: TelApiAccountDef, baseUrl: string): TelApiProxy | undefined {
    const selected = config.proxy ? (RED.nodes.getNode(config.proxy) as HttpProxyNode | null) : null;
    const proxyConfig = config.proxy
      ? {
          url: selected?.url ?? '',
          noProxy: selected?.noproxy ?? [],
          ...(selected?.credentials?.username ? { username: selected.credentials.username } : {}),
          ...(selected?.credentials?.password ? { password: selected.credentials.password } : {}),
        }
      : undefined;
    try {
      return resolveProxy(baseUrl, proxyConfig, proxyOptions(RED));
    } catch (error) {
      if (!(error instanceof ProxyUrlError)) throw error;
      node.warn(RED._('telapi-account.warn.invalidProxy'));
      return undefined;
    }
  }

  function TelApiAccount(this: TelApiAccountNode, config: TelApiAccountDef): void {
    RED.nodes.createNode(this, config);
    // A user and password in the base URL are never sent (requests carry AccountSid:AuthToken), so
    // they are dropped here rather than kept where a log, status or error could show them.
    this.baseUrl = withoutUserinfo((config.baseUrl ?? '').trim() || DEFAULT_BASE_URL);
    const { publicUrl, legacyCredentials } = splitPublicUrl(config.publicUrl ?? '');
    this.publicUrl = publicUrl;
    this.callbackCredentials = callbackCredentials(this.credentials.callbackUser, this.credentials.callbackPassword) ?? legacyCredentials;
    if (legacyCredentials) this.warn(RED._('telapi-account.warn.publicUrlCredentials'));
    const settings = RED.settings as unknown as Record<string, unknown>;
    if (publicUrl !== '' && settings.httpNodeRoot !== false && !publicUrlHasNodeRoot(publicUrl, settings.httpNodeRoot)) {
      const root = String(settings.httpNodeRoot).replace(/\/+$/, '') || '/';
      this.warn(RED._('telapi-account.warn.publicUrlWithoutNodeRoot', { url: publicUrl, root }));
    }
    const accountSid = (this.credentials.accountSid ?? '').trim();
    const authToken = this.credentials.authToken ?? '';
    this.client = undefined;
    this.authenticator = undefined;
    // What a server may echo: the secrets, and the Basic credentials of the account, the callback URLs and the proxy.
    const callback = this.callbackCredentials;
    const secrets = [authToken, callback?.password];
    const credentials: Array<readonly [string, string]> = [[accountSid, authToken], ...(callback ? [[callback.user, callback.password] as const] : [])];
    this.redactor = new SecretRedactor(secrets, credentials);
    if (accountSid === '' || authToken === '') {
      this.problem = 'missingCredentials';
    } else if (!isAccountSid(accountSid)) {
      this.problem = 'invalidAccountSid';
    } else {
      this.problem = undefined;
      const proxy = proxyFor(this, config, this.baseUrl);
      if (proxy) this.log(RED._('telapi-account.log.proxy', { proxy: proxy.url }));
      if (proxy?.username || proxy?.password) {
        this.redactor = new SecretRedactor([...secrets, proxy.password], [...credentials, [proxy.username ?? '', proxy.password ?? '']]);
      }
      this.client = new TelApiClient({
        got,
        ...(proxy ? { proxy } : {}),
        accountSid,
        authToken,
        baseUrl: this.baseUrl,
        timeoutMs: timeoutMs(config.timeout),
        userAgent: 'node-red-telapi (Node-RED)',
      });
      this.authenticator = new CallbackAuthenticator(accountSid, authToken);
    }
    if (isCleartextRemote(this.baseUrl)) this.warn(RED._('telapi-account.warn.insecureBaseUrl', { url: this.baseUrl }));
    if (isCleartextRemote(publicUrl)) this.warn(RED._('telapi-account.warn.insecurePublicUrl', { url: publicUrl }));
    this.on('close', (done: () => void) => {
      this.client?.close();
      done();
    });
  }

  RED.nodes.registerType<TelApiAccountNode, TelApiAccountDef, unknown, TelApiAccountCredentials>('telapi-account', TelApiAccount, {
    credentials: {
      accountSid: { type: 'text' },
      authToken: { type: 'password' },
      callbackUser: { type: 'text' },
      callbackPassword: { type: 'password' },
    },
    settings: { telapiAccountRules: { value: accountRules(RED.settings as unknown as Record<string, unknown>), exportable: true } },
  });
};
