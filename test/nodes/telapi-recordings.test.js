'use strict';
// The telapi-recordings node in node-red-node-test-helper against the TelAPI simulator (in this
// process): every operation, the per-message overrides, and the errors a Catch node receives.
const assert = require('node:assert/strict');
const http = require('node:http');
const util = require('node:util');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startStandIn, replies } = require('../support/stand-in');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { callbackToken } = require('../../dist/telapi');

const accountNode = require('../../nodes/telapi-account.js');
const recordingsNode = withCatalog(require('../../nodes/telapi-recordings.js'));

const CREDENTIALS = { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } };
const BASIC = Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64');

function flow(baseUrl, props = {}, accountProps = {}) {
  return [
    { id: 'account', type: 'telapi-account', name: 'sim', baseUrl, publicUrl: 'https://nr.example.com', timeout: 5, ...accountProps },
    { id: 'recs', type: 'telapi-recordings', account: 'account', wires: [['out']], z: 'flow1', ...props },
    { id: 'out', type: 'helper', z: 'flow1' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']], z: 'flow1' },
    { id: 'caught', type: 'helper', z: 'flow1' },
    { id: 'flow1', type: 'tab' },
  ];
}

/** Every output, caught error and status of the loaded flow, collected once per load. */
let watched;
function observe() {
  const seen = { out: [], caught: [], statuses: [] };
  const wake = () => setImmediate(() => watched.waiters.splice(0).forEach((w) => w()));
  helper.getNode('out').on('input', (msg) => { seen.out.push(msg); wake(); });
  helper.getNode('caught').on('input', (msg) => { seen.caught.push(msg); wake(); });
  helper.getNode('recs').on('call:status', (call) => seen.statuses.push(call.args[0]));
  watched = { seen, waiters: [] };
}

/** Sends msg and resolves, once an output or a caught error followed, with what this message caused. */
async function run(msg) {
  if (!watched || !helper.getNode('recs')._telapiWatched) {
    observe();
    helper.getNode('recs')._telapiWatched = true;
  }
  const { seen } = watched;
  const start = { out: seen.out.length, caught: seen.caught.length, statuses: seen.statuses.length };
  helper.getNode('recs').receive(msg);
  while (seen.out.length === start.out && seen.caught.length === start.caught) {
    await new Promise((resolve) => watched.waiters.push(resolve));
  }
  return { out: seen.out.slice(start.out), caught: seen.caught.slice(start.caught), statuses: seen.statuses.slice(start.statuses) };
}

/** The error's text as a Catch node shows it, without Node-RED's "<name>: " prefix. */
function errorText(msg) {
  assert.ok(msg, 'an error reached Catch');
  return msg.error.message.replace(/^[A-Za-z]*Error: /, '');
}

function assertNoSecret(value) {
  const text = util.inspect(value, { depth: 6 }) + JSON.stringify(value);
  assert.ok(!text.includes(DEMO_AUTH_TOKEN) && !text.includes(BASIC), 'nothing secret');
}

describe('telapi-recordings node', function () {
  this.timeout(20_000);
  let sim;
  let base;

  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.001, mediaHostName: 'localhost', demoCalls: false });
    base = `${sim.url}/v2`;
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await sim.close();
  });
  beforeEach(() => sim.reset());
  afterEach(async () => { await helper.unload(); });

  const load = (props, accountProps) => helper.load([accountNode, recordingsNode], flow(base, props, accountProps), CREDENTIALS);

  it('list: follows 3 pages and emits all 120 recordings once, with msg.total', async () => {
    sim.seedRecordings({ count: 120, from: new Date('2024-01-01'), to: new Date('2024-03-31') });
    await load({ operation: 'list' });
    sim.clearRequests();
    const seen = await run({ topic: 'keep' });
    assert.deepEqual(seen.caught, []);
    const [out] = seen.out;
    assert.equal(out.payload.length, 120);
    assert.equal(new Set(out.payload.map((r) => r.sid)).size, 120);
    assert.equal(out.total, 120);
    assert.equal(out.topic, 'keep');
    const lists = sim.requests().filter((r) => r.path.endsWith('/Recordings.json'));
    assert.deepEqual(lists.map((r) => new URLSearchParams(r.url.split('?')[1]).get('Page')), ['0', '1', '2'], 'three pages of 50');
    assert.deepEqual(seen.statuses.at(-1), { fill: 'green', shape: 'dot', text: '120 recordings' });
  });

  it('list: msg.callSid and msg.recordings filter, maxRecordings caps, dates sent as given', async () => {
    const [first] = sim.seedRecordings({ count: 3, from: new Date('2024-01-10'), to: new Date('2024-01-12') });
    sim.seedRecordings({ count: 60, from: new Date('2024-02-01'), to: new Date('2024-02-20') });
    await load({ operation: 'list', maxRecordings: '5' });
    sim.clearRequests();
    let seen = await run({ callSid: first.callSid });
    assert.equal(seen.out[0].payload.length, 3);
    assert.ok(seen.out[0].payload.every((r) => r.call_sid === first.callSid));
    seen = await run({ recordings: { dateFrom: '2024-02-01', dateTo: '2024-02-21' } });
    assert.equal(seen.out[0].payload.length, 5);
    assert.equal(seen.out[0].total, 60);
    const last = sim.requests().at(-1);
    assert.match(last.url, /DateCreated%3E=2024-02-01&DateCreated%3C=2024-02-21&Page=0&PageSize=5/);
  });

  it('get: emits the Recording', async () => {
    const [recording] = sim.seedRecordings({ count: 1 });
    await load({ operation: 'get' });
    const seen = await run({ recordingSid: recording.sid });
    assert.equal(seen.out[0].payload.sid, recording.sid);
    assert.equal(seen.out[0].payload.call_sid, recording.callSid);
  });

  it('download: the exact bytes, contentType and filename, credentials never to the media host', async () => {
    const [mp3] = sim.seedRecordings({ count: 1, duration: 3 });
    const [wav] = sim.seedRecordings({ count: 1, duration: 1, fileFormat: 'wav' });
    await load({ operation: 'download' });
    let seen = await run({ recordingSid: mp3.sid });
    assert.deepEqual(seen.caught, []);
    const out = seen.out[0];
    const expected = Buffer.from(await (await fetch(mp3.recordingUrl)).arrayBuffer());
    assert.ok(Buffer.isBuffer(out.payload));
    assert.ok(out.payload.equals(expected), 'the exact bytes');
    assert.equal(out.contentType, 'audio/mpeg');
    assert.equal(out.filename, `${mp3.sid}.mp3`);
    assert.equal(out.recording.sid, mp3.sid);
    seen = await run({ recordingSid: wav.sid });
    assert.equal(seen.out[0].filename, `${wav.sid}.wav`);
    assert.match(seen.out[0].contentType, /^audio\/(wav|x-wav|wave)/);
    assert.equal(seen.out[0].payload.subarray(0, 4).toString(), 'RIFF');
    const media = sim.mediaRequests().filter((r) => r.method === 'GET');
    assert.ok(media.length >= 2);
    assert.ok(media.every((r) => r.authorization === false && r.host.startsWith('localhost')), 'no credentials to the media host');
  });

  it('download: a file over maxBytes reaches Catch with no output, and msg.recordings.maxBytes overrides', async () => {
    const [recording] = sim.seedRecordings({ count: 1, duration: 3 });
    await load({ operation: 'download', maxBytes: '1000' });
    let seen = await run({ recordingSid: recording.sid });
    assert.deepEqual(seen.out, []);
    assert.equal(errorText(seen.caught[0]), 'The recording is larger than the limit of 1000 bytes; nothing was output');
    assert.equal(seen.statuses.at(-1).fill, 'red');
    seen = await run({ recordingSid: recording.sid, recordings: { maxBytes: 10_000_000 } });
    assert.equal(seen.out.length, 1);
  });

  it('delete: emits the deleted Recording; a get afterwards is a 404 at Catch', async () => {
    const [recording] = sim.seedRecordings({ count: 1 });
    await load({ operation: 'delete' });
    let seen = await run({ recordingSid: recording.sid });
    assert.equal(seen.out[0].payload.sid, recording.sid);
    assert.equal(sim.getRecording(recording.sid), undefined);
    seen = await run({ recordingSid: recording.sid, recordings: { operation: 'get' } });
    assert.deepEqual(seen.out, []);
    assert.match(errorText(seen.caught[0]), /^TelAPI 404/);
    assertNoSecret(seen.caught[0].error);
  });

  it('transcribe: sends Quality and a TranscribeCallback whose token is bound to the recording\'s call', async () => {
    const [recording] = sim.seedRecordings({ count: 1 });
    await load({ operation: 'transcribe', transcribeQuality: 'hybrid', transcribeCallback: '/telapi/transcription' });
    sim.clearRequests();
    const seen = await run({ recordingSid: recording.sid });
    assert.deepEqual(seen.caught, []);
    assert.match(seen.out[0].payload.sid, /^TR[0-9a-f]{32}$/);
    const post = sim.requests().find((r) => r.method === 'POST' && r.path.endsWith('/Transcriptions.json'));
    const form = new URLSearchParams(post.body ?? '');
    const params = post.params ?? Object.fromEntries(form);
    assert.equal(params.Quality, 'hybrid');
    const callback = new URL(params.TranscribeCallback);
    assert.equal(callback.origin + callback.pathname, 'https://nr.example.com/telapi/transcription');
    assert.equal(callback.searchParams.get('token'), callbackToken(DEMO_AUTH_TOKEN, recording.callSid));
  });

  it('transcribe: Quality auto and no TranscribeCallback by default', async () => {
    const [recording] = sim.seedRecordings({ count: 1 });
    await load({ operation: 'transcribe' });
    sim.clearRequests();
    await run({ recordingSid: recording.sid });
    const post = sim.requests().find((r) => r.method === 'POST');
    const params = post.params ?? {};
    assert.equal(params.Quality, 'auto');
    assert.equal(params.TranscribeCallback, undefined);
  });

  it('msg.recordings.operation overrides the node\'s operation', async () => {
    const [recording] = sim.seedRecordings({ count: 1 });
    await load({ operation: 'list' });
    const seen = await run({ recordingSid: recording.sid, recordings: { operation: 'get' } });
    assert.equal(seen.out[0].payload.sid, recording.sid);
  });

  for (const [name, msg, text] of [
    ['no recordingSid', { recordings: { operation: 'get' } }, 'Invalid recordingSid: it is required'],
    ['a malformed recordingSid', { recordingSid: 'RE12', recordings: { operation: 'download' } }, 'Invalid recordingSid: must be "RE" followed by 32 hex digits'],
    ['a malformed callSid', { callSid: 'CA1' }, 'Invalid callSid: must be "CA" followed by 32 hex digits'],
    ['an unknown override', { recordings: { maxrecordings: 5 } }, /^Invalid msg\.recordings\.maxrecordings: not an option of this node/],
    ['a bad date', { recordings: { dateFrom: '31.01.2024' } }, 'Invalid dateFrom: must be a date YYYY-MM-DD'],
    ['maxRecordings out of range', { recordings: { maxRecordings: 100001 } }, 'Invalid maxRecordings: must be a whole number from 1 to 100000, not 100001'],
    ['maxBytes 0', { recordings: { maxBytes: 0 } }, `Invalid maxBytes: must be a whole number from 1 to ${require('node:buffer').constants.MAX_LENGTH}, not 0`],
    ['maxBytes over what one Buffer holds', { recordings: { maxBytes: require('node:buffer').constants.MAX_LENGTH + 1 } }, /^Invalid maxBytes: must be a whole number from 1 to \d+, not \d+$/],
    ['maxRecordings in hex', { recordings: { maxRecordings: '0x10' } }, 'Invalid maxRecordings: must be a whole number from 1 to 100000, not "0x10"'],
    ['an inherited operation (a clone turned "__proto__" into the prototype)', { recordings: Object.create({ operation: 'delete' }) }, 'Invalid recordings: must be of type object'],
    ['a bad quality', { recordingSid: 'RE0123456789abcdef0123456789abcdef', recordings: { operation: 'transcribe', transcribeQuality: 'best' } }, /^Invalid transcribeQuality: must be one of auto/],
    ['a path without public URL', { recordingSid: 'RE0123456789abcdef0123456789abcdef', recordings: { operation: 'transcribe', transcribeCallback: '/t' } }, 'Invalid transcribeCallback: a path needs the account\'s public URL'],
  ]) {
    const accountProps = arguments.length ? {} : {};
    it(`rejects ${name} before any request`, async () => {
      await helper.load([accountNode, recordingsNode], flow(base, { operation: 'list' }, name.includes('public URL') ? { publicUrl: '' } : accountProps), CREDENTIALS);
      sim.clearRequests();
      const seen = await run(msg);
      assert.deepEqual(seen.out, []);
      if (typeof text === 'string') assert.equal(errorText(seen.caught[0]), text);
      else assert.match(errorText(seen.caught[0]), text);
      assert.deepEqual(sim.requests(), [], 'nothing sent');
    });
  }

  it('an invalid node property shows at deploy and fails each message', async () => {
    await load({ operation: 'list', maxRecordings: '0' });
    const seen = await run({});
    assert.equal(errorText(seen.caught[0]), 'Invalid maxRecordings: must be a whole number from 1 to 100000, not "0"');
  });

  it('without an account: a readable error', async () => {
    await helper.load([accountNode, recordingsNode], flow(base, { account: 'missing' }), CREDENTIALS);
    const seen = await run({});
    assert.equal(errorText(seen.caught[0]), 'No TelAPI account is configured');
  });

  it('TelAPI errors are readable, with nothing secret (stand-in answering 401)', async () => {
    const standIn = await startStandIn();
    try {
      standIn.setDefault(() => replies.error(401, 10004, 'Invalid credentials supplied'));
      await helper.load([accountNode, recordingsNode], flow(`${standIn.url}/v2`, { operation: 'list' }), CREDENTIALS);
      const seen = await run({});
      assert.equal(errorText(seen.caught[0]), 'TelAPI 401 (code 10004): Invalid credentials supplied');
      assertNoSecret(seen.caught[0].error);
    } finally {
      await standIn.close();
    }
  });

  it('download: a Recording whose recording_url is not http(s) reaches Catch saying so, nothing fetched', async () => {
    const standIn = await startStandIn();
    try {
      standIn.setDefault(() => replies.recording({ recording_url: 'ftp://media.example.com/RE.mp3' }));
      await helper.load([accountNode, recordingsNode], flow(`${standIn.url}/v2`, { operation: 'download' }), CREDENTIALS);
      const seen = await run({ recordingSid: 'RE4288908463cd614b41084509ad8893a7' });
      assert.deepEqual(seen.out, []);
      assert.equal(errorText(seen.caught[0]), "TelAPI's answer is not what this operation expects: TelAPI's Recording has no http(s) recording_url");
      assert.equal(standIn.requests.length, 1, 'only the get of the Recording');
    } finally {
      await standIn.close();
    }
  });

  describe('download deadline', () => {
    let standIn;
    let media;
    beforeEach(async () => {
      standIn = await startStandIn();
      // One byte every 50 ms of an announced 60,000: never silent long enough for the request timeout.
      media = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 60_000 });
        const timer = setInterval(() => res.write(Buffer.alloc(1)), 50);
        res.on('close', () => clearInterval(timer));
      });
      await new Promise((resolve) => media.listen(0, '127.0.0.1', resolve));
      standIn.setDefault(() => replies.recording({ recording_url: `http://127.0.0.1:${media.address().port}/RE4288908463cd614b41084509ad8893a7.mp3` }));
    });
    afterEach(async () => {
      helper.settings({});
      media.closeAllConnections();
      await new Promise((resolve) => media.close(resolve));
      await standIn.close();
    });

    it('ends a download that trickles at telapiDownloadTimeout (seconds) from the settings, at Catch with no output', async () => {
      helper.settings({ telapiDownloadTimeout: 0.3 });
      await helper.load([accountNode, recordingsNode], flow(`${standIn.url}/v2`, { operation: 'download' }), CREDENTIALS);
      const seen = await run({ recordingSid: 'RE4288908463cd614b41084509ad8893a7' });
      assert.deepEqual(seen.out, []);
      assert.equal(errorText(seen.caught[0]), `The download from 127.0.0.1:${media.address().port} did not finish within 0.3 s; nothing was output`);
      assert.equal(seen.statuses.at(-1).fill, 'red');
    });
  });

  describe('on close', () => {
    let standIn;
    beforeEach(async () => { standIn = await startStandIn(); });
    afterEach(async () => { await standIn.close(); });

    const loadOn = () => helper.load([accountNode, recordingsNode], flow(`${standIn.url}/v2`, { operation: 'delete' }), CREDENTIALS);
    const RE = 'RE4288908463cd614b41084509ad8893a7';

    it('waits for a delete TelAPI received and logs its outcome', async () => {
      standIn.setDefault(() => ({ ...replies.recording(), delayMs: 300 }));
      await loadOn();
      const node = helper.getNode('recs');
      const warnings = [];
      node.on('call:warn', (call) => warnings.push(String(call.args[0])));
      node.receive({ recordingSid: RE });
      while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      await helper.clearFlows();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, [`The delete of recording ${RE} finished while this node was being stopped (deleted RE4288…); if its flow was stopped too, the flow did not receive it`]);
    });

    it('cancels a list TelAPI has not answered, and logs that nothing was changed', async () => {
      standIn.setDefault(() => replies.hang());
      await helper.load([accountNode, recordingsNode], flow(`${standIn.url}/v2`, { operation: 'list' }), CREDENTIALS);
      const node = helper.getNode('recs');
      const warnings = [];
      node.on('call:warn', (call) => warnings.push(String(call.args[0])));
      node.receive({});
      while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      await helper.clearFlows();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, ['The list of recordings was cancelled because this node was stopped; nothing was changed at TelAPI']);
    });
  });
});
