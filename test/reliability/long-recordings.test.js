'use strict';
// Long recordings on small machines: a 200 MB recording downloaded to a file in a real Node-RED
// raises its resident memory by a constant that does not grow with the file, where the Buffer mode
// holds the whole file. The constant is Node's own: the socket's 64 KiB read buffers wait for a
// garbage collection, which V8 starts once enough of them are pending, so a bare http.get piped into
// fs.createWriteStream peaks some 40 to 70 MiB higher over its first large files, then not again.
// How much depends on when the collections run and on the heap around them (a Node-RED on Node 24
// waits longer than a bare Node process: 64-65 MiB against 44-45 for the same pipeline), so the
// yardstick is that bare pipeline in a function node of a fresh Node-RED of the same version, on as
// many files, in the same run.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { until } = require('./helpers');

const ACCOUNT_SID = 'AC5ec2e75ec2e75ec2e75ec2e75ec2e75e';
const AUTH_TOKEN = 'Hs7Lw2Vb9Nx4Tk6Rm1Hc8Jd3Fp5Gs0Yq';
const RECORDING_SID = 'RE0123456789abcdef0123456789abcdef';
const MB = 1024 * 1024;
const FILE_BYTES = 200 * MB;
/** 600 MB in all: memory that grew with the files would show. */
const DOWNLOADS = 3;

/** The resident memory high-water mark of a process, in MiB (Linux). */
const peakRssMiB = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** A TelAPI stand-in whose Recording's media is `bytes` long, streamed as fast as the client reads it. */
async function startLongRecordingServer(bytes) {
  const chunk = Buffer.alloc(64 * 1024, 0x55);
  const server = http.createServer((req, res) => {
    if (req.url.endsWith('.json')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: RECORDING_SID, call_sid: `CA${'1'.repeat(32)}`, recording_url: `http://127.0.0.1:${server.address().port}/media/${RECORDING_SID}.wav` }));
      return;
    }
    const total = bytes;
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': total });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!res.write(piece)) return;
      }
      res.end();
    };
    res.on('drain', pump);
    pump();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

/**
 * The same downloads by a bare pipeline (http.get piped into fs.createWriteStream) in a function node
 * of a fresh Node-RED, after a one-byte warm-up: its peak RSS growth in MiB.
 */
async function bareDownloadGrowth(bigUrl, smallUrl, file) {
  const nodeRed = await startNodeRed({ userDir: userDirWithPackage(), settings: { functionExternalModules: true } });
  try {
    const func = `http.get(msg.payload, (res) => res.pipe(fs.createWriteStream(${JSON.stringify(file)})).on('finish', () => node.warn('BARE ' + msg.payload)));
return null;`;
    await nodeRed.deploy([
      { id: 'bare', type: 'tab' },
      ...[['small', smallUrl], ['big', bigUrl]].map(([id, url]) => ({ id, type: 'inject', z: 'bare', props: [{ p: 'payload', v: url, vt: 'str' }], repeat: '', once: false, wires: [['get']] })),
      { id: 'get', type: 'function', z: 'bare', outputs: 0, libs: [{ var: 'http', module: 'http' }, { var: 'fs', module: 'fs' }], func },
    ]);
    const get = async (id, url) => {
      const done = () => nodeRed.log.split(`BARE ${url}`).length - 1;
      const count = done();
      await nodeRed.adminRequest('POST', `/inject/${id}`);
      await until(() => done() > count, { timeoutMs: 150_000, everyMs: 100 });
    };
    await get('small', smallUrl);
    const before = peakRssMiB(nodeRed.pid);
    for (let i = 0; i < DOWNLOADS; i += 1) await get('big', bigUrl);
    return peakRssMiB(nodeRed.pid) - before;
  } finally {
    await nodeRed.stop();
  }
}

describe('long recordings: a 200 MB download to a file in constant memory', function () {
  this.timeout(180_000);
  let nodeRed;
  const servers = {};
  let folder;

  before(async () => {
    for (const bytes of [1, FILE_BYTES]) servers[bytes] = await startLongRecordingServer(bytes);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-long-'));
    nodeRed = await startNodeRed({ userDir: userDirWithPackage() });
    const z = 'long';
    const inject = (id, bytes) => ({ id, type: 'inject', z, props: [{ p: 'recordingSid', v: RECORDING_SID, vt: 'str' }], repeat: '', once: false, wires: [[`dl${bytes}`]] });
    await nodeRed.deploy([
      { id: z, type: 'tab' },
      // One TelAPI stand-in per size: a warm-up file of one byte, and the long one.
      ...[1, FILE_BYTES].flatMap((bytes) => [
        { id: `acc${bytes}`, type: 'telapi-account', baseUrl: `${servers[bytes].url}/v2`, publicUrl: '', timeout: 30,
          credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        inject(`go${bytes}`, bytes),
        { id: `dl${bytes}`, type: 'telapi-recordings', z, account: `acc${bytes}`, operation: 'download', folder, maxBytes: 300 * MB, wires: [['done']] },
      ]),
      { id: 'done', type: 'function', z, outputs: 0, libs: [], func: "node.warn('DONE ' + JSON.stringify({ payload: msg.payload, isBuffer: Buffer.isBuffer(msg.payload) }));\nreturn null;" },
      { id: 'catchAll', type: 'catch', z, scope: null, uncaught: false, wires: [['failed']] },
      { id: 'failed', type: 'function', z, outputs: 0, libs: [], func: "node.warn('FAILED ' + msg.error.message);\nreturn null;" },
    ]);
  });
  after(async () => {
    await nodeRed?.stop();
    for (const server of Object.values(servers)) await server.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const results = () => nodeRed.log.split('\n').filter((line) => / DONE | FAILED /.test(line));

  /** Downloads the 200 MB file once more; resolves with the peak RSS growth it caused, in MiB. */
  async function bigDownload() {
    const before = peakRssMiB(nodeRed.pid);
    const count = results().length;
    await nodeRed.adminRequest('POST', `/inject/go${FILE_BYTES}`);
    await until(() => results().length > count, { timeoutMs: 150_000, everyMs: 200 });
    const line = results()[count];
    assert.match(line, / DONE /, line);
    const { payload, isBuffer } = JSON.parse(line.slice(line.indexOf(' DONE ') + 6));
    assert.equal(isBuffer, false, 'no Buffer');
    assert.equal(fs.statSync(payload).size, FILE_BYTES, 'the file is whole');
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.includes('.part')), []);
    return peakRssMiB(nodeRed.pid) - before;
  }

  it('raises Node-RED\'s peak RSS by no more than a bare download does, far below one file, however many files', async () => {
    // A one-byte download first, so what every download loads once (code, modules) is in the baseline.
    await nodeRed.adminRequest('POST', '/inject/go1');
    await until(() => results().length >= 1, { timeoutMs: 30_000 });
    const media = (bytes) => `${servers[bytes].url}/media/${RECORDING_SID}.wav`;
    const bare = await bareDownloadGrowth(media(FILE_BYTES), media(1), path.join(folder, 'bare.wav'));
    fs.rmSync(path.join(folder, 'bare.wav'));
    const growths = [];
    for (let i = 0; i < DOWNLOADS; i += 1) growths.push(await bigDownload());
    const total = growths.reduce((sum, growth) => sum + growth, 0);
    console.log(`      peak RSS growth over ${DOWNLOADS} downloads of ${FILE_BYTES / MB} MB to a file: ${total.toFixed(1)} MiB (${growths.map((g) => g.toFixed(1)).join(' + ')}); a bare http.get into a file in a function node: ${bare.toFixed(1)} MiB`);
    assert.ok(total <= Math.max(bare, 48) + 24, `Node-RED's peak grew by ${total.toFixed(1)} MiB, a bare download's by ${bare.toFixed(1)} MiB`);
  });
});
