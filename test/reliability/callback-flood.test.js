'use strict';
// Callback flood: 5,000 callbacks posted 50 at a time to two telapi-callback nodes (token and
// signature mode), 10 % of them forged in the ways docs/telapi-api.md's "Callback authenticity" guards
// against. Every genuine one is emitted exactly once; no forged one is emitted at all.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { captureHttpNode, mount, serve } = require('../support/http-node');
const { ACCOUNT_SID, AUTH_TOKEN } = require('../support/fixtures');
const { callbackToken, computeSignature } = require('../../dist/telapi');
const { watchProcess, settle, callSidFor, postAll, tally } = require('./helpers');

const accountNode = require('../../nodes/telapi-account.js');
const callbackNode = require('../../nodes/telapi-callback.js');

const PUBLIC_URL = 'https://nr.example.com';
const FOREIGN_ACCOUNT = 'ACffffffffffffffffffffffffffffffff';
const OTHER_AUTH_TOKEN = 'fedcba9876543210fedcba9876543210';
const TOTAL = 5000;

/** TelAPI's recording callback for call number n. */
const paramsFor = (n, overrides = {}) => ({
  AccountSid: ACCOUNT_SID,
  ApiVersion: 'v1',
  Direction: 'outbound-api',
  CallerName: '',
  To: '+15550100002',
  From: '+15550100100',
  CallSid: callSidFor(n),
  CallStatus: 'in-progress',
  Digits: '',
  RecordingDuration: String(1 + (n % 60)),
  RecordingUrl: `https://api.telapi.com/v1/Accounts/${ACCOUNT_SID}/Recordings/RE${n.toString(16).padStart(32, '0')}.mp3`,
  RecordingSid: `RE${n.toString(16).padStart(32, '0')}`,
  ...overrides,
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Callback n: genuine, or forged in one of the ways of its mode. */
function callbackFor(n) {
  const mode = n % 2 === 0 ? 'token' : 'signature';
  const forged = n % 20 === 3 || n % 20 === 8; // one in ten, half in each mode
  const kinds = mode === 'token'
    ? ['wrongToken', 'otherCallsToken', 'foreignAccount', 'missingToken']
    : ['tamperedSignature', 'otherKeySignature', 'foreignAccountSigned', 'missingSignature'];
  const kind = forged ? kinds[Math.floor(n / 20) % kinds.length] : 'genuine';
  const callSid = callSidFor(n);
  let params = paramsFor(n);
  const token = callbackToken(AUTH_TOKEN, callSid);
  if (mode === 'token') {
    let query = `?token=${token}`;
    if (kind === 'wrongToken') query = `?token=${callbackToken(OTHER_AUTH_TOKEN, callSid)}`;
    if (kind === 'otherCallsToken') query = `?token=${callbackToken(AUTH_TOKEN, callSidFor(n + 1))}`;
    if (kind === 'foreignAccount') params = paramsFor(n, { AccountSid: FOREIGN_ACCOUNT });
    if (kind === 'missingToken') query = '';
    return { n, mode, kind, callSid, params, request: { path: `/flood/token${query}`, body: new URLSearchParams(params).toString(), headers: FORM } };
  }
  const url = `${PUBLIC_URL}/flood/sig`;
  let signature = computeSignature(AUTH_TOKEN, url, params);
  if (kind === 'tamperedSignature') params = paramsFor(n, { RecordingUrl: 'http://169.254.169.254/latest/meta-data/' });
  if (kind === 'otherKeySignature') signature = computeSignature(OTHER_AUTH_TOKEN, url, params);
  if (kind === 'foreignAccountSigned') {
    params = paramsFor(n, { AccountSid: FOREIGN_ACCOUNT });
    signature = computeSignature(AUTH_TOKEN, url, params);
  }
  const headers = kind === 'missingSignature' ? FORM : { ...FORM, 'x-telapi-signature': signature };
  return { n, mode, kind, callSid, params, request: { path: '/flood/sig', body: new URLSearchParams(params).toString(), headers } };
}

describe('reliability: callback flood', function () {
  this.timeout(60_000);
  let server;
  let watch;

  before(async () => {
    watch = watchProcess();
    const capture = captureHttpNode(callbackNode);
    await helper.load([accountNode, capture.register], [
      { id: 'flood', type: 'tab' },
      { id: 'acc', type: 'telapi-account', name: 'flood', publicUrl: PUBLIC_URL },
      { id: 'cbToken', type: 'telapi-callback', z: 'flood', account: 'acc', url: '/flood/token', security: 'token', wires: [['outToken']] },
      { id: 'cbSig', type: 'telapi-callback', z: 'flood', account: 'acc', url: '/flood/sig', security: 'signature', wires: [['outSig']] },
      { id: 'outToken', type: 'helper', z: 'flood' },
      { id: 'outSig', type: 'helper', z: 'flood' },
    ], { acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    server = await serve(mount(capture.captured.app));
  });

  after(async () => {
    watch.stop();
    await helper.unload();
    if (server) await server.close();
  });

  it('5,000 callbacks, 10 % forged, 50 at a time: each genuine one emitted once, no forged one', async () => {
    const emitted = { token: [], signature: [] };
    helper.getNode('outToken').on('input', (msg) => emitted.token.push(msg));
    helper.getNode('outSig').on('input', (msg) => emitted.signature.push(msg));
    const callbacks = Array.from({ length: TOTAL }, (_, n) => callbackFor(n));
    assert.equal(callbacks.filter((c) => c.kind !== 'genuine').length, TOTAL / 10);

    const answers = await postAll(server.url, callbacks.map((c) => c.request), { concurrency: 50 });
    await settle(10);

    const forgedKinds = tally(callbacks.filter((c) => c.kind !== 'genuine').map((c) => c.kind));
    assert.equal(Object.keys(forgedKinds).length, 8, `every kind of forgery was tried: ${JSON.stringify(forgedKinds)}`);
    for (const [index, callback] of callbacks.entries()) {
      const expected = callback.kind === 'genuine' ? 200 : 403;
      assert.equal(answers[index].status, expected, `${callback.mode} callback ${callback.n} (${callback.kind}): ${JSON.stringify(answers[index])}`);
    }

    for (const mode of ['token', 'signature']) {
      const bySid = new Map();
      for (const msg of emitted[mode]) bySid.set(msg.callSid, (bySid.get(msg.callSid) ?? 0) + 1);
      const genuine = callbacks.filter((c) => c.mode === mode && c.kind === 'genuine');
      assert.equal(emitted[mode].length, genuine.length, `${mode}: one message per genuine callback`);
      for (const callback of genuine) {
        assert.equal(bySid.get(callback.callSid), 1, `${mode} callback ${callback.n} emitted once`);
      }
      for (const callback of callbacks.filter((c) => c.mode === mode && c.kind !== 'genuine')) {
        assert.ok(!bySid.has(callback.callSid), `forged ${callback.kind} callback ${callback.n} must not be emitted`);
      }
      // What was emitted is what TelAPI sent, untouched.
      const sample = emitted[mode][0];
      const original = callbacks.find((c) => c.callSid === sample.callSid);
      assert.deepEqual({ ...sample.payload }, original.params);
      assert.equal(sample.topic, 'recording');
    }
    assert.deepEqual(watch.seen, []);
  });
});
