'use strict';
// Hostile input against the guards around URLs, bodies and tunnels: a callback body read across a
// deploy, the proxy tunnel's deadline, signature mode and the URL's token or key, the URLs the
// package builds from a /path (never outside the public URL's path), msg overrides. Tests named
// "held:" keep attempts that never broke through, so that they stay that way.
const assert = require('node:assert/strict');
const net = require('node:net');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { callbackToken } = require('../../dist/telapi');
const { until } = require('./helpers');

const ACCOUNT_SID = 'AC5ec2e75ec2e75ec2e75ec2e75ec2e75e';
const AUTH_TOKEN = 'Hs7Lw2Vb9Nx4Tk6Rm1Hc8Jd3Fp5Gs0Yq';
const PUBLIC_URL = 'https://nr.example.com';
const z = 'review';
const fn = (id, func, wires = []) => ({ id, type: 'function', z, outputs: wires.length, libs: [], func, wires });

/** Sends a POST's head and the first bytes of its body, runs `between`, then the rest (or nothing). */
function partialPost(port, target, headers, first, between, rest) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', async () => {
      socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n${first}`);
      await between();
      if (rest !== undefined) socket.write(rest);
    });
    let received = '';
    socket.on('data', (chunk) => { received += chunk; });
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
    socket.setTimeout(30_000, () => socket.destroy());
  });
}

/**
 * Starts a recording through `client`, which must fail, and closes it. The failure is a TelApiError
 * within bounds, and no handle of this process or socket at `proxy` is left open (handles counted
 * from before the client was made). Resolves with the error for the test's own assertions.
 */
async function failsCleanly(makeClient, proxy) {
  const { recordCall, recordingFormParams, parseRecordingOptions, TelApiError } = require('../../dist/telapi');
  const handles = () => process._getActiveHandles().length;
  const before = handles();
  const client = makeClient();
  const started = Date.now();
  const error = await recordCall(client, `CA${'2'.repeat(32)}`, recordingFormParams(parseRecordingOptions({ direction: 'out' })))
    .then(() => undefined, (caught) => caught);
  const took = Date.now() - started;
  client.close();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = handles();
  assert.ok(error instanceof TelApiError, `not a TelApiError: ${error}`);
  assert.ok(took < 10_000, `took ${took} ms`);
  assert.ok(after <= before, `handles ${before} -> ${after}`);
  assert.equal(proxy.open(), 0, 'a socket at the proxy is still open after close()');
  return error;
}

describe('attack review: a callback body read across a deploy', function () {
  this.timeout(60_000);
  let nodeRed;
  let port;
  const tab = { id: z, type: 'tab', label: 'review' };
  const accountNode = { id: 'acc', type: 'telapi-account', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: PUBLIC_URL, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };
  const callSid = `CA${'1'.repeat(32)}`;
  const body = new URLSearchParams({ AccountSid: ACCOUNT_SID, CallSid: callSid }).toString();
  const target = `/telapi/handover?token=${callbackToken(AUTH_TOKEN, callSid)}`;
  const httpIn = [
    { id: 'hin', type: 'http in', z, url: '/telapi/handover', method: 'post', upload: false, wires: [['hfn']] },
    fn('hfn', "node.warn('HTTPIN ' + JSON.stringify(msg.payload === undefined ? 'no body' : msg.payload));\nmsg.payload = JSON.stringify(msg.payload === undefined ? 'no body' : msg.payload);\nreturn msg;", [['hres']]),
    { id: 'hres', type: 'http response', z, statusCode: '', headers: {} },
  ];

  before(async () => {
    nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings: { telapiCallbackReadTimeout: 1 } });
    port = Number(new URL(nodeRed.url).port);
  });
  after(async () => { await nodeRed?.stop(); });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 3000 chars):\n${nodeRed.log.slice(-3000)}`);
  });

  async function deployCallback() {
    await nodeRed.deploy([tab, accountNode, { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/handover', security: 'token', wires: [[]] }]);
  }

  it('a body that stalls across a deploy giving the path to an http in node: 408, and the http in node never gets the request without its body', async () => {
    await deployCallback();
    const mark = nodeRed.log.length;
    const answer = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => nodeRed.deploy([tab, accountNode, ...httpIn]));
    const log = nodeRed.log.slice(mark);
    assert.doesNotMatch(log, /HTTPIN "no body"/, 'the http in node fired with msg.payload undefined');
    assert.doesNotMatch(answer, /no body/);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('an oversize chunked body across a deploy giving the path to an http in node: 413, and the http in node never gets the request without its body', async () => {
    await deployCallback();
    const mark = nodeRed.log.length;
    const chunk = (text) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const big = `&Pad=${'x'.repeat(300 * 1024)}`;
    const answer = await partialPost(port, target, 'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n',
      chunk(body), () => nodeRed.deploy([tab, accountNode, ...httpIn]), `${chunk(big)}0\r\n\r\n`);
    const log = nodeRed.log.slice(mark);
    assert.doesNotMatch(log, /HTTPIN "no body"/, `the http in node fired with msg.payload undefined; answer: ${answer.slice(0, 200)}`);
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });

  it('held: a body completed after the path moved from a callback node to a voice node reaches the voice node whole', async () => {
    await deployCallback();
    const mark = nodeRed.log.length;
    const voice = [{ id: 'vc', type: 'telapi-voice', z, account: 'acc', url: '/telapi/handover', security: 'token', timeout: 1, wires: [['vfn']] },
      fn('vfn', "node.warn('VOICE ' + JSON.stringify(msg.payload));\nreturn null;")];
    const answer = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => nodeRed.deploy([tab, accountNode, ...voice]), body.slice(10));
    assert.match(nodeRed.log.slice(mark), new RegExp(`VOICE .*${callSid}`));
    assert.match(answer, /^HTTP\/1\.1 200 /);
  });

  it('held: a body completed after a "nodes" deploy modified the callback node, or after its path was removed, gets an answer (200 / 503), never a hang', async () => {
    await deployCallback();
    const modified = { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/handover', security: 'none', wires: [[]] };
    const first = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => nodeRed.deploy([tab, accountNode, modified], 'nodes'), body.slice(10));
    assert.match(first, /^HTTP\/1\.1 (200|503) /);
    const second = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => nodeRed.deploy([tab, accountNode], 'full'), body.slice(10));
    assert.match(second, /^HTTP\/1\.1 503 /);
  });

  it('held: 100 concurrent partial bodies across a deploy to an http in node are each answered 503, none reaches the http in node bodiless', async () => {
    await deployCallback();
    const mark = nodeRed.log.length;
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    const posts = Array.from({ length: 100 }, () => partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => gate, body.slice(10)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await nodeRed.deploy([tab, accountNode, ...httpIn]);
    release();
    const answers = await Promise.all(posts);
    const statuses = answers.map((a) => a.slice(9, 12));
    assert.deepEqual([...new Set(statuses)], ['503'], statuses.join(','));
    assert.doesNotMatch(nodeRed.log.slice(mark), /HTTPIN/);
  });
});

describe('attack review: a hostile proxy opening the CONNECT tunnel (client in process)', function () {
  this.timeout(60_000);
  const { TelApiClient, loadGot } = require('../../dist/telapi');
  let got;
  before(async () => { got = await loadGot(); });

  /** A proxy on loopback that behaves as `mode` says once the CONNECT request's head is in. */
  async function hostileProxy(mode) {
    const sockets = new Set();
    const timers = new Set();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      let head = '';
      const onData = (chunk) => {
        head += chunk;
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        const every = (ms, fn) => { const t = setInterval(fn, ms); timers.add(t); socket.on('close', () => clearInterval(t)); };
        switch (mode) {
          case 'silent': break;
          case 'byteByByte': { const text = 'HTTP/1.1 200 OK\r\nX-Slow: '; let i = 0; every(100, () => socket.write(i < text.length ? text[i++] : 'a')); break; }
          case 'established-stall': socket.write('HTTP/1.1 200 Connection established\r\n\r\n'); break;
          case 'established-close': socket.write('HTTP/1.1 200 Connection established\r\n\r\n'); setTimeout(() => socket.destroy(), 50); break;
          case 'established-garbage': socket.write('HTTP/1.1 200 Connection established\r\n\r\nthis is no TLS at all\r\n'); break;
          case 'established-with-head': socket.write('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05hello'); break;
          case 'garbage': socket.write('\x00\x01garbage that is no HTTP\r\n\r\n'); break;
          case 'half-status-close': socket.write('HTTP/1.1 2'); setTimeout(() => socket.destroy(), 50); break;
          case 'endless-headers': socket.write('HTTP/1.1 200 OK\r\n'); every(5, () => socket.write(`X-${'a'.repeat(1000)}: b\r\n`)); break;
          case '100-continue-forever': every(50, () => socket.write('HTTP/1.1 100 Continue\r\n\r\n')); break;
          case '407': socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n'); break;
          default: throw new Error(mode);
        }
      };
      socket.on('data', onData);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${server.address().port}`,
      open: () => sockets.size,
      close: () => new Promise((resolve) => { for (const t of timers) clearInterval(t); for (const s of sockets) s.destroy(); server.close(resolve); }),
    };
  }

  for (const mode of ['silent', 'byteByByte', 'established-stall', 'established-close', 'established-garbage', 'established-with-head', 'garbage', 'half-status-close', 'endless-headers', '100-continue-forever', '407']) {
    it(`a proxy that answers CONNECT "${mode}": the request fails as a TelApiError in bounded time, no handle left behind`, async () => {
      const proxy = await hostileProxy(mode);
      const error = await failsCleanly(() => new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: 'https://127.0.0.1:9/v2', unreachableBackoffMs: 5,
        connectTimeoutMs: 200, timeoutMs: 1000, proxy: { url: proxy.url, username: 'u', password: 'p' } }), proxy).finally(() => proxy.close());
      // No tunnel was opened (no 200 to the CONNECT), or TLS never completed through it: nothing can
      // have reached TelAPI, and the request is repeated.
      if (!mode.startsWith('established') || mode === 'established-stall') {
        assert.equal(error.kind, 'unreachable', `${mode} is reported as: ${error.message}`);
        assert.equal(error.attempts, 3, error.message);
      }
    });
  }
});

describe('attack review: signature mode and the URL\'s token or key (in process)', () => {
  const { CallbackAuthenticator, checkCallback, parseVoiceRequest, callUrls, parseCallOptions } = require('../../dist/telapi');
  const auth = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
  const REAL = `CA${'a'.repeat(32)}`;
  const OTHER = `CA${'b'.repeat(32)}`;
  const policy = { security: 'signature', verifier: auth, publicUrl: PUBLIC_URL, path: '/telapi/voice' };
  /** The call node's Url for `value` (a /path under the public URL, with the path key). */
  const callUrl = (value) => new Map(callUrls({ options: parseCallOptions({ from: '1', to: '2', url: value }), publicUrl: PUBLIC_URL, keyFor: (p) => auth.keyFor(p) })).get('Url');
  /** The GET whose signed string equals that of TelAPI's signed POST to `url` (names and values joined after the URL). */
  function joinedGet(url) {
    const from = `x&AccountSid=${ACCOUNT_SID}&CallSid=${OTHER}&z=`;
    const pairs = [['AccountSid', ACCOUNT_SID], ['CallSid', REAL], ['From', from], ['To', '+15550001']];
    const signature = auth.sign(url, pairs);
    const relativeUrl = url.slice(PUBLIC_URL.length) + pairs.map(([n, v]) => n + v).join('');
    const parsed = parseVoiceRequest({ method: 'GET', relativeUrl });
    assert.ok(parsed.ok);
    return checkCallback({ callback: parsed.callback, relativeUrl, signature }, policy);
  }
  const post = (relativeUrl, pairs, url = PUBLIC_URL + relativeUrl) => {
    const parsed = parseVoiceRequest({ method: 'POST', relativeUrl, body: new URLSearchParams(pairs).toString(), contentType: 'application/x-www-form-urlencoded' });
    return parsed.ok ? checkCallback({ callback: parsed.callback, relativeUrl, signature: auth.sign(url, pairs) }, policy) : parsed;
  };
  const base = [['AccountSid', ACCOUNT_SID], ['CallSid', REAL]];
  const key = auth.keyFor('/telapi/voice');

  it('held: the join of a signed POST to a package URL ending in its key is refused as a GET naming another call', () => {
    const url = callUrl('/telapi/voice?step=2');
    assert.match(url, /&key=[^&]+$/);
    assert.equal(joinedGet(url).ok, false);
  });

  it('puts the key last in a URL whose query named it before another parameter: the join of a signed POST is refused as a GET naming another call', () => {
    // A user pasting the voice URL the dialog shows (…?key=…) and adding a parameter: a key kept in
    // place would no longer end the URL, and the join would land in `step`.
    const url = callUrl('/telapi/voice?key=&step=2');
    assert.match(url, /\?step=2&key=[^&]+$/);
    const verdict = joinedGet(url);
    assert.equal(verdict.ok, false, `accepted for ${verdict.callSid} (the signed POST was for ${REAL}); URL ${url.replace(key, 'K')}`);
  });

  it('held: mismatched, repeated, encoded, empty, case-variant and very long token/key with a valid signature', () => {
    assert.deepEqual(post(`/telapi/voice?key=${key}`, base), { ok: true, callSid: REAL });
    assert.equal(post(`/telapi/voice?key=${auth.keyFor('/telapi/other')}`, base).reason, 'badKey');
    assert.equal(post(`/telapi/voice?token=${auth.tokenFor(OTHER)}`, base).reason, 'badToken');
    assert.equal(post(`/telapi/voice?key=${key}&key=${key}`, base).reason, 'repeatedParam');
    assert.equal(post(`/telapi/voice?%6Bey=x&key=${key}`, base).reason, 'repeatedParam');
    assert.equal(post(`/telapi/voice?k%65y=${key}`, base).ok, true);
    assert.equal(post(`/telapi/voice?k%65y=bad`, base).reason, 'badKey');
    assert.equal(post(`/telapi/voice?key=${key}&token=${auth.tokenFor(REAL)}`, base).reason, 'tokenAndKey');
    assert.equal(post('/telapi/voice?key=', base).ok, true, 'an empty key is no credential: the signature alone');
    assert.equal(post(`/telapi/voice?KEY=bad&Token=bad`, base).ok, true, 'other spellings are not ours');
    assert.equal(post(`/telapi/voice?key=${'A'.repeat(100_000)}`, base).reason, 'badKey');
    assert.equal(post(`/telapi/voice?key=${key}%00`, base).reason, 'badKey');
    // A key in the body is no credential (dropped from the parameters): token mode refuses it without one in the URL.
    const parsed = parseVoiceRequest({ method: 'POST', relativeUrl: '/telapi/voice', body: new URLSearchParams([...base, ['key', key]]).toString(), contentType: 'application/x-www-form-urlencoded' });
    assert.equal(checkCallback({ callback: parsed.callback, relativeUrl: '/telapi/voice' }, { ...policy, security: 'token' }).reason, 'noToken');
  });
});

describe('attack review: InboundXML URLs (in process)', () => {
  const { buildInboundXml, CallbackAuthenticator } = require('../../dist/telapi');
  const auth = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
  const account = { publicUrl: 'https://nr.example.com/nr', authenticator: auth, callbackCredentials: { user: 'cbuser', password: 'Cb-pass-Kq1Zr6Mv9' } };
  const build = (verbs, values = {}) => buildInboundXml({ verbs }, { service: 'zang', account, callSid: `CA${'1'.repeat(32)}`, resolve: (e) => values[e] });

  it('held: every placeholder value is escaped; a Conference callbackUrl keeps the path key of its own path, in the query, and nothing on an absolute URL', () => {
    const evil = '"/><Hangup/><Say a=\'';
    const xml = build([{ verb: 'Dial', children: [{ verb: 'Conference', text: '{{payload.x}}', attributes: { callbackUrl: '/telapi/conf?from={{payload.x}}&key=stolen', recordCallbackUrl: '{{payload.abs}}' } }] }],
      { 'payload.x': evil, 'payload.abs': 'https://other.example.net/x?key=1' });
    assert.doesNotMatch(xml, /<Hangup\/>/);
    assert.equal((xml.match(/<[A-Za-z]/g) ?? []).length, 3, xml);
    assert.ok(xml.includes(`key=${auth.keyFor('/telapi/conf')}`), xml);
    assert.ok(!xml.includes('stolen'));
    assert.ok(xml.includes('recordCallbackUrl="https://other.example.net/x?key=1"'), 'an absolute URL is as given, without our key or credentials');
    assert.ok(!/other\.example\.net[^"]*cbuser/.test(xml) && !/cbuser[^"]*other\.example\.net/.test(xml));
  });

  const refused = (verbs, values, field) => assert.throws(() => build(verbs, values), (error) =>
    error.name === 'TelApiInputError' && error.reason === 'url' && error.field === field);

  it('refuses a call /path with "." or ".." segments (as typed, percent-encoded, after a "\\", split by a tab or newline): no per-call token for an address outside Node-RED', () => {
    // A URL parser drops tabs and newlines before it reads the path: "/.\t./x" is "/../x".
    for (const path of ['/../other-app/next', '/telapi/../../x', '/%2e%2e/x', '/.%2E/x', '/..\\x', '/./telapi/voice', '/telapi/..', '/.\t./x', '/\t../x', '/..\r\n/x', '/%2e\n%2e/x']) {
      refused([{ verb: 'Redirect', text: path }], {}, 'verbs[0].text');
    }
    refused([{ verb: 'Redirect', text: '/telapi/{{payload.p}}' }], { 'payload.p': '../../x' }, 'verbs[0].text');
    // Dots within a segment, and in the query, are no dot segments.
    assert.match(build([{ verb: 'Redirect', text: '/telapi/.well/...x?a=/../b' }]), /<Redirect>https:\/\/cbuser:[^@]+@nr\.example\.com\/nr\/telapi\/\.well\/\.\.\.x\?a=%2F\.\.%2Fb&amp;token=/);
  });

  it('refuses a media /path with ".." segments; an absolute URL that climbs out of the public URL\'s path gets no callback credentials (httpNodeAuth)', () => {
    refused([{ verb: 'Play', text: '/../other-app/file.mp3' }], {}, 'verbs[0].text');
    refused([{ verb: 'Play', text: '/media/{{payload.f}}' }], { 'payload.f': '%2e%2e/%2e%2e/x.mp3' }, 'verbs[0].text');
    // The record node's callback URLs: an absolute URL under the public URL gets the credentials.
    const { resolveNodeUrl } = require('../../dist/telapi');
    const credentialsOf = (url) => new URL(resolveNodeUrl('callbackUrl', url, account.publicUrl, undefined, account.callbackCredentials)).username;
    assert.equal(credentialsOf('https://nr.example.com/nr/../other-app/recording'), '');
    assert.equal(credentialsOf('https://nr.example.com/nr/%2e%2e/other-app/recording'), '');
    assert.equal(credentialsOf('https://nr.example.com/nr/telapi/recording'), 'cbuser', 'the public URL\'s own path keeps them');
  });
});

describe('attack review: the nodes behind a silent proxy, and hostile msg overrides (Node-RED)', function () {
  this.timeout(60_000);
  const fs = require('node:fs');
  let nodeRed;
  let proxy;
  let proxySockets;
  const tab = { id: z, type: 'tab', label: 'review' };
  const inject = (id, target, props = []) => ({ id, type: 'inject', z, props, repeat: '', once: false, wires: [[target]] });
  const str = (p, v) => ({ p, v, vt: 'str' });
  const fdCount = () => fs.readdirSync(`/proc/${nodeRed.pid}/fd`).length;

  before(async () => {
    proxySockets = new Set();
    proxy = net.createServer((socket) => { proxySockets.add(socket); socket.resume(); socket.on('close', () => proxySockets.delete(socket)); socket.on('error', () => undefined); });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
    await nodeRed.deploy([
      tab,
      { id: 'accPx', type: 'telapi-account', baseUrl: 'https://127.0.0.1:9/v2', publicUrl: PUBLIC_URL, timeout: 1, proxy: 'px', credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
      { id: 'px', type: 'http proxy', url: `http://127.0.0.1:${proxy.address().port}`, noproxy: [], credentials: { username: 'u', password: 'p' } },
      { id: 'acc', type: 'telapi-account', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: PUBLIC_URL, timeout: 1, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
      inject('goRec', 'nRec', [str('callSid', `CA${'3'.repeat(32)}`)]),
      { id: 'nRec', type: 'telapi-record', z, account: 'accPx', wires: [[]] },
      inject('goGet', 'nGet', [str('recordingSid', `RE${'3'.repeat(32)}`)]),
      { id: 'nGet', type: 'telapi-recordings', z, account: 'accPx', operation: 'get', wires: [[]] },
      inject('goDl', 'nDl', [str('recordingSid', `RE${'3'.repeat(32)}`)]),
      { id: 'nDl', type: 'telapi-recordings', z, account: 'accPx', operation: 'download', wires: [[]] },
      inject('goCall', 'nCall', []),
      { id: 'nCall', type: 'telapi-call', z, account: 'accPx', from: '+15550001', to: '+15550002', url: '/telapi/voice', wires: [[]] },
      { id: 'goHostile', type: 'inject', z, props: [], repeat: '', once: false, wires: [['hostile', 'hp1', 'hp2', 'hp3']] },
      fn('hp1', "msg.call = new Proxy({}, { ownKeys() { throw new Error('boom-ownKeys'); } });\nreturn msg;", [['hcall']]),
      fn('hp2', "msg.call = new Proxy({ to: '1' }, { get() { throw new Error('boom-get'); } });\nreturn msg;", [['hcall']]),
      fn('hp3', "msg.call = { get to() { throw new Error('boom-getter'); } };\nreturn msg;", [['hcall']]),
      fn('hostile', [
        "const big = 'x'.repeat(5e6);",
        "const sends = [",
        "  ['c', { call: { to: { toString() { return '1'; } } } }],",
        "  ['c', { call: Object.create({ to: '1', from: '2', url: '/v' }) }],",
        "  ['c', { call: JSON.parse('{\"__proto__\": {\"url\": \"https://evil.example\"}}') }],",
        "  ['c', { call: { timeout: '99999999999999999999' } }],",
        "  ['c', { call: { url: '/' + big } }],",
        "  ['c', { call: { to: big } }],",
        "  ['r', { callSid: 'CA" + '4'.repeat(32) + "', recording: { timeLimit: 1e400 } }],",
        "  ['r', { callSid: 'CA" + '4'.repeat(32) + "', recording: [] }],",
        "  ['r', { callSid: 'CA" + '4'.repeat(32) + "', recording: { callbackUrl: { length: 1 } } }],",
        "  ['s', { recordings: { operation: 'delete', constructor: 1 } }],",
        "  ['s', { recordingSid: 'RE" + '4'.repeat(32) + "', recordings: { maxBytes: -1 } }],",
        "  ['s', { recordings: { operation: 'list', maxRecordings: 1e9 } }],",
        "];",
        "for (const [to, m] of sends) node.send(to === 'c' ? [m, null, null] : to === 'r' ? [null, m, null] : [null, null, m]);",
        "return null;",
      ].join('\n'), [['hcall'], ['hrec'], ['hrecs']]),
      { id: 'hcall', type: 'telapi-call', z, account: 'acc', from: '+15550001', to: '+15550002', url: '/telapi/voice', wires: [[]] },
      { id: 'hrec', type: 'telapi-record', z, account: 'acc', wires: [[]] },
      { id: 'hrecs', type: 'telapi-recordings', z, account: 'acc', operation: 'list', wires: [[]] },
      { id: 'catchAll', type: 'catch', z, scope: null, uncaught: false, wires: [['caught']] },
      fn('caught', "node.warn('CAUGHT ' + JSON.stringify({ source: msg.error.source.id, message: String(msg.error.message).slice(0, 300) }));\nreturn null;"),
    ]);
  });
  after(async () => {
    await nodeRed?.stop();
    for (const socket of proxySockets ?? []) socket.destroy();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve()));
  });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 3000 chars):\n${nodeRed.log.slice(-3000)}`);
  });
  const caught = (mark) => nodeRed.log.slice(mark).split('\n').filter((l) => l.includes('CAUGHT ')).map((l) => JSON.parse(l.slice(l.indexOf('CAUGHT ') + 7)));

  it('held: hostile msg.call / msg.recording / msg.recordings (throwing Proxy traps and getters, toString objects, inherited and __proto__ values, 5 MB strings) each end at Catch or in the log, Node-RED stays up', async () => {
    const mark = nodeRed.log.length;
    await nodeRed.adminRequest('POST', '/inject/goHostile');
    await until(() => caught(mark).length >= 15, { timeoutMs: 20_000, describe: () => nodeRed.log.slice(mark) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const errors = caught(mark);
    assert.equal(errors.length, 15, JSON.stringify(errors));
    assert.deepEqual([...new Set(errors.map((e) => e.source))].sort(), ['hcall', 'hrec', 'hrecs']);
    assert.ok(Array.isArray((await nodeRed.adminRequest('GET', '/flows')).flows));
    assert.ok(!nodeRed.log.slice(mark).includes('x'.repeat(1000)), 'a 5 MB value is not logged whole');
  });
});

describe('attack review: /path URLs a URL parser reads differently (in process)', () => {
  const t = require('../../dist/telapi');
  const PUBLIC = 'https://nr.example.com/nr';
  const CALL = `CA${'1'.repeat(32)}`;
  const auth = new t.CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
  const credentials = { user: 'cbuser', password: 'Cb-pass-Kq1Zr6Mv9' };
  const account = { publicUrl: PUBLIC, authenticator: auth, callbackCredentials: credentials };
  const build = (verbs, values = {}) => t.buildInboundXml({ verbs }, { service: 'zang', account, callSid: CALL, resolve: (e) => values[e] });
  const isUrlError = (error) => error.name === 'TelApiInputError' && error.reason === 'url';
  /** The URL as a URL parser reads it, without user and password, starts with the public URL's path. */
  const insidePublicUrl = (url, base = PUBLIC) => new URL(url).href.replace(/\/\/[^@/]*@/, '//').startsWith(`${base}/`);

  it('refuses a /path with a control character, which a URL parser drops at the ends ("/..\\x01" is "/..", the token would go to https://nr.example.com/)', () => {
    assert.throws(() => build([{ verb: 'Redirect', text: '/{{payload.next}}' }], { 'payload.next': '..\x01' }), isUrlError);
    assert.throws(() => t.parseRecordingOptions({ callbackUrl: '/..\x1f' }), isUrlError);
    assert.throws(() => t.resolveCallbackUrl('callbackUrl', '/..\x1f', PUBLIC, auth.tokenFor(CALL), credentials), isUrlError);
    assert.throws(() => t.parseCallOptions({ from: '1', to: '2', url: '/..\x01' }), isUrlError);
    assert.throws(() => t.callUrls({ options: { ...t.parseCallOptions({ from: '1', to: '2', url: '/telapi/voice' }), statusCallback: '/%2e%2e\x02' },
      publicUrl: PUBLIC, keyFor: (p) => auth.keyFor(p), callbackCredentials: credentials }), isUrlError);
    assert.throws(() => build([{ verb: 'Play', text: '/media/{{payload.a}}' }], { 'payload.a': 'x\x7f' }), isUrlError);
  });

  it('held: encodings, Unicode dots, backslashes, //host, /\\host, %2F, userinfo, ;params, dots in the query, odd public URL spellings: nothing leaves the public URL', () => {
    const paths = ['//evil.example/x', '/\\evil.example/x', '/%2F..', '/..%2f', '/%252e%252e/x', '/\uff0e\uff0e/x', '/\u2024\u2024/x', '/\uff0f../x',
      '/..;/x', '/.%00./x', '/@evil.example/x', '/x?a=/../..', '/x#/../..', '/ ../x', '/..\u00a0', '/.. /x'];
    const publics = [PUBLIC, `${PUBLIC}/`, 'HTTPS://NR.Example.COM:443/nr?q=1#f', 'https://u:p@nr.example.com/nr', 'http://[::1]:1880/nr', 'https://nr.example.com./nr'];
    const outside = [];
    for (const publicUrl of publics) {
      for (const path of paths) {
        let url;
        try { url = t.resolveCallbackUrl('callbackUrl', path, publicUrl, 'TOKEN', credentials); } catch { continue; }
        if (!insidePublicUrl(url, t.canonicalPublicUrl(publicUrl))) outside.push(`${publicUrl} ${JSON.stringify(path)} -> ${url}`);
      }
    }
    assert.deepEqual(outside, []);
    const absolute = ['https://nr.example.com/nr\\..\\x', 'https://nr.example.com\\@evil.example/nr/x', 'https://evil.example\\@nr.example.com/nr/x',
      'https://nr.example.com/nr%2f../x', 'https://nr.example.com/nr/x/../../y', 'https://nr.example.com.evil.example/nr/x', 'https://nr.example.com/nrx', 'https://nr.example.com/NR/x'];
    const credentialedOutside = absolute.map((url) => { try { return t.resolveNodeUrl('u', url, PUBLIC, undefined, credentials); } catch { return ''; } })
      .filter((url) => url.includes('cbuser') && !insidePublicUrl(url));
    assert.deepEqual(credentialedOutside, []);
  });
});

describe('attack review: a CONNECT proxy relaying to a stalling TLS server (client in process)', function () {
  this.timeout(60_000);
  const fs = require('node:fs');
  const https = require('node:https');
  const path = require('node:path');
  const { TelApiClient, loadGot, recordCall, recordingFormParams, parseRecordingOptions } = require('../../dist/telapi');
  const FORM = recordingFormParams(parseRecordingOptions({ direction: 'out' }));
  const CALL = `CA${'1'.repeat(32)}`;
  const CERT = fs.readFileSync(path.join(__dirname, '../support/tls/cert.pem'), 'utf8');
  const KEY = fs.readFileSync(path.join(__dirname, '../support/tls/key.pem'), 'utf8');
  let got;
  before(async () => { got = await loadGot(); });

  /** A CONNECT proxy on loopback that relays to 127.0.0.1 only. */
  async function relayProxy() {
    const sockets = new Set();
    let connects = 0;
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      let head = Buffer.alloc(0);
      const onData = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        const [, host, port] = /^CONNECT ([^:\s]+):(\d+) /.exec(head.toString('latin1')) ?? [];
        if (host !== '127.0.0.1') return void socket.destroy();
        connects += 1;
        const upstream = net.connect(Number(port), host, () => {
          socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
          socket.pipe(upstream).pipe(socket);
        });
        sockets.add(upstream);
        upstream.on('close', () => { sockets.delete(upstream); socket.destroy(); });
        socket.on('close', () => upstream.destroy());
        upstream.on('error', () => undefined);
      };
      socket.on('data', onData);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${server.address().port}`, connects: () => connects, open: () => sockets.size,
      close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }) };
  }

  /** "TelAPI" on loopback: 'stall' reads the ClientHello and says nothing; 'partial-hello' sends part of a ServerHello; 'answer-after' answers each request after `delayMs`; 'stall-after-handshake' never answers. */
  async function tlsServer(mode, delayMs = 0) {
    const sockets = new Set();
    let requests = 0;
    let handshakes = 0;
    let server;
    if (mode === 'answer-after' || mode === 'stall-after-handshake') {
      server = https.createServer({ cert: CERT, key: KEY, keepAliveTimeout: 10_000 }, (req, res) => {
        requests += 1;
        req.resume();
        if (mode === 'stall-after-handshake') return;
        setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"sid":"RE${'5'.repeat(32)}","call_sid":"${CALL}"}`), delayMs);
      });
      server.on('secureConnection', () => { handshakes += 1; });
    } else {
      server = net.createServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => { if (mode === 'partial-hello') socket.write(Buffer.from('160303007a020000760303', 'hex')); });
      });
    }
    server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { baseUrl: `https://127.0.0.1:${server.address().port}/v2`, requests: () => requests, handshakes: () => handshakes,
      close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }) };
  }

  const clientFor = (baseUrl, proxy, extra = {}) => new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl, unreachableBackoffMs: 5, ca: CERT,
    connectTimeoutMs: 200, timeoutMs: 1000, proxy: { url: proxy.url, username: 'u', password: 'p' }, ...extra });

  for (const [mode, nothingSent] of [['stall', true], ['partial-hello', true], ['stall-after-handshake', false]]) {
    it(`a TLS server behind the tunnel that does "${mode}": ${nothingSent ? 'nothing was sent, so unreachable after 3 attempts' : 'the request was sent, so a timeout after 1 attempt'}; no handle left`, async () => {
      const proxy = await relayProxy();
      const server = await tlsServer(mode);
      const error = await failsCleanly(() => clientFor(server.baseUrl, proxy), proxy).finally(() => Promise.all([server.close(), proxy.close()]));
      if (nothingSent) assert.deepEqual([error.kind, error.attempts], ['unreachable', 3], error.message);
      else assert.deepEqual([error.kind, error.attempts, server.requests()], ['timeout', 1, 1], error.message);
    });
  }

  it('held: the handshake deadline spares a tunnelled socket kept alive: 4 requests answered after 2.5x the connect timeout, over one TLS connection', async () => {
    const proxy = await relayProxy();
    const server = await tlsServer('answer-after', 500);
    const client = clientFor(server.baseUrl, proxy, { timeoutMs: 3000 });
    const failures = [];
    for (let i = 0; i < 4; i += 1) {
      await recordCall(client, CALL, FORM).catch((error) => failures.push(`${error.kind}: ${error.message}`));
      await new Promise((resolve) => setTimeout(resolve, 450));
    }
    const [connects, handshakes] = [proxy.connects(), server.handshakes()];
    client.close();
    await server.close();
    await proxy.close();
    assert.deepEqual(failures, []);
    assert.equal(server.requests(), 4);
    assert.deepEqual([connects, handshakes], [1, 1]);
  });
});

describe('attack review: a body read by Node-RED\'s parsers when a deploy gives its path to a callback node', function () {
  this.timeout(60_000);
  let nodeRed;
  let port;
  const CALL = `CA${'1'.repeat(32)}`;
  const tab = { id: z, type: 'tab', label: 'review' };
  const accountNode = { id: 'acc', type: 'telapi-account', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: PUBLIC_URL, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };
  const callbackNode = { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/handover', security: 'token', wires: [['seen']] };
  const seen = fn('seen', "node.warn('SEEN ' + JSON.stringify(Object.keys(msg.payload || {})));\nreturn null;");
  const target = `/telapi/handover?token=${callbackToken(AUTH_TOKEN, CALL)}`;
  const body = new URLSearchParams({ AccountSid: ACCOUNT_SID, CallSid: CALL }).toString();

  before(async () => {
    nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings: { telapiCallbackReadTimeout: 1 } });
    port = Number(new URL(nodeRed.url).port);
  });
  after(async () => { await nodeRed?.stop(); });

  it('an oversize body (300 KiB) read while its path was nobody\'s: 413 from the callback node that has it by then, never a message', async () => {
    await nodeRed.deploy([tab, accountNode]);
    const mark = nodeRed.log.length;
    const big = `${body}&Pad=${'x'.repeat(300 * 1024)}`;
    const answer = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n`,
      big.slice(0, 10), () => nodeRed.deploy([tab, accountNode, callbackNode, seen]), big.slice(10));
    assert.match(answer, /^HTTP\/1\.1 413 /, answer.slice(0, 200));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.doesNotMatch(nodeRed.log.slice(mark), /SEEN /);
  });

  it('the 413 for a body another parser read leaves the keep-alive connection open: the next request on it is answered', async () => {
    await nodeRed.deploy([tab, accountNode]);
    const big = `${body}&Pad=${'x'.repeat(300 * 1024)}`;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => { received += chunk; });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n\r\n${big.slice(0, 10)}`);
    await nodeRed.deploy([tab, accountNode, callbackNode, seen]);
    socket.write(big.slice(10));
    await until(() => /^HTTP\/1\.1 413 /.test(received), { describe: () => received.slice(0, 200) });
    // Longer than the read timeout (1 s), whose timer must not cut the connection afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await new Promise((resolve) => { socket.once('close', resolve); setTimeout(resolve, 5000); });
    socket.destroy();
    assert.deepEqual(received.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 413', 'HTTP/1.1 405'], received.slice(0, 400));
  });

  it('held: a whole body read while its path was nobody\'s reaches the callback node that has it by then', async () => {
    await nodeRed.deploy([tab, accountNode]);
    const mark = nodeRed.log.length;
    const answer = await partialPost(port, target, `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`,
      body.slice(0, 10), () => nodeRed.deploy([tab, accountNode, callbackNode, seen]), body.slice(10));
    assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 200));
    await until(() => nodeRed.log.slice(mark).includes('SEEN ["AccountSid","CallSid"]'));
  });
});
