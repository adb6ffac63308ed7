'use strict';
// Pause and resume (docs/design.md, telapi-record `pause`/`resume`): TelAPI cannot pause, so a pause
// stops the recording and a resume starts a new one on the same call. Each part is a recording of
// its own, with its own callback and media file, and each counts toward the 5 a call may have.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_CALL_SIDS, MAX_RECORDINGS_PER_CALL, API_ERRORS, MP3_SAMPLE_RATE, WAV_SAMPLE_RATE } = require('..');
const { closeAll, startSim, api, rawRequest, startReceiver, startRecording, stopRecording, mp3Frames, wavInfo, SID } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock the test moves: each part of a call starts 10 s after the one before. */
function steppedClock(start = Date.UTC(2024, 4, 6, 9, 0, 0)) {
  let now = start;
  return { now: () => new Date(now), step: (seconds) => (now += seconds * 1000) };
}

describe('simulator: a paused and resumed recording (segments of one call)', function () {
  afterEach(closeAll);

  for (const format of ['mp3', 'wav']) {
    it(`makes each resume a new ${format.toUpperCase()} recording of the call, with its own callback, date and media file`, async function () {
      const clock = steppedClock();
      const sim = await startSim({ now: clock.now });
      const receiver = await startReceiver();
      const parts = [];
      for (let part = 1; part <= 3; part++) {
        const started = await startRecording(sim, CALL, { FileFormat: format, CallbackUrl: `${receiver.url}/telapi/recording?part=${part}` });
        await pause(2);
        const stopped = await stopRecording(sim, CALL);
        assert.equal(stopped.sid, started.sid, 'a pause stops the recording that runs');
        parts.push(stopped);
        clock.step(10);
      }
      assert.equal(new Set(parts.map((p) => p.sid)).size, 3);
      for (const p of parts) {
        assert.match(p.sid, SID.RE);
        assert.equal(p.call_sid, CALL);
      }

      // One callback per part, to the URL given when it started.
      for (const [index, p] of parts.entries()) {
        const delivery = await sim.waitForDelivery({ recordingSid: p.sid });
        assert.equal(delivery.status, 'delivered');
        assert.equal(delivery.url, `${receiver.url}/telapi/recording?part=${index + 1}`);
        assert.equal(delivery.params.RecordingSid, p.sid);
        assert.equal(delivery.params.RecordingDuration, String(p.duration));
        assert.equal(delivery.params.RecordingUrl, `${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${p.sid}.${format}`);
      }
      assert.equal(receiver.received.length, 3);

      // Listed as the call's recordings, newest first, each dated when it started.
      const listed = await api(sim, 'GET', `/Calls/${CALL}/Recordings.json`);
      assert.deepEqual(listed.json.recordings.map((r) => r.sid), parts.map((p) => p.sid).reverse());
      assert.deepEqual(listed.json.recordings.map((r) => r.date_created).reverse(), [
        'Mon, 06 May 2024 09:00:00 -0000', 'Mon, 06 May 2024 09:00:10 -0000', 'Mon, 06 May 2024 09:00:20 -0000',
      ]);

      // Each part is a whole file of its own length.
      for (const p of parts) {
        const media = await rawRequest(`${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${p.sid}.${format}`);
        assert.equal(media.status, 200);
        const seconds = format === 'mp3'
          ? mp3Frames(media.bytes).reduce((total, frame) => total + frame.samplesPerFrame, 0) / MP3_SAMPLE_RATE
          : wavInfo(media.bytes).dataLength / (WAV_SAMPLE_RATE * 2);
        assert.ok(Math.abs(seconds - Number(p.duration)) < 0.2, `${p.sid}: ${seconds} s for a duration of ${p.duration}`);
      }
    });
  }

  it('counts every resume toward the 5 recordings a call may have: the 6th start is refused (400, code 14001) and starts nothing', async function () {
    const sim = await startSim();
    assert.equal(MAX_RECORDINGS_PER_CALL, 5);
    for (let part = 0; part < 5; part++) {
      await startRecording(sim, CALL);
      await stopRecording(sim, CALL);
    }
    const sixth = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: { Record: 'true' } });
    assert.equal(sixth.status, 400);
    assert.deepEqual(sixth.json, {
      status: 400,
      message: `Call ${CALL} already has 5 recordings, the most a call can have`,
      code: API_ERRORS.recordingLimitReached.code,
      more_info: 'http://www.telapi.com/docs/api/rest/overview/errors/14001',
    });
    assert.equal(API_ERRORS.recordingLimitReached.code, 14001);
    assert.equal(sim.recordings({ callSid: CALL }).length, 5);
    // A pause after the refusal answers the 5th recording again (stopping is idempotent).
    const again = await stopRecording(sim, CALL);
    assert.equal(again.sid, sim.recordings({ callSid: CALL })[0].sid);
  });

  it('refuses a resume while the recording still runs (a start without a pause), and keeps the one that runs', async function () {
    const sim = await startSim();
    const running = await startRecording(sim, CALL);
    const resumed = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: { Record: 'true' } });
    assert.equal(resumed.status, 400);
    assert.equal(resumed.json.code, API_ERRORS.recordingInProgress.code);
    assert.equal((await stopRecording(sim, CALL)).sid, running.sid);
  });
});
