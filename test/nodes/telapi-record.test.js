'use strict';
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startStandIn, replies, RECORDING, unusedPort } = require('../support/stand-in');
const { ACCOUNT_SID, CALL_SID, basicAuth } = require('../support/fixtures');
const { callbackToken } = require('../../dist/telapi');

const accountNode = require('../../nodes/telapi-account.js');
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));

// A token that is not a substring of any SID, so a leak check cannot be fooled.
const AUTH_TOKEN = 'Zx9QwErTyUiOpAsDfGhJkLzXcVbNm123';
const CALL_TOKEN = callbackToken(AUTH_TOKEN, CALL_SID);
const CREDENTIALS = { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };

function flow(standInUrl, recordProps = {}, accountProps = {}) {
  return [
    { id: 'account', type: 'telapi-account', name: 'test', baseUrl: `${standInUrl}/v2`, publicUrl: 'https://nr.example.com', timeout: 2, ...accountProps },
    { id: 'record', type: 'telapi-record', account: 'account', wires: [['out']], z: 'flow1', ...recordProps },
    { id: 'out', type: 'helper', z: 'flow1' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']], z: 'flow1' },
    { id: 'caught', type: 'helper', z: 'flow1' },
    { id: 'flow1', type: 'tab' },
  ];
}

/** Resolves with the next message at `id`. */
const nextMessage = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

/** Collects what a test needs to see: outputs, caught errors, statuses. */
function observe() {
  const seen = { out: [], caught: [], statuses: [] };
  helper.getNode('out').on('input', (msg) => seen.out.push(msg));
  helper.getNode('caught').on('input', (msg) => seen.caught.push(msg));
  helper.getNode('record').on('call:status', (call) => seen.statuses.push(call.args[0]));
  return seen;
}

describe('telapi-record node', function () {
  let standIn;

  before(async () => {
    standIn = await startStandIn();
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await standIn.close();
  });
  beforeEach(() => standIn.reset());
  afterEach(async () => { await helper.unload(); });

  const load = (recordProps, accountProps) => helper.load([accountNode, recordNode], flow(standIn.url, recordProps, accountProps), CREDENTIALS);

  async function sendAndCapture(recordProps, msg) {
    await load(recordProps);
    const output = nextMessage('out');
    helper.getNode('record').receive({ callSid: CALL_SID, ...msg });
    const out = await output;
    return { out, request: standIn.requests.at(-1) };
  }

  it('starts a recording with the defaults and outputs TelAPI\'s Recording', async () => {
    const { out, request } = await sendAndCapture({}, { topic: 'keep me', _ctx: 1 });
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/v2/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`);
    assert.equal(request.headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
    assert.equal(request.body, 'Record=true&Direction=both&TimeLimit=60&FileFormat=mp3&TrimSilence=false&Transcribe=false');
    assert.deepEqual(out.payload, RECORDING);
    assert.equal(out.statusCode, 200);
    assert.equal(out.topic, 'keep me');
    assert.equal(out.callSid, CALL_SID);
  });

  it('sends every node property with TelAPI\'s names', async () => {
    const { request } = await sendAndCapture({
      action: 'start', direction: 'out', timeLimit: '1337', callbackUrl: '/telapi/recording', fileFormat: 'wav',
      trimSilence: true, transcribe: true, transcribeQuality: 'hybrid', transcribeCallback: 'https://hooks.example.org/t?x=1',
    });
    assert.equal(request.body, new URLSearchParams([
      ['Record', 'true'], ['Direction', 'out'], ['TimeLimit', '1337'],
      ['CallbackUrl', `https://nr.example.com/telapi/recording?token=${CALL_TOKEN}`],
      ['FileFormat', 'wav'], ['TrimSilence', 'true'], ['Transcribe', 'true'], ['TranscribeQuality', 'hybrid'],
      ['TranscribeCallback', `https://hooks.example.org/t?x=1&token=${CALL_TOKEN}`],
    ]).toString());
  });

  it('stops a recording with Record=false', async () => {
    const { request, out } = await sendAndCapture({ action: 'stop', direction: 'in' });
    assert.equal(request.body, 'Record=false');
    assert.equal(out.statusCode, 200);
  });

  const DEFAULT_BODY = 'Record=true&Direction=both&TimeLimit=60&FileFormat=mp3&TrimSilence=false&Transcribe=false';
  const withToken = (url) => encodeURIComponent(`${url}${url.includes('?') ? '&' : '?'}token=${CALL_TOKEN}`);
  const overrides = [
    [{ action: 'stop' }, 'Record=false'],
    [{ direction: 'in' }, DEFAULT_BODY.replace('Direction=both', 'Direction=in')],
    [{ timeLimit: 5 }, DEFAULT_BODY.replace('TimeLimit=60', 'TimeLimit=5')],
    [{ timeLimit: '7' }, DEFAULT_BODY.replace('TimeLimit=60', 'TimeLimit=7')],
    [{ callbackUrl: 'https://h.example/cb' }, DEFAULT_BODY.replace('&FileFormat', `&CallbackUrl=${withToken('https://h.example/cb')}&FileFormat`)],
    [{ fileFormat: 'wav' }, DEFAULT_BODY.replace('FileFormat=mp3', 'FileFormat=wav')],
    [{ trimSilence: true }, DEFAULT_BODY.replace('TrimSilence=false', 'TrimSilence=true')],
    [{ transcribe: true }, DEFAULT_BODY.replace('Transcribe=false', 'Transcribe=true&TranscribeQuality=auto')],
    [{ transcribe: true, transcribeQuality: 'keywords' }, DEFAULT_BODY.replace('Transcribe=false', 'Transcribe=true&TranscribeQuality=keywords')],
    [{ transcribe: true, transcribeCallback: '/t' },
      DEFAULT_BODY.replace('Transcribe=false', `Transcribe=true&TranscribeQuality=auto&TranscribeCallback=${withToken('https://nr.example.com/t')}`)],
  ];
  for (const [recording, expected] of overrides) {
    it(`msg.recording ${JSON.stringify(recording)} overrides the node property`, async () => {
      const { request } = await sendAndCapture({}, { recording });
      assert.equal(request.body, expected);
    });
  }

  it('reports an account whose base URL is not a URL, sending nothing', async () => {
    const caught = await expectCaught({}, { callSid: CALL_SID }, { baseUrl: 'not a url' });
    assert.equal(caught.error.message, "Error: The TelAPI account's API base URL is not an http(s) URL");
    assert.equal(standIn.requests.length, 0);
  });

  it('shows at deploy that a callback path cannot be resolved without a public URL', async () => {
    await load({ callbackUrl: '/telapi/recording' }, { publicUrl: '' });
    const node = helper.getNode('record');
    // The node set its status and warned while it was being created, before a test could listen.
    const ownCalls = (method) => node[method].getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
    assert.deepEqual(ownCalls('status').at(-1), { fill: 'red', shape: 'ring', text: 'Invalid callbackUrl: a path needs the account\'s public URL' });
    assert.deepEqual(ownCalls('warn'), ['Invalid callbackUrl: a path needs the account\'s public URL']);
  });

  it('msg.recording does not change the node for later messages', async () => {
    await load({ direction: 'out' });
    for (const recording of [{ direction: 'in' }, undefined]) {
      const output = nextMessage('out');
      helper.getNode('record').receive({ callSid: CALL_SID, recording });
      await output;
    }
    assert.match(standIn.requests[0].body, /Direction=in/);
    assert.match(standIn.requests[1].body, /Direction=out/);
  });

  it('shows blue while sending and green with the short SID when done', async () => {
    await load({});
    const seen = observe();
    helper.getNode('record').receive({ callSid: CALL_SID });
    await nextMessage('out');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen.statuses.at(-2), { fill: 'blue', shape: 'dot', text: 'starting… CAfedc…' });
    // What the node knows: when it started the recording, and its limit; not a state it cannot see.
    assert.deepEqual(seen.statuses.at(-1).fill, 'green');
    assert.match(seen.statuses.at(-1).text, /^started CAfedc… at \d\d:\d\d:\d\d \(up to 60 s\)$/);
  });

  it('pause sends what stop sends, resume what start sends, and the status says which', async () => {
    for (const [action, body, status] of [
      ['pause', /^Record=false$/, /^paused CAfedc… at \d\d:\d\d:\d\d$/],
      ['resume', /^Record=true&Direction=both&TimeLimit=60&CallbackUrl=https%3A%2F%2Fnr.example.com%2Ftelapi%2Frecording%3Ftoken%3D[\w-]+&FileFormat=mp3&TrimSilence=false&Transcribe=false$/,
        /^resumed CAfedc… at \d\d:\d\d:\d\d \(up to 60 s\)$/],
    ]) {
      await load({ action, callbackUrl: '/telapi/recording' });
      const seen = observe();
      helper.getNode('record').receive({ callSid: CALL_SID });
      await nextMessage('out');
      await new Promise((resolve) => setImmediate(resolve));
      assert.match(standIn.requests.at(-1).body, body);
      assert.match(seen.statuses.at(-1).text, status);
      await helper.unload();
    }
  });

  it('shows "stopped" after a stop', async () => {
    await load({ action: 'stop' });
    const seen = observe();
    helper.getNode('record').receive({ callSid: CALL_SID });
    await nextMessage('out');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.statuses.at(-1).fill, 'green');
    assert.match(seen.statuses.at(-1).text, /^stopped CAfedc… at \d\d:\d\d:\d\d$/);
  });

  async function expectCaught(recordProps, msg, accountProps) {
    await load(recordProps, accountProps);
    const seen = observe();
    const caught = nextMessage('caught');
    helper.getNode('record').receive(msg);
    const errorMsg = await caught;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.out.length, 0, 'a failed message must not be sent on');
    const status = seen.statuses.at(-1);
    assert.equal(status.fill, 'red');
    assert.equal(status.shape, 'ring');
    for (const text of [errorMsg.error.message, status.text, JSON.stringify(errorMsg)]) {
      assert.ok(!text.includes(AUTH_TOKEN), 'the AuthToken must never appear');
    }
    return errorMsg;
  }

  const apiErrors = [
    [replies.error(400, 10001, 'TimeLimit must be a positive integer'), 'TelAPI 400 (code 10001): TimeLimit must be a positive integer'],
    [replies.error(401, 10004, 'Invalid credentials supplied'), 'TelAPI 401 (code 10004): Invalid credentials supplied'],
    [replies.error(404, 10404, 'The requested resource was not found'), 'TelAPI 404 (code 10404): The requested resource was not found'],
    [replies.html(502), 'TelAPI 502: Bad Gateway'],
  ];
  for (const [reply, text] of apiErrors) {
    it(`hands "${text}" to a Catch node with msg.statusCode`, async () => {
      standIn.enqueue(reply);
      const caught = await expectCaught({}, { callSid: CALL_SID });
      assert.equal(caught.error.message, `TelApiError: ${text}`);
      assert.equal(caught.statusCode, reply.status);
      assert.equal(caught.error.source.id, 'record');
      // A start refused with a 4xx that a full call could be behind: the call's recordings are counted
      // (there is one here, fewer than TelAPI's 5), and TelAPI's own error reaches Catch.
      const counted = reply.status === 400;
      assert.equal(standIn.requests.length, counted ? 2 : 1);
      if (counted) assert.match(standIn.requests[1].url, new RegExp(`^/v2/Accounts/\\w+/Recordings\\.json\\?CallSid=${CALL_SID}&`));
    });
  }

  it('retries 429 and 503 and then succeeds', async () => {
    standIn.enqueue(replies.retryAfter(429, 0), replies.retryAfter(503, 0));
    const { out } = await sendAndCapture({});
    assert.equal(out.statusCode, 200);
    assert.equal(standIn.requests.length, 3);
  });

  it('does not retry a 500', async () => {
    standIn.enqueue(replies.error(500, 10500, 'Internal server error'));
    const caught = await expectCaught({}, { callSid: CALL_SID });
    assert.equal(caught.error.message, 'TelApiError: TelAPI 500 (code 10500): Internal server error');
    assert.equal(standIn.requests.length, 1);
  });

  it('reports a timeout once, without repeating the request', async () => {
    standIn.enqueue(replies.hang());
    const caught = await expectCaught({}, { callSid: CALL_SID }, { timeout: 0.2 });
    assert.match(caught.error.message, /did not answer in time/);
    assert.equal(standIn.requests.length, 1);
  });

  it('reports an unreachable TelAPI after retrying', async () => {
    const port = await unusedPort();
    const caught = await expectCaught({}, { callSid: CALL_SID }, { baseUrl: `http://127.0.0.1:${port}/v2` });
    assert.equal(caught.error.message, 'TelApiError: TelAPI could not be reached (ECONNREFUSED) after 3 attempt(s)');
  });

  const invalid = [
    [{}, {}, 'TelApiInputError: Invalid callSid: it is required'],
    [{}, { callSid: 'CA123' }, 'TelApiInputError: Invalid callSid: must be "CA" followed by 32 hex digits'],
    [{}, { callSid: CALL_SID, recording: { timeLimit: 0 } }, 'TelApiInputError: Invalid timeLimit: must be a whole number greater than 0, not 0'],
    // Decimal digits only: Number() would read these as 16, 1000 and 0.
    [{}, { callSid: CALL_SID, recording: { timeLimit: '0x10' } }, 'TelApiInputError: Invalid timeLimit: must be a whole number greater than 0, not "0x10"'],
    [{}, { callSid: CALL_SID, recording: { timeLimit: '1e3' } }, 'TelApiInputError: Invalid timeLimit: must be a whole number greater than 0, not "1e3"'],
    [{}, { callSid: CALL_SID, recording: { timeLimit: ' ' } }, 'TelApiInputError: Invalid timeLimit: must be a whole number greater than 0, not " "'],
    // An own "__proto__" key (as JSON.parse makes it) is no option; one turned into the prototype by a clone is no plain object.
    [{}, { callSid: CALL_SID, recording: JSON.parse('{"__proto__":{"action":"stop"}}') }, /^TelApiInputError: Invalid msg\.recording\.__proto__: not a recording option/],
    [{}, { callSid: CALL_SID, recording: Object.create({ action: 'stop' }) }, 'TelApiInputError: Invalid recording: must be of type object'],
    [{}, { callSid: CALL_SID, recording: { direction: 'sideways' } }, 'TelApiInputError: Invalid direction: must be one of in, out, both'],
    [{}, { callSid: CALL_SID, recording: 'stop' }, 'TelApiInputError: Invalid recording: must be of type object'],
    [{}, { callSid: CALL_SID, recording: { timelimit: 5 } }, /^TelApiInputError: Invalid msg\.recording\.timelimit: not a recording option/],
    [{}, { callSid: CALL_SID, recording: { callbackUrl: 'ftp://x' } }, 'TelApiInputError: Invalid callbackUrl: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)'],
    [{}, { callSid: CALL_SID, recording: { callbackUrl: '/%2E%2e/cb' } }, 'TelApiInputError: Invalid callbackUrl: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)'],
    [{ callbackUrl: '/cb' }, { callSid: CALL_SID }, 'TelApiInputError: Invalid callbackUrl: a path needs the account\'s public URL', { publicUrl: '' }],
    [{ callbackUrl: `https://nr.example.com/${'x'.repeat(150)}` }, { callSid: CALL_SID }, /^TelApiInputError: Invalid callbackUrl: 223 characters with its token; TelAPI accepts at most 200$/],
    [{ timeLimit: 'abc' }, { callSid: CALL_SID }, 'TelApiInputError: Invalid timeLimit: must be a whole number greater than 0, not "abc"'],
  ];
  for (const [props, msg, expected, accountProps] of invalid) {
    it(`rejects ${JSON.stringify({ ...props, ...msg }).slice(0, 90)} before sending anything`, async () => {
      const caught = await expectCaught(props, msg, accountProps);
      if (expected instanceof RegExp) assert.match(caught.error.message, expected);
      else assert.equal(caught.error.message, expected);
      assert.equal(standIn.requests.length, 0);
    });
  }

  it('fails every message when the account has no credentials', async () => {
    await helper.load([accountNode, recordNode], flow(standIn.url), {});
    const caught = nextMessage('caught');
    helper.getNode('record').receive({ callSid: CALL_SID });
    assert.equal((await caught).error.message, 'Error: The TelAPI account has no AccountSid or AuthToken');
    assert.equal(standIn.requests.length, 0);
  });

  it('fails every message when the AccountSid is malformed', async () => {
    await helper.load([accountNode, recordNode], flow(standIn.url), { account: { accountSid: 'AC12', authToken: AUTH_TOKEN } });
    const caught = nextMessage('caught');
    helper.getNode('record').receive({ callSid: CALL_SID });
    assert.match((await caught).error.message, /AccountSid is not "AC" followed by 32 hex digits/);
  });

  it('handles many messages in flight independently', async () => {
    await load({});
    const seen = observe();
    const callSids = Array.from({ length: 40 }, (_, i) => `CA${i.toString(16).padStart(32, '0')}`);
    standIn.setDefault((request) => (request.url.includes(callSids[7]) ? replies.error(404, 10404, 'Call not found') : replies.recording({ call_sid: request.url.split('/')[5] })));
    const record = helper.getNode('record');
    for (const callSid of callSids) record.receive({ callSid });
    while (seen.out.length + seen.caught.length < callSids.length) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(seen.out.length, 39);
    assert.equal(seen.caught.length, 1);
    assert.equal(seen.caught[0].callSid, callSids[7]);
    for (const msg of seen.out) assert.equal(msg.payload.call_sid, msg.callSid);
  });

  it('lets requests TelAPI received end after a close, and logs each outcome with its CallSid', async () => {
    standIn.setDefault(() => replies.hang());
    await load({});
    const record = helper.getNode('record');
    const errors = [];
    const warnings = [];
    record.on('call:error', (call) => errors.push(call.args[0]));
    record.on('call:warn', (call) => warnings.push(String(call.args[0])));
    for (let i = 0; i < 3; i++) record.receive({ callSid: CALL_SID });
    while (standIn.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await helper.clearFlows();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(errors.length, 3);
    // The account's own timeout (shorter than Node-RED's close timeout) ended them.
    for (const error of errors) assert.match(String(error), /did not answer in time/);
    assert.equal(warnings.length, 3);
    for (const text of warnings) assert.match(text, new RegExp(`call ${CALL_SID} ended while this node was being stopped: TelAPI did not answer in time`));
  });

  it('a close during the wait after a 429 logs that TelAPI refused it, not that TelAPI may have it', async () => {
    standIn.setDefault(() => replies.retryAfter(429, 20));
    await load({});
    const record = helper.getNode('record');
    const warnings = [];
    record.on('call:warn', (call) => warnings.push(String(call.args[0])));
    record.receive({ callSid: CALL_SID });
    while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await helper.clearFlows();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(standIn.requests.length, 1);
    assert.deepEqual(warnings, [`The start of the recording of call ${CALL_SID} was refused by TelAPI (HTTP 429 or 503: try again later), and this node was stopped before trying again; nothing was done`]);
  });

  it('logs a recording started after a close, naming the call and the recording', async () => {
    standIn.setDefault(() => ({ ...replies.recording({ call_sid: CALL_SID }), delayMs: 300 }));
    await load({});
    const record = helper.getNode('record');
    const warnings = [];
    record.on('call:warn', (call) => warnings.push(String(call.args[0])));
    record.receive({ callSid: CALL_SID });
    while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await helper.clearFlows();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, [`The start of the recording of call ${CALL_SID} finished while this node was being stopped (recording ${RECORDING.sid}); if its flow was stopped too, the flow did not receive it`]);
  });
});
