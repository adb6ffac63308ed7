'use strict';
// Every example flow, fetched the way the editor's Import > Examples menu fetches it, deployed into a
// real Node-RED with this package against the TelAPI simulator, and run: what each example's debug
// nodes show in the sidebar is what a user would see.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, userDirWithPackage, PACKAGE_NAME } = require('../support/node-red-process');
const { openDebugSidebar } = require('../support/debug-sidebar');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS } = require('@telapi-nodes/telapi-simulator');
const { pathKey } = require('../../dist/telapi');

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const EXAMPLE_NAMES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
const NODE_TYPES = Object.keys(require('../../package.json')['node-red'].nodes);

describe('example flows against the simulator in a real Node-RED', function () {
  this.timeout(60_000);
  let sim;
  let nodeRed;
  let sidebar;
  const examples = {};

  const TAB_ENV = {};
  /** Error messages a test caused on purpose. */
  const causedErrors = new Set();
  /** The simulator's dates (date_created, the DateCreated filters) run this far ahead of the real clock. */
  let clockAheadMs = 0;

  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.1, callbackDelayMs: 0, transcriptionDelayMs: 50, callbackRetryBaseMs: 100, now: () => new Date(Date.now() + clockAheadMs) });
    Object.assign(TAB_ENV, { SIMULATOR_URL: sim.url });
    // Node-RED binds a free port itself; the flows, deployed after it started, name it.
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
    const publicUrl = nodeRed.url;
    sidebar = await openDebugSidebar(nodeRed.url);
    const listed = await nodeRed.adminRequest('GET', `/library/examples/flows/${PACKAGE_NAME}`);
    const flows = [];
    for (const name of EXAMPLE_NAMES) {
      assert.ok(listed.some((entry) => entry.fn === name), `Import > Examples lists "${name}"`);
      const example = await nodeRed.adminRequest('GET', `/library/examples/flows/${PACKAGE_NAME}/${encodeURIComponent(name)}`);
      examples[name] = example;
      for (const node of example) {
        if (node.type === 'tab' && node.env) {
          flows.push({ ...node, env: node.env.map((v) => ({ ...v, value: TAB_ENV[v.name] ?? v.value })) });
        } else if (node.type === 'telapi-account') {
          flows.push({ ...node, baseUrl: `${sim.url}/v2`, publicUrl, credentials: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } });
        } else {
          flows.push(node);
        }
      }
    }
    await nodeRed.deploy(flows);
  });

  afterEach(function () {
    if (this.currentTest.state === 'failed') console.log(`--- Node-RED log (last 3000 chars):\n${nodeRed?.log.slice(-3000)}`);
  });

  after(async () => {
    sidebar?.close();
    await nodeRed?.stop();
    await sim?.close();
  });

  const inject = (id) => nodeRed.adminRequest('POST', `/inject/${id}`);
  /** The next message of the debug node `name` on the example's own tab (several examples share names). */
  const debugOf = (tab, name, predicate = () => true) =>
    sidebar.waitFor((m) => m.z === tab && m.name === name && predicate(m.value), 20_000, `"${name}" debug message of ${tab}`);

  it('ships the documented examples', () => {
    assert.deepEqual(EXAMPLE_NAMES, [
      '01 - Start and stop a recording', '02 - Receive recording callbacks', '03 - Record and transcribe',
      '04 - Download the recording file', '05 - Record only after the caller presses 1',
      '06 - Archive and delete recordings older than 30 days', '07 - Catch up on recordings missed while Node-RED was down',
      '08 - Voicemail, take a message and file the MP3', '09 - Call me and record', '10 - Take a card payment without recording it',
    ]);
  });

  it('each example starts with a comment that explains it, and holds no credentials', () => {
    for (const [name, nodes] of Object.entries(examples)) {
      const flowNodes = nodes.filter((n) => n.type !== 'tab' && n.z);
      const first = flowNodes.reduce((a, b) => (b.y < a.y || (b.y === a.y && b.x < a.x) ? b : a));
      assert.equal(first.type, 'comment', `${name}: the top node is a comment`);
      assert.equal(first.name, name);
      assert.ok(first.info.length > 200, `${name}: the comment explains the example`);
      for (const node of nodes) assert.equal(node.credentials, undefined, `${name}: no credentials`);
      assert.ok(!JSON.stringify(nodes).includes(DEMO_AUTH_TOKEN));
    }
  });

  it('together use every node type of the package', () => {
    const used = new Set(Object.values(examples).flat().map((n) => n.type));
    for (const type of NODE_TYPES) assert.ok(used.has(type), `${type} is used`);
  });

  it('01 starts and stops a recording', async () => {
    await inject('e01i1');
    const started = await debugOf('e01tab', '01 recording started');
    assert.equal(started.value.call_sid, DEMO_CALL_SIDS.inbound);
    assert.match(started.value.sid, /^RE[0-9a-f]{32}$/);
    assert.equal(sim.getRecording(started.value.sid).status, 'in-progress', 'the simulator is recording the call');
    await inject('e01i2');
    const stopped = await debugOf('e01tab', '01 recording stopped');
    assert.equal(stopped.value.sid, started.value.sid);
    assert.ok(Number(stopped.value.duration) >= 1);
    assert.equal(sim.getRecording(started.value.sid).endReason, 'stopped');
  });

  it('02 emits the recording callback with its RecordingUrl', async () => {
    await inject('e02i1');
    const callback = await debugOf('e02tab', '02 callback');
    assert.equal(callback.value.topic, 'recording');
    assert.equal(callback.value.callSid, DEMO_CALL_SIDS.outbound);
    assert.equal(callback.value.payload.CallSid, DEMO_CALL_SIDS.outbound);
    assert.match(callback.value.recordingUrl, /\/RE[0-9a-f]{32}\.mp3$/);
    const url = await debugOf('e02tab', '02 recording URL');
    assert.equal(url.value, callback.value.recordingUrl);
  });

  it('03 emits the recording and then its transcription', async () => {
    await inject('e03i1');
    const recording = await debugOf('e03tab', '03 recording URL');
    assert.match(recording.value, /\.mp3$/);
    const transcription = await debugOf('e03tab', '03 transcription');
    assert.equal(typeof transcription.value, 'string');
    assert.ok(transcription.value.length > 10);
  });

  it('04 downloads the recording file with the recordings node and writes it', async () => {
    await inject('e04i1');
    const downloaded = await debugOf('e04tab', '04 downloaded');
    const { filename, contentType, bytes, isAudio, recordingSid } = downloaded.value;
    assert.match(recordingSid, /^RE[0-9a-f]{32}$/);
    assert.equal(filename, `recordings/${recordingSid}.mp3`);
    assert.equal(contentType, 'audio/mpeg');
    assert.equal(isAudio, true);
    const written = fs.readFileSync(path.join(nodeRed.userDir, filename));
    assert.equal(written.length, bytes);
    const media = Buffer.from(await (await fetch(sim.getRecording(recordingSid).recordingUrl)).arrayBuffer());
    assert.ok(written.equals(media), 'the file holds the exact bytes of the recording');
  });

  /** The Voice URL a voice node's dialog shows: the public URL, the path and the path's key. */
  const voiceUrl = (path) => `${nodeRed.url}${path}?key=${pathKey(DEMO_AUTH_TOKEN, path)}`;
  const heard = (callSid) => sim.callEvents(callSid).filter((event) => event.type === 'say').map((event) => event.text);

  it('05 records only after the caller presses 1', async () => {
    const declined = sim.placeCall({ url: voiceUrl('/telapi/example-05/voice'), from: '+15550100776', to: '+15550100100' });
    await sim.waitForCallEvent({ callSid: declined.sid, type: 'gather-started' }, 20_000);
    sim.sendDigits(declined.sid, '2');
    await sim.waitForCallEvent({ callSid: declined.sid, type: 'hangup' }, 20_000);
    assert.deepEqual(heard(declined.sid), ['Press 1 to have this call recorded.', 'This call is not recorded. Goodbye.']);
    assert.equal(sim.recordings({ callSid: declined.sid }).length, 0, 'no recording without consent');

    const call = sim.placeCall({ url: voiceUrl('/telapi/example-05/voice'), from: '+15550100777', to: '+15550100100' });
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' }, 20_000);
    sim.sendDigits(call.sid, '1');
    const started = await debugOf('e05tab', '05 recording started', (v) => v.call_sid === call.sid);
    assert.match(started.value.sid, /^RE[0-9a-f]{32}$/);
    await sim.waitForCallEvent({ callSid: call.sid, type: 'say', afterSequence: 0 }, 20_000);
    sim.hangUp(call.sid);
    const done = await debugOf('e05tab', '05 recording URL', (v) => v.endsWith(`${started.value.sid}.mp3`));
    assert.ok(done);
    assert.ok(heard(call.sid).includes('Thank you. This call is now recorded.'));
  });

  it('06 archives recordings older than 30 days, and deletes them only with dry run off', async () => {
    const old = sim.seedRecordings({ count: 3, from: new Date('2024-01-01'), to: new Date('2024-01-31'), duration: 1 });
    const recent = sim.seedRecordings({ count: 1, from: new Date(Date.now() - 2 * 24 * 3600 * 1000), to: new Date(Date.now() - 24 * 3600 * 1000), duration: 1 });
    await inject('e06i1');
    for (const recording of old) await debugOf('e06tab', '06 would delete', (v) => v === recording.sid);
    for (const recording of old) {
      assert.ok(fs.existsSync(path.join(nodeRed.userDir, 'archive', `${recording.sid}.mp3`)), 'archived');
      assert.ok(sim.getRecording(recording.sid), 'a dry run deletes nothing');
    }
    await inject('e06off');
    await debugOf('e06tab', '06 dry run', (v) => String(v) === 'false');
    await inject('e06i1');
    for (const recording of old) await debugOf('e06tab', '06 deleted', (v) => v === recording.sid);
    for (const recording of old) assert.equal(sim.getRecording(recording.sid), undefined, 'deleted after archiving');
    assert.ok(sim.getRecording(recent[0].sid), 'a recent recording stays');
    assert.ok(!fs.existsSync(path.join(nodeRed.userDir, 'archive', `${recent[0].sid}.mp3`)));
  });

  it('07 catches up on recordings since the last seen date, skipping those already handled', async () => {
    // The example's own run at start (5 s after deploy): wait until it has handled what it found.
    const first = await debugOf('e07tab', '07 new recordings');
    const caughtUp = () => sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 caught up').map((m) => m.value);
    await sidebar.waitFor(() => caughtUp().length >= Number(first.value), 20_000, 'the start run of 07');
    const startRunDone = new Date();
    const counts = () => sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 new recordings');
    const before = counts().length;
    // Missed while down means made after everything the start run handled: dated from then to now
    // (dated an hour back, they fell on the day before the newest handled one just after midnight).
    const missed = sim.seedRecordings({ count: 2, from: startRunDone, to: new Date(), duration: 1 });
    await inject('e07i1');
    await sidebar.waitFor(() => counts().length > before, 20_000, '07 count');
    // Besides the two missed ones, a recording of an earlier example that was still being made at start.
    assert.ok(Number(counts()[before].value) >= 2, 'the two missed recordings are new');
    for (const recording of missed) await debugOf('e07tab', '07 caught up', (v) => v === recording.sid);
    for (const recording of missed) assert.ok(fs.existsSync(path.join(nodeRed.userDir, 'caught-up', `${recording.sid}.mp3`)));
    await inject('e07i1');
    await sidebar.waitFor(() => counts().length > before + 1, 20_000, '07 second count');
    assert.equal(Number(counts()[before + 1].value), 0, 'nothing is handled twice');
    assert.equal(new Set(caughtUp()).size, caughtUp().length);
  });

  it('07 catches up a recording still being made at a catch-up, dated the day before the newest one handled', async () => {
    const counts = () => sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 new recordings');
    const nextCount = async () => {
      const before = counts().length;
      await inject('e07i1');
      await sidebar.waitFor(() => counts().length > before, 20_000, '07 count');
      return Number(counts()[before].value);
    };
    const startOfTodayUtc = new Date(new Date().toISOString().slice(0, 10)).getTime();
    try {
      // 23:59 tomorrow: a call's recording starts, and runs past midnight.
      clockAheadMs = startOfTodayUtc + 2 * 24 * 3600 * 1000 - 60 * 1000 - Date.now();
      const call = sim.createCall({ from: '+15550100707', to: '+15550100100' });
      const started = await fetch(`${sim.url}/v2/Accounts/${DEMO_ACCOUNT_SID}/Calls/${call.sid}/Recordings.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64')}` },
        body: new URLSearchParams({ Record: 'true' }),
      });
      assert.equal(started.status, 200, await started.clone().text());
      const running = (await started.json()).sid;
      // 00:01 the day after: a catch-up handles a recording made after midnight, and sees the running one.
      clockAheadMs += 2 * 60 * 1000;
      const [afterMidnight] = sim.seedRecordings({ count: 1, from: new Date(Date.now() + clockAheadMs - 30 * 1000), duration: 1 });
      assert.equal(await nextCount(), 1, 'only the finished recording is new');
      await debugOf('e07tab', '07 caught up', (v) => v === afterMidnight.sid);
      sim.hangUp(call.sid);
      assert.ok(sim.getRecording(running).duration > 0, 'the recording ended with the call');
      // Its file cannot be written the first time (a folder stands in its way): it stays pending.
      const file = path.join(nodeRed.userDir, 'caught-up', `${running}.mp3`);
      fs.mkdirSync(file, { recursive: true });
      const errors = sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 error').length;
      assert.equal(await nextCount(), 1, 'the recording that was running is listed again, from its own day');
      await sidebar.waitFor(() => sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 error').length > errors, 20_000, '07 error');
      const caused = sidebar.messages.filter((m) => m.z === 'e07tab' && m.name === '07 error').slice(errors);
      assert.match(JSON.stringify(caused[0].value), /EISDIR|directory/i);
      for (const message of caused) causedErrors.add(message);
      fs.rmdirSync(file);
      assert.equal(await nextCount(), 1, 'and again after its file failed');
      await debugOf('e07tab', '07 caught up', (v) => v === running);
      assert.ok(fs.statSync(file).isFile());
    } finally {
      clockAheadMs = 0;
    }
  });

  it('08 takes a message with <Record> and files the MP3', async () => {
    const call = sim.placeCall({ url: voiceUrl('/telapi/example-08/voice'), from: '+15550100888', to: '+15550100100' });
    const listening = await sim.waitForCallEvent({ callSid: call.sid, type: 'record-started' }, 20_000);
    assert.ok(heard(call.sid)[0].startsWith('You have reached the voicemail'));
    sim.sendDigits(call.sid, '#');
    const filed = await debugOf('e08tab', '08 voicemail filed', (v) => v.recordingSid === listening.recordingSid);
    assert.equal(filed.value.caller, '+15550100888');
    assert.equal(filed.value.filename, `voicemail/${call.sid}-${listening.recordingSid}.mp3`);
    const written = fs.readFileSync(path.join(nodeRed.userDir, filed.value.filename));
    assert.equal(written.length, filed.value.bytes);
    const media = Buffer.from(await (await fetch(sim.getRecording(listening.recordingSid).recordingUrl)).arrayBuffer());
    assert.ok(written.equals(media), 'the file holds the exact bytes of the recording');
    await sim.waitForCallEvent({ callSid: call.sid, type: 'hangup' }, 20_000);
    assert.ok(heard(call.sid).includes('Thank you for your message. Goodbye.'));
  });

  it('09 calls the number, records the whole call, and shows its status events', async () => {
    await inject('e09i1');
    const made = await debugOf('e09tab', '09 call made');
    const callSid = made.value;
    assert.match(callSid, /^CA[0-9a-f]{32}$/);
    await debugOf('e09tab', '09 call status', (v) => v === 'completed');
    const recording = await debugOf('e09tab', '09 recording', (v) => typeof v === 'string' && v.endsWith('.mp3'));
    assert.equal(sim.getRecording(recording.value.match(/(RE[0-9a-f]{32})\.mp3$/)[1]).callSid, callSid);
    const statuses = sidebar.messages.filter((m) => m.z === 'e09tab' && m.name === '09 call status').map((m) => m.value);
    assert.deepEqual(statuses, ['in-progress', 'completed']);
    assert.ok(heard(callSid).includes('Hello. This is the reminder you asked for. This call is recorded.'));
  });

  it('10 pauses the recording while the card number is keyed in, and files the call as one MP3 of its recordings', async () => {
    const CARD = '4111111111111111';
    await inject('e10i1');
    const callSid = (await debugOf('e10tab', '10 call made')).value;
    const answered = await sim.waitForCallEvent({ callSid, type: 'gather-started' }, 20_000);
    await sim.waitForCallEvent({ callSid, type: 'record-started' }, 20_000);
    sim.sendDigits(callSid, '1');
    const cardGather = await sim.waitForCallEvent({ callSid, type: 'gather-started', afterSequence: answered.sequence }, 20_000);
    // The recording was paused (stopped) before the card number was asked for.
    const stopped = sim.callEvents(callSid).filter((event) => event.type === 'record-stopped');
    assert.equal(stopped.length, 1);
    assert.ok(stopped[0].sequence < cardGather.sequence);
    sim.sendDigits(callSid, `${CARD}#`);
    const filed = await debugOf('e10tab', '10 call filed', (v) => v.callSid === callSid);
    const { payload: file, segments, contentType } = filed.value;
    assert.equal(contentType, 'audio/mpeg');
    assert.equal(segments.length, 2, 'the part before the card number, and the part after');
    assert.equal(file, path.join(nodeRed.userDir, 'payments', `${callSid}.mp3`));
    const joined = fs.readFileSync(file);
    const parts = await Promise.all(segments.map(async (s) => Buffer.from(await (await fetch(sim.getRecording(s.sid).recordingUrl)).arrayBuffer())));
    const { mp3Seconds } = require('../support/audio-files');
    const sum = parts.reduce((total, part) => total + mp3Seconds(part), 0);
    assert.ok(Math.abs(mp3Seconds(joined) - sum) < 0.05, `${mp3Seconds(joined)} s joined, ${sum} s in the parts`);
    // The card number is in no message the sidebar showed, and not in Node-RED's log.
    assert.ok(!JSON.stringify(sidebar.messages).includes(CARD));
    assert.ok(!nodeRed.log.includes(CARD));
  });

  it('no example reported an error', () => {
    assert.deepEqual(sidebar.messages.filter((m) => / ?error$/.test(m.name) && !causedErrors.has(m)).map((m) => m.value), []);
  });
});
