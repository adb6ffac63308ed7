'use strict';
// The client's transport on got: the first request right after construction, onSent, timeouts by
// phase (nothing written yet: retried; after the request was written: never), the Retry-After cap,
// and requests through a real forward proxy (plain HTTP in absolute form, HTTPS through CONNECT).
const assert = require('node:assert/strict');
const https = require('node:https');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');
const { TelApiClient, loadGot, recordCall, TelApiError, recordingFormParams, parseRecordingOptions } = require('../../dist/telapi');
const { startStandIn, replies, RECORDING, unusedPort } = require('../support/stand-in');
const { startForwardProxy } = require('../support/forward-proxy');
const { CALL_SID, basicAuth } = require('../support/fixtures');

const ACCOUNT_SID = 'AC11112222333344445555666677778888';
const AUTH_TOKEN = 'Tk9sZWFrc0FsbG93ZWRIZXJlMTIzNDU2';
const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'Pr0xy-pa55-n0t-f0r-l0gs';
const FORM = recordingFormParams(parseRecordingOptions({ direction: 'out' }));
const TLS = {
  key: fs.readFileSync(path.join(__dirname, '..', 'support', 'tls', 'key.pem'), 'utf8'),
  cert: fs.readFileSync(path.join(__dirname, '..', 'support', 'tls', 'cert.pem'), 'utf8'),
};
const RECORD_PATH = `/v2/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`;

function assertNoSecret(value) {
  const texts = value instanceof Error
    ? [value.message, String(value.stack), JSON.stringify(value), util.inspect(value, { depth: 5, showHidden: true })]
    : [util.inspect(value, { depth: 8, showHidden: true }), JSON.stringify(value)];
  for (const text of texts) {
    for (const secret of [AUTH_TOKEN, PROXY_PASSWORD, Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')]) {
      assert.ok(!text.includes(secret), 'a secret leaked');
    }
  }
}

async function rejectsWith(promise, expected) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof TelApiError, `expected TelApiError, got ${error}`);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(error[key], value, key);
    assertNoSecret(error);
    return true;
  });
}

/** A lookup for the test host name that answers 127.0.0.1, the first `slow` times only after `delayMs`. */
function slowLookup(slow, delayMs) {
  let calls = 0;
  const lookup = (hostname, options, callback) => {
    calls += 1;
    const answer = () => (options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4));
    if (calls <= slow) setTimeout(answer, delayMs).unref();
    else answer();
  };
  return { lookup, calls: () => calls };
}

describe('telapi/client: transport on got', () => {
  let got;
  let standIn;
  let clients = [];
  const open = (options = {}) => {
    const client = new TelApiClient({
      got,
      accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${standIn.url}/v2`, unreachableBackoffMs: 5, ...options,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    got = await loadGot();
    standIn = await startStandIn();
  });
  after(() => standIn.close());
  beforeEach(() => standIn.reset());
  afterEach(() => {
    for (const client of clients) client.close();
    clients = [];
  });

  it('sends the first request made right after construction', async () => {
    const result = await recordCall(open(), CALL_SID, FORM);
    assert.equal(result.statusCode, 200);
    assert.equal(standIn.requests.length, 1);
  });

  describe('onSent', () => {
    it('fires once the request reached a server, once per attempt', async () => {
      standIn.enqueue(replies.retryAfter(503, 0));
      let sent = 0;
      const result = await recordCall(open(), CALL_SID, FORM, undefined, { onSent: () => { sent += 1; } });
      assert.equal(result.attempts, 2);
      assert.equal(sent, 2);
    });

    it('fires for a request whose answer never came', async () => {
      standIn.enqueue(replies.hang());
      let sent = 0;
      await rejectsWith(recordCall(open({ timeoutMs: 100 }), CALL_SID, FORM, undefined, { onSent: () => { sent += 1; } }), { kind: 'timeout', attempts: 1 });
      assert.equal(sent, 1);
    });

    it('does not fire when the connection was refused', async () => {
      const port = await unusedPort();
      let sent = 0;
      const client = open({ baseUrl: `http://127.0.0.1:${port}/v2` });
      await rejectsWith(client.request({ method: 'POST', path: '/Calls.json', form: FORM, onSent: () => { sent += 1; } }), {
        kind: 'unreachable', causeCode: 'ECONNREFUSED', attempts: 3,
      });
      assert.equal(sent, 0);
    });
  });

  describe('timeouts by phase', () => {
    it('retries a timeout while looking up the name (nothing was sent)', async () => {
      const { lookup, calls } = slowLookup(1, 1_000);
      const port = new URL(standIn.url).port;
      const client = open({ baseUrl: `http://telapi.test:${port}/v2`, lookup, connectTimeoutMs: 50 });
      const result = await recordCall(client, CALL_SID, FORM);
      assert.equal(result.attempts, 2);
      assert.equal(calls(), 2);
      assert.equal(standIn.requests.length, 1, 'only the second attempt reached the server');
    });

    it('reports lookups that keep timing out as unreachable, after every attempt', async () => {
      const { lookup } = slowLookup(Infinity, 1_000);
      const client = open({ baseUrl: 'http://telapi.test:9/v2', lookup, connectTimeoutMs: 30 });
      await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'ETIMEDOUT', attempts: 3 });
    });

    it('retries a TLS handshake that never completes (nothing was sent)', async () => {
      // Accepts TCP and stays silent: the client's TLS handshake cannot finish.
      let connections = 0;
      const sockets = new Set();
      const silent = net.createServer((socket) => {
        connections += 1;
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const client = open({ baseUrl: `https://127.0.0.1:${silent.address().port}/v2`, connectTimeoutMs: 50, timeoutMs: 5_000 });
        await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'ETIMEDOUT', attempts: 3 });
        assert.equal(connections, 3);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('never retries a timeout waiting for the answer: the request was sent', async () => {
      standIn.enqueue(replies.hang(), replies.hang(), replies.hang());
      await rejectsWith(recordCall(open({ timeoutMs: 100 }), CALL_SID, FORM), { kind: 'timeout', causeCode: 'ETIMEDOUT', attempts: 1 });
      assert.equal(standIn.requests.length, 1);
    });
  });

  it('does not retry once closed: a close during the retry wait ends the request as cancelled', async () => {
    standIn.enqueue(replies.retryAfter(503, 1));
    const client = open({ maxRetryAfterMs: 300 });
    const pending = recordCall(client, CALL_SID, FORM);
    while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    client.close();
    await rejectsWith(pending, { kind: 'aborted', attempts: 1 });
    assert.equal(standIn.requests.length, 1);
  });

  describe('Retry-After above the cap', () => {
    it('waits the cap, then tries again, within maxAttempts', async () => {
      standIn.enqueue(replies.retryAfter(503, 86_400), replies.retryAfter(429, 86_400), replies.retryAfter(503, 86_400));
      await rejectsWith(recordCall(open({ maxRetryAfterMs: 10 }), CALL_SID, FORM), { kind: 'http', status: 503, attempts: 3 });
      assert.equal(standIn.requests.length, 3);
    });

    it('reads an HTTP date too', async () => {
      standIn.enqueue({ ...replies.retryAfter(429, 0), headers: { 'content-type': 'application/json', 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() } });
      const result = await recordCall(open({ maxRetryAfterMs: 10 }), CALL_SID, FORM);
      assert.equal(result.attempts, 2);
    });
  });

  describe('through a forward proxy', () => {
    let proxy;
    let secureStandIn;
    before(async () => {
      proxy = await startForwardProxy({ username: PROXY_USER, password: PROXY_PASSWORD });
      secureStandIn = await startStandIn({ tls: TLS });
    });
    after(async () => {
      await proxy.close();
      await secureStandIn.close();
    });
    beforeEach(() => {
      proxy.reset();
      secureStandIn.reset();
    });

    const viaProxy = (options = {}) => open({ proxy: { url: proxy.url, username: PROXY_USER, password: PROXY_PASSWORD }, ...options });

    it('sends plain HTTP in absolute form with Proxy-Authorization, over one kept-alive connection', async () => {
      const client = viaProxy();
      await recordCall(client, CALL_SID, FORM);
      const result = await recordCall(client, CALL_SID, FORM);
      assert.deepEqual(result.recording, RECORDING);
      assert.deepEqual(proxy.requests.map((r) => [r.method, r.target, r.status]), [
        ['POST', `${standIn.url}${RECORD_PATH}`, 200],
        ['POST', `${standIn.url}${RECORD_PATH}`, 200],
      ]);
      assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
      assert.equal(proxy.connections(), 1);
      const [request] = standIn.requests;
      assert.equal(request.headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
      assert.equal(request.headers.host, new URL(standIn.url).host);
      assert.equal(request.headers['proxy-authorization'], undefined);
      assert.equal(request.body, FORM.toString());
    });

    it('tunnels HTTPS through CONNECT with Proxy-Authorization; TelAPI sees the request, the proxy only the tunnel', async () => {
      const client = viaProxy({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert });
      let sent = 0;
      await recordCall(client, CALL_SID, FORM, undefined, { onSent: () => { sent += 1; } });
      await recordCall(client, CALL_SID, FORM);
      assert.deepEqual(proxy.requests.map((r) => [r.method, r.target, r.status]), [['CONNECT', new URL(secureStandIn.url).host, 200]]);
      assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
      assert.equal(secureStandIn.requests.length, 2);
      assert.equal(secureStandIn.requests[0].headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
      assert.equal(sent, 1);
    });

    it('reports a refused tunnel (wrong proxy password) as unreachable, without the password', async () => {
      const client = open({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert, proxy: { url: proxy.url, username: PROXY_USER, password: 'wrong' } });
      await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'EPROXY', attempts: 3 });
      assert.deepEqual(proxy.requests.map((r) => r.status), [407, 407, 407]);
      assert.equal(secureStandIn.requests.length, 0);
    });

    it('reports the proxy\'s 407 to a plain HTTP request as an HTTP error, not repeated', async () => {
      const client = open({ proxy: { url: proxy.url } });
      await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'http', status: 407, attempts: 1 });
      assert.equal(standIn.requests.length, 0);
    });

    it('retries when the proxy cannot be reached', async () => {
      const port = await unusedPort();
      const client = open({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert, proxy: { url: `http://127.0.0.1:${port}`, username: PROXY_USER, password: PROXY_PASSWORD } });
      await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'ECONNREFUSED', attempts: 3 });
    });

    it('names an https proxy\'s untrusted certificate by its own code, not EPROXY', async () => {
      const tlsProxy = https.createServer({ key: TLS.key, cert: TLS.cert }, (req, res) => res.end());
      await new Promise((resolve) => tlsProxy.listen(0, '127.0.0.1', resolve));
      try {
        const client = open({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert, proxy: { url: `https://127.0.0.1:${tlsProxy.address().port}` } });
        const error = await recordCall(client, CALL_SID, FORM).then(() => assert.fail('no error'), (caught) => caught);
        assert.match(error.causeCode, /CERT/, error.message);
      } finally {
        await new Promise((resolve) => tlsProxy.close(resolve));
      }
    });

    it('gives up on a tunnel the proxy never finishes opening (its CONNECT answer trickles), within the connect timeout, as unreachable', async () => {
      // A header line every 100 ms keeps the CONNECT request's idle timer from ever firing.
      const dribbling = net.createServer((socket) => {
        socket.on('error', () => {});
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\n');
          const timer = setInterval(() => socket.write('x-a: b\r\n'), 100);
          socket.on('close', () => clearInterval(timer));
        });
      });
      await new Promise((resolve) => dribbling.listen(0, '127.0.0.1', resolve));
      try {
        const client = open({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert, connectTimeoutMs: 300, timeoutMs: 60_000,
          proxy: { url: `http://127.0.0.1:${dribbling.address().port}`, username: PROXY_USER, password: PROXY_PASSWORD } });
        const started = Date.now();
        await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'EPROXY', attempts: 3 });
        assert.equal(secureStandIn.requests.length, 0);
        // Three attempts of at most 600 ms each, and the back-off between them: far below the trickle's end (never).
        assert.ok(Date.now() - started < 20_000, `gave up after ${Date.now() - started} ms`);
      } finally {
        dribbling.close();
      }
    });

    it('keeps a tunnel that opened in time, however long TelAPI then takes to answer (the deadline is for opening only)', async () => {
      const client = viaProxy({ baseUrl: `${secureStandIn.url}/v2`, ca: TLS.cert, connectTimeoutMs: 100, timeoutMs: 10_000 });
      secureStandIn.enqueue({ ...replies.recording(), delayMs: 600 }, { ...replies.recording(), delayMs: 600 });
      const first = await recordCall(client, CALL_SID, FORM);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await recordCall(client, CALL_SID, FORM);
      assert.deepEqual([first.recording, second.recording], [RECORDING, RECORDING]);
      assert.deepEqual(proxy.requests.map((r) => r.method), ['CONNECT'], 'one tunnel, kept alive past the 200 ms deadline');
    });

    it('shows the proxy without its credentials, and never the password when inspected', () => {
      const client = viaProxy();
      assert.equal(client.proxyUrl, proxy.url);
      assertNoSecret(client);
    });
  });
});
