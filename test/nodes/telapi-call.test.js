'use strict';
// telapi-call makes a call: POST …/Calls.json with TelAPI's names, /path URLs made absolute with the
// path key, msg.call overriding per message, every input checked before any request.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startStandIn, replies } = require('../support/stand-in');
const { ACCOUNT_SID, basicAuth } = require('../support/fixtures');
const { pathKey } = require('../../dist/telapi');

const accountNode = require('../../nodes/telapi-account.js');
const callNode = withCatalog(require('../../nodes/telapi-call.js'));

const AUTH_TOKEN = 'Zx9QwErTyUiOpAsDfGhJkLzXcVbNm123';
const CALL = Object.freeze({
  sid: 'CA4288908428ae2061275a412e80bf1929', account_sid: ACCOUNT_SID, from: '+15550100', to: '+15550199', status: 'queued',
  direction: 'outbound-api', api_version: 'v2', uri: '/v2/Accounts/AC…/Calls/CA4288908428ae2061275a412e80bf1929',
});

describe('telapi-call node', function () {
  let standIn;
  before(async () => {
    standIn = await startStandIn();
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await standIn.close();
  });
  beforeEach(() => { standIn.reset(); standIn.setDefault(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(CALL) })); });
  afterEach(async () => { await helper.unload(); });

  async function load(props = {}, accountProps = {}) {
    await helper.load([accountNode, callNode], [
      { id: 'account', type: 'telapi-account', baseUrl: `${standIn.url}/v2`, publicUrl: 'https://nr.example.com', timeout: 2, ...accountProps },
      { id: 'call', type: 'telapi-call', account: 'account', from: '+15550100', to: '+15550199', url: '/telapi/voice', wires: [['out']], z: 'f', ...props },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'f', type: 'tab' },
    ], { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    const seen = { out: [], errors: [] };
    helper.getNode('out').on('input', (msg) => seen.out.push(msg));
    helper.getNode('call').on('call:error', (call) => seen.errors.push(call.args[0]));
    return seen;
  }
  const until = async (predicate) => { while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5)); };

  it('makes the call with TelAPI\'s names, /path URLs carrying their path key, and outputs the Call and msg.callSid', async () => {
    const seen = await load({ statusCallback: '/telapi/status', record: true, recordCallback: '/telapi/recording', timeout: '30' });
    helper.getNode('call').receive({ topic: 'kept' });
    await until(() => seen.out.length > 0);
    const request = standIn.requests.at(-1);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/v2/Accounts/${ACCOUNT_SID}/Calls.json`);
    assert.equal(request.headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
    assert.deepEqual(Object.fromEntries(request.form), {
      From: '+15550100',
      To: '+15550199',
      Url: `https://nr.example.com/telapi/voice?key=${pathKey(AUTH_TOKEN, '/telapi/voice')}`,
      StatusCallback: `https://nr.example.com/telapi/status?key=${pathKey(AUTH_TOKEN, '/telapi/status')}`,
      RecordCallback: `https://nr.example.com/telapi/recording?key=${pathKey(AUTH_TOKEN, '/telapi/recording')}`,
      Timeout: '30',
      Record: 'true',
      Transcribe: 'false',
    });
    assert.deepEqual(seen.out[0].payload, CALL);
    assert.equal(seen.out[0].callSid, CALL.sid);
    assert.equal(seen.out[0].topic, 'kept');
  });

  it('sends a To of 256 characters (a long SIP address), the most it takes', async () => {
    const seen = await load();
    const to = `sip:${'a'.repeat(240)}@example.com`;
    helper.getNode('call').receive({ call: { to } });
    await until(() => seen.out.length > 0);
    assert.equal(to.length, 256);
    assert.equal(standIn.requests.at(-1).form.get('To'), to);
  });

  it('msg.call overrides per message; absolute URLs are sent as given; empty ones are not sent', async () => {
    const seen = await load();
    helper.getNode('call').receive({ call: { to: '+15550123', url: 'https://flows.example.org/answer', timeout: 5 } });
    await until(() => seen.out.length > 0);
    assert.deepEqual(Object.fromEntries(standIn.requests.at(-1).form), {
      From: '+15550100', To: '+15550123', Url: 'https://flows.example.org/answer', Timeout: '5', Record: 'false',
    });
  });

  const invalid = [
    [{ call: { tO: '+1' } }, /^Invalid msg\.call\.tO: not a call option/],
    [{ call: { to: '' } }, 'Invalid to: it is required'],
    [{ call: { to: `sip:${'a'.repeat(253)}` } }, 'Invalid to: 257 characters; at most 256'],
    [{ call: { from: '1'.repeat(5e6) } }, 'Invalid from: 5000000 characters; at most 256'],
    [{ call: { timeout: 0 } }, 'Invalid timeout: must be a whole number from 1 to 999, not 0'],
    [{ call: { timeout: '1000' } }, 'Invalid timeout: must be a whole number from 1 to 999, not "1000"'],
    [{ call: { url: `/telapi/${'x'.repeat(160)}` } }, /^Invalid url: \d+ characters with its token; TelAPI accepts at most 200$/],
    [{ call: { url: 'ftp://x' } }, 'Invalid url: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)'],
    [{ call: { statusCallback: '/telapi/../../status' } }, 'Invalid statusCallback: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)'],
    [{ call: JSON.parse('{"__proto__":{"to":"+1"}}') }, /^Invalid msg\.call\.__proto__/],
  ];
  for (const [msg, expected] of invalid) {
    it(`refuses ${JSON.stringify(msg.call).slice(0, 60)} before any request`, async () => {
      const seen = await load();
      helper.getNode('call').receive(msg);
      await until(() => seen.errors.length > 0);
      if (expected instanceof RegExp) assert.match(seen.errors[0].message, expected);
      else assert.equal(seen.errors[0].message, expected);
      assert.equal(standIn.requests.length, 0);
      assert.equal(seen.out.length, 0);
    });
  }

  it('a node without a To fails each message that does not give one, saying so', async () => {
    const seen = await load({ to: '' });
    helper.getNode('call').receive({});
    await until(() => seen.errors.length > 0);
    assert.equal(seen.errors[0].message, 'Invalid to: it is required');
  });

  it('a TelAPI answer that is not a Call reaches Catch as such', async () => {
    standIn.setDefault(() => replies.recording());
    const seen = await load();
    helper.getNode('call').receive({});
    await until(() => seen.errors.length > 0);
    assert.match(seen.errors[0].message, /not what this operation expects|not a Call/);
    assert.equal(seen.out.length, 0);
  });
});
