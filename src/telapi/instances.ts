import type { LookupFunction } from 'node:net';
import type { ExtendOptions, Got } from 'got' with { 'resolution-mode': 'import' };
import { isNonPublicHost, publicOnlyLookup } from './addresses';
import type { MediaStream, OpenMedia } from './download';
import type { TelApiProxy } from './proxy';
import { parseHttpUrl } from './public-url';
import { basic, directAgents, transportFor } from './transport';

/**
 * One account's got instances on its keep-alive agents: Basic auth, per-phase timeouts and the retry
 * policy for the API; media without credentials (added per request, API origin only). The token
 * lives only inside them, so that logging or inspecting a client cannot print it.
 */

export interface InstanceSettings {
  accountSid: string;
  authToken: string;
  userAgent: string;
  proxy: TelApiProxy | undefined;
  lookup: LookupFunction | undefined;
  ca: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** got's retry options and hooks (RetryPolicy.gotOptions). */
  retry: Pick<ExtendOptions, 'retry' | 'hooks'>;
}

export interface AccountInstances {
  /** The base URL's origin (credentials go only there), and whether its host is a public one; undefined when it is not an http(s) URL. */
  api: { origin: string; isPublic: boolean } | undefined;
  /** API requests without and with a form body. */
  plain: Got;
  form: Got;
  /** Media GETs; `publicOnly` refuses names that resolve to non-public addresses when the API is public. */
  openMedia(publicOnly: boolean): OpenMedia;
  /** Frees every keep-alive socket. */
  destroy(): void;
}

export function accountInstances(got: Got, baseUrl: string, settings: InstanceSettings): AccountInstances {
  const { proxy, lookup, timeoutMs, connectTimeoutMs } = settings;
  const target = parseHttpUrl(baseUrl);
  // A tunnel is open once the proxy has looked TelAPI up and connected to it: two connect phases.
  const transport = transportFor(target, proxy, 2 * connectTimeoutMs);
  // Under a public API, a name must resolve to public addresses only; the proxy's own name is exempt.
  const api = target && { origin: target.origin, isPublic: !isNonPublicHost(target.hostname) };
  const publicOnly = api?.isPublic === true;
  // Direct downloads under a public API: sockets of their own, each opened through the address check
  // (an API socket, opened without it, would otherwise be reused for a media hop to the API's host).
  const checkedAgents = publicOnly && !transport.request ? directAgents() : undefined;
  const authorization = basic(settings.accountSid, settings.authToken);
  const plain = got.extend({
    headers: { authorization, accept: 'application/json', 'user-agent': settings.userAgent },
    agent: transport.agents,
    ...(transport.request ? { request: transport.request } : {}),
    ...(lookup ? { dnsLookup: lookup } : {}),
    ...(settings.ca ? { https: { certificateAuthority: settings.ca } } : {}),
    followRedirect: false,
    responseType: 'text',
    timeout: { lookup: connectTimeoutMs, connect: connectTimeoutMs, secureConnect: connectTimeoutMs, send: timeoutMs, response: timeoutMs, read: timeoutMs },
    ...settings.retry,
  });
  // Media: no Authorization by default, every redirect handled by downloadMedia, raw bytes counted
  // (no decompression), and a stall rather than a slow large file is the timeout.
  const media = plain.extend({
    headers: { authorization: undefined, accept: '*/*', 'accept-encoding': 'identity' },
    decompress: false,
    throwHttpErrors: false,
    strictContentLength: true,
    retry: { limit: 0 },
    timeout: { read: undefined, socket: timeoutMs },
  });
  const proxyHost = proxy && parseHttpUrl(proxy.url)?.hostname;
  const publicMedia = publicOnly
    ? media.extend({ dnsLookup: publicOnlyLookup(lookup, proxyHost ? [proxyHost] : []), ...(checkedAgents ? { agent: checkedAgents } : {}) })
    : media;
  return {
    api,
    plain,
    form: plain.extend({ headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    openMedia(checked) {
      const instance = checked ? publicMedia : media;
      return (url, withCredentials) => instance.stream(url, withCredentials ? { headers: { authorization } } : {}) as unknown as MediaStream;
    },
    destroy() {
      for (const agents of [transport.agents, checkedAgents]) {
        agents?.http.destroy();
        agents?.https.destroy();
      }
    },
  };
}
