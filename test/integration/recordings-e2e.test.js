'use strict';
// Issue 12's "Done when", in a real Node-RED with this package against the TelAPI simulator. A thin
// front on 127.0.0.1 passes the API through to the simulator and, for two recordings only, reports
// a recording_url that is cut off or missing (on "localhost", another origin), as a storage host may.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { openDebugSidebar } = require('../support/debug-sidebar');
const { unusedPort } = require('../support/stand-in');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');

async function startFront(simUrl, rewrites) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/cut/')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': '200000' });
      res.write(Buffer.alloc(5000, 0xff), () => req.socket.destroy());
      return;
    }
    const target = new URL(req.url, simUrl);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      const sid = /\/Recordings\/(RE[0-9a-f]{32})\.json$/.exec(target.pathname)?.[1];
      if (req.method !== 'GET' || !sid || !rewrites.has(sid) || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        body.recording_url = rewrites.get(sid);
        const text = JSON.stringify(body);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((resolve) => server.close(resolve)); },
  };
}

describe('telapi-recordings in a real Node-RED against the simulator (issue 12, Done when)', function () {
  this.timeout(60_000);
  let sim;
  let front;
  let nodeRed;
  let sidebar;
  const rewrites = new Map();
  const r = {};

  const inject = (id) => nodeRed.adminRequest('POST', `/inject/${id}`);
  const debugOf = (name, predicate = () => true) => sidebar.waitFor((m) => m.name === name && predicate(m.value), 20_000, `"${name}"`);

  before(async () => {
    const port = await unusedPort();
    sim = await startSimulator({ port: 0, timeScale: 0.01, mediaHostName: 'localhost', demoCalls: false, transcriptionDelayMs: 50, callbackDelayMs: 0 });
    front = await startFront(sim.url, rewrites);
    const seeded = sim.seedRecordings({ count: 120, from: new Date('2024-01-01'), to: new Date('2024-03-31'), duration: 2 });
    [r.ok, r.big, r.cut, r.missing, r.del, r.tr] = seeded;
    rewrites.set(r.cut.sid, `http://localhost:${front.port}/cut/${r.cut.sid}.mp3`);
    rewrites.set(r.missing.sid, `http://localhost:${sim.address.port}/recordings/${DEMO_ACCOUNT_SID}/RE${'0'.repeat(32)}.mp3`);
    nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings: { uiPort: port } });
    sidebar = await openDebugSidebar(nodeRed.url);
    const injectNode = (id, name, props, wire) => ({
      id, type: 'inject', z: 'tab', name, repeat: '', crontab: '', once: false, topic: '', x: 100, y: 100, wires: [[wire]],
      props: Object.entries(props).map(([p, v]) => (typeof v === 'string' ? { p, v, vt: 'str' } : { p, v: JSON.stringify(v), vt: 'json' })),
    });
    const debug = (id, name, complete) => ({ id, type: 'debug', z: 'tab', name, active: true, tosidebar: true, console: false, complete, targetType: 'msg', wires: [] });
    const recs = (id, operation, extra = {}) => ({ id, type: 'telapi-recordings', z: 'tab', account: 'acc', operation, maxRecordings: 1000, maxBytes: 52428800, transcribeQuality: 'auto', transcribeCallback: '', ...extra });
    // Flow nodes need x and y: Node-RED takes a node without them for a config node.
    const at = (node, index) => (node.type === 'tab' || node.type === 'telapi-account' ? node : { x: 100 + (index % 5) * 150, y: 60 + index * 20, ...node });
    await nodeRed.deploy([
      { id: 'tab', type: 'tab', label: 'e2e' },
      { id: 'acc', type: 'telapi-account', name: 'sim', baseUrl: `http://127.0.0.1:${front.port}/v2`, publicUrl: nodeRed.url, timeout: 10, credentials: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } },
      injectNode('iList', 'list', {}, 'list'),
      { ...recs('list', 'list'), wires: [['summary']] },
      { id: 'summary', type: 'function', z: 'tab', name: 'summary', func: 'msg.payload = { count: msg.payload.length, unique: new Set(msg.payload.map((r) => r.sid)).size, total: msg.total };\nreturn msg;', outputs: 1, wires: [['dList']] },
      debug('dList', 'listed', 'payload'),
      injectNode('iOk', 'download ok', { recordingSid: r.ok.sid }, 'dl'),
      injectNode('iBig', 'download big', { recordingSid: r.big.sid, recordings: { maxBytes: 1000 } }, 'dl'),
      injectNode('iCut', 'download cut', { recordingSid: r.cut.sid }, 'dl'),
      injectNode('iMissing', 'download 404', { recordingSid: r.missing.sid }, 'dl'),
      { ...recs('dl', 'download'), wires: [['path']] },
      { id: 'path', type: 'change', z: 'tab', name: '', rules: [{ t: 'set', p: 'filename', pt: 'msg', to: "'e2e/' & filename", tot: 'jsonata' }], wires: [['file']] },
      { id: 'file', type: 'file', z: 'tab', name: '', filename: 'filename', filenameType: 'msg', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'none', wires: [['describe']] },
      { id: 'describe', type: 'function', z: 'tab', name: '', func: 'msg.payload = { recordingSid: msg.recordingSid, filename: msg.filename, contentType: msg.contentType, bytes: msg.payload.length, isBuffer: Buffer.isBuffer(msg.payload) };\nreturn msg;', outputs: 1, wires: [['dDl']] },
      debug('dDl', 'downloaded', 'payload'),
      injectNode('iDel', 'delete', { recordingSid: r.del.sid }, 'del'),
      { ...recs('del', 'delete'), wires: [['dDel']] },
      debug('dDel', 'deleted', 'payload'),
      injectNode('iGet', 'get deleted', { recordingSid: r.del.sid }, 'get'),
      { ...recs('get', 'get'), wires: [['dGet']] },
      debug('dGet', 'got', 'payload'),
      injectNode('iTr', 'transcribe', { recordingSid: r.tr.sid }, 'tr'),
      { ...recs('tr', 'transcribe', { transcribeQuality: 'hybrid', transcribeCallback: '/telapi/e2e/transcription' }), wires: [['dTr']] },
      debug('dTr', 'transcription requested', 'payload'),
      { id: 'cb', type: 'telapi-callback', z: 'tab', account: 'acc', url: '/telapi/e2e/transcription', security: 'token', wires: [['dCb']] },
      debug('dCb', 'transcription callback', 'true'),
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errInfo']] },
      { id: 'errInfo', type: 'function', z: 'tab', name: '', func: 'msg.payload = { recordingSid: msg.recordingSid, message: msg.error.message, source: msg.error.source && msg.error.source.id };\nreturn msg;', outputs: 1, wires: [['dErr']] },
      debug('dErr', 'error', 'payload'),
    ].map(at));
  });

  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 3000 chars):\n${nodeRed?.log.slice(-3000)}`);
  });

  after(async () => {
    sidebar?.close();
    await nodeRed?.stop();
    await front?.close();
    await sim?.close();
  });

  const errorOf = (sid) => debugOf('error', (v) => v.recordingSid === sid);
  const noOutputFor = (sid) => assert.equal(sidebar.byName('downloaded').filter((m) => m.value.recordingSid === sid).length, 0, 'no output');

  it('list: 120 recordings over 3 pages, each once, with msg.total', async () => {
    sim.clearRequests();
    await inject('iList');
    const listed = await debugOf('listed');
    assert.deepEqual(listed.value, { count: 120, unique: 120, total: 120 });
    const pages = sim.requests().filter((q) => q.path.endsWith('/Recordings.json')).map((q) => q.params.Page);
    assert.deepEqual(pages, ['0', '1', '2']);
  });

  it('download: the exact bytes with msg.contentType and msg.filename, no credentials to the media host', async () => {
    await inject('iOk');
    const done = await debugOf('downloaded', (v) => v.recordingSid === r.ok.sid);
    assert.equal(done.value.filename, `e2e/${r.ok.sid}.mp3`);
    assert.equal(done.value.contentType, 'audio/mpeg');
    assert.equal(done.value.isBuffer, true);
    const written = fs.readFileSync(path.join(nodeRed.userDir, done.value.filename));
    const media = Buffer.from(await (await fetch(r.ok.recordingUrl)).arrayBuffer());
    assert.ok(written.equals(media), 'the exact bytes');
    assert.equal(written.length, done.value.bytes);
    const mediaRequests = sim.mediaRequests().filter((q) => q.path.includes(r.ok.sid));
    assert.ok(mediaRequests.length >= 1 && mediaRequests.every((q) => !q.authorization));
  });

  it('download: over maxBytes, cut off and 404 each reach Catch with no output', async () => {
    await inject('iBig');
    assert.match((await errorOf(r.big.sid)).value.message, /larger than the limit of 1000 bytes/);
    await inject('iCut');
    assert.match((await errorOf(r.cut.sid)).value.message, /cut off after \d+ bytes/);
    await inject('iMissing');
    assert.match((await errorOf(r.missing.sid)).value.message, /answered 404/);
    for (const sid of [r.big.sid, r.cut.sid, r.missing.sid]) noOutputFor(sid);
    assert.ok(!fs.existsSync(path.join(nodeRed.userDir, 'e2e', `${r.cut.sid}.mp3`)), 'no partial file');
  });

  it('delete, then get: a 404 at Catch', async () => {
    await inject('iDel');
    const deleted = await debugOf('deleted');
    assert.equal(deleted.value.sid, r.del.sid);
    await inject('iGet');
    const error = await errorOf(r.del.sid);
    assert.match(error.value.message, /TelAPI 404/);
    assert.equal(error.value.source, 'get');
    assert.equal(sidebar.byName('got').length, 0);
  });

  it('transcribe: sends Quality and a TranscribeCallback that a callback node in token mode accepts', async () => {
    sim.clearRequests();
    await inject('iTr');
    const requested = await debugOf('transcription requested');
    assert.match(requested.value.sid, /^TR[0-9a-f]{32}$/);
    const post = sim.requests().find((q) => q.method === 'POST' && q.path.endsWith(`/Recordings/${r.tr.sid}/Transcriptions.json`));
    assert.equal(post.params.Quality, 'hybrid');
    const callbackUrl = new URL(post.params.TranscribeCallback);
    assert.equal(`${callbackUrl.origin}${callbackUrl.pathname}`, `${nodeRed.url}/telapi/e2e/transcription`);
    assert.ok(callbackUrl.searchParams.get('token'));
    const callback = await debugOf('transcription callback');
    assert.equal(callback.value.topic, 'transcription');
    assert.equal(callback.value.callSid, r.tr.callSid);
    assert.equal(callback.value.payload.TranscriptionSid, requested.value.sid);
  });

  it('nothing else reached Catch', () => {
    const expected = new Set([r.big.sid, r.cut.sid, r.missing.sid, r.del.sid]);
    assert.deepEqual(sidebar.byName('error').map((m) => m.value).filter((v) => !expected.has(v.recordingSid)), []);
  });
});
