'use strict';
// The download benchmark: telapi-recordings (download) against the DIY flow a user writes without it
// (core http request node, binary return, the same authenticated media URL), side by side in one
// Node-RED, on one 10 MB file from a loopback media server; then a long recording (200 MB) to a file
// and into a Buffer, each in a fresh Node-RED (bench/long-download.js): the peak RSS growth of each.
const http = require('node:http');
const { startProbedNodeRed } = require('../test/support/probed-node-red');
const { runLongDownloadBench } = require('./long-download');

const MB = 1_000_000;
const ACCOUNT_SID = 'ACbe0c4b0000000000000000000000beef';
const AUTH_TOKEN = 'bench-download-auth-token-0123456';
const AUTHORIZATION = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
const SIDS = { small: `RE${'1'.repeat(32)}` };

/** The TelAPI side: GET of a Recording (JSON) and its media, both behind Basic auth, on one origin. */
async function startMediaServer(sizes) {
  const files = Object.fromEntries(Object.entries(sizes).map(([name, size]) => {
    const file = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4096) file[i] = i & 0xff;
    return [SIDS[name], file];
  }));
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== AUTHORIZATION) { res.writeHead(401); res.end(); return; }
    const recording = /\/Recordings\/(RE[0-9a-f]{32})\.json$/.exec(req.url);
    const media = /^\/media\/(RE[0-9a-f]{32})\.mp3$/.exec(req.url);
    const sid = recording?.[1] ?? media?.[1];
    if (!sid || !files[sid]) { res.writeHead(404); res.end(); return; }
    if (recording) {
      const { port } = server.address();
      const body = JSON.stringify({ sid, call_sid: `CA${'0'.repeat(32)}`, account_sid: ACCOUNT_SID, duration: '2600', recording_url: `http://127.0.0.1:${port}/media/${sid}.mp3` });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': files[sid].length });
    res.end(files[sid]);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

function downloadFlows(mediaUrl) {
  const z = 'dl-tab';
  let y = 40;
  const at = (node) => ({ x: 200, y: (y += 40), ...node });
  // One file, `small` (the node ids keep its name: bench/count.js picks them).
  const size = 'small';
  const length = "msg.payload = String(Buffer.isBuffer(msg.payload) ? msg.payload.length : -1);\nmsg.statusCode = 200;\nreturn msg;";
  return [
    { id: z, type: 'tab', label: 'download bench' },
    { id: 'dl-acc', type: 'telapi-account', name: 'bench', baseUrl: `${mediaUrl}/v1`, publicUrl: '', timeout: 60, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
    // The node: the recording's SID in, the file as a Buffer out.
    at({ id: `in-node-${size}`, type: 'http in', z, url: `/dl/node/${size}`, method: 'post', upload: false, wires: [[`sid-${size}`]] }),
    at({ id: `sid-${size}`, type: 'change', z, rules: [{ t: 'set', p: 'recordingSid', pt: 'msg', to: SIDS[size], tot: 'str' }], wires: [[`node-${size}`]] }),
    at({ id: `node-${size}`, type: 'telapi-recordings', z, account: 'dl-acc', operation: 'download', maxRecordings: 1000, maxBytes: 60 * MB, transcribeQuality: 'auto', transcribeCallback: '', wires: [[`len-node-${size}`]] }),
    at({ id: `len-node-${size}`, type: 'function', z, func: length, outputs: 1, libs: [], wires: [[`res-node-${size}`]] }),
    at({ id: `res-node-${size}`, type: 'http response', z, statusCode: '', headers: {}, wires: [] }),
    // DIY: the same authenticated media URL with the core http request node, binary return.
    at({ id: `in-diy-${size}`, type: 'http in', z, url: `/dl/diy/${size}`, method: 'post', upload: false, wires: [[`url-${size}`]] }),
    at({ id: `url-${size}`, type: 'change', z, rules: [
      { t: 'set', p: 'url', pt: 'msg', to: `${mediaUrl}/media/${SIDS[size]}.mp3`, tot: 'str' },
      { t: 'set', p: 'headers', pt: 'msg', to: JSON.stringify({ authorization: AUTHORIZATION }), tot: 'json' },
    ], wires: [[`req-${size}`]] }),
    at({ id: `req-${size}`, type: 'http request', z, method: 'GET', ret: 'bin', paytoqs: 'ignore', url: '', persist: true, authType: '', senderr: false, headers: [], wires: [[`len-diy-${size}`]] }),
    at({ id: `len-diy-${size}`, type: 'function', z, func: length, outputs: 1, libs: [], wires: [[`res-diy-${size}`]] }),
    at({ id: `res-diy-${size}`, type: 'http response', z, statusCode: '', headers: {}, wires: [] }),
  ];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round2 = (x) => Math.round(x * 100) / 100;

/**
 * @param {{ userDir: string, quick: boolean, log: (...parts: unknown[]) => void }} options
 */
async function runDownloadBench({ userDir, quick, log }) {
  const plan = { rounds: quick ? 5 : 9, filesPerSlice: quick ? 4 : 8, smallBytes: 10 * MB };
  const media = await startMediaServer({ small: plan.smallBytes });
  let nodeRed;
  try {
    nodeRed = await startProbedNodeRed({ userDir, settings: { logging: { console: { level: 'info', metrics: false, audit: false } } } });
    await nodeRed.deploy(downloadFlows(media.url));
    const fetchOne = async (variant, size) => {
      const response = await fetch(`${nodeRed.url}/dl/${variant}/${size}`, { method: 'POST' });
      const text = await response.text();
      if (response.status !== 200 || Number(text) !== plan.smallBytes) throw new Error(`${variant} ${size}: ${response.status} ${text.slice(0, 200)}`);
    };
    for (const variant of ['node', 'diy']) for (let i = 0; i < 2; i++) await fetchOne(variant, 'small');
    log('download: both variants deliver the 10 MB file; measuring');

    // Files per second, sequential (one download at a time), alternating which variant goes first.
    const rates = { node: [], diy: [] };
    for (let round = 0; round < plan.rounds; round++) {
      for (const variant of round % 2 ? ['diy', 'node'] : ['node', 'diy']) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < plan.filesPerSlice; i++) await fetchOne(variant, 'small');
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        rates[variant].push(plan.filesPerSlice / seconds);
      }
    }
    const paired = median(rates.node.map((rate, i) => rate / rates.diy[i]));

    return {
      ratioVsDiy: round2(median(rates.node) / median(rates.diy)),
      pairedRatio: round2(paired),
      filesPerSec: { node: round2(median(rates.node)), diy: round2(median(rates.diy)) },
      perRound: { node: rates.node.map(round2), diy: rates.diy.map(round2) },
      fileBytes: plan.smallBytes,
      plan,
      method: 'sequential downloads through http in -> (telapi-recordings download | http request binary) -> http response of the length; ' +
        'rounds alternate which variant goes first',
    };
  } finally {
    if (nodeRed) await nodeRed.stop();
    await media.close();
  }
}

/**
 * The download comparison, then the long recording's memory (bench/long-download.js), after the
 * comparison's Node-RED has stopped: `toFile` and `toBuffer` ({ peakRssGrowthMb, rssBeforeMb }),
 * `bufferOverFile` (the Buffer mode's growth over the file's size) and `longFileBytes`.
 */
async function runDownloadBenches({ userDir, quick, log }) {
  const comparison = await runDownloadBench({ userDir, quick, log });
  const long = await runLongDownloadBench({ log });
  return { ...comparison, longFileBytes: long.fileBytes, toFile: long.toFile, toBuffer: long.toBuffer, bufferOverFile: long.bufferOverFile };
}

module.exports = { runDownloadBenches, startMediaServer, downloadFlows, MB };
