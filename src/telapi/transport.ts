import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { HttpsProxyAgent } from 'hpagent';
import type { RequestFunction } from 'got' with { 'resolution-mode': 'import' };
import type { TelApiProxy } from './proxy';
import { parseHttpUrl } from './public-url';
import { basicCredentials } from './redact';

/** How one account's requests reach TelAPI: keep-alive agents, directly or through a proxy. */

const IDLE_SOCKET_MS = 4_000;

export function basic(user: string, password: string): string {
  return `Basic ${basicCredentials(user, password)}`;
}

/**
 * The agents (and, through a proxy, the request function) for one account. An idle
 * keep-alive socket is dropped after 4 s, before a server's usual 5 s keep-alive timeout can close
 * it under a new request (a reset the client could not safely repeat).
 */
/** Keep-alive agents that connect directly, with their own pools of sockets. */
export function directAgents(): { http: http.Agent; https: https.Agent } {
  const keepAlive = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  return { http: new http.Agent(keepAlive), https: new https.Agent(keepAlive) };
}

export function transportFor(target: URL | undefined, proxy: TelApiProxy | undefined, tunnelTimeoutMs: number): {
  agents: { http: http.Agent; https: https.Agent };
  request?: RequestFunction;
} {
  const keepAlive = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  const proxyUrl = proxy && parseHttpUrl(proxy.url);
  if (!proxyUrl || !target) return { agents: directAgents() };
  const secureProxy = proxyUrl.protocol === 'https:';
  const toProxy = secureProxy ? new https.Agent(keepAlive) : new http.Agent(keepAlive);
  // hpagent (what core Node-RED's http request node uses) tunnels https with CONNECT and decodes the
  // URL's credentials into Proxy-Authorization itself.
  const withCredentials = new URL(proxyUrl.href);
  withCredentials.username = encodeURIComponent(proxy.username ?? '');
  withCredentials.password = encodeURIComponent(proxy.password ?? '');
  const tunnel = new TunnelAgent({ ...keepAlive, proxy: withCredentials }, tunnelTimeoutMs);
  // Plain HTTP goes to the proxy in absolute form (GET http://host/path), as forward proxies expect;
  // many refuse a CONNECT to ports other than 443. Every request of the account takes the proxy,
  // whatever its scheme: a media file may be on another host and scheme than the API.
  const authorization = proxy.username || proxy.password ? basic(proxy.username ?? '', proxy.password ?? '') : undefined;
  const port = proxyUrl.port || (secureProxy ? '443' : '80');
  const request: RequestFunction = (url, options, callback) => {
    if (url.protocol === 'https:') return https.request(url, options, callback);
    const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders | undefined), host: url.host };
    if (authorization) headers['proxy-authorization'] = authorization;
    const viaProxy: https.RequestOptions = { ...options, protocol: proxyUrl.protocol, hostname: proxyUrl.hostname, port, path: url.href, setHost: false, headers, agent: toProxy };
    return secureProxy ? https.request(viaProxy, callback) : http.request(viaProxy, callback);
  };
  return { agents: { http: toProxy, https: tunnel }, request };
}

/** What hpagent reads, per tunnel, when it builds the CONNECT request (ProxyAgentRequestOptions and more). */
interface ConnectRequestOptions {
  signal?: AbortSignal;
}

/**
 * hpagent's tunnel, its failures given a code: a tunnel that was never opened sent nothing to TelAPI.
 * A proxy that refused, reset or garbled its answer to CONNECT (no code, a reset, an HTTP parse
 * error) is EPROXY; a failure to reach the proxy or of TLS with it keeps its own code (ECONNREFUSED,
 * ENOTFOUND, a certificate's), which says more. Opening it has a deadline, and so has the TLS
 * handshake with TelAPI through it: hpagent's CONNECT request times out only when idle, so a proxy
 * that trickles its answer's header lines would hold it (and the message) for as long as it likes;
 * and got's connect and TLS timeouts never start on a socket handed over already connected.
 */
class TunnelAgent extends HttpsProxyAgent {
  readonly #timeoutMs: number;

  constructor(options: ConstructorParameters<typeof HttpsProxyAgent>[0], timeoutMs: number) {
    super(options);
    this.#timeoutMs = timeoutMs;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const deadline = new AbortController();
    let handshake: tls.TLSSocket | undefined;
    const timer = setTimeout(() => {
      if (handshake) handshake.destroy(proxyError(`The TLS handshake through the proxy did not complete within ${this.#timeoutMs} ms`));
      else deadline.abort();
    }, this.#timeoutMs).unref();
    const agent = this as unknown as { proxyRequestOptions: ConnectRequestOptions };
    const shared = agent.proxyRequestOptions;
    // hpagent copies these into the CONNECT request synchronously, in this call.
    agent.proxyRequestOptions = { ...shared, signal: deadline.signal };
    try {
      return super.createConnection(options, (error, stream) => {
        if (error) {
          clearTimeout(timer);
          callback?.(deadline.signal.aborted ? proxyError(`The proxy did not open the tunnel within ${this.#timeoutMs} ms`) : tunnelError(error), stream);
          return;
        }
        if (stream instanceof tls.TLSSocket) {
          handshake = stream;
          const done = (): void => clearTimeout(timer);
          stream.once('secureConnect', done);
          stream.once('close', done);
        } else {
          clearTimeout(timer);
        }
        callback?.(null, stream);
      });
    } catch (error) {
      clearTimeout(timer);
      throw error;
    } finally {
      agent.proxyRequestOptions = shared;
    }
  }
}

function proxyError(message: string): Error {
  return Object.assign(new Error(message), { code: 'EPROXY' });
}

/** What the proxy's answer to CONNECT failed with: no answer it could read, or the connection cut under it. */
const BROKEN_ANSWER = /^(?:ECONNRESET|EPIPE|HPE_.+)$/;

/** A failure before the tunnel opened: EPROXY when the proxy's answer was a refusal or broken (see TunnelAgent). */
function tunnelError(error: Error): Error {
  const code = errorCode(error);
  return code === undefined || BROKEN_ANSWER.test(code) ? Object.assign(error, { code: 'EPROXY' }) : error;
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
