'use strict';
// An opt-in check of joined recordings with Debian's ffmpeg (apt-get install ffmpeg): `npm run
// probe:join`. The test suite reads joined files with its own second reader
// (test/telapi/join-simulator.test.js) so that `npm test` needs no system package; this script
// asks a real decoder. For MP3 and WAV: a call is recorded in three parts on the simulator, the
// parts joined, and the joined file decoded whole by ffmpeg (no error may be printed) and its
// duration read by ffprobe and from the decoded samples; each must match the join's duration
// (MP3 within one frame). Exits 1 on a difference, 2 when ffprobe or ffmpeg is missing.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DEMO_CALL_SIDS } = require('@telapi-nodes/telapi-simulator');
const { joinSegments } = require('../dist/telapi');
const { closeAll, startSim } = require('../simulator/test/helpers');
const { PARTS_TIME_SCALE, steppedClock, recordInParts, mediaBytes } = require('../test/support/call-segments');

const MP3_FRAME_SECONDS = 576 / 16000;

function tool(name) {
  const found = spawnSync(name, ['-version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    console.error(`${name} was not found: install Debian's ffmpeg (apt-get install ffmpeg), or read test/telapi/join-simulator.test.js, which needs none`);
    process.exit(2);
  }
  return found.stdout.split('\n')[0];
}

/** ffmpeg decodes the whole file to 16-bit PCM: what it prints on stderr at level "error", and how many seconds it decoded. */
function decode(file) {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-acodec', 'pcm_s16le', '-'], { maxBuffer: 1 << 30 });
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels,codec_name:format=duration', '-of', 'json', file], { encoding: 'utf8' }));
  const stream = probe.streams[0];
  const decodedSeconds = run.stdout.length / 2 / stream.channels / Number(stream.sample_rate);
  return { errors: run.stderr.toString('utf8').trim(), codec: stream.codec_name, probedSeconds: Number(probe.format.duration), decodedSeconds };
}

async function main() {
  console.log(`== ${tool('ffprobe')}`);
  tool('ffmpeg');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-probe-join-'));
  let failed = false;
  try {
    for (const format of ['mp3', 'wav']) {
      const clock = steppedClock();
      const sim = await startSim({ now: clock.now, timeScale: PARTS_TIME_SCALE });
      const recordings = await recordInParts(sim, clock, DEMO_CALL_SIDS.inbound, format);
      const parts = await Promise.all(recordings.map((recording) => mediaBytes(recording.recording_url)));
      const joined = joinSegments(parts, { labels: recordings.map((recording) => recording.sid) });
      const file = path.join(dir, `joined.${format}`);
      fs.writeFileSync(file, joined.bytes);
      const partSeconds = parts.map((part, index) => {
        const partFile = path.join(dir, `part${index}.${format}`);
        fs.writeFileSync(partFile, part);
        return decode(partFile).decodedSeconds;
      });
      const result = decode(file);
      const tolerance = format === 'mp3' ? MP3_FRAME_SECONDS : 1e-6;
      const sum = partSeconds.reduce((total, seconds) => total + seconds, 0);
      const checks = [
        ['ffmpeg printed no error', result.errors === ''],
        [`ffprobe: ${result.probedSeconds} s`, Math.abs(result.probedSeconds - joined.durationSeconds) <= tolerance],
        [`decoded: ${result.decodedSeconds} s`, Math.abs(result.decodedSeconds - joined.durationSeconds) <= tolerance],
        [`the parts decoded alone: ${partSeconds.join(' + ')} = ${sum} s`, Math.abs(sum - joined.durationSeconds) <= tolerance],
      ];
      console.log(`== ${format}: ${recordings.length} parts (${recordings.map((r) => `${r.duration} s`).join(', ')}), joined ${joined.bytes.length} bytes, ${joined.durationSeconds} s (${result.codec})`);
      for (const [label, ok] of checks) {
        console.log(`   ${ok ? 'ok  ' : 'FAIL'} ${label}`);
        failed ||= !ok;
      }
      if (result.errors) console.log(result.errors);
      await closeAll();
    }
  } finally {
    await closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
