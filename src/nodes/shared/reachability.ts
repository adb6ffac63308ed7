import type { Request, Response } from 'express';
import type { NodeAPI, NodeDef } from 'node-red';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { CallbackRejection } from '../../telapi';
import {
  SIGNATURE_HEADER,
  canonicalCallbackUrl,
  canonicalPublicUrl,
  constantTimeEqual,
  parseHttpUrl,
  privatePublicHost,
  publicUrlHasNodeRoot,
  resolveCallbackUrl,
  signedElsewhere,
  withoutUserinfo,
} from '../../telapi';
import type { TelApiAccountNode } from './account';
import { settingsOf } from './settings';

/*
 * The reachability test of a node that receives TelAPI's requests: the runtime POSTs a request to
 * the node's public URL, out through whatever proxy or tunnel is in front, and learns whether it came
 * back to that node. A test request carries a marker only this process can make (an HMAC with a
 * per-process secret), so it is recognised on arrival and never becomes a flow message.
 */

export const TEST_HEADER = 'x-telapi-test';
/**
 * The body parameter that carries the same marker: a test callback replayed without its header (from
 * a proxy's log, say) still says it is one, and is refused instead of becoming a message.
 */
export const TEST_PARAM = 'TelapiTest';
const SECRET = randomBytes(32);
/** A test callback is given this long to come back. */
export const TEST_TIMEOUT_MS = 10_000;

/** What the node did with a test callback that reached it. */
export type Arrival = { nodeId: string; verdict: 'accepted' | CallbackRejection | 'unavailable' };

const pending = new Map<string, Arrival | undefined>();

function mac(nonce: string): string {
  return createHmac('sha256', SECRET).update(nonce, 'utf8').digest('base64url');
}

/** A fresh marker, registered as awaited; `take` ends the wait. */
export function newMarker(): { header: string; take: () => Arrival | undefined } {
  const nonce = randomBytes(16).toString('base64url');
  pending.set(nonce, undefined);
  return {
    header: `${nonce}.${mac(nonce)}`,
    take: () => {
      const arrival = pending.get(nonce);
      pending.delete(nonce);
      return arrival;
    },
  };
}

/**
 * The nonce of a genuine marker (made by this process) of a test still awaited, else undefined: a
 * marker counts once, so a replayed one cannot hide requests from the node's warnings.
 */
export function readMarker(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const nonce = value.slice(0, dot);
  if (!pending.has(nonce) || pending.get(nonce) !== undefined) return undefined;
  return constantTimeEqual(mac(nonce), value.slice(dot + 1)) ? nonce : undefined;
}

/** The test marker header as sent ("" when absent). */
export function markerHeader(req: Request): string {
  const value = req.headers[TEST_HEADER];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Notes what a node did with a test callback (only for a test still awaited). */
export function noteArrival(nonce: string, arrival: Arrival): void {
  if (pending.has(nonce) && pending.get(nonce) === undefined) pending.set(nonce, arrival);
}

export interface Sent {
  status?: number;
  /** A network error's code (ECONNREFUSED, ERR_SSL_WRONG_VERSION_NUMBER, …). */
  error?: string;
}

/** POSTs a form to `url` (user and password in it become Basic auth), answering with what came back. */
export function post(url: string, body: string, headers: Record<string, string>, timeoutMs = TEST_TIMEOUT_MS): Promise<Sent> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(target, {
      method: 'POST',
      agent: false,
      timeout: timeoutMs,
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'node-red-telapi reachability test',
      },
    });
    const timedOut = (): void => {
      request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    };
    request.on('timeout', timedOut);
    // The socket timeout above only notices silence: a server trickling its headers a byte at a time
    // would hold the test (and its admin request) open for as long as it liked.
    const deadline = setTimeout(timedOut, timeoutMs);
    request.once('close', () => clearTimeout(deadline));
    request.on('response', (response) => {
      // The status is all the test reads: the body is not, since an answer that never ends would
      // keep the connection open, and the process reading, for good.
      resolve({ status: response.statusCode ?? 0 });
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(body);
  });
}

/** The keys under <type>.test.cause: what most likely went wrong. */
export type Cause =
  | 'arrived'
  | 'arrivedLocalOnly'
  | 'badRequest'
  | 'rejected'
  | 'otherAnswered'
  | 'noNodeRoot'
  | 'notFound'
  | 'authNoCredentials'
  | 'authRejected'
  | 'unavailable'
  | 'badGateway'
  | 'wrongScheme'
  | 'refused'
  | 'dns'
  | 'certificate'
  | 'timeout'
  | 'httpStatus'
  | 'network';

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;
const SCHEME_ERRORS = /WRONG_VERSION_NUMBER|EPROTO|ECONNRESET|HPE_|PACKET_LENGTH/;

export interface Diagnosis {
  sent: Sent;
  arrival: Arrival | undefined;
  nodeId: string;
  /** Whether the public URL's path ends with httpNodeRoot. */
  hasNodeRoot: boolean;
  httpNodeAuth: boolean;
  hasCredentials: boolean;
}

/** The likeliest cause of what the test saw, from outside, in the order users make these mistakes. */
export function diagnose(seen: Diagnosis): Cause {
  const { sent, arrival } = seen;
  if (arrival && arrival.nodeId === seen.nodeId) return arrival.verdict === 'accepted' ? 'arrived' : 'rejected';
  if (sent.error !== undefined) {
    if (sent.error === 'ECONNREFUSED') return 'refused';
    if (sent.error === 'ENOTFOUND' || sent.error === 'EAI_AGAIN') return 'dns';
    if (CERTIFICATE_ERRORS.test(sent.error)) return 'certificate';
    if (sent.error === 'ETIMEDOUT') return 'timeout';
    if (SCHEME_ERRORS.test(sent.error)) return 'wrongScheme';
    return 'network';
  }
  const status = sent.status ?? 0;
  if (status >= 200 && status < 300) return 'otherAnswered';
  if (status === 404) return seen.hasNodeRoot ? 'notFound' : 'noNodeRoot';
  if (status === 401) return seen.httpNodeAuth && !seen.hasCredentials ? 'authNoCredentials' : 'authRejected';
  if (status === 503) return 'unavailable';
  if (status === 502 || status === 504) return 'badGateway';
  if (status === 497) return 'wrongScheme';
  if (status === 400) return 'badRequest';
  return 'httpStatus';
}

/** Per node type, its properties that hold URLs TelAPI is given to call a receiving node at. */
export type Senders = Readonly<Record<string, readonly string[]>>;

/** What the reachability test needs of a deployed node. */
export interface TestTarget {
  path: string;
  account: TelApiAccountNode | null;
  unavailable: boolean;
  /** Why the node listens nowhere (its error text), when it does not. */
  problem?: string;
  security?: string;
  /** The nodes that give TelAPI this node's URLs (signature mode: an absolute one elsewhere is refused). */
  senders?: Senders;
}

/** A node giving TelAPI an absolute URL of the target's path under another root than the public URL. */
export interface Elsewhere {
  node: string;
  url: string;
}

/**
 * The admin route `POST /<type>/:id/test` (needs `<type>.write`): a request as TelAPI would send it
 * (the call's token, a signature, the callback credentials), POSTed to the node's public URL from
 * this runtime, and what became of it.
 */
export function registerReachabilityTest(RED: NodeAPI, type: string, targets: ReadonlyMap<string, TestTarget>): void {
  RED.httpAdmin.post(`/${type}/:id/test`, RED.auth.needsPermission(`${type}.write`), (req: Request, res: Response) => {
    const nodeId = String(req.params.id);
    testReachability(RED, type, nodeId, targets.get(nodeId)).then(
      (result) => res.json(result),
      (error: unknown) => res.status(500).json({ cause: 'network', error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** What the reachability test found, as the dialog and the deploy-time log show it. */
export interface TestResult {
  cause: Cause | 'notDeployed' | 'misconfigured' | 'noPublicUrl';
  problem?: string;
  url?: string;
  status?: number;
  error?: string;
  detail?: string;
  reason?: string;
  root?: string;
  host?: string;
  /** Signature mode: the flows' absolute URLs of this path under another root (signedElsewhere). */
  elsewhere?: Elsewhere[];
  /** With `elsewhere`: the URL signatures are checked against, and the node's path. */
  expected?: string;
  path?: string;
}

/**
 * The nodes of `account` (enabled, of a type in `senders`) whose absolute URLs name `path` under
 * another root than the public URL: TelAPI signs what it calls, so a node in signature mode refuses
 * each such request.
 */
function sentElsewhere(RED: NodeAPI, senders: Senders, account: TelApiAccountNode, path: string): Elsewhere[] {
  const found: Elsewhere[] = [];
  RED.nodes.eachNode((other: NodeDef) => {
    const properties = senders[other.type];
    const config = other as NodeDef & Partial<Record<string, unknown>>;
    if (!properties || config.account !== account.id || config.d === true) return;
    for (const property of properties) {
      const value = config[property];
      if (typeof value !== 'string' || !signedElsewhere(value, account.publicUrl, path)) continue;
      found.push({ node: other.name || other.id, url: canonicalPublicUrl(value) ?? value });
    }
  });
  return found;
}

/**
 * One reachability test of the deployed node `nodeId`. An arrival is only as good as the address it
 * came through: a public URL the internet cannot reach (loopback, private, `.local`) arrives here
 * and still leaves TelAPI outside, unless the API is on such an address too (the simulator).
 */
export async function testReachability(RED: NodeAPI, type: string, nodeId: string, target: TestTarget | undefined): Promise<TestResult> {
  const settings = settingsOf(RED);
  if (!target) return { cause: 'notDeployed' };
  if (target.problem !== undefined) return { cause: 'misconfigured', problem: target.problem };
  const account = target.account;
  if (!account || canonicalPublicUrl(account.publicUrl) === undefined) return { cause: 'noPublicUrl' };
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const authenticator = account.authenticator;
  const url = resolveCallbackUrl('url', target.path, account.publicUrl, authenticator?.tokenFor(callSid) ?? 'test', account.callbackCredentials);
  const shown = withoutUserinfo(url);
  const marker = newMarker();
  const params = new URLSearchParams({ AccountSid: authenticator?.accountSid ?? '', CallSid: callSid, [TEST_PARAM]: marker.header });
  const headers: Record<string, string> = { [TEST_HEADER]: marker.header };
  if (authenticator) headers[SIGNATURE_HEADER] = authenticator.sign(shown, params);
  const sent = await post(url, params.toString(), headers);
  const arrival = marker.take();
  let cause = diagnose({
    sent,
    arrival,
    nodeId,
    hasNodeRoot: publicUrlHasNodeRoot(account.publicUrl, settings.httpNodeRoot),
    httpNodeAuth: !!settings.httpNodeAuth,
    hasCredentials: !!account.callbackCredentials,
  });
  const host = parseHttpUrl(url)?.hostname ?? '';
  if (cause === 'arrived' && privatePublicHost(url, account.baseUrl) !== undefined) cause = 'arrivedLocalOnly';
  const elsewhere = target.security === 'signature' && target.senders ? sentElsewhere(RED, target.senders, account, target.path) : [];
  return {
    ...(elsewhere.length > 0 ? { elsewhere, expected: canonicalCallbackUrl(account.publicUrl, target.path), path: target.path } : {}),
    cause,
    host,
    url: shown.replace(/([?&]token=)[^&]*/, '$1…'),
    ...(sent.status !== undefined ? { status: sent.status } : {}),
    ...(sent.error !== undefined ? { error: sent.error } : {}),
    detail: sent.error ?? `HTTP ${sent.status ?? 0}`,
    ...(arrival && arrival.verdict !== 'accepted' ? { reason: RED._(`${type}.reason.${arrival.verdict}`) } : {}),
    root: typeof settings.httpNodeRoot === 'string' ? settings.httpNodeRoot : '/',
  };
}
