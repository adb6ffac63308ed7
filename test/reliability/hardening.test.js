'use strict';
// The attack run's findings, replayed against a real Node-RED with default settings
// (httpAdminRoot = httpNodeRoot = '/', so the admin API's body parsers see every POST first).
// Each test is one hole: what a hostile caller sent, and what a user must see instead.
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID, SIGNED_PARAMS } = require('../support/fixtures');
const { callbackToken, computeSignature } = require('../../dist/telapi');
const { until, callSidFor } = require('./helpers');

const PUBLIC_URL = 'https://nr.example.com';
const GENUINE = new URLSearchParams(SIGNED_PARAMS).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const tab = { id: 't', type: 'tab', label: 'hardening' };
const account = (baseUrl = 'http://127.0.0.1:9/v1') => ({
  id: 'acc', type: 'telapi-account', name: 'TelAPI', baseUrl, publicUrl: PUBLIC_URL, timeout: 30,
  credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
});
const callbackNode = (url, security = 'token', id = `cb${url}`) => ({ id, type: 'telapi-callback', z: 't', account: 'acc', url, security, wires: [['emit']] });
/** Logs each emitted callback as one line the test can find: "EMIT <payload JSON>". */
const emitter = { id: 'emit', type: 'function', z: 't', outputs: 0, libs: [], func: "node.warn('EMIT ' + JSON.stringify(msg.payload));\nreturn null;" };
const httpIn = (url) => [
  { id: `hin${url}`, type: 'http in', z: 't', url, method: 'post', upload: false, wires: [[`hres${url}`]] },
  { id: `hres${url}`, type: 'http response', z: 't', statusCode: '', headers: {} },
];

describe('hardening: the attack run replayed in a real Node-RED (default roots)', function () {
  this.timeout(90_000);
  let nodeRed;

  before(async () => {
    nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings: { telapiCallbackReadTimeout: 1 } });
  });
  after(async () => {
    await nodeRed?.stop();
  });
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 3000 chars):\n${nodeRed?.log.slice(-3000)}`);
  });

  /** POSTs and resolves with { status, text, ms }; a request without an answer in `timeoutMs` rejects. */
  async function post(path, body, headers = FORM, timeoutMs = 30_000) {
    const started = process.hrtime.bigint();
    const response = await fetch(`${nodeRed.url}${path}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, text, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }
  const emitted = () => nodeRed.log.split('\n').filter((line) => line.includes('EMIT ')).map((line) => JSON.parse(line.slice(line.indexOf('EMIT ') + 5)));

  it('1: refuses a 20,000-parameter flood without a token at once, and answers a genuine callback sent beside it', async () => {
    await nodeRed.deploy([tab, account(), callbackNode('/flood'), emitter]);
    const before = emitted().length;
    const floods = ['x=&'.repeat(20_000), Array.from({ length: 20_000 }, (_, i) => `n${i}=`).join('&')];
    const [repeated, distinct, genuine] = await Promise.all([
      post('/flood', floods[0], { 'content-type': 'text/plain' }),
      post('/flood', floods[1], FORM),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return post(`/flood?token=${CALL_TOKEN}`, GENUINE);
      })(),
    ]);
    assert.equal(repeated.status, 413);
    assert.equal(distinct.status, 413);
    assert.equal(genuine.status, 200);
    await until(() => emitted().length === before + 1);
    assert.equal(emitted().at(-1).CallSid, CALL_SID);
    console.log(`      20,000 repeated names: ${repeated.status} in ${repeated.ms.toFixed(0)} ms; 20,000 distinct names: ${distinct.status} in ${distinct.ms.toFixed(0)} ms; ` +
      `genuine callback beside them: ${genuine.status} in ${genuine.ms.toFixed(0)} ms`);
  });

  it('2: a path an http in node took over and gave back serves callbacks again', async () => {
    await nodeRed.deploy([tab, account(), callbackNode('/p'), emitter]);
    assert.equal((await post(`/p?token=${CALL_TOKEN}`, GENUINE)).status, 200);
    // The core http in node's close handler removes every POST route with its path, ours included.
    await nodeRed.deploy([tab, account(), ...httpIn('/p'), emitter]);
    assert.equal((await post('/p', 'a=1')).status, 200);
    await nodeRed.deploy([tab, account(), callbackNode('/p'), emitter]);
    const before = emitted().length;
    const answer = await post(`/p?token=${CALL_TOKEN}`, GENUINE, FORM, 5_000);
    assert.equal(answer.status, 200);
    await until(() => emitted().length === before + 1);
    // Beside an http in node on the same path, then with it removed.
    await nodeRed.deploy([tab, account(), callbackNode('/p'), ...httpIn('/p'), emitter]);
    assert.equal((await post(`/p?token=${CALL_TOKEN}`, GENUINE, FORM, 5_000)).status, 200);
    await nodeRed.deploy([tab, account(), callbackNode('/p'), emitter]);
    assert.equal((await post(`/p?token=${CALL_TOKEN}`, GENUINE, FORM, 5_000)).status, 200);
    await until(() => emitted().length === before + 3);
  });

  it('4: checks the signature over the parameters as sent, and emits those', async () => {
    await nodeRed.deploy([tab, account(), callbackNode('/sig', 'signature'), emitter]);
    const url = `${PUBLIC_URL}/sig`;
    const bracketed = { ...SIGNED_PARAMS, 'Foo[bar]': '1' };
    const signed = await post('/sig', new URLSearchParams(bracketed).toString(), { ...FORM, 'x-telapi-signature': computeSignature(AUTH_TOKEN, url, Object.entries(bracketed)) });
    assert.equal(signed.status, 200, 'a correctly signed Foo[bar]=1');
    await until(() => emitted().some((p) => p['Foo[bar]'] === '1'));
    assert.equal(emitted().filter((p) => typeof p.Foo === 'object').length, 0, 'never re-parsed into an object');

    // A signature over X={"a":"1"} must not pass for X[a]=1.
    const jsonValued = { ...SIGNED_PARAMS, X: '{"a":"1"}' };
    const forged = await post('/sig', `${GENUINE}&X%5Ba%5D=1`, { ...FORM, 'x-telapi-signature': computeSignature(AUTH_TOKEN, url, Object.entries(jsonValued)) });
    assert.equal(forged.status, 403);
  });

  it('5: a repeated TelAPI or security parameter is a 400 and no message', async () => {
    await nodeRed.deploy([tab, account(), callbackNode('/pollute'), emitter]);
    const before = emitted().length;
    const cases = {
      CallSid: `${GENUINE}&CallSid=${OTHER_CALL_SID}`,
      AccountSid: `${GENUINE}&AccountSid=ACffffffffffffffffffffffffffffffff`,
      RecordingUrl: `${GENUINE}&RecordingUrl=${encodeURIComponent('http://169.254.169.254/latest')}`,
    };
    for (const [name, body] of Object.entries(cases)) {
      assert.equal((await post(`/pollute?token=${CALL_TOKEN}`, body)).status, 400, `repeated ${name}`);
    }
    assert.equal((await post(`/pollute?token=${CALL_TOKEN}&token=${callbackToken(AUTH_TOKEN, OTHER_CALL_SID)}`, GENUINE)).status, 400, 'repeated token');
    assert.equal((await post(`/pollute?token=${CALL_TOKEN}`, GENUINE)).status, 200, 'the genuine callback still passes');
    await until(() => emitted().length === before + 1);
    assert.equal(typeof emitted().at(-1).CallSid, 'string');
  });

  it('9: refuses a callback path the admin API owns, and the admin API keeps it', async () => {
    const adminPaths = ['/flows', '/auth/token', '/settings', '/inject/abc', '/red/images/x'];
    await nodeRed.deploy([tab, account(), ...adminPaths.map((path) => callbackNode(path)), emitter]);
    for (const path of adminPaths) {
      assert.match(nodeRed.log, new RegExp(`\\[telapi-callback:cb${path.replace(/\//g, '\\/')}\\] .*${path.replace(/\//g, '\\/')}.*admin`, 'i'), `${path} refused in the log`);
    }
    // The editor's API still answers: a deploy works; a path merely like an admin one is fine.
    await nodeRed.deploy([tab, account(), callbackNode('/telapi/flows'), callbackNode('/flowsheet'), emitter]);
    assert.equal((await post(`/telapi/flows?token=${CALL_TOKEN}`, GENUINE)).status, 200);
    assert.equal((await post(`/flowsheet?token=${CALL_TOKEN}`, GENUINE)).status, 200);
  });

  it('answers 408 to a body that does not arrive in time', async () => {
    await nodeRed.deploy([tab, account(), callbackNode('/slow'), emitter]);
    const { port } = new URL(nodeRed.url);
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /slow?token=${CALL_TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${GENUINE.length}\r\n\r\n${GENUINE.slice(0, 20)}`);
      });
      let text = '';
      socket.on('data', (chunk) => { text += chunk; });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(20_000, () => { socket.destroy(); reject(new Error(`no answer: ${text}`)); });
    });
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });
});

describe('hardening: record requests in flight at a redeploy (real Node-RED)', function () {
  this.timeout(90_000);
  let nodeRed;
  let telapi;
  const arrived = [];

  before(async () => {
    // TelAPI taking 3 s to answer each start: the recording exists from the moment the request arrived.
    telapi = http.createServer((req, res) => {
      const callSid = /\/Calls\/(CA[0-9a-f]{32})\//.exec(req.url)?.[1];
      arrived.push(callSid);
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `RE${callSid.slice(2)}`, call_sid: callSid, account_sid: ACCOUNT_SID, duration: 0 }));
      }, 3000);
    });
    await new Promise((resolve) => telapi.listen(0, '127.0.0.1', resolve));
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
  });
  after(async () => {
    await nodeRed?.stop();
    telapi?.closeAllConnections();
    await new Promise((resolve) => telapi?.close(resolve));
  });

  it('3: each of 12 messages in flight reaches an output, a Catch or the log by its CallSid', async () => {
    const baseUrl = `http://127.0.0.1:${telapi.address().port}/v1`;
    const flow = (label) => [
      { ...tab, label }, account(baseUrl),
      ...httpIn('/go').slice(0, 1).map((n) => ({ ...n, wires: [['setSid']] })),
      { id: 'setSid', type: 'change', z: 't', rules: [{ t: 'set', p: 'callSid', pt: 'msg', to: 'payload.callSid', tot: 'msg' }, { t: 'delete', p: 'res', pt: 'msg' }, { t: 'delete', p: 'req', pt: 'msg' }], wires: [['rec']] },
      { id: 'rec', type: 'telapi-record', z: 't', account: 'acc', action: 'start', wires: [['ok']] },
      { id: 'ok', type: 'function', z: 't', outputs: 0, libs: [], func: "node.warn('OUTPUT ' + msg.callSid);\nreturn null;" },
      { id: 'catch', type: 'catch', z: 't', scope: ['rec'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'function', z: 't', outputs: 0, libs: [], func: "node.warn('CAUGHT ' + msg.callSid);\nreturn null;" },
    ];
    await nodeRed.deploy(flow('first'));
    const callSids = Array.from({ length: 12 }, (_, i) => callSidFor(i, 3));
    for (const callSid of callSids) {
      // The http in node answers nothing here (no http response): the message goes on to the record node.
      fetch(`${nodeRed.url}/go`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callSid }), signal: AbortSignal.timeout(1000) }).catch(() => {});
    }
    await until(() => arrived.length === 12, { describe: () => `${arrived.length} arrived` });
    await nodeRed.deploy(flow('second'));
    await until(() => callSids.every((sid) => nodeRed.log.includes(sid)), { timeoutMs: 20_000 });
    for (const callSid of callSids) {
      const lines = nodeRed.log.split('\n').filter((line) => line.includes(callSid));
      assert.ok(lines.some((line) => /OUTPUT|CAUGHT|telapi-record/.test(line)), `${callSid}: ${lines.join(' | ')}`);
      // The recording was started: the log names it.
      assert.ok(lines.some((line) => line.includes(`RE${callSid.slice(2)}`)), `${callSid} names its recording: ${lines.join(' | ')}`);
    }
    assert.equal(arrived.length, 12, 'nothing was repeated');
    const count = (pattern) => callSids.filter((sid) => nodeRed.log.split('\n').some((line) => line.includes(sid) && pattern.test(line))).length;
    console.log(`      12 in flight at the redeploy: ${count(/OUTPUT/)} reached the output, ${count(/CAUGHT/)} a Catch, ` +
      `${count(/\[telapi-record:rec\] Recording RE/)} logged with their recording`);
  });
});
