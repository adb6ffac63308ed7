'use strict';
// Details where the simulator follows TelAPI's and Zang's data (the official clients' fixtures)
// rather than a guess.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_CALL_SIDS } = require('..');
const { closeAll, startSim, startReceiver, api, startRecording, stopRecording, memoryLogger } = require('./helpers');

describe('simulator: fidelity to TelAPI data', function () {
  afterEach(closeAll);

  it('says start = Page × PageSize and end never below start: an empty list 0/0, a page beyond the end 999 × PageSize', async function () {
    const sim = await startSim({ demoCalls: false });
    const empty = await api(sim, 'GET', '/Recordings.json', { version: 'v2' });
    assert.deepEqual([empty.json.total, empty.json.start, empty.json.end, empty.json.num_pages, empty.json.recordings.length], [0, 0, 0, 0, 0]);
    sim.seedRecordings({ count: 3 });
    const page = await api(sim, 'GET', '/Recordings.json?Page=1&PageSize=2', { version: 'v2' });
    assert.deepEqual([page.json.start, page.json.end, page.json.recordings.length], [2, 2, 1]);
    const beyond = await api(sim, 'GET', '/Recordings.json?Page=999&PageSize=2', { version: 'v2' });
    assert.deepEqual([beyond.json.page, beyond.json.start, beyond.json.end, beyond.json.recordings.length], [999, 1998, 1998, 0]);
    assert.equal(beyond.json.next_page_uri, '');
  });

  it('refuses under /v2 a transcription Quality Zang does not have (TelAPI v1 qualities stay accepted under /v1)', async function () {
    const sim = await startSim();
    const [recording] = sim.seedRecordings({ count: 1 });
    const refused = await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v2', body: { Quality: 'silver' } });
    assert.equal(refused.status, 400);
    assert.deepEqual(Object.keys(refused.json), ['status', 'message', 'code', 'more_info']);
    assert.match(refused.json.message, /Quality must be one of auto, hybrid, keywords/);
    assert.equal((await api(sim, 'POST', '/Transcriptions.json', { version: 'v2', body: { AudioUrl: recording.recordingUrl, Quality: 'gold' } })).status, 400);
    assert.equal((await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v2', body: { Quality: 'Keywords' } })).status, 200);
    assert.equal((await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v1', body: { Quality: 'silver' } })).json.type, 'silver');
  });

  it('refuses under /v2 a record-call TranscribeQuality Zang does not have, starting nothing (/v1 keeps TelAPI\'s)', async function () {
    const sim = await startSim();
    const callSid = DEMO_CALL_SIDS.inbound;
    const refused = await api(sim, 'POST', `/Calls/${callSid}/Recordings.json`, { version: 'v2', body: { Record: 'true', Transcribe: 'true', TranscribeQuality: 'gold' } });
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /TranscribeQuality must be one of auto, hybrid, keywords/);
    assert.deepEqual(sim.recordings({ callSid }), []);
    const started = await startRecording(sim, callSid, { Transcribe: 'true', TranscribeQuality: 'silver' }, { version: 'v1' });
    assert.equal(started.call_sid, callSid);
  });

  it('answers under /v2 only Zang\'s qualities as a transcription\'s type: one asked for under /v1 as silver, gold or platinum reads hybrid', async function () {
    const sim = await startSim();
    const [recording] = sim.seedRecordings({ count: 1 });
    const asked = {};
    for (const quality of ['silver', 'gold', 'platinum', 'auto', 'keywords']) {
      const made = await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v1', body: { Quality: quality } });
      assert.equal(made.json.type, quality);
      asked[made.json.sid] = quality;
    }
    const zang = { silver: 'hybrid', gold: 'hybrid', platinum: 'hybrid', auto: 'auto', keywords: 'keywords' };
    const listed = await api(sim, 'GET', '/Transcriptions.json', { version: 'v2' });
    assert.deepEqual(Object.fromEntries(listed.json.transcriptions.map((item) => [item.sid, item.type])), Object.fromEntries(Object.entries(asked).map(([sid, quality]) => [sid, zang[quality]])));
    const ofRecording = await api(sim, 'GET', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v2' });
    assert.ok(ofRecording.json.transcriptions.every((item) => ['auto', 'hybrid', 'keywords'].includes(item.type)));
    const [silverSid] = Object.keys(asked);
    assert.equal((await api(sim, 'GET', `/Transcriptions/${silverSid}.json`, { version: 'v2' })).json.type, 'hybrid');
    assert.equal((await api(sim, 'GET', `/Transcriptions/${silverSid}.json`, { version: '2011-07-01' })).json.type, 'silver');
  });

  it('lists one recording\'s transcriptions at GET /Recordings/{RecordingSid}/Transcriptions.json', async function () {
    const sim = await startSim();
    const [first, second] = sim.seedRecordings({ count: 2 });
    const made = [];
    for (const quality of ['auto', 'hybrid']) made.push((await api(sim, 'POST', `/Recordings/${first.sid}/Transcriptions.json`, { version: 'v2', body: { Quality: quality } })).json);
    await api(sim, 'POST', `/Recordings/${second.sid}/Transcriptions.json`, { version: 'v2', body: {} });
    const listed = await api(sim, 'GET', `/Recordings/${first.sid}/Transcriptions.json?PageSize=1`, { version: 'v2' });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.total, 2);
    assert.equal(listed.json.num_pages, 2);
    assert.deepEqual(listed.json.transcriptions.map((item) => item.sid), [made[1].sid]);
    assert.equal(listed.json.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings/${first.sid}/Transcriptions.json`);
    assert.equal((await api(sim, 'GET', `/Recordings/RE${'0'.repeat(32)}/Transcriptions.json`, { version: 'v2' })).status, 404);
  });

  it('filters GET /Calls.json by To, From, Status and StartTime> / StartTime< as the Zang clients send them, paging what matches', async function () {
    // Dates at noon: day filters that run across midnight must not change the answer.
    const noon = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`).getTime();
    const sim = await startSim({ demoCalls: false, now: () => new Date(noon) });
    const first = sim.createCall({ from: '+15550101001', to: '+15550102001' });
    const second = sim.createCall({ from: '+15550101001', to: '+15550102002' });
    const third = sim.createCall({ from: '+15550101002', to: '+15550102001' });
    sim.hangUp(third.sid);
    const listed = async (query) => {
      const answer = await api(sim, 'GET', `/Calls.json?${query}`, { version: 'v2' });
      assert.equal(answer.status, 200, answer.text);
      return answer.json.calls.map((call) => call.sid);
    };
    assert.deepEqual(await listed('To=%2B15550102001'), [third.sid, first.sid]);
    assert.deepEqual(await listed('To=+15550102001'), [third.sid, first.sid]); // a `+` left unencoded
    assert.deepEqual(await listed('To=%2B15550102001&From=%2B15550101001'), [first.sid]);
    assert.deepEqual(await listed('From=%2B15550101001'), [second.sid, first.sid]);
    assert.deepEqual(await listed('Status=completed'), [third.sid]);
    assert.deepEqual(await listed('Status=In-Progress'), [second.sid, first.sid]);
    const day = (offset) => new Date(noon + offset * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(await listed(`StartTime%3E=${day(0)}&StartTime%3C=${day(0)}`), [third.sid, second.sid, first.sid]);
    assert.deepEqual(await listed(`StartTime%3E=${day(1)}`), []);
    assert.deepEqual(await listed(`StartTime%3C=${day(-1)}`), []);
    const page = await api(sim, 'GET', '/Calls.json?To=%2B15550102001&PageSize=1', { version: 'v2' });
    assert.deepEqual([page.json.total, page.json.num_pages, page.json.calls.length], [2, 2, 1]);
    assert.match(page.json.next_page_uri, /To=%2B15550102001/);
    for (const query of ['Status=answered', 'StartTime%3E=2024-13-01']) {
      const refused = await api(sim, 'GET', `/Calls.json?${query}`, { version: 'v2' });
      assert.equal(refused.status, 400, query);
      assert.deepEqual(Object.keys(refused.json), ['status', 'message', 'code', 'more_info']);
    }
  });

  it('answers a Call whose answered_by is a string and whose absent links are "", as the fixtures show', async function () {
    const sim = await startSim();
    const call = await api(sim, 'GET', `/Calls/${DEMO_CALL_SIDS.inbound}.json`, { version: 'v2' });
    assert.equal(call.json.answered_by, 'tbd');
    assert.equal(call.json.parent_call_sid, '');
    assert.equal(call.json.phone_number_sid, '');
    assert.equal(call.json.forwarded_from, '');
    assert.equal(call.json.caller_id_blocked, 'false');
  });

  it('answers the control API in snake_case, and takes fault settings in either spelling', async function () {
    const sim = await startSim();
    const faults = await api(sim, 'POST', '//_simulator/faults', { body: { latency_ms: '5', rateDrop: '0.1' } });
    assert.deepEqual([faults.json.latency_ms, faults.json.rate_drop, faults.json.retry_after_seconds], [5, 0.1, 1]);
    const calls = await api(sim, 'GET', '//_simulator/calls');
    assert.ok(calls.json.calls.every((call) => 'account_sid' in call && 'caller_name' in call && !('accountSid' in call)));
    await startRecording(sim, DEMO_CALL_SIDS.inbound, { CallbackUrl: 'http://127.0.0.1:9/unused' });
    const recordings = await api(sim, 'GET', '//_simulator/recordings');
    assert.equal(recordings.json.recordings[0].params.callback_url, 'http://127.0.0.1:9/unused');
  });

  it('never logs the password of a callback URL (nor its token or key)', async function () {
    const logger = memoryLogger();
    const sim = await startSim({ logger, callbackMaxAttempts: 1 });
    const receiver = await startReceiver([500]);
    const url = new URL(`${receiver.url}/hook?token=secret-token&key=secret-key`);
    url.username = 'telapi';
    url.password = 's3cret-pass';
    await startRecording(sim, DEMO_CALL_SIDS.inbound, { CallbackUrl: url.href });
    await stopRecording(sim, DEMO_CALL_SIDS.inbound);
    const delivery = await sim.waitForDelivery({ kind: 'recording' });
    assert.equal(delivery.status, 'failed');
    assert.equal(receiver.received[0].headers.authorization, `Basic ${Buffer.from('telapi:s3cret-pass').toString('base64')}`);
    const logged = logger.lines.join('\n');
    assert.match(logged, /telapi:redacted@127\.0\.0\.1/);
    for (const secret of ['s3cret-pass', 'secret-token', 'secret-key']) assert.equal(logged.includes(secret), false, secret);
  });
});
