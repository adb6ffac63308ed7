'use strict';
// Real recordings: a call recorded in three parts on the simulator (lamejs MP3, PCM WAV), the parts
// downloaded chunk by chunk and joined into a file, and the file read back by a second, strict reader
// (test/support/audio-files.js). `npm run probe:join` checks the same files with ffprobe and ffmpeg.
const assert = require('node:assert/strict');
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { DEMO_CALL_SIDS, MP3_SAMPLE_RATE, WAV_SAMPLE_RATE } = require('@telapi-nodes/telapi-simulator');
const { createJoiner, joinSegmentFrom, joinSegments } = require('../../dist/telapi');
const { closeAll, startSim } = require('../../simulator/test/helpers');
const a = require('../support/audio-files');
const { mp3Seconds, strictMp3Frames, strictWav } = a;
const { PARTS_TIME_SCALE, steppedClock, recordInParts, mediaStream, mediaBytes } = require('../support/call-segments');

const CALL = DEMO_CALL_SIDS.inbound;
const MP3_FRAME_SECONDS = 576 / MP3_SAMPLE_RATE;

/** Joins the recordings' media into a file as a "download to file" would: pieces appended, the header written last. */
async function joinToFile(recordings, file) {
  const handle = await fs.open(file, 'w');
  try {
    const joiner = createJoiner();
    for (const recording of recordings) {
      await joinSegmentFrom(joiner, await mediaStream(recording.recording_url), async (piece) => {
        await handle.write(piece);
      }, recording.sid);
    }
    const end = joiner.finish();
    for (const piece of end.output) await handle.write(piece);
    if (end.header) await handle.write(end.header, 0, end.header.length, 0);
    return end.summary;
  } finally {
    await handle.close();
  }
}

describe('telapi/join: a call recorded in parts on the simulator', function () {
  this.timeout(30000);
  let dir;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'telapi-join-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  afterEach(closeAll);

  it('joins three MP3 parts into one stream of MPEG frames whose duration is the parts\' sum', async function () {
    const clock = steppedClock();
    const sim = await startSim({ now: clock.now, timeScale: PARTS_TIME_SCALE });
    const recordings = await recordInParts(sim, clock, CALL, 'mp3');
    assert.equal(recordings.length, 3);
    const parts = await Promise.all(recordings.map((r) => mediaBytes(r.recording_url)));
    const partSeconds = parts.map(mp3Seconds);

    const file = path.join(dir, `${CALL}.mp3`);
    const summary = await joinToFile(recordings, file);
    const joined = await fs.readFile(file);
    assert.equal(summary.format, 'mp3');
    assert.deepEqual(summary.segments.map((s) => s.label), recordings.map((r) => r.sid));
    // The second reader: only frames, all of one stream, and as many as the parts have together.
    const frames = strictMp3Frames(joined);
    assert.equal(frames.length, parts.reduce((total, part) => total + strictMp3Frames(part).length, 0));
    assert.ok(frames.every((f) => f.sampleRate === MP3_SAMPLE_RATE && f.layer === 3));
    const sum = partSeconds.reduce((total, s) => total + s, 0);
    assert.ok(Math.abs(mp3Seconds(joined) - sum) <= MP3_FRAME_SECONDS, `${mp3Seconds(joined)} s joined, ${sum} s in parts`);
    assert.ok(Math.abs(summary.durationSeconds - mp3Seconds(joined)) < 1e-9);
    // Each part is its recording's duration plus the encoder's delay and padding (a few frames).
    for (const [index, recording] of recordings.entries()) {
      const over = partSeconds[index] - Number(recording.duration);
      assert.ok(over >= 0 && over < 0.2, `${recording.sid}: ${partSeconds[index]} s for a duration of ${recording.duration}`);
    }
    // The Buffer mode gives the same file.
    assert.ok(joinSegments(parts).bytes.equals(joined));
    // In the order recorded: the parts' frames follow each other as they were.
    assert.ok(joined.equals(Buffer.concat(parts)), 'lamejs writes no tags: the join is the parts end to end');
    // The same parts as other encoders and taggers write them: the join leaves all of that out.
    const stream = { version: 2, layer: 3, kbps: 32, sampleRate: 16000, mode: 'mono' };
    const tagged = parts.map((part, index) =>
      Buffer.concat([a.id3v2({ footer: index === 0 }), index === 1 ? a.vbriFrame(stream) : a.xingFrame(stream, index === 0 ? 'Xing' : 'Info'), part, a.apeTag(), a.id3v1()]));
    assert.ok(joinSegments(tagged).bytes.equals(joined));
  });

  it('joins three WAV parts under one RIFF header whose data is the parts\' data, and whose duration is their sum', async function () {
    const clock = steppedClock();
    const sim = await startSim({ now: clock.now, timeScale: PARTS_TIME_SCALE });
    const recordings = await recordInParts(sim, clock, CALL, 'wav');
    const parts = await Promise.all(recordings.map((r) => mediaBytes(r.recording_url)));

    const file = path.join(dir, `${CALL}.wav`);
    const summary = await joinToFile(recordings, file);
    const joined = await fs.readFile(file);
    const read = strictWav(joined);
    assert.ok(read.data.equals(Buffer.concat(parts.map((part) => strictWav(part).data))));
    assert.equal(read.fmt.readUInt32LE(4), WAV_SAMPLE_RATE);
    const sum = recordings.reduce((total, r) => total + Number(r.duration), 0);
    assert.equal(read.seconds, sum, 'PCM parts are exactly their durations');
    assert.equal(summary.durationSeconds, sum);
    assert.equal(summary.byteLength, joined.length);
    assert.ok(joinSegments(parts).bytes.equals(joined));
    // The same parts with the chunks other writers add: the join leaves them out.
    const info = a.chunk('LIST', Buffer.concat([Buffer.from('INFO'), a.chunk('ICMT', Buffer.from('part\0'))]));
    const tagged = parts.map((part) => {
      const { fmt, data } = strictWav(part);
      return a.riff([info, a.chunk('fmt ', fmt), a.chunk('fact', Buffer.alloc(4)), a.chunk('data', data), info]);
    });
    assert.ok(joinSegments(tagged).bytes.equals(joined));
  });
});
