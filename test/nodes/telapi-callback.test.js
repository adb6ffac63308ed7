'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const request = require('supertest');
const { helper, coreNode } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { captureHttpNode, mount, serve } = require('../support/http-node');
const {
  ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID, SIGNED_PARAMS, SIGNATURE,
} = require('../support/fixtures');
const { callbackToken, computeSignature, pathKey } = require('../../dist/telapi');
const accountNode = require('../../nodes/telapi-account.js');
const callbackNode = require('../../nodes/telapi-callback.js');
const recordNode = require('../../nodes/telapi-record.js');
const { dispatcherOf } = require('../../dist/nodes/shared/routes');
const { routerStack } = require('../../dist/nodes/shared/express');

const PATH = '/telapi/recording';
const PUBLIC_URL = 'https://nr.example.com';
const FOREIGN_ACCOUNT = 'ACffffffffffffffffffffffffffffffff';
/** docs/telapi-api.md's vector: SIGNATURE is over https://nr.example.com/telapi/recording and RECORDING. */
const RECORDING = SIGNED_PARAMS;
const TRANSCRIPTION = Object.freeze({
  AccountSid: ACCOUNT_SID,
  CallSid: CALL_SID,
  TranscriptionSid: 'TR00112233445566778899aabbccddeeff',
  TranscriptionStatus: 'completed',
  TranscriptionText: 'Hello, please call me back.',
  AudioUrl: 'https://api.telapi.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00112233445566778899aabbccddeeff.mp3',
});
// A fresh object each time: Node-RED keeps the object it is given and deletes from it on redeploys.
const credentials = () => ({ acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });

const form = (params) => new URLSearchParams(params).toString();
/** Lets Node-RED deliver what a node sent (delivery is asynchronous, one setImmediate per hop). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function makeFlow({ security = 'token', url = PATH, publicUrl = PUBLIC_URL, account = 'acc', extra = [] } = {}) {
  const flow = [
    { id: 'acc', type: 'telapi-account', name: 'account', publicUrl },
    { id: 'cb', type: 'telapi-callback', name: '', account, url, wires: [['out']] },
    { id: 'out', type: 'helper' },
    ...extra,
  ];
  if (security !== undefined) flow[1].security = security;
  return flow;
}

describe('telapi-callback node', function () {
  let capture;
  let messages;

  beforeEach(function () {
    capture = captureHttpNode(withCatalog(callbackNode));
    messages = [];
  });

  afterEach(async function () {
    await helper.unload();
    // helper.settings(x) merges x into a fresh copy of Node-RED's settings: {} undoes a test's own.
    helper.settings({});
  });

  async function load(options = {}, creds = credentials()) {
    await helper.load([accountNode, capture.register], makeFlow(options), creds);
    listen();
  }

  const listening = new WeakSet();
  /** Collects what the node sends; call again after a redeploy (a new 'out' node). */
  function listen() {
    const out = helper.getNode('out');
    if (!out || listening.has(out)) return;
    listening.add(out);
    out.on('input', (msg) => messages.push(msg));
  }

  const app = () => capture.captured.app;
  const post = (path = `${PATH}?token=${CALL_TOKEN}`) => request(app()).post(path);

  const logEntries = (level) =>
    helper
      .log()
      .args.map((args) => args[0])
      .filter((entry) => entry.level === level && entry.type === 'telapi-callback');
  const warnings = () => logEntries(helper.log().WARN).map((entry) => String(entry.msg));
  const errors = () => logEntries(helper.log().ERROR).map((entry) => String(entry.msg));
  const statuses = (id = 'cb') => {
    const node = typeof id === 'string' ? helper.getNode(id) : id;
    return node.status
      .getCalls()
      .filter((call) => call.thisValue === node)
      .map((call) => call.args[0]);
  };
  const lastStatus = (id) => statuses(id).at(-1);

  describe('token mode (default)', function () {
    it('accepts a recording callback carrying the record node\'s token (docs/telapi-api.md vector)', async function () {
      assert.equal(callbackToken(AUTH_TOKEN, CALL_SID), CALL_TOKEN);
      await load();
      const res = await post().type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      const [msg] = messages;
      assert.deepEqual({ ...msg.payload }, { ...RECORDING });
      assert.equal(msg.topic, 'recording');
      assert.equal(msg.callSid, CALL_SID);
      assert.equal(msg.recordingUrl, RECORDING.RecordingUrl);
      assert.equal(msg.transcriptionText, undefined);
      assert.equal(msg.req, undefined, 'no request object in the message');
    });

    it('defaults to token mode when the saved node has no security property', async function () {
      await load({ security: undefined });
      assert.equal((await post('/telapi/recording').type('form').send(form(RECORDING))).status, 403);
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages.length, 1);
    });

    it('accepts a transcription callback: topic, transcriptionText, recordingUrl from AudioUrl', async function () {
      await load();
      const res = await post().type('form').send(form(TRANSCRIPTION));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      const [msg] = messages;
      assert.equal(msg.topic, 'transcription');
      assert.equal(msg.callSid, CALL_SID);
      assert.equal(msg.transcriptionText, TRANSCRIPTION.TranscriptionText);
      assert.equal(msg.recordingUrl, TRANSCRIPTION.AudioUrl);
      assert.deepEqual({ ...msg.payload }, { ...TRANSCRIPTION });
    });

    const rejections = [
      ['a wrong token', () => `${PATH}?token=${CALL_TOKEN.slice(0, -1)}A`, RECORDING, 403],
      ['the token of another call', () => `${PATH}?token=${callbackToken(AUTH_TOKEN, OTHER_CALL_SID)}`, RECORDING, 403],
      ['a token made with another AuthToken', () => `${PATH}?token=${callbackToken('ffffffffffffffffffffffffffffffff', CALL_SID)}`, RECORDING, 403],
      ['no token', () => PATH, RECORDING, 403],
      ['an empty token', () => `${PATH}?token=`, RECORDING, 403],
      ['the token twice', () => `${PATH}?token=${CALL_TOKEN}&token=${CALL_TOKEN}`, RECORDING, 400],
      ['CallSid twice, the token of the first', () => `${PATH}?token=${CALL_TOKEN}`, [...Object.entries(RECORDING), ['CallSid', OTHER_CALL_SID]], 400],
      ['AccountSid twice', () => `${PATH}?token=${CALL_TOKEN}`, [...Object.entries(RECORDING), ['AccountSid', FOREIGN_ACCOUNT]], 400],
      ['RecordingUrl twice', () => `${PATH}?token=${CALL_TOKEN}`, [...Object.entries(RECORDING), ['RecordingUrl', 'http://169.254.169.254/']], 400],
      ['TranscriptionText twice', () => `${PATH}?token=${CALL_TOKEN}`, [...Object.entries(TRANSCRIPTION), ['TranscriptionText', 'forged']], 400],
      ['a foreign AccountSid with a valid token', () => `${PATH}?token=${CALL_TOKEN}`, { ...RECORDING, AccountSid: FOREIGN_ACCOUNT }, 403],
      ['no AccountSid', () => `${PATH}?token=${CALL_TOKEN}`, { CallSid: CALL_SID, RecordingUrl: RECORDING.RecordingUrl }, 403],
      ['no CallSid', () => `${PATH}?token=${CALL_TOKEN}`, { AccountSid: ACCOUNT_SID, RecordingUrl: RECORDING.RecordingUrl }, 400],
      ['a malformed CallSid', () => `${PATH}?token=${callbackToken(AUTH_TOKEN, 'CA123')}`, { ...RECORDING, CallSid: 'CA123' }, 400],
    ];
    for (const [what, path, params, status] of rejections) {
      it(`rejects ${what} with ${status} and sends nothing`, async function () {
        await load();
        const res = await post(path()).type('form').send(form(params));
        assert.equal(res.status, status);
        await settle();
        assert.equal(messages.length, 0);
      });
    }

    it('rejects an empty body and an unparsable JSON body with 400', async function () {
      await load();
      assert.equal((await post().send('')).status, 400);
      assert.equal((await post().set('Content-Type', 'application/json').send('{"CallSid": ')).status, 400);
      assert.equal((await post().set('Content-Type', 'application/json').send('["CallSid"]')).status, 400);
      assert.equal((await post().set('Content-Type', 'multipart/form-data; boundary=x').send('--x--')).status, 400);
      assert.equal((await post().set('Content-Encoding', 'gzip').type('form').send(form(RECORDING))).status, 400);
      await settle();
      assert.equal(messages.length, 0);
    });
  });

  describe('the reachability check at deploy (issue 21)', function () {
    this.timeout(20_000);
    let server;
    let publicUrl;
    beforeEach(async () => {
      // The public URL: a real port in front of the node's app, as a proxy or tunnel would be.
      server = http.createServer((req, res) => capture.captured.app(req, res));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      publicUrl = `http://127.0.0.1:${server.address().port}`;
    });
    afterEach(async () => { await new Promise((resolve) => server.close(resolve)); });

    const logged = (level) => helper.log().args.map((args) => args[0]).filter((entry) => entry.level === level && entry.type === 'telapi-callback').map((entry) => String(entry.msg));
    const until = async (predicate) => { while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 50)); };

    it('logs that the node is reachable when a test request through the public URL arrives', async function () {
      helper.settings({ telapiReachabilityCheck: true });
      await helper.load([accountNode, capture.register], makeFlow({ publicUrl }).map((n) => (n.id === 'acc' ? { ...n, baseUrl: 'http://127.0.0.1:9/v2' } : n)), credentials());
      await until(() => logged(helper.log().INFO).some((text) => text.startsWith('Reachable at')));
      assert.match(logged(helper.log().INFO).find((text) => text.startsWith('Reachable at')), new RegExp(`^Reachable at ${publicUrl}/telapi/recording\\?token=…: `));
      assert.equal(messages.length, 0, 'the test request never becomes a message');
    });

    it('warns, with the finding, when the public URL leads nowhere', async function () {
      helper.settings({ telapiReachabilityCheck: true });
      const closed = http.createServer();
      await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const nowhere = `http://127.0.0.1:${closed.address().port}`;
      await new Promise((resolve) => closed.close(resolve));
      await helper.load([accountNode, capture.register], makeFlow({ publicUrl: nowhere }), credentials());
      await until(() => warnings().some((text) => text.includes('would not reach')));
      assert.match(warnings().find((text) => text.includes('would not reach')), /Connection refused: nothing listens at that host and port/);
    });

    it('warns that a local address arrives only from here when the API is on the internet', async function () {
      helper.settings({ telapiReachabilityCheck: true });
      await helper.load([accountNode, capture.register], makeFlow({ publicUrl }).map((n) => (n.id === 'acc' ? { ...n, baseUrl: 'https://api.zang.io/v2' } : n)), credentials());
      await until(() => warnings().some((text) => text.includes('would not reach')));
      assert.match(warnings().find((text) => text.includes('would not reach')), /only from here: 127\.0\.0\.1 is a local or private address, and TelAPI on the internet cannot reach it/);
    });

    it('in signature mode names a record node that gives TelAPI this path on another address: its callbacks would get 403', async function () {
      helper.settings({ telapiReachabilityCheck: true });
      const elsewhere = `https://other.example.com${PATH}`;
      const flow = makeFlow({ publicUrl, security: 'signature', extra: [
        { id: 'rec', type: 'telapi-record', name: 'start recording', account: 'acc', callbackUrl: elsewhere, transcribeCallback: PATH, wires: [[]] },
        { id: 'off', type: 'telapi-record', name: 'disabled', d: true, account: 'acc', callbackUrl: elsewhere, wires: [[]] },
      ] }).map((n) => (n.id === 'acc' ? { ...n, baseUrl: 'http://127.0.0.1:9/v2' } : n));
      await helper.load([accountNode, withCatalog(recordNode), capture.register], flow, credentials());
      await until(() => warnings().some((text) => text.includes('gives TelAPI')));
      assert.deepEqual(warnings().filter((text) => text.includes('gives TelAPI')), [
        `start recording gives TelAPI ${elsewhere}, another address than the one this node checks signatures against (${publicUrl}${PATH}): TelAPI signs the URL it calls, so those callbacks would get 403. Give start recording the path ${PATH} instead.`,
      ]);
      const res = await helper.request().post('/telapi-callback/cb/test');
      assert.equal(res.body.cause, 'arrived', JSON.stringify(res.body));
      assert.deepEqual({ elsewhere: res.body.elsewhere, expected: res.body.expected, path: res.body.path },
        { elsewhere: [{ node: 'start recording', url: elsewhere }], expected: `${publicUrl}${PATH}`, path: PATH });
    });

    it('is off with telapiReachabilityCheck: false', async function () {
      await helper.load([accountNode, capture.register], makeFlow({ publicUrl }), credentials());
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.deepEqual(logged(helper.log().INFO).filter((text) => text.startsWith('Reachable')), []);
      assert.deepEqual(warnings(), []);
    });
  });

  describe('reachability test callbacks', function () {
    const { newMarker, TEST_HEADER, TEST_PARAM } = require('../../dist/nodes/shared/reachability');

    it('answers an awaited test callback without a message, and refuses it replayed, with or without its marker', async function () {
      await load();
      const marker = newMarker();
      const body = form({ ...RECORDING, [TEST_PARAM]: marker.header });
      assert.equal((await post().set(TEST_HEADER, marker.header).type('form').send(body)).status, 200);
      assert.deepEqual(marker.take(), { nodeId: 'cb', verdict: 'accepted' });
      // Captured on its way (a proxy's log) and sent again: the marker was used, and the body says "test".
      assert.equal((await post().set(TEST_HEADER, marker.header).type('form').send(body)).status, 403);
      assert.equal((await post().type('form').send(body)).status, 403);
      assert.equal((await post().type('form').send(`${body}&${TEST_PARAM}=x`)).status, 403, 'repeated');
      await settle();
      assert.equal(messages.length, 0);
      assert.ok(warnings().some((text) => text.includes('replayed test callback')), warnings().join(' | '));
    });

    it('the test button of a node deployed with an unusable path says why, not "deploy first"', async function () {
      await load({ url: '/telapi/bad path' });
      const res = await helper.request().post('/telapi-callback/cb/test');
      assert.equal(res.body.cause, 'misconfigured');
      assert.match(res.body.problem, /^Invalid URL path "\/telapi\/bad path"/);
    });

    it('does not let a used marker hide a refused request from the warnings', async function () {
      await load();
      const marker = newMarker();
      assert.equal((await post().set(TEST_HEADER, marker.header).type('form').send(form({ ...RECORDING, [TEST_PARAM]: marker.header }))).status, 200);
      marker.take();
      const before = warnings().length;
      assert.equal((await post().set(TEST_HEADER, marker.header).send('')).status, 400);
      assert.equal(warnings().length, before + 1);
    });
  });

  describe('bodies', function () {
    it('takes a flat JSON object from a compatible service as it was sent', async function () {
      await load();
      const body = { ...RECORDING, RecordingDuration: 7, Trimmed: true };
      const res = await post().set('Content-Type', 'application/json').send(JSON.stringify(body));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.deepEqual({ ...messages[0].payload }, body);
      assert.equal(messages[0].recordingUrl, RECORDING.RecordingUrl);
    });

    it('refuses a JSON object with nested members (400): no one form a signature could cover', async function () {
      await load();
      for (const extra of [{ Extra: { nested: true } }, { Extra: [1, 2] }, { Extra: null }]) {
        const res = await post().set('Content-Type', 'application/json').send(JSON.stringify({ ...RECORDING, ...extra }));
        assert.equal(res.status, 400, JSON.stringify(extra));
      }
      await settle();
      assert.equal(messages.length, 0);
    });

    it('reads a form labelled application/json, or not labelled at all', async function () {
      await load();
      assert.equal((await post().set('Content-Type', 'application/json').send(form(RECORDING))).status, 200);
      const served = await serve(app());
      try {
        const status = await new Promise((resolve, reject) => {
          const req = http.request(`${served.url}${PATH}?token=${CALL_TOKEN}`, { method: 'POST' }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          });
          req.on('error', reject);
          req.end(form(RECORDING)); // no Content-Type header at all
        });
        assert.equal(status, 200);
      } finally {
        await served.close();
      }
      await settle();
      assert.equal(messages.length, 2);
      for (const msg of messages) assert.deepEqual({ ...msg.payload }, { ...RECORDING });
    });

    it('drops empty and prototype parameter names and keeps repeated names of its own as arrays', async function () {
      await load();
      const body = `${form(RECORDING)}&=ignored&Tag=a&__proto__=x&Tag=b&constructor=y&prototype=z`;
      assert.equal((await post().type('form').send(body)).status, 200);
      await settle();
      const { payload } = messages[0];
      assert.equal(Object.prototype.hasOwnProperty.call(payload, ''), false);
      assert.deepEqual(payload.Tag, ['a', 'b']);
      assert.equal(payload.Digits, '12#');
      assert.equal(Object.getPrototypeOf(payload), Object.prototype);
      for (const name of ['__proto__', 'constructor', 'prototype']) {
        assert.equal(Object.prototype.hasOwnProperty.call(payload, name), false, `${name} is dropped`);
      }
    });

    it('refuses a body over 256 KiB with 413 (Content-Length), then still works', async function () {
      await load();
      const big = `${form(RECORDING)}&Pad=${'x'.repeat(300 * 1024)}`;
      const res = await post().type('form').send(big);
      assert.equal(res.status, 413);
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.deepEqual(lastStatus(), { fill: 'green', shape: 'dot', text: '1 received' });
    });

    it('refuses a chunked body that grows over 256 KiB with 413', async function () {
      await load();
      const served = await serve(app());
      try {
        const status = await new Promise((resolve, reject) => {
          const req = http.request(
            `${served.url}${PATH}?token=${CALL_TOKEN}`,
            { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode));
            },
          );
          req.on('error', reject);
          req.write(`${form(RECORDING)}&Pad=`);
          const chunk = 'y'.repeat(16 * 1024);
          for (let i = 0; i < 20; i++) req.write(chunk);
          req.end();
        });
        assert.equal(status, 413);
      } finally {
        await served.close();
      }
      await settle();
      assert.equal(messages.length, 0);
    });

    it('answers 413 at once to a declared Content-Length far over the limit, without reading it', async function () {
      await load();
      const served = await serve(app());
      try {
        const head = await new Promise((resolve, reject) => {
          const socket = net.connect(new URL(served.url).port, '127.0.0.1');
          let text = '';
          socket.on('data', (chunk) => (text += chunk));
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
          // Headers only: the 10 MB body is never sent, so the node must answer without it.
          socket.write(
            `POST ${PATH}?token=${CALL_TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
              'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10485760\r\n\r\n',
          );
        });
        assert.match(head, /^HTTP\/1\.1 413 /);
        assert.match(head, /\r\nConnection: close\r\n/i);
      } finally {
        await served.close();
      }
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'rejected: body too large (1)' });
    });

    it('uses a body that httpNodeMiddleware already parsed', async function () {
      helper.settings({
        httpNodeMiddleware: (req, _res, next) => {
          const chunks = [];
          req.on('data', (chunk) => chunks.push(chunk));
          req.on('end', () => {
            req.body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
            req._body = true;
            next();
          });
        },
      });
      await load();
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.deepEqual({ ...messages[0].payload }, { ...RECORDING });
    });
  });

  describe('call status callbacks and the path key (URLs made before the call existed)', function () {
    const STATUS = Object.freeze({ AccountSid: ACCOUNT_SID, CallSid: CALL_SID, CallStatus: 'completed', CallDuration: '42', Direction: 'outbound-api', From: '+15550100', To: '+15550199' });
    const ownKey = () => pathKey(AUTH_TOKEN, PATH);

    it('takes a status callback carrying the path key of its own path: msg.topic "status", msg.callSid, msg.payload.CallStatus', async function () {
      await load();
      assert.equal((await post(`${PATH}?key=${ownKey()}`).type('form').send(form(STATUS))).status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.equal(messages[0].topic, 'status');
      assert.equal(messages[0].callSid, CALL_SID);
      assert.equal(messages[0].payload.CallStatus, 'completed');
      assert.equal(messages[0].payload.key, undefined, 'our key is not a TelAPI parameter');
    });

    it('a recording callback with the path key is a recording', async function () {
      await load();
      assert.equal((await post(`${PATH}?key=${ownKey()}`).type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages[0].topic, 'recording');
    });

    it('refuses another path\'s key, no key, another account, a key and a token, and a key twice (no message)', async function () {
      await load();
      const refused = [
        [`${PATH}?key=${pathKey(AUTH_TOKEN, '/telapi/status')}`, STATUS, 403],
        [PATH, STATUS, 403],
        [`${PATH}?key=${ownKey()}`, { ...STATUS, AccountSid: FOREIGN_ACCOUNT }, 403],
        [`${PATH}?key=${pathKey('ffffffffffffffffffffffffffffffff', PATH)}`, STATUS, 403],
        [`${PATH}?key=${ownKey()}&token=${CALL_TOKEN}`, STATUS, 400],
        [`${PATH}?key=${ownKey()}&key=${ownKey()}`, STATUS, 400],
      ];
      for (const [url, params, status] of refused) assert.equal((await post(url).type('form').send(form(params))).status, status, url);
      await settle();
      assert.equal(messages.length, 0);
    });
  });

  describe('signature mode', function () {
    const sign = (url, params) => computeSignature(AUTH_TOKEN, url, params);

    it('accepts the docs/telapi-api.md vector signed over https://nr.example.com/telapi/recording', async function () {
      assert.equal(sign(`${PUBLIC_URL}${PATH}`, RECORDING), SIGNATURE);
      await load({ security: 'signature' });
      const res = await post(PATH).set('X-TelAPI-Signature', SIGNATURE).type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.deepEqual({ ...messages[0].payload }, { ...RECORDING });
    });

    it('covers the query string as received', async function () {
      await load({ security: 'signature' });
      const path = `${PATH}?b=2&a=%2F1`;
      const good = sign(`${PUBLIC_URL}${path}`, RECORDING);
      assert.equal((await post(path).set('X-TelAPI-Signature', good).type('form').send(form(RECORDING))).status, 200);
      const withoutQuery = sign(`${PUBLIC_URL}${PATH}`, RECORDING);
      assert.equal((await post(path).set('X-TelAPI-Signature', withoutQuery).type('form').send(form(RECORDING))).status, 403);
      const decoded = sign(`${PUBLIC_URL}${PATH}?b=2&a=/1`, RECORDING);
      assert.equal((await post(path).set('X-TelAPI-Signature', decoded).type('form').send(form(RECORDING))).status, 403);
      await settle();
      assert.equal(messages.length, 1);
    });

    const rejections = [
      ['no signature', () => ({}), RECORDING, 403],
      ['an empty signature', () => ({ 'X-TelAPI-Signature': '' }), RECORDING, 403],
      ['a wrong signature', () => ({ 'X-TelAPI-Signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), RECORDING, 403],
      ['a tampered parameter', () => ({ 'X-TelAPI-Signature': SIGNATURE }), { ...RECORDING, RecordingUrl: 'http://169.254.169.254/latest' }, 403],
      ['an added parameter', () => ({ 'X-TelAPI-Signature': SIGNATURE }), { ...RECORDING, Extra: '1' }, 403],
      [
        'a signature over the URL rebuilt from Host / X-Forwarded-* headers',
        () => ({
          'X-TelAPI-Signature': sign(`https://evil.example.net${PATH}`, RECORDING),
          'X-Forwarded-Host': 'evil.example.net',
          'X-Forwarded-Proto': 'https',
          Host: 'evil.example.net',
        }),
        RECORDING,
        403,
      ],
      ['a signature made with another AuthToken', () => ({ 'X-TelAPI-Signature': computeSignature('ffffffffffffffffffffffffffffffff', `${PUBLIC_URL}${PATH}`, RECORDING) }), RECORDING, 403],
      [
        'a foreign AccountSid with a valid signature',
        () => ({ 'X-TelAPI-Signature': sign(`${PUBLIC_URL}${PATH}`, { ...RECORDING, AccountSid: FOREIGN_ACCOUNT }) }),
        { ...RECORDING, AccountSid: FOREIGN_ACCOUNT },
        403,
      ],
      [
        'a valid signature but no CallSid',
        () => ({ 'X-TelAPI-Signature': sign(`${PUBLIC_URL}${PATH}`, { AccountSid: ACCOUNT_SID }) }),
        { AccountSid: ACCOUNT_SID },
        400,
      ],
    ];
    for (const [what, headers, params, status] of rejections) {
      it(`rejects ${what} with ${status}`, async function () {
        await load({ security: 'signature' });
        const res = await post(PATH).set(headers()).type('form').send(form(params));
        assert.equal(res.status, status);
        await settle();
        assert.equal(messages.length, 0);
      });
    }

    it('does not accept the URL token in place of a signature', async function () {
      await load({ security: 'signature' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 403);
    });

    it('checks the signature against the public URL that includes httpNodeRoot', async function () {
      await load({ security: 'signature', publicUrl: 'https://nr.example.com/nodes/' });
      // Node-RED mounts RED.httpNode at httpNodeRoot ("/red" inside, "/nodes" at the proxy).
      const root = mount(app(), '/red');
      const good = sign(`https://nr.example.com/nodes${PATH}?x=1`, RECORDING);
      const res = await request(root).post(`/red${PATH}?x=1`).set('X-TelAPI-Signature', good).type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      for (const wrong of [`https://nr.example.com${PATH}?x=1`, `https://nr.example.com/nodes/red${PATH}?x=1`]) {
        const bad = await request(root).post(`/red${PATH}?x=1`).set('X-TelAPI-Signature', sign(wrong, RECORDING)).type('form').send(form(RECORDING));
        assert.equal(bad.status, 403);
      }
      await settle();
      assert.equal(messages.length, 1);
    });

    it('answers 503 and shows why when the account has no public URL', async function () {
      await load({ security: 'signature', publicUrl: '' });
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'account needs a public URL' });
      assert.ok(errors().some((text) => text.includes('Public URL')));
      const res = await post(PATH).set('X-TelAPI-Signature', SIGNATURE).type('form').send(form(RECORDING));
      assert.equal(res.status, 503);
      await settle();
      assert.equal(messages.length, 0);
    });
  });

  describe('none mode', function () {
    it('accepts a callback without token, signature or account', async function () {
      await load({ security: 'none', account: '' });
      const res = await post(PATH).type('form').send(form({ ...RECORDING, AccountSid: FOREIGN_ACCOUNT }));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.equal(messages[0].payload.AccountSid, FOREIGN_ACCOUNT);
      assert.deepEqual(statuses().filter((s) => s.fill === 'red'), []);
    });

    it('still answers 400 to a request that is not a callback', async function () {
      await load({ security: 'none' });
      assert.equal((await post(PATH).type('form').send('hello=world')).status, 400);
      assert.equal((await post(PATH).set('Content-Type', 'application/json').send('{nope')).status, 400);
      await settle();
      assert.equal(messages.length, 0);
    });
  });

  describe('configuration problems', function () {
    it('answers 503 in token mode without an account, with a red status and one error', async function () {
      await load({ account: '' });
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'no account' });
      assert.equal(errors().length, 1);
      assert.equal((await post().type('form').send(form(RECORDING))).status, 503);
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'no account' }, 'the problem stays on show');
      assert.match(warnings()[0], /Rejected a callback to \/telapi\/recording from .+: not configured \(HTTP 503\)/);
    });

    it('answers 503 when the account has no credentials', async function () {
      await load({}, {});
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'account has no credentials' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 503);
    });

    it('registers no route for an invalid path and says so', async function () {
      await load({ url: '/telapi/:kind' });
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'invalid URL path' });
      assert.equal((await request(app()).post('/telapi/x').type('form').send(form(RECORDING))).status, 404);
    });

    it('rejects an unknown security mode instead of guessing one', async function () {
      await load({ security: 'tokn' });
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'invalid security mode' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 503);
    });

    it('adds a missing leading slash to the path, as http in does', async function () {
      await load({ url: 'telapi/recording' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
    });

    it('registers nothing when httpNodeRoot is false', async function () {
      helper.settings({ httpNodeRoot: false });
      await load();
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'HTTP nodes disabled' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 404);
    });
  });

  describe('route lifecycle', function () {
    /**
     * What the callback nodes put in RED.httpNode's router stack (read as the node itself reads it,
     * Express 4 and 5): routes of the path, and dispatcher layers.
     */
    function stackOf(path) {
      const stack = routerStack(app());
      assert.ok(Array.isArray(stack), 'the router stack is readable on this Express');
      return {
        routes: stack.filter((layer) => layer.route && layer.route.path === path).length,
        dispatchers: stack.filter((layer) => layer.handle === dispatcherOf(app())).length,
      };
    }

    it('answers 404 once the node is closed', async function () {
      await load();
      const node = helper.getNode('cb');
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await helper.setFlows([], 'full');
      assert.equal((await post().type('form').send(form(RECORDING))).status, 404);
      assert.deepEqual(lastStatus(node), {});
    });

    it('answers 503 with Retry-After after helper.unload() (Node-RED stopping, not the node removed)', async function () {
      await load();
      const captured = app();
      await helper.unload();
      const res = await request(captured).post(`${PATH}?token=${CALL_TOKEN}`).type('form').send(form(RECORDING));
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '2');
      await helper.load([accountNode, capture.register], makeFlow(), credentials());
    });

    it('keeps exactly one route after 50 redeploys: one message per callback', async function () {
      await load();
      for (let i = 0; i < 50; i++) {
        await helper.setFlows(makeFlow(), 'full', credentials());
      }
      listen();
      const res = await post().type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.deepEqual(stackOf(PATH), { routes: 0, dispatchers: 1 });
    });

    it('moves with a changed path: the old one answers 404', async function () {
      await load();
      await helper.setFlows(makeFlow({ url: '/telapi/other' }), 'full', credentials());
      listen();
      assert.equal((await post().type('form').send(form(RECORDING))).status, 404);
      assert.equal((await post(`/telapi/other?token=${CALL_TOKEN}`).type('form').send(form(RECORDING))).status, 200);
      await helper.setFlows(makeFlow(), 'nodes', credentials());
      listen();
      assert.equal((await post(`/telapi/other?token=${CALL_TOKEN}`).type('form').send(form(RECORDING))).status, 404);
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages.length, 2);
    });

    it('shows an error on a second node with the same path; the first keeps it', async function () {
      const second = { id: 'cb2', type: 'telapi-callback', account: 'acc', url: '/Telapi/Recording/', security: 'token', wires: [['out2']] };
      await load({ extra: [second, { id: 'out2', type: 'helper' }] });
      const second_messages = [];
      helper.getNode('out2').on('input', (msg) => second_messages.push(msg));
      assert.deepEqual(lastStatus('cb2'), { fill: 'red', shape: 'ring', text: 'URL used by another callback node' });
      const duplicateErrors = errors().filter((text) => text.includes('Another TelAPI callback node'));
      assert.equal(duplicateErrors.length, 1);
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages.length, 1);
      assert.equal(second_messages.length, 0);
      assert.deepEqual(stackOf(PATH), { routes: 0, dispatchers: 1 });

      // Removing the first node (a "modified nodes" deploy) hands the path to the second.
      await helper.setFlows(makeFlow({ extra: [second, { id: 'out2', type: 'helper' }] }).filter((n) => n.id !== 'cb'), 'nodes', credentials());
      assert.deepEqual(lastStatus('cb2'), {});
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(second_messages.length, 1);
      assert.equal(messages.length, 1);
    });
    it('a full redeploy keeps the path with the first node, and logs no hand-over (nothing was removed)', async function () {
      const second = { id: 'cb2', type: 'telapi-callback', account: 'acc', url: PATH, security: 'token', wires: [['out2']] };
      await load({ extra: [second, { id: 'out2', type: 'helper' }] });
      const infos = () => helper.log().args.map((args) => args[0]).filter((entry) => entry.level === helper.log().INFO && entry.type === 'telapi-callback').map((entry) => String(entry.msg));
      for (let i = 0; i < 2; i++) await helper.setFlows(makeFlow({ extra: [second, { id: 'out2', type: 'helper' }] }), 'full', credentials());
      listen();
      assert.deepEqual(infos().filter((text) => text.startsWith('Now receiving')), []);
      assert.deepEqual(lastStatus('cb2'), { fill: 'red', shape: 'ring', text: 'URL used by another callback node' });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      await settle();
      assert.equal(messages.length, 1, 'the first node still receives');
    });

    it('warns at deploy when a core http in node listens on the same path (it would never fire)', async function () {
      const httpIn = { id: 'hin', type: 'http in', url: '/TELAPI/recording/', method: 'post', wires: [] };
      const otherPath = { id: 'hin2', type: 'http in', url: '/telapi/other', method: 'post', wires: [] };
      await helper.load([accountNode, capture.register, coreNode('network/21-httpin.js')], makeFlow({ extra: [httpIn, otherPath] }), credentials());
      const shadowed = warnings().filter((text) => text.includes('http in'));
      assert.equal(shadowed.length, 1);
      assert.match(shadowed[0], /\/telapi\/recording/);
    });
  });

  describe('status and logs', function () {
    it('counts accepted callbacks and shows rejected ones with the reason', async function () {
      await load();
      for (let i = 0; i < 3; i++) assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      assert.deepEqual(lastStatus(), { fill: 'green', shape: 'dot', text: '3 received' });
      assert.equal((await post(`${PATH}?token=nope`).type('form').send(form(RECORDING))).status, 403);
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'rejected: bad token (1)' });
      assert.equal((await post(`${PATH}?token=nope`).type('form').send(form(RECORDING))).status, 403);
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: 'rejected: bad token (2)' });
      assert.equal((await post().type('form').send(form({ ...RECORDING, AccountSid: FOREIGN_ACCOUNT }))).status, 403);
      assert.deepEqual(lastStatus(), { fill: 'red', shape: 'ring', text: "rejected: AccountSid not the account's (3)" });
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      assert.deepEqual(lastStatus(), { fill: 'green', shape: 'dot', text: '4 received' });
      const node = helper.getNode('cb');
      await helper.setFlows([], 'full');
      assert.deepEqual(lastStatus(node), {}, 'cleared on close');
    });

    it('logs the first rejection at once and sums up the rest; never a token or signature', async function () {
      await load();
      const otherToken = callbackToken(AUTH_TOKEN, OTHER_CALL_SID);
      const forged = sign => ({ 'X-TelAPI-Signature': sign });
      assert.equal((await post(`${PATH}?token=${otherToken}`).type('form').send(form(RECORDING))).status, 403);
      assert.equal(warnings().length, 1);
      assert.match(warnings()[0], /Rejected a callback to \/telapi\/recording from .+: bad token \(HTTP 403\)/);
      for (let i = 0; i < 4; i++) {
        const res = await post().set(forged(SIGNATURE)).type('form').send(form({ ...RECORDING, AccountSid: FOREIGN_ACCOUNT }));
        assert.equal(res.status, 403);
      }
      assert.equal(warnings().length, 1, 'later rejections within the minute are only counted');
      await helper.setFlows([], 'full');
      const all = warnings();
      assert.equal(all.length, 2);
      assert.match(all[1], /Rejected 4 more callback\(s\) to \/telapi\/recording in the last minute; the last from .+: AccountSid not the account's \(HTTP 403\)/);
      const logged = helper.log().args.map((args) => JSON.stringify(args[0]));
      for (const secret of [CALL_TOKEN, otherToken, AUTH_TOKEN, SIGNATURE, 'token=']) {
        assert.ok(!logged.some((line) => line.includes(secret)), `the log contains ${secret}`);
      }
    });
  });

  describe('httpNodeMiddleware and httpNodeCors', function () {
    it('runs httpNodeMiddleware (a function or an array) before the node, as http in does', async function () {
      const seen = [];
      helper.settings({
        httpNodeMiddleware: [
          (req, _res, next) => {
            seen.push('first');
            next();
          },
          (req, res, next) => {
            seen.push('second');
            if (req.headers['x-deny']) {
              res.statusCode = 401;
              res.end();
            } else {
              next();
            }
          },
        ],
      });
      await load();
      assert.equal((await post().type('form').send(form(RECORDING))).status, 200);
      assert.equal((await post().set('X-Deny', '1').type('form').send(form(RECORDING))).status, 401);
      assert.deepEqual(seen, ['first', 'second', 'first', 'second']);
      await helper.setFlows([], 'full');
      assert.equal((await post().type('form').send(form(RECORDING))).status, 404);
      assert.equal(seen.length, 4, 'middleware does not run for a closed path');
      await settle();
      assert.equal(messages.length, 1);
    });

    it('answers 500 and warns when httpNodeMiddleware fails the request', async function () {
      helper.settings({ httpNodeMiddleware: (_req, _res, next) => next(new Error('boom')) });
      await load();
      assert.equal((await post().type('form').send(form(RECORDING))).status, 500);
      assert.ok(warnings().some((text) => text.includes('boom')));
    });

    it('applies httpNodeCors', async function () {
      helper.settings({ httpNodeCors: { origin: '*', methods: 'GET,POST' } });
      await load();
      const res = await post().set('Origin', 'https://app.example.com').type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      const preflight = await request(app())
        .options(PATH)
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST');
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-methods'], 'GET,POST');
    });
  });
  describe('behind proxies (issue 13)', function () {
    it('answers a GET on its path 405 with Allow: POST and one line; other paths are passed on', async function () {
      await load();
      const res = await request(app()).get(PATH);
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'POST');
      assert.match(res.text, /^This is a TelAPI callback URL of Node-RED and it is reachable[^\n]*\n$/);
      assert.equal((await request(app()).head(PATH)).status, 405);
      // Without httpNodeCors an OPTIONS is no preflight: 405 as the text says, not 404.
      const options = await request(app()).options(PATH);
      assert.equal(options.status, 405);
      assert.equal(options.headers.allow, 'POST');
      assert.equal((await request(app()).get('/elsewhere')).status, 404);
      await settle();
      assert.equal(messages.length, 0);
      assert.deepEqual(warnings(), [], 'a browser check is not a rejected callback');
    });

    it('names the client Express reports under trust proxy in rejection warnings, and says so', async function () {
      await load();
      const served = mount(app());
      served.set('trust proxy', 'loopback');
      const res = await request(served).post(`${PATH}?token=wrong`).set('X-Forwarded-For', '203.0.113.7').type('form').send(form(RECORDING));
      assert.equal(res.status, 403);
      assert.match(warnings()[0], /from 203\.0\.113\.7 \(the client address under Node-RED's trust proxy setting\): bad token/);
    });

    it('warns at deploy when httpNodeAuth is on and the account has no callback credentials', async function () {
      helper.settings({ httpNodeAuth: { user: 'nr', pass: '$2b$08$hash' } });
      await load();
      assert.ok(warnings().some((text) => /httpNodeAuth .* no callback user and password: TelAPI's callbacks to \/telapi\/recording get 401/.test(text)), warnings().join('\n'));
      await helper.unload();
      helper.log().resetHistory?.();
      await load({}, { acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackUser: 'nr', callbackPassword: 'pw' } });
      assert.ok(!warnings().some((text) => /httpNodeAuth/.test(text)), warnings().join('\n'));
    });

    it('treats a request with a forged test marker as an ordinary callback', async function () {
      await load();
      const res = await post().set('X-TelAPI-Test', 'nonce.forged').type('form').send(form(RECORDING));
      assert.equal(res.status, 200);
      await settle();
      assert.equal(messages.length, 1);
    });

    it('answers a genuine test callback without a message or a warning, and tells the test what it did', async function () {
      const { newMarker } = require('../../dist/nodes/shared/reachability');
      await load();
      const accepted = newMarker();
      assert.equal((await post().set('X-TelAPI-Test', accepted.header).type('form').send(form(RECORDING))).status, 200);
      assert.deepEqual(accepted.take(), { nodeId: 'cb', verdict: 'accepted' });
      const refused = newMarker();
      assert.equal((await post(`${PATH}?token=wrong`).set('X-TelAPI-Test', refused.header).type('form').send(form(RECORDING))).status, 403);
      assert.deepEqual(refused.take(), { nodeId: 'cb', verdict: 'badToken' });
      await settle();
      assert.equal(messages.length, 0);
      assert.deepEqual(warnings(), []);
    });
  });
});


describe('telapi/callback (pure helpers of the callback node)', function () {
  const { parseCallbackBody, callbackTopic } = require('../../dist/telapi/callback');
  const { checkCallback } = require('../../dist/telapi/callback-check');
  const { normaliseNodePath: normaliseCallbackPath } = require('../../dist/nodes/shared/paths');
  const { CallbackAuthenticator } = require('../../dist/telapi');

  it('parses forms however they are labelled, and JSON objects', function () {
    const body = 'CallSid=CA1&Tag=1&Tag=2&=x&Text=a+b%2Bc';
    for (const type of ['application/x-www-form-urlencoded', 'application/json', 'text/plain', undefined]) {
      const parsed = parseCallbackBody(Buffer.from(body), type);
      assert.equal(parsed.ok, true, String(type));
      assert.deepEqual({ ...parsed.callback.params }, { CallSid: 'CA1', Tag: ['1', '2'], Text: 'a b+c' });
      assert.deepEqual(parsed.callback.pairs, [['CallSid', 'CA1'], ['Tag', '1'], ['Tag', '2'], ['Text', 'a b+c']]);
    }
    const json = parseCallbackBody('{"CallSid":"CA1","RecordingDuration":7}', 'application/json; charset=utf-8');
    assert.deepEqual({ ...json.callback.params }, { CallSid: 'CA1', RecordingDuration: 7 });
    assert.deepEqual(json.callback.pairs, [['CallSid', 'CA1'], ['RecordingDuration', '7']]);
    assert.deepEqual(parseCallbackBody('{"CallSid":', undefined), { ok: false, reason: 'badBody' });
    assert.deepEqual(parseCallbackBody('[1]', 'application/json'), { ok: false, reason: 'badBody' });
    assert.deepEqual(parseCallbackBody('just text', 'application/json'), { ok: false, reason: 'badBody' });
    assert.deepEqual(parseCallbackBody('--b--', 'multipart/form-data; boundary=b'), { ok: false, reason: 'unsupportedBody' });
    assert.equal(parseCallbackBody(Buffer.from('Text=caf\xe9', 'latin1'), 'application/x-www-form-urlencoded; charset=iso-8859-1').callback.params.Text, 'café');
  });

  it('bounds the work before any check: at most MAX_CALLBACK_PARAMS parameters, each counted once', function () {
    const { MAX_CALLBACK_PARAMS } = require('../../dist/telapi/callback');
    const within = Array.from({ length: MAX_CALLBACK_PARAMS }, (_, i) => `Tag=${i}`).join('&');
    const parsed = parseCallbackBody(within, 'application/x-www-form-urlencoded');
    assert.equal(parsed.ok, true);
    assert.equal(parsed.callback.params.Tag.length, MAX_CALLBACK_PARAMS);
    assert.equal(parsed.callback.pairs.length, MAX_CALLBACK_PARAMS);
    for (const body of [`${within}&Tag=x`, 'x=&'.repeat(20_000), '&'.repeat(100_000), Array.from({ length: 20_000 }, (_, i) => `n${i}=`).join('&')]) {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
        assert.deepEqual(parseCallbackBody(body, type), { ok: false, reason: 'tooManyParams' }, `${body.slice(0, 20)}… as ${type}`);
      }
    }
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: MAX_CALLBACK_PARAMS + 1 }, (_, i) => [`n${i}`, '1'])));
    assert.deepEqual(parseCallbackBody(json, 'application/json'), { ok: false, reason: 'tooManyParams' });
  });

  it('refuses nested JSON before parsing it, however deep, and takes nesting-like text inside strings', function () {
    for (const body of ['{"a":{"b":1}}', '{"a":[1]}', `{"a":${'['.repeat(100_000)}`, `${'['.repeat(100_000)}`, '[{"CallSid":"CA1"}]']) {
      assert.deepEqual(parseCallbackBody(body, 'text/plain'), { ok: false, reason: 'badBody' }, body.slice(0, 20));
    }
    const quoted = parseCallbackBody('{"CallSid":"CA1","Text":"a {b} [c] \\" {"}', 'application/json');
    assert.equal(quoted.ok, true);
    assert.equal(quoted.callback.params.Text, 'a {b} [c] " {');
  });

  it("refuses a second value of any of TelAPI's parameters or of the token", function () {
    const { SINGLE_VALUE_PARAMS } = require('../../dist/telapi/callback');
    for (const name of ['CallSid', 'AccountSid', 'RecordingUrl', 'AudioUrl', 'TranscriptionText', 'Digits', 'token']) {
      assert.ok(SINGLE_VALUE_PARAMS.has(name), name);
      assert.deepEqual(parseCallbackBody(`${name}=a&Other=1&${name}=b`), { ok: false, reason: 'repeatedParam' }, name);
    }
  });

  it('takes a body a middleware parsed only where it maps back to one form', function () {
    const flat = parseCallbackBody({ CallSid: 'CA1', 'Foo[bar]': '1' });
    assert.deepEqual(flat.callback.pairs, [['CallSid', 'CA1'], ['Foo[bar]', '1']]);
    // qs turns Foo[bar]=1 into { Foo: { bar: '1' } } and repeated names into arrays: several bodies give that.
    for (const parsed of [{ CallSid: 'CA1', Foo: { bar: '1' } }, { CallSid: 'CA1', Tag: ['1', '2'] }, { CallSid: 'CA1', N: 7 }]) {
      assert.deepEqual(parseCallbackBody(parsed), { ok: false, reason: 'unverifiableBody' }, JSON.stringify(parsed));
    }
  });

  it('tells transcription callbacks from recording callbacks', function () {
    assert.equal(callbackTopic({ RecordingUrl: 'x' }), 'recording');
    assert.equal(callbackTopic({ TranscriptionStatus: 'failed' }), 'transcription');
    assert.equal(callbackTopic({ CallStatus: 'completed', CallDuration: '42' }), 'status');
    assert.equal(callbackTopic({}), 'status');
  });

  it('normalises paths and refuses route patterns', function () {
    assert.equal(normaliseCallbackPath(' telapi/recording '), '/telapi/recording');
    assert.equal(normaliseCallbackPath('/telapi/recording/'), '/telapi/recording/');
    assert.equal(normaliseCallbackPath('/a.b/c_d/e~f-g'), '/a.b/c_d/e~f-g');
    for (const bad of ['', '   ', '/:id', '/a/*', '/a(b)', '/a//b', '/../x', '/./x', '/a b', '/a?b', '/a%20b', 42, undefined]) {
      assert.equal(normaliseCallbackPath(bad), undefined, String(bad));
    }
  });

  it('checks a callback against the account without ever needing the AuthToken itself', function () {
    const verifier = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
    const callback = parseCallbackBody(form(RECORDING)).callback;
    const token = { security: 'token', verifier };
    assert.deepEqual(checkCallback({ callback, relativeUrl: `${PATH}?token=${CALL_TOKEN}` }, token), { ok: true, callSid: CALL_SID });
    assert.deepEqual(checkCallback({ callback, relativeUrl: PATH }, token), { ok: false, reason: 'noToken' });
    const signature = { security: 'signature', verifier, publicUrl: `${PUBLIC_URL}/` };
    assert.deepEqual(checkCallback({ callback, relativeUrl: PATH, signature: SIGNATURE }, signature), { ok: true, callSid: CALL_SID });
    assert.deepEqual(checkCallback({ callback, relativeUrl: PATH, signature: ` ${SIGNATURE} ` }, signature), { ok: true, callSid: CALL_SID });
    assert.deepEqual(checkCallback({ callback, relativeUrl: `${PATH}?`, signature: SIGNATURE }, signature), { ok: false, reason: 'badSignature' });
    assert.deepEqual(checkCallback({ callback, relativeUrl: PATH }, { security: 'none' }), { ok: true, callSid: CALL_SID });
  });
});
