// Which proxy a request goes through, decided the way Node-RED's core `http request` node decides it:
// a faithful port of @node-red/nodes/core/network/lib/proxyHelper.js (Node-RED, Apache-2.0; itself
// based on proxy-from-env by Rob Wu, MIT). Ported rather than required because that file is not
// reachable from a package installed in a user directory, nor present in every Node-RED >= 3.1.

/** Node-RED's `proxyOptions` setting (settings.js), plus the environment to read. */
export interface ProxyOptions {
  /** `legacy` is Node-RED's pre-3.1 logic; the NR_PROXY_MODE environment variable overrides it. */
  mode?: 'strict' | 'legacy';
  favourUpperCase?: boolean;
  lowerCaseOnly?: boolean;
  excludeNpm?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

/** A proxy to send through. The credentials are kept apart from the URL so that it can be shown. */
export interface TelApiProxy {
  /** scheme://host:port, without credentials. */
  url: string;
  username?: string;
  password?: string;
}

/** What a core `http proxy` config node holds. */
export interface ProxyConfig {
  url: string;
  noProxy?: readonly string[];
  username?: string;
  password?: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { ftp: 21, gopher: 70, http: 80, https: 443, ws: 80, wss: 443, mqtt: 1880, mqtts: 8883 };

function getEnv(key: string, options: ProxyOptions): string {
  const env = options.env ?? process.env;
  if (options.excludeNpm === true && key.startsWith('npm_config_')) return '';
  if (options.lowerCaseOnly === true) return env[key.toLowerCase()] || '';
  if (options.favourUpperCase === true) return env[key.toUpperCase()] || env[key.toLowerCase()] || '';
  return env[key.toLowerCase()] || env[key.toUpperCase()] || '';
}

function shouldProxy(hostname: string, port: number, options: ProxyOptions): boolean {
  const noProxy = (getEnv('npm_config_no_proxy', options) || getEnv('no_proxy', options)).toLowerCase();
  if (!noProxy) return true;
  if (noProxy === '*') return false;
  return noProxy.split(/[,\s]/).every((entry) => {
    if (!entry) return true;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    let entryHost = withPort?.[1] ?? entry;
    const entryPort = withPort ? parseInt(withPort[2] as string, 10) : 0;
    if (entryPort && entryPort !== port) return true;
    if (!/^[.*]/.test(entryHost)) return hostname !== entryHost;
    if (entryHost.startsWith('*')) entryHost = entryHost.slice(1);
    return !hostname.endsWith(entryHost);
  });
}

/** Node-RED before 3.1: HTTP_PROXY (or http_proxy) for everything, NO_PROXY entries as substrings. */
function legacyProxyForUrl(url: string, env: Readonly<Record<string, string | undefined>>): string {
  let proxy: string | undefined;
  let noProxy: string[] | undefined;
  if (env.http_proxy) proxy = env.http_proxy;
  if (env.HTTP_PROXY) proxy = env.HTTP_PROXY;
  if (env.no_proxy) noProxy = env.no_proxy.split(',');
  if (env.NO_PROXY) noProxy = env.NO_PROXY.split(',');
  const excluded = (noProxy ?? []).some((entry) => url.includes(entry.trim()));
  return proxy && !excluded ? proxy : '';
}

/** The proxy URL (possibly with credentials) for `url`, or "" to go direct; core proxyHelper's rules. */
export function getProxyForUrl(url: string, options: ProxyOptions = {}): string {
  const override = getEnv('NR_PROXY_MODE', {});
  const mode = override === 'legacy' || override === 'strict' ? override : (options.mode ?? 'strict');
  if (mode === 'legacy') return legacyProxyForUrl(url, options.env ?? process.env);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  if (!parsed.host || !parsed.protocol) return '';
  const proto = parsed.protocol.split(':', 1)[0] as string;
  // Strip the port from host rather than use hostname, so an IPv6 address keeps its brackets.
  const hostname = parsed.host.replace(/:\d*$/, '');
  const port = parseInt(parsed.port, 10) || DEFAULT_PORTS[proto] || 0;
  if (!shouldProxy(hostname, port, options)) return '';
  let proxy =
    getEnv(`npm_config_${proto}_proxy`, options) ||
    getEnv(`${proto}_proxy`, options) ||
    getEnv('npm_config_proxy', options) ||
    getEnv('all_proxy', options);
  if (proxy && !proxy.includes('://')) proxy = `${proto}://${proxy}`;
  return proxy;
}

/** Thrown for a proxy URL that cannot be used; its message never contains the URL's credentials. */
export class ProxyUrlError extends Error {
  constructor() {
    super('The proxy URL is not a valid http(s) URL');
    this.name = 'ProxyUrlError';
  }
}

/**
 * The proxy for requests to `targetUrl`, as the core `http request` node picks it: with a config node,
 * its URL and no-proxy list stand in for the environment (RED.settings.proxyOptions still apply) and
 * its credentials win over any in the URL; without one, HTTP_PROXY/HTTPS_PROXY/NO_PROXY decide.
 */
export function resolveProxy(targetUrl: string, config: ProxyConfig | undefined, options: ProxyOptions = {}): TelApiProxy | undefined {
  const effective: ProxyOptions = config
    ? { ...options, env: { no_proxy: (config.noProxy ?? []).join(','), http_proxy: config.url, https_proxy: config.url } }
    : options;
  const chosen = getProxyForUrl(targetUrl, effective);
  if (!chosen) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(chosen);
  } catch {
    throw new ProxyUrlError();
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) throw new ProxyUrlError();
  const proxy: TelApiProxy = { url: `${parsed.protocol}//${parsed.host}` };
  const fromConfig = config && (config.username || config.password);
  const username = fromConfig ? (config.username ?? '') : decoded(parsed.username);
  const password = fromConfig ? (config.password ?? '') : decoded(parsed.password);
  if (username || password) {
    proxy.username = username;
    proxy.password = password;
  }
  return proxy;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ProxyUrlError();
  }
}
