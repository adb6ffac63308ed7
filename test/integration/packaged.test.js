'use strict';
// The package as a user gets it: `npm pack`, installed into a plain Node-RED user directory the way
// the palette manager does, then a flow http in -> function -> telapi-record -> http request, with
// the account pointing at a loopback TelAPI stand-in.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed } = require('../support/node-red-process');
const { packAndInstall } = require('../support/npm');
const { startStandIn, replies, RECORDING } = require('../support/stand-in');
const { ACCOUNT_SID, CALL_SID, basicAuth } = require('../support/fixtures');
const { callbackToken } = require('../../dist/telapi');

const ROOT = path.join(__dirname, '..', '..');
const AUTH_TOKEN = 'Pk7RqT2vWx9YzA4bC6dE8fG0hJ3kL5mN';
const TOKEN = callbackToken(AUTH_TOKEN, CALL_SID);

describe('packaged install: telapi-record in a real Node-RED', function () {
  this.timeout(180_000);
  let standIn;
  let nodeRed;
  let packedFiles;
  let work;

  before(async () => {
    standIn = await startStandIn();
    const installed = packAndInstall();
    ({ work, files: packedFiles } = installed);
    const { userDir } = installed;
    nodeRed = await startNodeRed({ userDir });
    const flows = [
      { id: 'tab1', type: 'tab', label: 'packaged' },
      { id: 'acc', type: 'telapi-account', name: 'stand-in', baseUrl: `${standIn.url}/v1`, publicUrl: 'https://nr.example.com', timeout: 5,
        credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
      { id: 'in', type: 'http in', z: 'tab1', url: '/record', method: 'post', upload: false, wires: [['fn']] },
      { id: 'fn', type: 'function', z: 'tab1', outputs: 1,
        func: 'msg.callSid = msg.payload.callSid;\nif (msg.payload.recording) msg.recording = msg.payload.recording;\nreturn msg;', wires: [['rec']] },
      { id: 'rec', type: 'telapi-record', z: 'tab1', account: 'acc', action: 'start', direction: 'out', timeLimit: 1337,
        callbackUrl: '/telapi/recording', fileFormat: 'wav', trimSilence: true, transcribe: true, transcribeQuality: 'hybrid',
        transcribeCallback: '/telapi/transcription', wires: [['req']] },
      { id: 'req', type: 'http request', z: 'tab1', method: 'POST', ret: 'obj', url: `${standIn.url}/sink`, wires: [['res']] },
      { id: 'res', type: 'http response', z: 'tab1', statusCode: '', wires: [] },
      { id: 'catcher', type: 'catch', z: 'tab1', scope: ['rec'], uncaught: false, wires: [['errfn']] },
      { id: 'errfn', type: 'function', z: 'tab1', outputs: 1,
        func: 'msg.payload = { caught: msg.error.message, statusCode: msg.statusCode };\nmsg.statusCode = 502;\nreturn msg;', wires: [['res']] },
    ];
    await nodeRed.deploy(flows);
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (standIn) await standIn.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => standIn.reset());

  const post = (body) => fetch(`${nodeRed.url}/record`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('ships the compiled nodes, editor files, locales, icons and examples, and no sources, tests or simulator', () => {
    const expected = ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/telapi/index.js'];
    for (const type of ['telapi-account', 'telapi-record', 'telapi-callback']) {
      expected.push(`nodes/${type}.js`, `nodes/${type}.html`, `dist/nodes/${type.replace('telapi-', '')}/${type}.js`);
      for (const lang of ['en-US', 'de']) expected.push(`nodes/locales/${lang}/${type}.json`, `nodes/locales/${lang}/${type}.html`);
    }
    expected.push('nodes/icons/telapi-record.svg', 'nodes/icons/telapi-callback.svg');
    for (const name of fs.readdirSync(path.join(ROOT, 'examples'))) expected.push(`examples/${name}`);
    for (const file of expected) assert.ok(packedFiles.includes(file), `${file} should be packed`);
    for (const file of packedFiles) {
      assert.ok(!/^(src|test|scripts|compat)\//.test(file) && !file.endsWith('.ts') && !file.endsWith('.map'), `${file} should not be packed`);
      assert.ok(!/simulator/i.test(file), `${file}: the simulator is its own package`);
    }
  });

  it('installs no simulator, no command and no encoder into the user directory: only what Node-RED itself uses', () => {
    const installed = path.join(work, 'user', 'node_modules');
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, '@telapi-nodes', 'node-red-telapi', 'package.json'), 'utf8'));
    assert.equal(manifest.bin, undefined);
    // Each runtime dependency is one that Node-RED's own core nodes depend on.
    const core = require(require.resolve('@node-red/nodes/package.json', { paths: [require.resolve('node-red')] })).dependencies;
    for (const name of Object.keys(manifest.dependencies ?? {})) assert.ok(core[name], `${name} is a dependency of Node-RED's core nodes`);
    assert.equal(fs.existsSync(path.join(installed, '@breezystack')), false);
    assert.equal(fs.existsSync(path.join(installed, '.bin', 'telapi-simulator')), false);
  });

  it('registers the TelAPI node types with Node-RED', async () => {
    const nodes = await nodeRed.adminRequest('GET', '/nodes');
    const types = nodes.flatMap((set) => set.types);
    for (const type of ['telapi-account', 'telapi-record', 'telapi-callback']) assert.ok(types.includes(type), `${type} registered`);
    assert.deepEqual(nodes.filter((set) => set.module === '@telapi-nodes/node-red-telapi' && set.err), [], 'no node set failed to load');
  });

  it('sends exactly TelAPI\'s request for every node property and passes the Recording on', async () => {
    const response = await post({ callSid: CALL_SID });
    assert.equal(response.status, 200);
    assert.equal(standIn.requests.length, 2);
    const [record, sink] = standIn.requests;
    assert.equal(record.url, `/v1/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`);
    assert.equal(record.headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
    assert.equal(record.body, new URLSearchParams([
      ['Record', 'true'], ['Direction', 'out'], ['TimeLimit', '1337'],
      ['CallbackUrl', `https://nr.example.com/telapi/recording?token=${TOKEN}`], ['FileFormat', 'wav'], ['TrimSilence', 'true'],
      ['Transcribe', 'true'], ['TranscribeQuality', 'hybrid'], ['TranscribeCallback', `https://nr.example.com/telapi/transcription?token=${TOKEN}`],
    ]).toString());
    assert.equal(sink.url, '/sink');
    assert.deepEqual(JSON.parse(sink.body), RECORDING);
  });

  const overrides = [
    [{ action: 'stop' }, 'Record=false'],
    [{ direction: 'both', timeLimit: 5, fileFormat: 'mp3', trimSilence: false, transcribe: false, callbackUrl: 'https://hooks.example.org/r' },
      `Record=true&Direction=both&TimeLimit=5&CallbackUrl=${encodeURIComponent(`https://hooks.example.org/r?token=${TOKEN}`)}&FileFormat=mp3&TrimSilence=false&Transcribe=false`],
    [{ transcribeQuality: 'auto', transcribeCallback: 'https://hooks.example.org/t' },
      `Transcribe=true&TranscribeQuality=auto&TranscribeCallback=${encodeURIComponent(`https://hooks.example.org/t?token=${TOKEN}`)}`],
  ];
  for (const [recording, expected] of overrides) {
    it(`msg.recording ${JSON.stringify(recording).slice(0, 70)} reaches TelAPI as ${expected.slice(0, 40)}…`, async () => {
      const response = await post({ callSid: CALL_SID, recording });
      assert.equal(response.status, 200);
      const body = standIn.requests[0].body;
      assert.ok(body === expected || body.endsWith(expected), `${body}\nshould end with\n${expected}`);
    });
  }

  it('hands TelAPI errors to a Catch node, in words a person understands', async () => {
    standIn.enqueue(replies.error(401, 10004, 'Invalid credentials supplied'));
    const response = await post({ callSid: CALL_SID });
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { caught: 'TelApiError: TelAPI 401 (code 10004): Invalid credentials supplied', statusCode: 401 });
    assert.equal(standIn.requests.length, 1, 'nothing reaches the http request node');
  });

  it('hands validation errors to a Catch node without calling TelAPI', async () => {
    const response = await post({ callSid: 'CA-not-a-sid' });
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { caught: 'TelApiInputError: Invalid callSid: must be "CA" followed by 32 hex digits' });
    assert.equal(standIn.requests.length, 0);
  });

  it('keeps the AuthToken out of the flow export and the log', async () => {
    const flows = await nodeRed.adminRequest('GET', '/flows');
    assert.ok(!JSON.stringify(flows).includes(AUTH_TOKEN));
    assert.ok(!nodeRed.log.includes(AUTH_TOKEN));
    assert.ok(!fs.readFileSync(path.join(nodeRed.userDir, 'flows.json'), 'utf8').includes(AUTH_TOKEN));
  });
});
