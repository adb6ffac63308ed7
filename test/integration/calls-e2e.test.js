'use strict';
// Calls into flows, end to end: a real Node-RED with this package, the simulator placing and making
// calls and running the InboundXML the flows answer. The flows are what a user builds in the editor:
// telapi-voice → telapi-inboundxml, telapi-record with the CallSid from telapi-voice, telapi-call,
// telapi-callback for recordings and call status.
const assert = require('node:assert/strict');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { xsdErrors } = require('../support/xsd');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { pathKey } = require('../../dist/telapi');

const z = 'calls';
const log = (tag, expression) => `node.warn('${tag} ' + JSON.stringify(${expression}));\nreturn null;`;
const logger = (id, tag, expression) => ({ id, type: 'function', z, outputs: 0, libs: [], func: log(tag, expression) });
const voice = (id, url, wires) => ({ id, type: 'telapi-voice', z, account: 'acc', url, security: 'token', timeout: 10, wires });
const answer = (id, verbs) => ({ id, type: 'telapi-inboundxml', z, verbs, wires: [['served']] });

function callFlows(simUrl, publicUrl) {
  return [
    { id: z, type: 'tab', label: 'calls' },
    { id: 'acc', type: 'telapi-account', name: 'simulator', baseUrl: `${simUrl}/v2`, publicUrl, timeout: 10,
      credentials: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } },
    // An inbound line that asks for consent, and records only after the caller pressed 1.
    voice('line', '/telapi/voice', [['ask']]),
    answer('ask', [
      { verb: 'Gather', attributes: { numDigits: '1', action: '/telapi/consent', timeout: '10' }, children: [{ verb: 'Say', text: 'Hello {{payload.CallerName}}, press 1 to have this call recorded.' }] },
      { verb: 'Say', text: 'We did not get your answer.' },
    ]),
    voice('consent', '/telapi/consent', [['pressed']]),
    { id: 'pressed', type: 'switch', z, property: 'payload.Digits', propertyType: 'msg', rules: [{ t: 'eq', v: '1', vt: 'str' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2, wires: [['rec'], ['declined']] },
    { id: 'rec', type: 'telapi-record', z, account: 'acc', action: 'start', callbackUrl: '/telapi/recording', wires: [['recorded']] },
    answer('recorded', [{ verb: 'Say', text: 'Thank you. This call is now recorded.' }, { verb: 'Pause', attributes: { length: '60' } }]),
    answer('declined', [{ verb: 'Say', text: 'This call is not recorded. Goodbye.' }, { verb: 'Hangup' }]),
    // Calls made from the flow, recorded whole, with their status events.
    { id: 'dial', type: 'inject', z, props: [{ p: 'call', v: '{"to":"+15550100123"}', vt: 'json' }], repeat: '', once: false, wires: [['caller']] },
    { id: 'caller', type: 'telapi-call', z, account: 'acc', from: '+15550100100', to: '', url: '/telapi/answer', statusCallback: '/telapi/status',
      record: true, recordCallback: '/telapi/recording', timeout: 30, wires: [['madeLog']] },
    voice('answered', '/telapi/answer', [['notice']]),
    answer('notice', [{ verb: 'Say', text: 'This is a reminder from your flow. This call is recorded.' }, { verb: 'Pause', attributes: { length: '2' } }, { verb: 'Hangup' }]),
    { id: 'recordings', type: 'telapi-callback', z, account: 'acc', url: '/telapi/recording', security: 'token', wires: [['recLog']] },
    { id: 'status', type: 'telapi-callback', z, account: 'acc', url: '/telapi/status', security: 'token', wires: [['statusLog']] },
    // Pause and resume, driven over HTTP by the test: POST /e2e/record { callSid, action, fileFormat }.
    { id: 'driveRec', type: 'http in', z, url: '/e2e/record', method: 'post', upload: false, wires: [['toRecord']] },
    { id: 'toRecord', type: 'function', z, outputs: 1, libs: [], func: "msg.callSid = msg.payload.callSid;\nmsg.recording = { action: msg.payload.action, fileFormat: msg.payload.fileFormat, callbackUrl: '/telapi/parts' };\nreturn msg;", wires: [['partRec']] },
    { id: 'partRec', type: 'telapi-record', z, account: 'acc', action: 'start', wires: [['recorded200']] },
    { id: 'recorded200', type: 'http response', z, statusCode: '200', headers: {} },
    { id: 'parts', type: 'telapi-callback', z, account: 'acc', url: '/telapi/parts', security: 'token', wires: [['partLog']] },
    logger('partLog', 'PART', '{ callSid: msg.callSid, recordingUrl: msg.recordingUrl }'),
    // One file of a call's recordings: POST /e2e/join { callSid } answers the joined file.
    { id: 'driveJoin', type: 'http in', z, url: '/e2e/join', method: 'post', upload: false, wires: [['toJoin']] },
    { id: 'toJoin', type: 'function', z, outputs: 1, libs: [], func: 'msg.callSid = msg.payload.callSid;\nreturn msg;', wires: [['joiner']] },
    { id: 'joiner', type: 'telapi-recordings', z, account: 'acc', operation: 'join', wires: [['joinedHeaders']] },
    { id: 'joinedHeaders', type: 'function', z, outputs: 1, libs: [], func: "msg.headers = { 'content-type': msg.contentType, 'x-segments': msg.segments.map((s) => s.sid).join(',') };\nreturn msg;", wires: [['joined200']] },
    { id: 'joined200', type: 'http response', z, statusCode: '200', headers: {} },
    logger('served', 'SERVED', '{ callSid: msg.callSid, xml: msg.payload }'),
    logger('madeLog', 'MADE', 'msg.callSid'),
    logger('recLog', 'RECORDING', '{ topic: msg.topic, callSid: msg.callSid, recordingUrl: msg.recordingUrl }'),
    logger('statusLog', 'STATUS', '{ topic: msg.topic, callSid: msg.callSid, status: msg.payload.CallStatus }'),
    { id: 'catchAll', type: 'catch', z, scope: null, uncaught: false, wires: [['errorLog']] },
    logger('errorLog', 'ERROR', 'msg.error.message'),
  ];
}

describe('calls end to end: the simulator calls a real Node-RED', function () {
  this.timeout(90_000);
  let sim;
  let nodeRed;
  let mark = 0;

  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.02, callbackDelayMs: 0, callbackRetryBaseMs: 50 });
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
    await nodeRed.deploy(callFlows(sim.url, nodeRed.url));
  });
  after(async () => {
    await nodeRed?.stop();
    await sim?.close();
  });
  beforeEach(() => { mark = nodeRed.log.length; });
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 4000 chars):\n${nodeRed?.log.slice(-4000)}`);
  });

  const logged = (tag) => nodeRed.log.slice(mark).split('\n').filter((line) => line.includes(`${tag} `)).map((line) => JSON.parse(line.slice(line.indexOf(`${tag} `) + tag.length + 1)));
  const until = async (predicate, what) => {
    const deadline = Date.now() + 30_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${nodeRed.log.slice(mark)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const voiceUrl = (path) => `${nodeRed.url}${path}?key=${pathKey(DEMO_AUTH_TOKEN, path)}`;

  it('an inbound call hears the question, presses 1, and is recorded: the recording callback arrives', async () => {
    const call = sim.placeCall({ url: voiceUrl('/telapi/voice'), from: '+15550100777', to: '+15550100100', callerName: 'Ada' });
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' }, 20_000);
    const heard = sim.callEvents(call.sid).filter((event) => event.type === 'say').map((event) => event.text);
    assert.deepEqual(heard, ['Hello Ada, press 1 to have this call recorded.']);
    sim.sendDigits(call.sid, '1');
    const started = await sim.waitForCallEvent({ callSid: call.sid, type: 'record-started' }, 20_000);
    await sim.waitForCallEvent({ callSid: call.sid, type: 'say', afterSequence: started.sequence }, 20_000);
    assert.ok(sim.callEvents(call.sid).some((event) => event.type === 'say' && event.text === 'Thank you. This call is now recorded.'));
    sim.hangUp(call.sid);
    await until(() => logged('RECORDING').some((r) => r.callSid === call.sid), 'the recording callback');
    const recording = logged('RECORDING').find((r) => r.callSid === call.sid);
    assert.equal(recording.topic, 'recording');
    assert.match(recording.recordingUrl, new RegExp(`${started.recordingSid}\\.mp3$`));
    assert.deepEqual(logged('ERROR'), []);
    // Every document the flow served this Zang v2 account validates against Zang's schema.
    const served = logged('SERVED').filter((s) => s.callSid === call.sid).map((s) => s.xml);
    assert.equal(served.length, 2);
    assert.deepEqual(await xsdErrors(served), []);
  });

  it('the same call pressing 2 records nothing and is hung up', async () => {
    const call = sim.placeCall({ url: voiceUrl('/telapi/voice'), from: '+15550100778', to: '+15550100100' });
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' }, 20_000);
    sim.sendDigits(call.sid, '2');
    const hangup = await sim.waitForCallEvent({ callSid: call.sid, type: 'hangup' }, 20_000);
    assert.equal(hangup.cause, 'hangup-verb');
    assert.ok(sim.callEvents(call.sid).some((event) => event.type === 'say' && event.text === 'This call is not recorded. Goodbye.'));
    assert.equal(sim.recordings({ callSid: call.sid }).length, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(logged('RECORDING').filter((r) => r.callSid === call.sid), []);
  });

  it('a call made by the call node asks its voice node, is recorded whole, and its recording and completed status arrive once each', async () => {
    await nodeRed.adminRequest('POST', '/inject/dial');
    await until(() => logged('MADE').length > 0, 'the call node\'s output');
    const callSid = logged('MADE')[0];
    await sim.waitForCallEvent({ callSid, type: 'hangup' }, 20_000);
    await until(() => logged('RECORDING').some((r) => r.callSid === callSid) && logged('STATUS').some((s) => s.callSid === callSid && s.status === 'completed'), 'the recording and the completed status');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(logged('RECORDING').filter((r) => r.callSid === callSid).length, 1, 'one recording callback');
    const statuses = logged('STATUS').filter((s) => s.callSid === callSid);
    assert.deepEqual(statuses.map((s) => s.status), ['in-progress', 'completed']);
    assert.ok(statuses.every((s) => s.topic === 'status'));
    assert.ok(sim.callEvents(callSid).some((event) => event.type === 'say' && event.text === 'This is a reminder from your flow. This call is recorded.'));
    assert.deepEqual(logged('ERROR'), []);
  });

  for (const format of ['mp3', 'wav']) {
    it(`start, pause, resume, pause, resume, hang up: three ${format.toUpperCase()} recordings, three callbacks, one joined file as long as the three`, async () => {
      const { mp3Seconds, strictWav } = require('../support/audio-files');
      const seconds = (bytes) => (format === 'mp3' ? mp3Seconds(bytes) : strictWav(bytes).seconds);
      const callSid = sim.createCall().sid;
      const drive = async (action) => {
        const res = await fetch(`${nodeRed.url}/e2e/record`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callSid, action, fileFormat: format }) });
        assert.equal(res.status, 200, await res.text());
        // Some time passes with each part recording or paused (simulated seconds).
        await new Promise((resolve) => setTimeout(resolve, 60));
      };
      for (const action of ['start', 'pause', 'resume', 'pause', 'resume']) await drive(action);
      sim.hangUp(callSid);
      await until(() => logged('PART').filter((p) => p.callSid === callSid).length === 3, 'three recording callbacks');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(logged('PART').filter((p) => p.callSid === callSid).length, 3, 'each callback once');
      const recordings = sim.recordings({ callSid });
      assert.equal(recordings.length, 3);
      const res = await fetch(`${nodeRed.url}/e2e/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callSid }) });
      const joined = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), format === 'mp3' ? 'audio/mpeg' : 'audio/wav');
      assert.equal(res.headers.get('x-segments').split(',').length, 3);
      const parts = await Promise.all(recordings.map(async (r) => Buffer.from(await (await fetch(r.recordingUrl)).arrayBuffer())));
      const sum = parts.reduce((total, part) => total + seconds(part), 0);
      // Within one MP3 frame (576 samples at the simulator's 16 kHz: 36 ms); WAV exactly.
      assert.ok(Math.abs(seconds(joined) - sum) <= (format === 'mp3' ? 0.036 : 1e-9), `${seconds(joined)} s joined, ${sum} s in the parts`);
      assert.deepEqual(logged('ERROR'), []);
    });
  }

  it('forged voice requests get 403 and reach no flow', async () => {
    const params = new URLSearchParams({ AccountSid: DEMO_ACCOUNT_SID, CallSid: 'CA0123456789abcdef0123456789abcdef', From: '+1', To: '+2' });
    for (const url of [`${nodeRed.url}/telapi/voice`, `${nodeRed.url}/telapi/voice?key=${pathKey(DEMO_AUTH_TOKEN, '/telapi/consent')}`]) {
      const res = await fetch(url, { method: 'POST', body: params });
      assert.equal(res.status, 403, url);
    }
    assert.deepEqual(logged('SERVED'), []);
  });
});
