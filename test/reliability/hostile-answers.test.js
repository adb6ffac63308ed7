'use strict';
// What TelAPI, a proxy or a media host *answers*, at its most hostile, against a real Node-RED whose
// node outputs and Catch nodes each fan out to two nodes (so Node-RED clones every message it
// passes on). Whatever the answer, Node-RED keeps running, its memory stays bounded, no secret
// reaches a message, a status or the log, and the flow sees an error it can act on.
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { constants: bufferConstants } = require('node:buffer');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { until, startScriptedServer, json, peakRssMiB } = require('./helpers');

const ACCOUNT_SID = 'AC5ec2e75ec2e75ec2e75ec2e75ec2e75e';
const AUTH_TOKEN = 'Hs7Lw2Vb9Nx4Tk6Rm1Hc8Jd3Fp5Gs0Yq';
const CALLBACK_PASSWORD = 'Cb-pass-Kq1Zr6Mv9';
const CALL_SID = 'CA0123456789abcdef0123456789abcdef';
const RECORDING_SID = 'RE0123456789abcdef0123456789abcdef';
const PUBLIC_URL = 'https://nr.example.com';

const recording = (overrides = {}) => ({
  sid: RECORDING_SID, account_sid: ACCOUNT_SID, call_sid: CALL_SID, duration: 7, api_version: 'v2',
  recording_url: `http://127.0.0.1:1/${RECORDING_SID}.mp3`, date_created: 'Fri, 24 Mar 2017 16:06:32 -0000', ...overrides,
});

/** A TelAPI whose answer the test chooses; it records what was asked. */
const startHostileTelApi = () => startScriptedServer((req, res) => json(res, 200, recording()));

/** Starts a JSON answer and keeps sending it as fast as the client reads, until the connection ends. */
function streamForever(res, headers) {
  res.writeHead(200, headers);
  res.write(`{"sid":"${RECORDING_SID}","pad":"`);
  const chunk = 'x'.repeat(64 * 1024);
  const pump = () => { while (!res.destroyed && res.write(chunk)); };
  res.on('drain', pump);
  pump();
}

function hostileFlows(baseUrl) {
  const z = 'hostile';
  const log = (tag) => `node.warn('${tag} ' + node.name + ' ' + (Buffer.isBuffer(msg.payload) ? 'buffer:' + msg.payload.length : JSON.stringify(msg.payload)));\nreturn null;`;
  const fanOut = (prefix) => [
    { id: `${prefix}1`, type: 'function', z, name: `${prefix} one`, outputs: 0, libs: [], func: log('OUT') },
    { id: `${prefix}2`, type: 'function', z, name: `${prefix} two`, outputs: 0, libs: [], func: log('OUT') },
  ];
  const inject = (id, target, props) => ({ id, type: 'inject', z, props, repeat: '', once: false, wires: [[target]] });
  const str = (p, v) => ({ p, v, vt: 'str' });
  return [
    { id: z, type: 'tab', label: 'hostile answers' },
    { id: 'acc', type: 'telapi-account', name: 'hostile', baseUrl: `${baseUrl}/v2`, publicUrl: PUBLIC_URL, timeout: 15,
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackUser: 'cbuser', callbackPassword: CALLBACK_PASSWORD } },
    inject('startRec', 'rec', [str('callSid', CALL_SID)]),
    { id: 'rec', type: 'telapi-record', z, account: 'acc', callbackUrl: '/telapi/recording', wires: [['out1', 'out2']] },
    inject('getRec', 'recGet', [str('recordingSid', RECORDING_SID)]),
    { id: 'recGet', type: 'telapi-recordings', z, account: 'acc', operation: 'get', wires: [['out1', 'out2']] },
    inject('transcribeRec', 'recTranscribe', [str('recordingSid', RECORDING_SID)]),
    { id: 'recTranscribe', type: 'telapi-recordings', z, account: 'acc', operation: 'transcribe', transcribeCallback: '/telapi/transcription', wires: [['out1', 'out2']] },
    inject('downloadRec', 'recDownload', [str('recordingSid', RECORDING_SID)]),
    { id: 'recDownload', type: 'telapi-recordings', z, account: 'acc', operation: 'download', wires: [['out1', 'out2']] },
    inject('hugeMaxBytes', 'recDownload', [str('recordingSid', RECORDING_SID), { p: 'recordings', v: JSON.stringify({ maxBytes: bufferConstants.MAX_LENGTH + 1 }), vt: 'json' }]),
    // msg.recordings whose own "__proto__" key names another operation: to the first node as parsed,
    // to the second as Node-RED's clone for a second wire makes it (the key becomes the prototype).
    { id: 'protoMsg', type: 'inject', z, props: [str('recordingSid', RECORDING_SID)], repeat: '', once: false, wires: [['proto']] },
    { id: 'proto', type: 'function', z, outputs: 1, libs: [], func: 'msg.recordings = JSON.parse(\'{"__proto__":{"operation":"delete"}}\');\nreturn msg;', wires: [['list1', 'list2']] },
    { id: 'list1', type: 'telapi-recordings', z, account: 'acc', operation: 'get', wires: [['out1', 'out2']] },
    { id: 'list2', type: 'telapi-recordings', z, account: 'acc', operation: 'get', wires: [['out1', 'out2']] },
    { id: 'protoStart', type: 'inject', z, props: [str('callSid', CALL_SID)], repeat: '', once: false, wires: [['protoRec']] },
    { id: 'protoRec', type: 'function', z, outputs: 1, libs: [], func: 'msg.recording = JSON.parse(\'{"__proto__":{"action":"stop"}}\');\nreturn msg;', wires: [['rec', 'rec']] },
    ...fanOut('out'),
    { id: 'catchAll', type: 'catch', z, scope: null, uncaught: false, wires: [['caught1', 'caught2']] },
    { id: 'caught1', type: 'function', z, outputs: 0, libs: [], func: "node.warn('CAUGHT ' + JSON.stringify({ source: msg.error.source.id, message: msg.error.message }));\nreturn null;" },
    { id: 'caught2', type: 'function', z, outputs: 0, libs: [], func: 'return null;' },
    { id: 'statusAll', type: 'status', z, scope: null, wires: [['statusLog']] },
    { id: 'statusLog', type: 'function', z, outputs: 0, libs: [], func: "node.warn('STATUS ' + msg.status.source.id + ' ' + msg.status.text);\nreturn null;" },
  ];
}

describe('hostile answers: what TelAPI or a media host sends back cannot take Node-RED down', function () {
  this.timeout(120_000);
  let nodeRed;
  let telapi;
  let media;

  before(async () => {
    telapi = await startHostileTelApi();
    media = await startHostileTelApi();
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
    await nodeRed.deploy(hostileFlows(telapi.url));
  });
  after(async () => {
    await nodeRed?.stop();
    await telapi?.close();
    await media?.close();
  });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 4000 chars):\n${nodeRed?.log.slice(-4000)}`);
    // Whatever the answer was, the runtime still answers its admin API.
    const flows = await nodeRed.adminRequest('GET', '/flows');
    assert.ok(Array.isArray(flows.flows ?? flows), 'the admin API answers');
  });

  let mark = 0;
  beforeEach(() => { mark = nodeRed.log.length; });
  const lines = (tag) => nodeRed.log.slice(mark).split('\n').filter((line) => line.includes(`${tag} `)).map((line) => line.slice(line.indexOf(`${tag} `) + tag.length + 1));
  const caught = () => lines('CAUGHT').map((line) => JSON.parse(line));
  const outputs = () => lines('OUT');
  const inject = (id) => nodeRed.adminRequest('POST', `/inject/${id}`);
  const sinceMark = () => nodeRed.log.slice(mark);

  it('1: an answer nested 10,000 deep reaches Catch as an invalid answer, and Node-RED keeps running', async () => {
    const nested = `{"sid":"${RECORDING_SID}","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    telapi.answer((req, res) => json(res, 200, nested));
    await inject('startRec');
    await until(() => caught().length > 0, { describe: sinceMark });
    assert.equal(caught()[0].source, 'rec');
    assert.match(caught()[0].message, /nests more than 16 levels deep/);
    assert.equal(outputs().length, 0);
    await inject('getRec');
    await until(() => caught().length > 1, { describe: sinceMark });
    assert.equal(caught()[1].source, 'recGet');
  });

  it('2: an answer body that never ends is cut off at the answer limit; memory stays bounded', async () => {
    const before = peakRssMiB(nodeRed.pid);
    telapi.answer((req, res) => {
      streamForever(res, { 'content-type': 'application/json' });
    });
    await inject('startRec');
    await until(() => caught().length > 0, { describe: sinceMark });
    assert.match(caught()[0].message, /answer was larger than 2097152 bytes/);
    assert.equal(outputs().length, 0);
    assert.ok(peakRssMiB(nodeRed.pid) - before < 64, `peak RSS grew by ${peakRssMiB(nodeRed.pid) - before} MiB`);
  });

  it('2: a 200 MB answer that announces its length is refused without reading it', async () => {
    const before = peakRssMiB(nodeRed.pid);
    telapi.answer((req, res) => {
      streamForever(res, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
    });
    await inject('getRec');
    await until(() => caught().length > 0, { describe: sinceMark });
    assert.match(caught()[0].message, /answer was larger than 2097152 bytes/);
    assert.ok(peakRssMiB(nodeRed.pid) - before < 64, `peak RSS grew by ${peakRssMiB(nodeRed.pid) - before} MiB`);
  });

  it('3: maxBytes above what one Buffer holds is an input error before any request', async () => {
    telapi.answer((req, res) => json(res, 200, recording()));
    await inject('hugeMaxBytes');
    await until(() => caught().length > 0, { describe: sinceMark });
    assert.equal(caught()[0].source, 'recDownload');
    assert.match(caught()[0].message, /maxBytes/);
    assert.equal(telapi.requests.length, 0, 'nothing was requested');
  });

  it('4 and 5: callback credentials, tokens and the AuthToken in an answer never reach the flow', async () => {
    const callback = `http://cbuser:${CALLBACK_PASSWORD}@nr.example.com/telapi/transcription?token=lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk&key=9zQ3tm__LgdQEzLLn2f8B5dYfCvT1YRgZ96SPvcsFu4`;
    telapi.answer((req, res) => {
      if (req.method === 'GET') return json(res, 200, recording());
      json(res, 200, { sid: 'TR0123456789abcdef0123456789abcdef', status: 'in-progress', transcribe_callback: callback, echoed: `token ${AUTH_TOKEN}` });
    });
    await inject('transcribeRec');
    await until(() => outputs().length >= 2, { describe: sinceMark });
    const payload = JSON.parse(outputs()[0].slice(outputs()[0].indexOf('{')));
    assert.equal(payload.transcribe_callback, 'http://…@nr.example.com/telapi/transcription?token=…&key=…');
    assert.equal(payload.echoed, 'token …');
    assert.doesNotMatch(sinceMark(), new RegExp(`${CALLBACK_PASSWORD}|${AUTH_TOKEN}|lH1cocmta68|9zQ3tm__`));
  });

  it('5: an AuthToken echoed in a 401 body is not in the Catch error, the status or the log', async () => {
    telapi.answer((req, res) => json(res, 401, { status: 401, code: 10004, message: `Invalid credentials ${ACCOUNT_SID}:${AUTH_TOKEN} (proxy ${CALLBACK_PASSWORD})` }));
    await inject('startRec');
    await until(() => caught().length > 0 && lines('STATUS').some((line) => line.startsWith('rec ') && /401/.test(line)), { describe: sinceMark });
    assert.match(caught()[0].message, /401/);
    assert.doesNotMatch(sinceMark(), new RegExp(`${AUTH_TOKEN}|${CALLBACK_PASSWORD}`));
  });

  it('6: an own __proto__ key in msg.recordings or msg.recording never changes the operation', async () => {
    telapi.answer((req, res) => json(res, 200, recording()));
    await inject('protoMsg');
    await until(() => caught().length >= 2, { describe: sinceMark });
    assert.deepEqual(caught().map((c) => c.source).sort(), ['list1', 'list2']);
    await inject('protoStart');
    await until(() => caught().length >= 4, { describe: sinceMark });
    assert.ok(telapi.requests.every((request) => request.method !== 'DELETE'), 'no DELETE was sent');
    assert.equal(telapi.requests.length, 0, 'no request at all');
  });

  it('7: a media redirect back to the API origin after another origin carries no credentials', async () => {
    const apiMedia = `${telapi.url}/v2/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}.json`;
    media.answer((req, res) => { res.writeHead(302, { location: apiMedia }); res.end(); });
    telapi.answer((req, res) => json(res, 200, recording({ recording_url: `${media.url}/${RECORDING_SID}.mp3` })));
    await inject('downloadRec');
    await until(() => caught().length > 0 || outputs().length > 0, { describe: sinceMark });
    const hopBack = telapi.requests.filter((request) => request.url.endsWith(`${RECORDING_SID}.json`)).at(-1);
    assert.equal(telapi.requests.length, 2, 'the Recording GET, then the hop back');
    assert.equal(hopBack.headers.authorization, undefined, 'no Basic auth after a hop through another origin');
  });

  it('8: gzip-encoded media is not output as audio', async () => {
    const audio = zlib.gzipSync(Buffer.alloc(4096, 0xff));
    media.answer((req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-encoding': 'gzip', 'content-length': audio.length }); res.end(audio); });
    telapi.answer((req, res) => json(res, 200, recording({ recording_url: `${media.url}/${RECORDING_SID}.mp3` })));
    await inject('downloadRec');
    await until(() => caught().length > 0 || outputs().length > 0, { describe: sinceMark });
    assert.equal(outputs().length, 0, 'no mislabelled output');
    assert.match(caught()[0].message, /sent the file gzip-encoded/);
  });
});
