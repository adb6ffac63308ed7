'use strict';
// A long recording (200 MB, a WAV the simulator produces and streams as it goes) downloaded by the
// recordings node, once to a file (`folder`) and once into a Buffer, each in a fresh Node-RED holding
// only that node, so that neither finds memory an earlier download freed: Node-RED's resident memory
// before the download (after a one-byte warm-up and a settled pause) against its peak during it,
// sampled from /proc every 5 ms. A download that holds the file shows at least the file's size.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { startNodeRed, userDirWithPackage } = require('../test/support/node-red-process');

const MB = 1_000_000;
/** 8 kHz 16-bit mono WAV: 16,000 bytes a second (simulator/README.md). */
const WAV_BYTES_PER_SECOND = 16_000;

/** Resident memory of a process now, in bytes (Linux). */
const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

function flows(simulatorUrl, mode, folder, sids) {
  const z = 'long-download';
  return [
    { id: z, type: 'tab', label: 'long download' },
    { id: 'acc', type: 'telapi-account', name: 'simulator', baseUrl: `${simulatorUrl}/v2`, publicUrl: '', timeout: 120,
      credentials: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } },
    ...Object.entries(sids).map(([size, sid]) => ({ id: `go-${size}`, type: 'inject', z, props: [{ p: 'recordingSid', v: sid, vt: 'str' }], repeat: '', once: false, wires: [['dl']] })),
    { id: 'dl', type: 'telapi-recordings', z, account: 'acc', operation: 'download', maxRecordings: 1000, maxBytes: 400 * MB,
      transcribeQuality: 'auto', transcribeCallback: '', folder: mode === 'file' ? folder : '', wires: [['done']] },
    { id: 'done', type: 'function', z, outputs: 0, libs: [], func: "node.warn('DONE ' + (Buffer.isBuffer(msg.payload) ? msg.payload.length : fs.statSync(msg.payload).size));\nreturn null;" },
    { id: 'catch', type: 'catch', z, scope: null, uncaught: false, wires: [['failed']] },
    { id: 'failed', type: 'function', z, outputs: 0, libs: [], func: "node.warn('FAILED ' + msg.error.message);\nreturn null;" },
  ].map((node) => (node.id === 'done' ? { ...node, libs: [{ var: 'fs', module: 'fs' }] } : node));
}

/** One mode in a fresh Node-RED: its peak RSS growth over RSS before, in MB, and the bytes it got. */
async function measureMode(mode, simulator, sids, fileBytes) {
  const userDir = userDirWithPackage();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-long-dl-'));
  const nodeRed = await startNodeRed({ userDir, settings: { functionExternalModules: true } });
  try {
    await nodeRed.deploy(flows(simulator.url, mode, folder, sids));
    const results = () => nodeRed.log.split('\n').filter((line) => / DONE | FAILED /.test(line));
    const run = async (size) => {
      const count = results().length;
      await nodeRed.adminRequest('POST', `/inject/go-${size}`);
      const until = Date.now() + 300_000;
      while (results().length === count) {
        if (Date.now() > until) throw new Error(`${mode}: the ${size} download never ended`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const line = results()[count];
      if (!/ DONE /.test(line)) throw new Error(`${mode} ${size}: ${line}`);
      return Number(line.slice(line.indexOf(' DONE ') + 6));
    };
    await run('small');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = rssOf(nodeRed.pid);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssOf(nodeRed.pid));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const bytes = await run('long');
    sampling = false;
    await sampler;
    if (bytes !== fileBytes) throw new Error(`${mode}: got ${bytes} bytes of ${fileBytes}`);
    return { peakRssGrowthMb: Math.round((peak - before) / MB * 10) / 10, rssBeforeMb: Math.round(before / MB) };
  } finally {
    await nodeRed.stop();
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

/**
 * @param {{ log: (...parts: unknown[]) => void, fileMb?: number }} options
 * @returns {Promise<{ fileBytes: number, toFile: object, toBuffer: object, bufferOverFile: number }>}
 */
async function runLongDownloadBench({ log, fileMb = 200 }) {
  const seconds = Math.round((fileMb * MB) / WAV_BYTES_PER_SECOND);
  const simulator = await startSimulator({ demoCalls: false });
  try {
    const [long] = simulator.seedRecordings({ count: 1, duration: seconds, fileFormat: 'wav' });
    const [small] = simulator.seedRecordings({ count: 1, callSid: long.callSid, duration: 1, fileFormat: 'wav' });
    // A RIFF header of 44 bytes, then the samples.
    const fileBytes = 44 + seconds * WAV_BYTES_PER_SECOND;
    log(`long download: a ${(fileBytes / MB).toFixed(1)} MB WAV (${seconds} s), to a file and into a Buffer, each in a fresh Node-RED`);
    const sids = { small: small.sid, long: long.sid };
    const toFile = await measureMode('file', simulator, sids, fileBytes);
    const toBuffer = await measureMode('buffer', simulator, sids, fileBytes);
    return { fileBytes, toFile, toBuffer, bufferOverFile: Math.round((toBuffer.peakRssGrowthMb * MB / fileBytes) * 100) / 100 };
  } finally {
    await simulator.close();
  }
}

module.exports = { runLongDownloadBench };

if (require.main === module) {
  runLongDownloadBench({ log: console.log }).then((result) => console.log(JSON.stringify(result, null, 2)), (error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
