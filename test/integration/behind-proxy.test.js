'use strict';
// Issue 13 end to end: a real Node-RED (httpNodeRoot '/api', httpNodeAuth, trust proxy) behind a TLS
// reverse proxy written here (https on 127.0.0.1, path prefix '/nr', X-Forwarded-*), the simulator
// calling back over HTTPS with the proxy's self-signed certificate. Correct settings deliver in
// token and signature modes; each wrong setting gets its warning at deploy and its cause from the
// callback node's reachability test; no password leaks into flows.json or the editor.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const vm = require('node:vm');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { startTlsProxy, TLS, CERT_FILE } = require('../support/tls-proxy');
const { nodeRedPath } = require('../support/red');
const { startSimulator } = require('@telapi-nodes/telapi-simulator');
const telapi = require('../../dist/telapi');

const ACCOUNT_SID = 'AC13a7e013a7e013a7e013a7e013a7e0ff';
const AUTH_TOKEN = 'Pr0xyT0kenPr0xyT0kenPr0xyT0ken12';
const NODE_USER = 'telapi';
const NODE_PASSWORD = 'cb-Pa55word-that-must-not-leak';
const PREFIX = '/nr';
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const NODE_AUTH = basic(NODE_USER, NODE_PASSWORD);

/** One account, record node, callback node and trigger per scenario; callbacks collected in global context. */
function flows(scenarios, baseUrl) {
  const z = 'px';
  const nodes = [{ id: z, type: 'tab', label: 'behind a proxy' }];
  for (const s of scenarios) {
    const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...(s.noCredentials ? {} : { callbackUser: NODE_USER, callbackPassword: NODE_PASSWORD }) };
    nodes.push(
      { id: `acc_${s.name}`, type: 'telapi-account', name: s.name, baseUrl, publicUrl: s.publicUrl, timeout: 5, credentials },
      { id: `in_${s.name}`, type: 'http in', z, url: `/go/${s.name}`, method: 'post', upload: false, wires: [['pxPrep']] },
      { id: `rec_${s.name}`, type: 'telapi-record', z, account: `acc_${s.name}`, action: 'start', callbackUrl: `/cb/${s.name}`, wires: [['response']] },
      { id: `cb_${s.name}`, type: 'telapi-callback', z, account: `acc_${s.name}`, url: `/cb/${s.name}`, security: s.security, wires: [['keep']] },
    );
  }
  nodes.push(
    { id: 'pxPrep', type: 'function', z, outputs: 1, libs: [], func: "msg.callSid = msg.payload.callSid;\nif (msg.payload.recording) msg.recording = msg.payload.recording;\nconst target = msg.req.url.split('/').pop();\nmsg.target = target;\nreturn msg;", wires: [['pxSwitch']] },
    { id: 'pxSwitch', type: 'switch', z, property: 'target', propertyType: 'msg', rules: scenarios.map((s) => ({ t: 'eq', v: s.name, vt: 'str' })), checkall: 'false', outputs: scenarios.length, wires: scenarios.map((s) => [`rec_${s.name}`]) },
    { id: 'response', type: 'http response', z, statusCode: '', headers: {} },
    { id: 'catch', type: 'catch', z, scope: null, uncaught: false, wires: [['failed']] },
    { id: 'failed', type: 'function', z, outputs: 1, libs: [], func: 'msg.payload = { error: msg.error.message };\nmsg.statusCode = 500;\nreturn msg;', wires: [['response']] },
    { id: 'keep', type: 'function', z, outputs: 0, libs: [], func: "const list = global.get('callbacks') || [];\nlist.push({ callSid: msg.callSid, topic: msg.topic });\nglobal.set('callbacks', list);\nreturn null;" },
    { id: 'inCollected', type: 'http in', z, url: '/collected', method: 'get', wires: [['collected']] },
    { id: 'collected', type: 'function', z, outputs: 1, libs: [], func: "msg.payload = global.get('callbacks') || [];\nreturn msg;", wires: [['response']] },
  );
  return nodes;
}

describe('integration: callbacks behind a TLS reverse proxy with a path prefix (issue 13)', function () {
  this.timeout(60_000);
  let sim;
  let nodeRed;
  let proxy;
  let scenarios;
  const nodeUrl = (route) => `${nodeRed.url}/api${route}`;

  before(async () => {
    sim = await startSimulator({ port: 0, demoCalls: false, signCallbacks: true, ca: TLS.cert, callbackMaxAttempts: 1, accounts: [{ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }] });
    const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedPath] }));
    nodeRed = await startNodeRed({
      userDir: userDirWithPackage(),
      settings: {
        httpNodeRoot: '/api',
        httpNodeAuth: { user: NODE_USER, pass: bcrypt.hashSync(NODE_PASSWORD, 8) },
        httpServerOptions: { 'trust proxy': 'loopback' },
        // Each callback node tests its own reachability at deploy and logs what it found.
        telapiReachabilityCheck: true,
      },
      // The runtime's own test callback goes out through the proxy, whose certificate is self-signed.
      env: { NODE_EXTRA_CA_CERTS: CERT_FILE },
    });
    proxy = await startTlsProxy(nodeRed.url, PREFIX);
    const at = `127.0.0.1:${proxy.port}`;
    scenarios = [
      { name: 'token', security: 'token', publicUrl: `https://${at}${PREFIX}/api` },
      { name: 'signature', security: 'signature', publicUrl: `https://${at}${PREFIX}/api/` },
      { name: 'capitals', security: 'signature', publicUrl: `HTTPS://LOCALHOST:${proxy.port}${PREFIX}/api` },
      { name: 'capitalsToken', security: 'token', publicUrl: `HTTPS://LocalHost:${proxy.port}${PREFIX}//api/` },
      { name: 'port443', security: 'signature', publicUrl: `HTTPS://LocalHost:443${PREFIX}/api` },
      { name: 'noRoot', security: 'token', publicUrl: `https://${at}${PREFIX}` },
      { name: 'noPrefix', security: 'token', publicUrl: `https://${at}/api` },
      { name: 'noCreds', security: 'token', publicUrl: `https://${at}${PREFIX}/api`, noCredentials: true },
      { name: 'httpScheme', security: 'token', publicUrl: `http://${at}${PREFIX}/api` },
      { name: 'closedPort', security: 'token', publicUrl: `https://127.0.0.1:1${PREFIX}/api` },
    ];
    await nodeRed.deploy(flows(scenarios, `${sim.url}/v2`));
  });

  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(nodeRed.log.slice(-4000));
  });

  after(async () => {
    if (proxy) await proxy.close();
    if (nodeRed) await nodeRed.stop();
    if (sim) await sim.close();
  });

  async function go(name, body) {
    const response = await fetch(nodeUrl(`/go/${name}`), { method: 'POST', headers: { 'content-type': 'application/json', authorization: NODE_AUTH }, body: JSON.stringify(body) });
    const text = await response.text();
    assert.equal(response.status, 200, `${name}: ${text}`);
    return JSON.parse(text);
  }
  async function collected() {
    const response = await fetch(nodeUrl('/collected'), { headers: { authorization: NODE_AUTH } });
    return response.json();
  }
  /** Starts and stops a recording through the scenario's record node; resolves with the simulator's delivery. */
  async function recordAndDeliver(name) {
    const callSid = sim.createCall().sid;
    await go(name, { callSid });
    await go(name, { callSid, recording: { action: 'stop' } });
    return { callSid, delivery: await sim.waitForDelivery({ callSid, kind: 'recording' }, 20_000) };
  }
  async function waitForCallback(callSid) {
    for (let i = 0; i < 200; i++) {
      const list = await collected();
      if (list.some((entry) => entry.callSid === callSid)) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no callback message for ${callSid}`);
  }
  const reachability = (name) => nodeRed.adminRequest('POST', `/telapi-callback/cb_${name}/test`);

  for (const name of ['token', 'signature', 'capitals', 'capitalsToken']) {
    it(`delivers through the proxy with httpNodeAuth: ${name}`, async () => {
      const { callSid, delivery } = await recordAndDeliver(name);
      assert.equal(delivery.status, 'delivered', JSON.stringify(delivery.attempts));
      const sent = new URL(delivery.url);
      assert.equal(`${sent.protocol}//${sent.host}${sent.pathname}`, `${telapi.canonicalPublicUrl(scenarios.find((s) => s.name === name).publicUrl)}/cb/${name}`);
      assert.equal(decodeURIComponent(sent.password), NODE_PASSWORD, 'the callback credentials ride in the URL TelAPI was given');
      assert.ok(sent.searchParams.get('token'));
      const list = await waitForCallback(callSid);
      assert.equal(list.filter((entry) => entry.callSid === callSid).length, 1);
    });
  }

  it('":443" and capitals: the URL sent drops the default port, and a callback signed over it is accepted', async () => {
    const { callSid, delivery } = await recordAndDeliver('port443');
    const sent = new URL(delivery.url);
    assert.equal(sent.host, 'localhost', 'scheme and host lower case, :443 dropped');
    assert.equal(sent.pathname, `${PREFIX}/api/cb/port443`);
    // Nothing may listen on 443 in a test: deliver as TelAPI would (signed over the URL it was
    // given, Basic auth from its userinfo) to the proxy's real port, as a 443 port-forward would.
    sent.username = '';
    sent.password = '';
    const body = new URLSearchParams({ AccountSid: ACCOUNT_SID, CallSid: callSid, RecordingSid: `RE${'ab'.repeat(16)}`, RecordingDuration: '1' });
    const signature = telapi.computeSignature(AUTH_TOKEN, sent.href, body);
    const status = await new Promise((resolve, reject) => {
      const request = https.request(`https://localhost:${proxy.port}${sent.pathname}${sent.search}`, {
        method: 'POST', ca: TLS.cert,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-telapi-signature': signature, authorization: NODE_AUTH },
      }, (response) => { response.resume(); resolve(response.statusCode); });
      request.on('error', reject);
      request.end(body.toString());
    });
    assert.equal(status, 200);
    await waitForCallback(callSid);
  });

  it('a deploy logs what each callback node\'s reachability test found: reachable, or the cause (issue 21)', async () => {
    const lineOf = (name) => nodeRed.log.split('\n').find((line) => line.includes(`[telapi-callback:cb_${name}]`) && /Reachable at|would not reach/.test(line));
    await nodeRed.waitForLog(() => ['token', 'noPrefix', 'noRoot', 'closedPort'].every((name) => lineOf(name) !== undefined), 30_000);
    assert.match(lineOf('token'), /\[info\] .*Reachable at https:\/\/127\.0\.0\.1:\d+\/nr\/api\/cb\/token\?token=…/);
    assert.match(lineOf('noPrefix'), /\[warn\] .*would not reach this node: HTTP 404: nothing at this path/);
    assert.match(lineOf('noRoot'), /\[warn\] .*would not reach this node: HTTP 404: the public URL lacks httpNodeRoot \(\/api\/?\)/);
    assert.match(lineOf('closedPort'), /\[warn\] .*would not reach this node: Connection refused/);
    assert.doesNotMatch(nodeRed.log, new RegExp(NODE_PASSWORD));
  });

  it('the reachability test reports arrival for correct settings, and its callback never becomes a message', async () => {
    const before = (await collected()).length;
    for (const name of ['token', 'signature', 'capitals']) {
      const result = await reachability(name);
      assert.equal(result.cause, 'arrived', `${name}: ${JSON.stringify(result)}`);
      assert.ok(!JSON.stringify(result).includes(NODE_PASSWORD));
      assert.match(result.url, /token=…$/);
    }
    assert.equal((await collected()).length, before);
  });

  const failures = [
    ['noRoot', 'noNodeRoot', { status: 404 }],
    ['noPrefix', 'notFound', { status: 404 }],
    ['noCreds', 'authNoCredentials', { status: 401 }],
    ['httpScheme', 'wrongScheme', {}],
    ['closedPort', 'refused', { error: 'ECONNREFUSED' }],
  ];
  for (const [name, cause, seen] of failures) {
    it(`the reachability test names the cause of ${name}: ${cause}`, async () => {
      const result = await reachability(name);
      assert.equal(result.cause, cause, JSON.stringify(result));
      for (const [key, value] of Object.entries(seen)) assert.equal(result[key], value);
    });
  }

  it('logs each wrong setting it can know of at deploy', () => {
    const at = `127.0.0.1:${proxy.port}`;
    assert.match(nodeRed.log, new RegExp(`The public URL https://${at.replace(/\./g, '\\.')}/nr does not end with httpNodeRoot \\(/api\\)`));
    assert.match(nodeRed.log, /httpNodeAuth protects the HTTP nodes and the account has no callback user and password: TelAPI's callbacks to \/cb\/noCreds get 401/);
    assert.doesNotMatch(nodeRed.log, /\/cb\/token get 401/);
  });

  it('the dialogs warn from the same rules: the editor code on the runtime\'s settings', async () => {
    const settings = await nodeRed.adminRequest('GET', '/settings');
    const editor = loadEditorCode(settings);
    assert.equal(editor.hasNodeRoot(scenarios.find((s) => s.name === 'noRoot').publicUrl), false);
    assert.equal(editor.hasNodeRoot(scenarios.find((s) => s.name === 'token').publicUrl), true);
    assert.equal(settings.telapiCallbackRules.httpNodeAuth, true, 'the callback dialog warns about missing callback credentials');
    assert.equal(settings.telapiAccountRules.httpNodeAuth, true);
  });

  it('the editor reads the runtime\'s rules (node settings) and runs the runtime\'s URL algorithms (issue 11)', async () => {
    const settings = await nodeRed.adminRequest('GET', '/settings');
    // Exactly what the runtime exports, as JSON carries it.
    assert.deepEqual(settings.telapiRecordRules, JSON.parse(JSON.stringify(require('../../dist/nodes/shared/editor-rules').recordRules())));
    assert.deepEqual(settings.telapiRecordRules.actions, [...telapi.RECORD_ACTIONS]);
    assert.equal(settings.telapiRecordRules.urlLimit, telapi.MAX_URL_LENGTH);
    assert.deepEqual(settings.telapiCallbackRules.securityModes, [...telapi.CALLBACK_SECURITY_MODES]);
    assert.equal(settings.telapiAccountRules.accountSid, telapi.sidPattern('AC'));
    const editor = loadEditorCode(settings);
    const paths = require('../../dist/nodes/shared/paths');
    for (const url of ['https://nr.example.com', 'HTTPS://NR.example.com:443/', 'http://h:80//a//b/', 'https://u:p@h:8443/x', 'ftp://h', 'not a url', '', 'https://', 'http://[::1]:1880/api/']) {
      assert.equal(editor.canonicalPublicUrl(url), telapi.canonicalPublicUrl(url) ?? null, url);
      assert.equal(editor.isHttpUrl(url), telapi.isHttpUrl(url), url);
      assert.equal(editor.callbackUrl(url, '/telapi/cb'), telapi.canonicalCallbackUrl(url, '/telapi/cb') ?? null, url);
      assert.equal(editor.hasNodeRoot(url), telapi.publicUrlHasNodeRoot(url, settings.httpNodeRoot), url);
    }
    for (const value of ['/telapi/recording', 'telapi', '/a/../b', '/a/:id', '/a//b', '/', '', '/x.y~z-_/'] ) {
      assert.equal(editor.normaliseCallbackPath(value), paths.normaliseNodePath(value) ?? null, value);
    }
    assert.equal(loadEditorCode(settings, 'https://Editor.Example:443').editorAddress(), 'https://editor.example/api');
    // Opened through the proxy: what comes before httpAdminRoot (here "/") is the proxy's prefix, kept.
    assert.equal(loadEditorCode(settings, `https://127.0.0.1:${proxy.port}${PREFIX}/`).editorAddress(), `https://127.0.0.1:${proxy.port}${PREFIX}/api`);
    // The HTTP nodes under /api and the editor at /: a node's /flows is /api/flows, which the admin API does not answer.
    assert.deepEqual(['/flows', '/auth/token', '/telapi/voice', '/a/../b'].map((value) => editor.receiverPathProblem({ id: 'n' }, value)?.problem ?? null),
      [null, null, null, 'badUrl']);
    const restated = /\b200\b|\b43\b|'hybrid'|'platinum'|AC\[0-9a-fA-F\]|https\?:\\\/|A-Za-z0-9\._~-/;
    for (const file of ['telapi-account.html', 'telapi-record.html', 'telapi-callback.html', 'telapi-voice.html', 'telapi-inboundxml.html']) {
      const editorScript = fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', file), 'utf8').split('<script type="text/html"')[0];
      assert.doesNotMatch(editorScript, restated, `${file} restates a runtime rule`);
    }
  });

  it('a GET on a callback path through the proxy answers 405 with Allow: POST', async () => {
    const status = await new Promise((resolve, reject) => {
      https.get(`https://127.0.0.1:${proxy.port}${PREFIX}/api/cb/token`, { ca: TLS.cert, headers: { authorization: NODE_AUTH } }, (response) => {
        response.resume();
        resolve([response.statusCode, response.headers.allow]);
      }).on('error', reject);
    });
    assert.deepEqual(status, [405, 'POST']);
  });

  it('names the caller from X-Forwarded-For (trust proxy) in a rejection warning', async () => {
    const response = await new Promise((resolve, reject) => {
      const request = https.request(`https://127.0.0.1:${proxy.port}${PREFIX}/api/cb/token?token=forged`, {
        method: 'POST', ca: TLS.cert,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: NODE_AUTH, 'x-forwarded-for': '203.0.113.9' },
      }, (answer) => { answer.resume(); resolve(answer.statusCode); });
      request.on('error', reject);
      request.end(`AccountSid=${ACCOUNT_SID}&CallSid=CA${'cd'.repeat(16)}`);
    });
    assert.equal(response, 403);
    await nodeRed.waitForLog((log) => /from 203\.0\.113\.9 \(the client address under Node-RED's trust proxy setting\): bad token/.test(log));
  });

  it('shows the callback password nowhere: flows.json, GET /flows, the log', async () => {
    const flowsFile = fs.readFileSync(path.join(nodeRed.userDir, 'flows.json'), 'utf8');
    const apiFlows = JSON.stringify(await nodeRed.adminRequest('GET', '/flows'));
    for (const [where, text] of [['flows.json', flowsFile], ['GET /flows', apiFlows], ['the log', nodeRed.log]]) {
      assert.ok(!text.includes(NODE_PASSWORD), `${where} holds the callback password`);
      assert.ok(!text.includes(encodeURIComponent(NODE_PASSWORD)), `${where} holds the encoded callback password`);
    }
    const credentials = await nodeRed.adminRequest('GET', '/credentials/telapi-account/acc_token');
    assert.deepEqual(credentials, { accountSid: ACCOUNT_SID, has_authToken: true, callbackUser: NODE_USER, has_callbackPassword: true });
  });
});

/** resources/telapi-editor.js as the editor runs it, on the runtime's exported settings, opened at `address`. */
function loadEditorCode(settings, address = 'https://editor.example/') {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'resources', 'telapi-editor.js'), 'utf8');
  const { origin, pathname } = new URL(address);
  const window = { location: { origin, pathname } };
  // No other nodes in the workspace: a path is refused only as invalid, or as the admin API's.
  vm.runInNewContext(source, { window, RED: { settings, nodes: { eachNode() {} } }, URL });
  return window.telapiEditor;
}

module.exports = { loadEditorCode };
