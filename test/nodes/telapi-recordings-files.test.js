'use strict';
// The recordings node's join operation (a call recorded in parts, one file) and its file mode
// (download and join written to a folder under a temporary name, renamed when complete; a failure
// leaves no file), against the simulator and a stand-in media host.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS, MP3_SAMPLE_RATE } = require('@telapi-nodes/telapi-simulator');
const { startSim, closeAll } = require('../../simulator/test/helpers');
const { PARTS_TIME_SCALE, steppedClock, recordInParts } = require('../support/call-segments');
const { mp3Seconds, strictMp3Frames, strictWav } = require('../support/audio-files');
const { joinSegments } = require('../../dist/telapi');

const accountNode = require('../../nodes/telapi-account.js');
const recordingsNode = withCatalog(require('../../nodes/telapi-recordings.js'));
const CREDENTIALS = { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } };
const CALL = DEMO_CALL_SIDS.inbound;

describe('telapi-recordings node: join, and files in a folder', function () {
  this.timeout(30_000);
  let sim;
  let clock;
  let dir;

  before(async () => {
    clock = steppedClock();
    sim = await startSim({ timeScale: PARTS_TIME_SCALE, now: clock.now, mediaHostName: 'localhost' });
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await closeAll();
  });
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-files-')); });
  afterEach(async () => {
    await helper.unload();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(props, baseUrl = `${sim.url}/v1`) {
    await helper.load([accountNode, recordingsNode], [
      { id: 'account', type: 'telapi-account', baseUrl, publicUrl: 'https://nr.example.com', timeout: 5 },
      { id: 'recs', type: 'telapi-recordings', account: 'account', wires: [['out']], z: 'f', ...props },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'f', type: 'tab' },
    ], CREDENTIALS);
    const seen = { out: [], errors: [] };
    helper.getNode('out').on('input', (msg) => seen.out.push(msg));
    helper.getNode('recs').on('call:error', (call) => seen.errors.push(call.args[0]));
    return seen;
  }
  const until = async (predicate) => { while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10)); };
  const send = async (seen, msg) => {
    const before = seen.out.length + seen.errors.length;
    helper.getNode('recs').receive(msg);
    await until(() => seen.out.length + seen.errors.length > before);
    return { out: seen.out.at(-1), error: seen.errors.at(-1) };
  };
  const leftovers = () => fs.readdirSync(dir, { recursive: true }).filter((name) => String(name).includes('.part'));

  it('join: the call\'s three MP3 parts, oldest first, as one Buffer of their frames, with msg.segments', async () => {
    const parts = await recordInParts(sim, clock, CALL, 'mp3');
    const seen = await load({ operation: 'join' });
    const { out } = await send(seen, { callSid: CALL });
    assert.ok(Buffer.isBuffer(out.payload));
    assert.equal(out.contentType, 'audio/mpeg');
    assert.equal(out.filename, `${CALL}.mp3`);
    assert.deepEqual(out.segments.map((s) => s.sid), parts.map((p) => p.sid), 'oldest first');
    // Only the parts' audio frames, in order: as many as the parts have, and their summed duration.
    const media = await Promise.all(parts.map(async (p) => Buffer.from(await (await fetch(p.recording_url)).arrayBuffer())));
    assert.equal(strictMp3Frames(out.payload).length, media.reduce((sum, part) => sum + strictMp3Frames(part).length, 0));
    const sum = media.reduce((total, part) => total + mp3Seconds(part), 0);
    assert.ok(Math.abs(mp3Seconds(out.payload) - sum) <= 576 / MP3_SAMPLE_RATE, `${mp3Seconds(out.payload)} s for ${sum} s of parts`);
  });

  it('join in file mode: the WAV file in the folder, its header with the summed sizes, no temporary file left', async () => {
    const call = sim.createCall().sid;
    const parts = await recordInParts(sim, clock, call, 'wav');
    const seen = await load({ operation: 'join', folder: dir });
    const { out } = await send(seen, { callSid: call });
    assert.equal(out.payload, path.join(dir, `${call}.wav`));
    assert.equal(out.filename, out.payload);
    assert.equal(out.contentType, 'audio/wav');
    const written = fs.readFileSync(out.payload);
    const parsed = strictWav(written);
    const expectedSeconds = parts.reduce((sum, p) => sum + Number(p.duration), 0);
    assert.ok(Math.abs(parsed.seconds - expectedSeconds) <= 1, `${parsed.seconds} s for ${expectedSeconds} s of parts`);
    const media = await Promise.all(parts.map(async (p) => Buffer.from(await (await fetch(p.recording_url)).arrayBuffer())));
    assert.ok(written.equals(joinSegments(media).bytes), 'the same bytes as a join in memory');
    assert.ok(parsed.data.length > 0);
    assert.deepEqual(leftovers(), []);
  });

  it('join refuses a call without recordings, and a message without a call, at Catch', async () => {
    const seen = await load({ operation: 'join' });
    const none = await send(seen, { callSid: sim.createCall().sid });
    assert.match(none.error.message, /^The call has no recordings to join; nothing was output$/);
    const noCall = await send(seen, {});
    assert.equal(noCall.error.message, 'Invalid callSid: it is required');
  });

  it('download in file mode: msg.filename names the file in the folder, the output holds its path and no Buffer', async () => {
    const [part] = await recordInParts(sim, clock, sim.createCall().sid, 'mp3', 1);
    const seen = await load({ operation: 'download', folder: dir });
    const { out } = await send(seen, { recordingSid: part.sid, filename: 'calls/today.mp3' });
    assert.equal(out.payload, path.join(dir, 'calls', 'today.mp3'));
    assert.equal(out.filename, out.payload);
    assert.equal(out.recording.sid, part.sid);
    const media = Buffer.from(await (await fetch(part.recording_url)).arrayBuffer());
    assert.ok(fs.readFileSync(out.payload).equals(media));
    const byDefault = await send(seen, { recordingSid: part.sid });
    assert.equal(byDefault.out.payload, path.join(dir, `${part.sid}.mp3`));
    assert.deepEqual(leftovers(), []);
  });

  it('a msg.filename that leads out of the folder is refused before any request', async () => {
    const seen = await load({ operation: 'download', folder: dir });
    for (const filename of ['../escape.mp3', '/etc/passwd', '']) {
      if (filename === '') continue;
      const { error } = await send(seen, { recordingSid: `RE${'0'.repeat(32)}`, filename });
      assert.equal(error.message, `Invalid filename: must be a file name within the folder ${dir}`);
    }
  });

  it('a msg.filename that is not a string is refused before any request, with or without a folder', async () => {
    const [part] = await recordInParts(sim, clock, sim.createCall().sid, 'mp3', 1);
    for (const [props, msg] of [
      [{ operation: 'download' }, { recordingSid: part.sid }],
      [{ operation: 'download', folder: dir }, { recordingSid: part.sid }],
      [{ operation: 'join' }, { callSid: part.call_sid }],
    ]) {
      const seen = await load(props);
      sim.clearRequests();
      const { error } = await send(seen, { ...msg, filename: 42 });
      assert.equal(error.message, 'Invalid filename: must be of type string', JSON.stringify(props));
      assert.deepEqual(sim.requests(), [], `nothing sent (${JSON.stringify(props)})`);
      await helper.unload();
    }
  });

  it('a msg.filename through a symbolic link that leads out of the folder is refused before any request, and nothing is written', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-outside-'));
    try {
      fs.symlinkSync(outside, path.join(dir, 'link'), 'dir');
      const [part] = await recordInParts(sim, clock, sim.createCall().sid, 'mp3', 1);
      const seen = await load({ operation: 'download', folder: dir });
      for (const filename of ['link/escape.mp3', 'link/deeper/escape.mp3', 'link']) {
        const { error } = await send(seen, { recordingSid: part.sid, filename });
        assert.equal(error.message, `Invalid filename: must be a file name within the folder ${dir}`, filename);
      }
      assert.deepEqual(fs.readdirSync(outside), []);
      assert.deepEqual(leftovers(), []);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  describe('a download that fails leaves no file', function () {
    let media;
    let answer;
    before(async () => {
      media = http.createServer((req, res) => answer(req, res));
      await new Promise((resolve) => media.listen(0, '127.0.0.1', resolve));
    });
    after(() => new Promise((resolve) => media.close(resolve)));

    /** A TelAPI stand-in whose Recording points at the media server above. */
    async function telapiFor(recordingUrl) {
      const api = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `RE${'1'.repeat(32)}`, call_sid: `CA${'1'.repeat(32)}`, recording_url: recordingUrl }));
      });
      await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
      return api;
    }

    for (const [name, serve, expected] of [
      ['cut off', (req, res) => { res.writeHead(200, { 'content-length': 100_000 }); res.write(Buffer.alloc(30_000)); setTimeout(() => res.socket.destroy(), 20); }, /cut off/],
      ['over maxBytes', (req, res) => { res.writeHead(200); res.write(Buffer.alloc(60_000)); res.end(Buffer.alloc(60_000)); }, /larger than the limit of 100000 bytes/],
    ]) {
      it(`${name}: an error at Catch, and nothing in the folder`, async () => {
        answer = serve;
        const api = await telapiFor(`http://127.0.0.1:${media.address().port}/file.mp3`);
        try {
          const seen = await load({ operation: 'download', folder: dir, maxBytes: 100_000 }, `http://127.0.0.1:${api.address().port}/v2`);
          const { error } = await send(seen, { recordingSid: `RE${'1'.repeat(32)}` });
          assert.match(error.message, expected);
          assert.deepEqual(fs.readdirSync(dir), [], 'no file, no temporary file');
        } finally {
          await new Promise((resolve) => api.close(resolve));
        }
      });
    }
  });
});
