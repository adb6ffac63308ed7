'use strict';
// Attack run 17, against the hardening of issue 17 (hostile answers), from both sides, in a real
// Node-RED whose node outputs and Catch nodes each fan out to two nodes (so every message is
// cloned). Each test is one hole that run found: what a hostile TelAPI, proxy, media host, caller or
// flow sent, and what a user must see instead.
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { callbackToken } = require('../../dist/telapi');
const { until, startScriptedServer, json, peakRssMiB } = require('./helpers');

const ACCOUNT_SID = 'AC5ec2e75ec2e75ec2e75ec2e75ec2e75e';
const AUTH_TOKEN = 'Hs7Lw2Vb9Nx4Tk6Rm1Hc8Jd3Fp5Gs0Yq';
const CALLBACK_PASSWORD = 'Cb-pass-Kq1Zr6Mv9';
const PROXY_PASSWORD = 'Px-pass-Zt4Wq8Lm2';
const CALL_SID = 'CA0123456789abcdef0123456789abcdef';
const RECORDING_SID = 'RE0123456789abcdef0123456789abcdef';
const PUBLIC_URL = 'https://nr.example.com';
const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');
/** Each secret, as it is configured and as the Basic header that carries it. */
const SECRETS = {
  AuthToken: AUTH_TOKEN,
  'the callback password': CALLBACK_PASSWORD,
  'the proxy password': PROXY_PASSWORD,
  "the account's Basic credentials": base64(`${ACCOUNT_SID}:${AUTH_TOKEN}`),
  "the proxy's Basic credentials": base64(`pxuser:${PROXY_PASSWORD}`),
};

const recording = (overrides = {}) => ({
  sid: RECORDING_SID, account_sid: ACCOUNT_SID, call_sid: CALL_SID, duration: 7, api_version: 'v2',
  recording_url: `http://127.0.0.1:1/${RECORDING_SID}.mp3`, date_created: 'Fri, 24 Mar 2017 16:06:32 -0000', ...overrides,
});

/** An HTTP server whose answer the test chooses (as TelAPI, a proxy or a public URL). */
const startHostile = () => startScriptedServer((req, res) => json(res, 200, recording()));

/** GET over a new connection; resolves with the time it took (the event loop's responsiveness). */
function timedGet(url) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(Date.now() - started));
    }).on('error', reject);
  });
}

const z = 'attack';
const str = (p, v) => ({ p, v, vt: 'str' });
const inject = (id, target, props = []) => ({ id, type: 'inject', z, props, repeat: '', once: false, wires: [[target]] });
const fn = (id, func, wires = []) => ({ id, type: 'function', z, outputs: wires.length, libs: [], func, wires });

/** Outputs, Catch and Status each wired to two nodes; every output and error logged as one line. */
function observers() {
  return [
    fn('out1', "const short = (key, value) => typeof value === 'string' && value.length > 200 ? value.slice(0, 200) + '…' : value;\n"
      + "node.warn('OUT ' + JSON.stringify({ payload: Buffer.isBuffer(msg.payload) ? 'buffer' : msg.payload, contentType: msg.contentType, inherited: msg.payload && typeof msg.payload === 'object' && 'polluted' in msg.payload }, short));\nreturn null;"),
    fn('out2', 'return null;'),
    { id: 'catchAll', type: 'catch', z, scope: null, uncaught: false, wires: [['caught1', 'caught2']] },
    fn('caught1', "node.warn('CAUGHT ' + JSON.stringify({ source: msg.error.source.id, message: msg.error.message, stack: String(msg.error.stack) }));\nreturn null;"),
    fn('caught2', 'return null;'),
    { id: 'statusAll', type: 'status', z, scope: null, wires: [['status1', 'status2']] },
    fn('status1', "node.warn('STATUS ' + msg.status.source.id + ' ' + JSON.stringify(msg.status.text));\nreturn null;"),
    fn('status2', 'return null;'),
  ];
}

function account(id, baseUrl, proxy) {
  return [
    { id, type: 'telapi-account', baseUrl, publicUrl: PUBLIC_URL, timeout: 15, proxy: proxy ? `${id}px` : '',
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackUser: 'cbuser', callbackPassword: CALLBACK_PASSWORD } },
    ...(proxy ? [{ id: `${id}px`, type: 'http proxy', url: proxy, noproxy: [], credentials: { username: 'pxuser', password: PROXY_PASSWORD } }] : []),
  ];
}

/** A Node-RED of its own, with log readers from a mark on. */
async function startAttackedNodeRed(settings) {
  const nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings });
  let mark = 0;
  const since = () => nodeRed.log.slice(mark);
  const lines = (tag) => since().split('\n').filter((line) => line.includes(`${tag} `)).map((line) => line.slice(line.indexOf(`${tag} `) + tag.length + 1));
  return {
    nodeRed,
    mark: () => { mark = nodeRed.log.length; },
    since,
    lines,
    caught: () => lines('CAUGHT').map((line) => JSON.parse(line)),
    outputs: () => lines('OUT').map((line) => JSON.parse(line)),
    inject: (id) => nodeRed.adminRequest('POST', `/inject/${id}`),
    alive: async () => Array.isArray((await nodeRed.adminRequest('GET', '/flows')).flows),
  };
}

describe('attack 17: what TelAPI, a proxy or a media host answers', function () {
  this.timeout(120_000);
  let telapi;
  let proxy;
  let red;

  before(async () => {
    telapi = await startHostile();
    proxy = await startHostile();
    red = await startAttackedNodeRed();
    await red.nodeRed.deploy([
      { id: z, type: 'tab', label: 'attack 17' },
      ...account('acc', `${telapi.url}/v2`),
      // Plain HTTP through a proxy with a user and password: every request carries Proxy-Authorization.
      ...account('accPx', 'http://telapi.invalid/v2', proxy.url),
      inject('startRec', 'rec', [str('callSid', CALL_SID)]),
      { id: 'rec', type: 'telapi-record', z, account: 'acc', callbackUrl: '/telapi/recording', wires: [['out1', 'out2']] },
      inject('getRec', 'recGet', [str('recordingSid', RECORDING_SID)]),
      { id: 'recGet', type: 'telapi-recordings', z, account: 'acc', operation: 'get', wires: [['out1', 'out2']] },
      inject('listRec', 'recList'),
      { id: 'recList', type: 'telapi-recordings', z, account: 'acc', operation: 'list', maxRecordings: 40, wires: [['out1', 'out2']] },
      inject('downloadRec', 'recDownload', [str('recordingSid', RECORDING_SID)]),
      { id: 'recDownload', type: 'telapi-recordings', z, account: 'acc', operation: 'download', wires: [['out1', 'out2']] },
      inject('getViaProxy', 'recProxy', [str('recordingSid', RECORDING_SID)]),
      { id: 'recProxy', type: 'telapi-recordings', z, account: 'accPx', operation: 'get', wires: [['out1', 'out2']] },
      ...observers(),
    ]);
  });
  after(async () => {
    await red?.nodeRed.stop();
    await telapi?.close();
    await proxy?.close();
  });
  beforeEach(() => red.mark());
  afterEach(async function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 4000 chars):\n${red.nodeRed.log.slice(-4000)}`);
    assert.ok(await red.alive(), 'the admin API answers');
  });

  /** No secret in any line logged since the mark: outputs, Catch errors and stacks, statuses, warnings. */
  function assertNoSecret() {
    for (const [what, secret] of Object.entries(SECRETS)) assert.ok(!red.since().includes(secret), `${what} appears: ${red.since().slice(-1500)}`);
  }

  it('a list whose every page brings one new recording of 1.9 MB stops after a few pages, with bounded memory, and reaches Catch', async () => {
    // Pages are bounded one by one (2 MiB), but a list of maxRecordings of them was not: with the
    // default 1000, Node-RED's peak RSS reached 3.3 GB, with the 40 here it grew by 320 MB.
    const pad = 'x'.repeat(1.9 * 1024 * 1024);
    let page = 0;
    telapi.answer((req, res) => {
      page += 1;
      json(res, 200, { recordings: [{ sid: `RE${page.toString(16).padStart(32, '0')}`, pad }], next_page_uri: `/v2/Accounts/${ACCOUNT_SID}/Recordings.json?Page=${page}` });
    });
    const before = peakRssMiB(red.nodeRed.pid);
    await red.inject('listRec');
    await until(() => red.caught().length + red.outputs().length > 0, { timeoutMs: 60_000, describe: red.since });
    assert.equal(red.outputs().length, 0, 'no list is output');
    assert.equal(red.caught()[0].source, 'recList');
    assert.match(red.caught()[0].message, /recording list/);
    assert.ok(telapi.requests.length <= 3, `${telapi.requests.length} pages were read`);
    const growth = peakRssMiB(red.nodeRed.pid) - before;
    assert.ok(growth < 100, `peak RSS grew by ${growth.toFixed(0)} MiB`);
  });

  it('a 200 kB answer string of "%2F%2F" after an "@" does not block the event loop (the URL-credential mask was quadratic)', async () => {
    // 240 kB blocked Node-RED for 15.6 s; a 1.9 MB one (within the answer limit) for about 16 minutes.
    telapi.answer((req, res) => json(res, 200, recording({ note: `@${'%2F%2F'.repeat(34_000)}` })));
    await red.inject('getRec');
    const ms = await timedGet(`${red.nodeRed.url}/flows`);
    await until(() => red.caught().length + red.outputs().length > 0, { timeoutMs: 60_000, describe: red.since });
    assert.ok(ms < 2000, `the admin API took ${ms} ms to answer`);
    assert.equal(red.outputs().length, 1);
  });

  it("the account's Basic credentials echoed in an error body, a status line or a field of a good answer are in no output, error, status or log line", async () => {
    telapi.answer((req, res) => json(res, 401, { status: 401, code: 10004, message: `Invalid credentials: ${req.headers.authorization}` }));
    await red.inject('startRec');
    await until(() => red.caught().length > 0, { describe: red.since });
    assert.match(red.caught()[0].message, /TelAPI 401 \(code 10004\): Invalid credentials: Basic …/);

    telapi.answer((req, res) => { res.writeHead(418, `Nope ${req.headers.authorization}`, { 'content-type': 'text/plain' }); res.end('x'); });
    await red.inject('getRec');
    await until(() => red.caught().length > 1, { describe: red.since });
    assert.match(red.caught()[1].message, /TelAPI 418: Nope Basic …/);

    telapi.answer((req, res) => json(res, 200, recording({ note: `you sent ${req.headers.authorization}` })));
    await red.inject('getRec');
    await until(() => red.outputs().length > 0, { describe: red.since });
    assert.equal(red.outputs()[0].payload.note, 'you sent Basic …');
    await until(() => red.lines('STATUS').filter((line) => line.startsWith('recGet ')).length >= 4, { describe: red.since });
    assertNoSecret();
  });

  it("a proxy echoing its Proxy-Authorization (its user and password in Base64) is in no output, error, status or log line", async () => {
    proxy.answer((req, res) => json(res, 407, { message: `Proxy said no to ${req.headers['proxy-authorization']}` }));
    await red.inject('getViaProxy');
    await until(() => red.caught().length > 0, { describe: red.since });
    assert.equal(proxy.requests.length, 1, 'the request went through the proxy');
    assert.match(red.caught()[0].message, /TelAPI 407: Proxy said no to Basic …/);

    proxy.answer((req, res) => json(res, 200, recording({ echo: req.headers['proxy-authorization'] })));
    await red.inject('getViaProxy');
    await until(() => red.outputs().length > 0, { describe: red.since });
    assert.equal(red.outputs()[0].payload.echo, 'Basic …');
    assertNoSecret();
  });

  it("the AuthToken in the Content-Type of media served from the API's origin is not in msg.contentType", async () => {
    // Media on the API's own origin gets the account's credentials (as TelAPI's recording URLs do).
    telapi.answer((req, res) => {
      if (req.url.endsWith('.mp3')) {
        res.writeHead(200, { 'content-type': `audio/mpeg; echo="${AUTH_TOKEN} ${req.headers.authorization}"`, 'content-length': 4 });
        res.end('ID3x');
      } else {
        json(res, 200, recording({ recording_url: `${telapi.url}/v2/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}.mp3` }));
      }
    });
    await red.inject('downloadRec');
    await until(() => red.outputs().length > 0 || red.caught().length > 0, { describe: red.since });
    assert.equal(red.outputs()[0].contentType, 'audio/mpeg; echo="… Basic …"');
    assertNoSecret();
  });

  it('an own "__proto__" key in an answer does not become the prototype of msg.payload (fields a debug view does not show)', async () => {
    telapi.answer((req, res) => json(res, 200, `{"sid":"${RECORDING_SID}","__proto__":{"polluted":true,"recording_url":"http://evil.example/x.mp3"}}`));
    await red.inject('getRec');
    await until(() => red.outputs().length > 0, { describe: red.since });
    assert.equal(red.outputs()[0].inherited, false, 'msg.payload inherits no field from the answer');
  });

  it('a next_page_uri that is not a URL reaches Catch saying so, not "Invalid URL"', async () => {
    telapi.answer((req, res) => json(res, 200, { recordings: [recording()], next_page_uri: 'http://[::1' }));
    await red.inject('listRec');
    await until(() => red.caught().length > 0, { describe: red.since });
    assert.match(red.caught()[0].message, /next_page_uri/);
  });

  it("TelAPI's error text reaches Catch, the status and the log as one line of bounded length: no forged log lines, no control characters, not 1 MB", async () => {
    telapi.answer((req, res) => json(res, 400, { code: 21, message: 'bad\r\n7 Dec 12:00:00 - [error] [telapi-record:rec] forged\u001b[31m\u0000' }));
    await red.inject('startRec');
    await until(() => red.caught().length > 0, { describe: red.since });
    assert.doesNotMatch(red.caught()[0].message, /[\u0000-\u001f\u007f]/);
    assert.match(red.caught()[0].message, /^TelApiError: TelAPI 400 \(code 21\): bad/);

    telapi.answer((req, res) => json(res, 400, { code: 22, message: 'E'.repeat(1024 * 1024) }));
    await red.inject('startRec');
    await until(() => red.caught().length > 1, { describe: red.since });
    assert.ok(red.caught()[1].message.length < 2000, `the error text is ${red.caught()[1].message.length} characters`);
  });
});

describe('attack 17: messages from flows that cannot be cloned', function () {
  this.timeout(60_000);
  let telapi;
  let red;

  before(async () => {
    telapi = await startHostile();
    red = await startAttackedNodeRed();
    const getter = (field, thrown = "new Error('boom from a getter')") => `Object.defineProperty(msg, '${field}', { get() { throw ${thrown}; }, enumerable: true });\nreturn msg;`;
    await red.nodeRed.deploy([
      { id: z, type: 'tab', label: 'attack 17 messages' },
      ...account('acc', `${telapi.url}/v2`),
      inject('badCallSid', 'fnCallSid'),
      fn('fnCallSid', getter('callSid'), [['rec']]),
      { id: 'rec', type: 'telapi-record', z, account: 'acc', wires: [['out1', 'out2']] },
      inject('badRecordingSid', 'fnRecordingSid'),
      fn('fnRecordingSid', getter('recordingSid'), [['recGet']]),
      { id: 'recGet', type: 'telapi-recordings', z, account: 'acc', operation: 'get', wires: [['out1', 'out2']] },
      inject('nullThrown', 'fnNullThrown'),
      fn('fnNullThrown', getter('callSid', 'Object.create(null)'), [['rec']]),
      inject('oddMessage', 'fnOddMessage'),
      fn('fnOddMessage', getter('callSid', 'Object.assign(new Error(), { message: Object.create(null) })'), [['rec']]),
      inject('proxyMsg', 'fnProxy'),
      fn('fnProxy', "return new Proxy(msg, { get(target, key) { if (key === 'callSid') throw new Error('boom from a proxy'); return target[key]; }, ownKeys() { throw new Error('boom from a proxy'); } });", [['rec']]),
      ...observers(),
    ]);
  });
  after(async () => {
    await red?.nodeRed.stop();
    await telapi?.close();
  });
  beforeEach(() => red.mark());
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 4000 chars):\n${red.nodeRed.log.slice(-4000)}`);
  });

  // A getter defined without `configurable` cannot be deleted: making such a message cloneable for
  // Catch threw "Cannot delete property" out of the error handler, and Node-RED exited.
  // A value that cannot be turned into text (Object.create(null)) threw again from the error handler.
  for (const [what, injectId, source, text] of [
    ['callSid', 'badCallSid', 'rec', /^Error: boom from a getter$/],
    ['recordingSid', 'badRecordingSid', 'recGet', /^Error: boom from a getter$/],
    ['callSid', 'nullThrown', 'rec', /^Error: \[object Object\]$/],
    ['callSid', 'oddMessage', 'rec', /^Error: \[object Object\]$/],
  ]) {
    it(`a msg.${what} getter that throws (${injectId}) and cannot be deleted reaches Catch, and Node-RED keeps running`, async () => {
      await red.inject(injectId);
      await until(() => red.caught().length > 0 || /Uncaught Exception/.test(red.since()), { describe: red.since });
      assert.doesNotMatch(red.since(), /Uncaught Exception/);
      assert.ok(await red.alive(), 'the admin API answers');
      assert.equal(red.caught()[0].source, source);
      assert.match(red.caught()[0].message, text);
      assert.equal(telapi.requests.length, 0, 'nothing was sent');
    });
  }

  it('a message that is a Proxy throwing on every listing of its keys reaches Catch, and Node-RED keeps running', async () => {
    await red.inject('proxyMsg');
    await until(() => red.caught().length > 0 || /Uncaught Exception/.test(red.since()), { describe: red.since });
    assert.doesNotMatch(red.since(), /Uncaught Exception/);
    assert.ok(await red.alive(), 'the admin API answers');
    assert.match(red.caught()[0].message, /boom from a proxy/);
  });
});

describe('attack 17: redeploys and the reachability test', function () {
  this.timeout(60_000);
  let telapi;
  let endless;
  let red;

  before(async () => {
    telapi = await startHostile();
    // A public URL that answers every request with a body that never ends.
    endless = await startHostile();
    endless.answer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => { while (!res.destroyed && res.write(chunk)); };
      res.on('drain', pump);
      pump();
    });
    red = await startAttackedNodeRed({ nodeCloseTimeout: 3000, telapiCallbackReadTimeout: 5 });
  });
  after(async () => {
    await red?.nodeRed.stop();
    await telapi?.close();
    await endless?.close();
  });
  beforeEach(() => red.mark());
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 4000 chars):\n${red.nodeRed.log.slice(-4000)}`);
  });

  it('a delete TelAPI refused (429) and a redeploy cancelled before it was tried again is logged, naming the recording', async () => {
    // The record node says so for a start or stop; the recordings node said nothing, and the Catch
    // nodes of the stopped flow were gone: the delete was lost without a trace.
    const flows = (name) => [
      { id: z, type: 'tab', label: name },
      ...account('acc', `${telapi.url}/v2`),
      inject('deleteRec', 'recDelete', [str('recordingSid', RECORDING_SID)]),
      { id: 'recDelete', type: 'telapi-recordings', z, name, account: 'acc', operation: 'delete', wires: [['out1', 'out2']] },
      ...observers(),
    ];
    await red.nodeRed.deploy(flows('first'));
    telapi.answer((req, res) => json(res, 429, { message: 'slow down' }, { 'retry-after': '20' }));
    red.mark();
    await red.inject('deleteRec');
    await until(() => telapi.requests.length > 0, { describe: red.since });
    await red.nodeRed.deploy(flows('second'));
    await until(() => red.since().includes(RECORDING_SID), { describe: red.since });
    // (The log names the node by its name, that of the flow being stopped.)
    assert.match(red.since(), new RegExp(`\\[warn\\] \\[telapi-recordings:first\\] The delete of recording ${RECORDING_SID} was refused by TelAPI`));
    assert.equal(telapi.requests.length, 1, 'the delete was not tried again');
  });

  it('the reachability test of a public URL that answers with a body that never ends does not keep reading it', async () => {
    // Each press of "Test reachability" left a connection open for good, reading and dropping bytes
    // (five of them kept Node-RED's process about 50 % busy).
    await red.nodeRed.deploy([
      { id: z, type: 'tab', label: 'reachability' },
      { id: 'acc', type: 'telapi-account', baseUrl: `${telapi.url}/v2`, publicUrl: endless.url, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
      { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/recording', security: 'token', wires: [[]] },
    ]);
    const response = await fetch(`${red.nodeRed.url}/telapi-callback/cb/test`, { method: 'POST' });
    assert.equal((await response.json()).cause, 'otherAnswered');
    await until(() => endless.sockets.size === 0, { timeoutMs: 5000, describe: () => `${endless.sockets.size} connection(s) still open` });
  });

  it('the reachability test of a public URL that trickles its answer\'s headers ends after its 10 s', async () => {
    // The socket timeout only notices silence: one header byte a second held the test open for good.
    const trickling = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      const timer = setInterval(() => socket.write('a'), 500);
      socket.on('close', () => clearInterval(timer));
    });
    await new Promise((resolve) => trickling.listen(0, '127.0.0.1', resolve));
    try {
      await red.nodeRed.deploy([
        { id: z, type: 'tab', label: 'reachability' },
        { id: 'acc', type: 'telapi-account', baseUrl: `${telapi.url}/v2`, publicUrl: `http://127.0.0.1:${trickling.address().port}`,
          credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/recording', security: 'token', wires: [[]] },
      ]);
      const response = await fetch(`${red.nodeRed.url}/telapi-callback/cb/test`, { method: 'POST', signal: AbortSignal.timeout(25_000) });
      assert.equal((await response.json()).cause, 'timeout');
    } finally {
      trickling.close();
    }
  });

  // The callback node reads the body of a POST to a path it owns before any body parser (the admin
  // API's would re-parse it). A deploy during that read can hand the path to a core http in node,
  // which would then get the request with its body consumed (msg.payload undefined): the request is
  // answered 503 with Retry-After instead, and TelAPI's retry reaches the new node whole.
  it('a callback body read across a deploy that hands the path to an http in node is answered 503, and its retry reaches that node', async () => {
    const callSid = `CA${'1'.repeat(32)}`;
    const tab = { id: z, type: 'tab', label: 'handover' };
    const accountNode = { id: 'acc', type: 'telapi-account', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: PUBLIC_URL, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };
    await red.nodeRed.deploy([tab, accountNode, { id: 'cb', type: 'telapi-callback', z, account: 'acc', url: '/telapi/handover', security: 'token', wires: [[]] }]);
    const body = new URLSearchParams({ AccountSid: ACCOUNT_SID, CallSid: callSid }).toString();
    const target = `/telapi/handover?token=${callbackToken(AUTH_TOKEN, callSid)}`;
    const port = Number(new URL(red.nodeRed.url).port);
    const answer = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', async () => {
        socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n`
          + `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
        await red.nodeRed.deploy([tab, accountNode,
          { id: 'hin', type: 'http in', z, url: '/telapi/handover', method: 'post', upload: false, wires: [['hfn']] },
          fn('hfn', "msg.payload = JSON.stringify(msg.payload === undefined ? 'no body' : msg.payload);\nreturn msg;", [['hres']]),
          { id: 'hres', type: 'http response', z, statusCode: '', headers: {} }]);
        socket.write(body.slice(10));
      });
      let received = '';
      socket.on('data', (chunk) => { received += chunk; });
      socket.on('close', () => resolve(received));
    });
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /\r\nRetry-After: \d+\r\n/i);
    assert.doesNotMatch(answer, /no body/);
    const retried = await fetch(`${red.nodeRed.url}${target}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(retried.status, 200);
    assert.match(await retried.text(), new RegExp(callSid));
  });
});
