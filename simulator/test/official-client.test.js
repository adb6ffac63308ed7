'use strict';
// A client nobody here wrote: the official Zang/Avaya CPaaS Node.js library (@avaya/cpaas, a
// devDependency) drives the simulator's /v2 and the test asserts what it parses. The library sends
// its own URLs, parameter names and encodings (PascalCase keys sorted, `DateCreated>` from
// `dateCreatedGte`, dates as YYYY-MM-DD in local time, so the dates here sit at noon UTC).
const assert = require('node:assert/strict');
const cpaas = require('@avaya/cpaas');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS } = require('..');
const { closeAll, startSim, startReceiver, startFlow, xml, SID, RFC_2822 } = require('./helpers');

const noon = (day) => new Date(`${day}T12:00:00Z`);

describe('simulator: with the official client @avaya/cpaas', function () {
  let sim;
  let recordings;
  let transcriptions;
  let calls;

  beforeEach(async function () {
    sim = await startSim({ transcriptionDelayMs: 20 });
    const configuration = { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, baseUrl: `${sim.url}/v2` };
    recordings = new cpaas.RecordingsConnector(configuration);
    transcriptions = new cpaas.TranscriptionsConnector(configuration);
    calls = new cpaas.CallsConnector(configuration);
  });
  afterEach(closeAll);

  it('starts and stops a recording with every documented parameter', async function () {
    const receiver = await startReceiver();
    const started = await recordings.recordCall({
      callSid: DEMO_CALL_SIDS.inbound,
      record: true,
      direction: cpaas.enums.RecordingAudioDirection.OUT,
      timeLimit: 1337,
      callbackUrl: `${receiver.url}/recording?token=a`,
      fileFormat: cpaas.enums.RecordingFileFormat.WAV,
      trimSilence: true,
      transcribe: true,
      transcribeQuality: cpaas.enums.TranscriptionQuality.HYBRID,
      transcribeCallback: `${receiver.url}/transcription?token=b`,
    });
    assert.match(started.sid, SID.RE);
    assert.equal(started.call_sid, DEMO_CALL_SIDS.inbound);
    assert.equal(started.api_version, 'v2');
    assert.equal(started.duration, 0);
    assert.match(started.recording_url, /\.wav$/);
    assert.deepEqual(sim.getRecording(started.sid).params, {
      direction: 'out', timeLimit: 1337, callbackUrl: `${receiver.url}/recording?token=a`, fileFormat: 'wav', trimSilence: true,
      transcribe: true, transcribeQuality: 'hybrid', transcribeCallback: `${receiver.url}/transcription?token=b`, callbackMethod: 'POST',
    });
    const stopped = await recordings.recordCall({ callSid: DEMO_CALL_SIDS.inbound, record: false });
    assert.equal(stopped.sid, started.sid);
    assert.ok(stopped.duration >= 1);
    const delivered = await sim.waitForDelivery({ kind: 'transcription' });
    assert.equal(delivered.params.RecordingSid, started.sid);
  });

  it('lists with CallSid, dateCreatedGte and dateCreatedLt filters and pages, gets and deletes', async function () {
    const seeded = sim.seedRecordings({ count: 120, from: noon('2024-01-01'), to: noon('2024-04-29') });
    const list = await recordings.listRecordings({ pageSize: 50 });
    assert.equal(list.total, 120);
    assert.equal(list.num_pages, 3);
    assert.equal(list.page, 0);
    assert.equal(list.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json`);
    assert.equal(list.previous_page_uri, '');
    assert.equal(list.recordings.length, 50);
    const last = await recordings.listRecordings({ page: 2, pageSize: 50 });
    assert.equal(last.next_page_uri, '');
    assert.deepEqual(last.recordings.map((recording) => recording.sid), seeded.slice(100).map((recording) => recording.sid));

    // The library names the upper bound "Lt", but what it sends reads `DateCreated<=2024-04-10`, and
    // the simulator (like docs/telapi-api.md's reading) includes the day named.
    const filtered = await recordings.listRecordings({ callSid: seeded[0].callSid, dateCreatedGte: noon('2024-04-01'), dateCreatedLt: noon('2024-04-10') });
    const expected = seeded.filter((recording) => recording.dateCreated >= new Date('2024-04-01T00:00:00Z') && recording.dateCreated < new Date('2024-04-11T00:00:00Z'));
    assert.ok(expected.length > 0);
    assert.deepEqual(filtered.recordings.map((recording) => recording.sid), expected.map((recording) => recording.sid));
    const query = new URL(sim.requests().at(-1).url, sim.url).searchParams;
    assert.equal(query.get('DateCreated>'), '2024-04-01');
    assert.equal(query.get('DateCreated<'), '2024-04-10');
    assert.equal((await recordings.listRecordings({ callSid: `CA${'0'.repeat(32)}` })).total, 0);

    const one = await recordings.viewRecording({ recordingSid: seeded[5].sid });
    assert.equal(one.sid, seeded[5].sid);
    assert.match(one.date_created, RFC_2822);
    assert.equal(one.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings/${seeded[5].sid}`);
    const deleted = await recordings.deleteRecording({ recordingSid: seeded[5].sid });
    assert.equal(deleted.sid, seeded[5].sid);
    await assert.rejects(recordings.viewRecording({ recordingSid: seeded[5].sid }), (error) => error.status === 404 && error.code === 14404);
    assert.equal((await recordings.listRecordings({})).total, 119);
  });

  it('transcribes a recording and an audio URL, then gets and lists the transcriptions', async function () {
    const receiver = await startReceiver();
    await recordings.recordCall({ callSid: DEMO_CALL_SIDS.outbound, record: true });
    const recording = await recordings.recordCall({ callSid: DEMO_CALL_SIDS.outbound, record: false });

    const ofRecording = await transcriptions.transcribeRecording({
      recordingSid: recording.sid,
      quality: cpaas.enums.TranscriptionQuality.AUTO,
      transcribeCallback: `${receiver.url}/t?token=c`,
      callbackMethod: cpaas.enums.HttpMethod.POST,
      sliceStart: 0,
      sliceDuration: 1,
    });
    assert.match(ofRecording.sid, SID.TR);
    assert.equal(ofRecording.status, 'in-progress');
    assert.equal(ofRecording.recording_sid, recording.sid);
    assert.equal(ofRecording.transcribe_callback, `${receiver.url}/t?token=c`);
    assert.equal(ofRecording.duration, 1);

    const ofUrl = await transcriptions.transcribeAudioUrl({ audioUrl: recording.recording_url, quality: cpaas.enums.TranscriptionQuality.KEYWORDS });
    assert.equal(ofUrl.audio_url, recording.recording_url);
    assert.equal(ofUrl.type, 'keywords');
    assert.equal(ofUrl.transcribe_callback, '');

    await sim.waitForDelivery({ kind: 'transcription', status: 'delivered' });
    const viewed = await transcriptions.viewTranscription({ transcriptionSid: ofRecording.sid });
    assert.equal(viewed.status, 'completed');
    assert.ok(viewed.transcription_text.length > 0);
    while (sim.getTranscription(ofUrl.sid).status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 5));

    const listed = await transcriptions.listTranscriptions({ status: cpaas.enums.TranscriptionStatus.COMPLETED, pageSize: 1 });
    assert.equal(listed.total, 2);
    assert.equal(listed.num_pages, 2);
    assert.equal(listed.transcriptions[0].sid, ofUrl.sid);
    assert.equal(listed.next_page_uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Transcriptions.json?Status=completed&Page=1&PageSize=1`);
    const today = sim.getTranscription(ofUrl.sid).dateCreated; // not the clock: the test may run across midnight
    const byDate = await transcriptions.listTranscriptions({ dateTranscribedGte: today, dateTranscribedLt: today });
    assert.equal(byDate.total, 2);
    assert.equal((await transcriptions.listTranscriptions({ status: cpaas.enums.TranscriptionStatus.FAILED })).total, 0);
  });

  it('makes a call that is recorded and transcribed (Record, RecordCallback, Transcribe)', async function () {
    const receiver = await startReceiver();
    const flow = await startFlow({ '/answer.xml': xml('<Pause length="3600"/>') });
    const call = await calls.makeCall({
      from: '+15550100100', to: '+15550100222', url: `${flow.url}/answer.xml`,
      record: true, recordCallback: `${receiver.url}/r`, transcribe: true, transcribeCallback: `${receiver.url}/t`,
    });
    assert.match(call.sid, SID.CA);
    assert.equal(call.status, 'queued');
    await sim.waitForCallEvent({ callSid: call.sid, type: 'record-started' });
    const ended = await calls.interruptLiveCall({ callSid: call.sid, status: cpaas.enums.EndCallStatus.COMPLETED });
    assert.equal(ended.status, 'completed');
    assert.equal(ended.recordings_count, 1);
    const recorded = await sim.waitForDelivery({ kind: 'recording', callSid: call.sid });
    assert.equal(recorded.url, `${receiver.url}/r`);
    const listed = await recordings.listRecordings({ callSid: call.sid });
    assert.equal(listed.total, 1);
  });
});
