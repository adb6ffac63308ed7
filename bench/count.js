'use strict';
// npm run bench -- --count: the instructions the Node-RED process spends per message, counted by
// valgrind's callgrind (a count, not a time: the machine's load does not move it).
//
// Each variant gets a fresh Node-RED (the package installed as the timed bench installs it) under
// callgrind (bench/callgrind.js), holding only that variant's nodes (bench/flows.js countFlows).
// Start-up, deploy and a warm-up run uncounted; then a settling window, a small and a large one are
// counted, each after a young-generation GC, and (large − small) / (large − small messages) is one
// message's cost. Messages go one at a time (a recording starts, a callback arrives: one per call
// event), so every run hands Node-RED the same work in the same order and the counts repeat. The
// TelAPI stand-in (the simulator, or the media server for the download) and the load generator run in
// other processes, not counted. The client's ways (bench/got-cost.js) run the same way, without
// Node-RED. Two counted processes run at a time (one per core).
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { runLoad } = require('./load');
const { countFlows } = require('./flows');
const { CountedProcess, COUNTED_NODE_OPTIONS, perMessage } = require('./callgrind');
const { countWays } = require('./got-cost');
const { startMediaServer, downloadFlows, MB } = require('./download');
const { benchRequests } = require('./requests');
const { startProbedNodeRed } = require('../test/support/probed-node-red');

/** Messages per part: a warm-up (uncounted), then the windows (perMessage in callgrind.js). */
const PLAN = {
  record: { warmup: 3000, settle: 800, small: 100, large: 800 },
  callback: { warmup: 5000, settle: 1500, small: 200, large: 1500 },
  // A major GC (V8 collecting the freed 10 MB Buffers, most of a download's instructions) falls into
  // a window or the next: one more or one less moves the per-file figure by its cost over the files
  // between the windows. With 14 files between them the ratio moved 7 % between runs, with 58 4 %,
  // with 98 6 % (bench/README.md). A full GC before each window instead lowers V8's next limit, and
  // the windows then hold more of them.
  download: { warmup: 4, settle: 2, small: 2, large: 60 },
  client: { warmup: 3000, settle: 800, small: 100, large: 800 },
  /** Counted processes at a time. */
  parallel: 2,
};

/** The per-message settings of the Node-RED under count: nothing logged per message. */
const SETTINGS = { logging: { console: { level: 'info', metrics: false, audit: false } } };

/**
 * A fresh Node-RED under callgrind with `flows(url)` deployed; `send(url)(count)` sends `count`
 * messages one at a time. Resolves with the instructions per message and the two windows.
 */
async function countNodeRed({ name, userDir, outDir, flows, send, plan, log, withoutGc = false }) {
  const counted = new CountedProcess(outDir, name, { withoutGc });
  // A user dir of its own (flows.json, settings.js), the installed node_modules shared.
  const ownDir = fs.mkdtempSync(path.join(outDir, `${name}-user-`));
  fs.writeFileSync(path.join(ownDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  fs.symlinkSync(path.join(userDir, 'node_modules'), path.join(ownDir, 'node_modules'), 'dir');
  const started = Date.now();
  const nodeRed = await startProbedNodeRed({
    userDir: ownDir, settings: SETTINGS, wrapper: counted.wrapper(), execArgv: COUNTED_NODE_OPTIONS, startTimeoutMs: 300_000, logTimeoutMs: 180_000,
  });
  counted.pid = nodeRed.pid;
  try {
    await nodeRed.deploy(flows(nodeRed.url));
    const sender = send(nodeRed.url);
    await sender(plan.warmup);
    const result = await perMessage(counted, plan, sender, () => nodeRed.stats({ gc: 'minor' }));
    log(`${name}: ${(result.perMessage / 1e6).toFixed(3)} M instructions per message (${Math.round((Date.now() - started) / 1000)} s)`);
    return result;
  } finally {
    await nodeRed.stop();
  }
}

/**
 * `count` requests one at a time through the load generator; any error or non-200 fails the count.
 * Each call opens its own connection (an idle keep-alive socket would be closed by Node-RED between
 * windows): the same fixed cost in every window, so it cancels.
 */
function loadSender(url, request) {
  return async (count) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const result = await runLoad({ url, concurrency: 1, count, request, agent });
      if (result.errors) throw new Error(`${url}: ${result.errors} of ${count} failed (${result.firstError})`);
    } finally {
      agent.destroy();
    }
  };
}

/** Runs `jobs` (async functions) `parallel` at a time; their results in order. */
async function pool(jobs, parallel) {
  const results = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  }));
  return results;
}

/** The download flows (bench/download.js) of one variant, the 10 MB file only. */
function downloadNodes(mediaUrl, variant) {
  const ids = new Set(['dl-tab', 'dl-acc', ...(variant === 'node'
    ? ['in-node-small', 'sid-small', 'node-small', 'len-node-small', 'res-node-small']
    : ['in-diy-small', 'url-small', 'req-small', 'len-diy-small', 'res-diy-small'])]);
  return downloadFlows(mediaUrl).filter((node) => ids.has(node.id));
}

/**
 * @param {object} o
 * @param {string} o.userDir the package installed (node_modules)
 * @param {{ url: string, accountSid: string, authToken: string, callSids: string[] }} o.stand the TelAPI stand-in
 * @param {(...parts: unknown[]) => void} o.log
 * @param {string[]} [o.only] these jobs alone (also the diagnostic ones); the result is then `{ only }`
 */
async function runCount({ userDir, stand, log, plan = PLAN, only }) {
  const startedAt = Date.now();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-count-'));
  const media = await startMediaServer({ small: 10 * MB });
  const account = (publicUrl) => ({ baseUrl: `${stand.url}/v1`, accountSid: stand.accountSid, authToken: stand.authToken, publicUrl });

  const nodeRedJob = (name, flows, send, part, options = {}) => () => countNodeRed({ name, userDir, outDir, flows, send, plan: part, log, ...options });
  const variantFlows = (variant) => (url) => countFlows(variant, account(url));
  const record = (variant, route) => nodeRedJob(variant, variantFlows(variant),
    (url) => loadSender(`${url}${route}`, benchRequests(stand, url).recordRequest), plan.record);
  const callback = (variant) => nodeRedJob(variant, variantFlows(variant),
    (url) => loadSender(url, benchRequests(stand, url).callbackRequest(variant)), plan.callback);
  const download = (variant, options = {}) => nodeRedJob(`download-${variant}`, () => downloadNodes(media.url, variant), (url) => async (count) => {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${url}/dl/${variant}/small`, { method: 'POST' });
      const text = await response.text();
      if (response.status !== 200 || Number(text) !== 10 * MB) throw new Error(`download ${variant}: ${response.status} ${text.slice(0, 200)}`);
    }
  }, plan.download, options);
  // The in-flow driver (bench/flows.js): one POST starts a loop inside Node-RED that sends `count`
  // messages, one at a time; no inbound HTTP request per message.
  const inFlow = (variant, route) => nodeRedJob(variant, variantFlows(variant), (url) => async (count) => {
    const response = await fetch(`${url}${route}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: count, c: 1, callSids: stand.callSids }),
    });
    const result = await response.json();
    if (response.status !== 200 || result.errors) throw new Error(`${route}: ${response.status}, ${result.errors} errors`);
  }, plan.record);
  const client = () => countWays({ ways: ['got+options', 'client'], outDir, plan: plan.client, log });

  // The longest first, so that the two lanes end together.
  const jobs = {
    diy: record('diy', '/bench/diy'),
    record: record('record', '/bench/node'),
    httpIn: callback('httpIn'),
    token: callback('token'),
    signature: callback('signature'),
    client,
    downloadDiy: download('diy'),
    downloadNode: download('node'),
  };
  // Only with --only (they do not fit the run's 10 minutes): where the record variant's count goes.
  const extra = {
    hop: record('hop', '/bench/hop'),
    nodeInFlow: inFlow('nodeInFlow', '/drive/node'),
    diyInFlow: inFlow('diyInFlow', '/drive/diy'),
    // What a download costs besides V8's garbage collection, which is most of it (bench/README.md).
    downloadNodeWithoutGc: download('node', { withoutGc: true }),
    downloadDiyWithoutGc: download('diy', { withoutGc: true }),
  };
  const chosen = only ? Object.fromEntries(Object.entries({ ...jobs, ...extra }).filter(([name]) => only.includes(name))) : jobs;
  let results;
  try {
    const values = await pool(Object.values(chosen), plan.parallel);
    results = Object.fromEntries(Object.keys(chosen).map((name, index) => [name, values[index]]));
  } finally {
    await media.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  if (only) return { only: results };
  const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
  const r = results;
  return {
    unit: 'instructions (callgrind Ir) of the Node-RED process per message, one message at a time; the client: of a process sending with the client or with got',
    record: {
      ratioVsDiy: ratio(r.diy.perMessage, r.record.perMessage),
      perMessage: { node: r.record.perMessage, diy: r.diy.perMessage },
      windows: { node: r.record.windows, diy: r.diy.windows },
    },
    callback: {
      ratioVsHttpIn: ratio(r.httpIn.perMessage, r.token.perMessage),
      signature: { ratioVsHttpIn: ratio(r.httpIn.perMessage, r.signature.perMessage) },
      perMessage: { token: r.token.perMessage, signature: r.signature.perMessage, httpIn: r.httpIn.perMessage },
      windows: { token: r.token.windows, signature: r.signature.windows, httpIn: r.httpIn.windows },
    },
    client: {
      overRawGot: ratio(r.client.client.perRequest, r.client['got+options'].perRequest),
      perRequest: { client: r.client.client.perRequest, rawGot: r.client['got+options'].perRequest },
      windows: { client: r.client.client.windows, rawGot: r.client['got+options'].windows },
    },
    download: {
      ratioVsDiy: ratio(r.downloadDiy.perMessage, r.downloadNode.perMessage),
      perFile: { node: r.downloadNode.perMessage, diy: r.downloadDiy.perMessage },
      fileBytes: 10 * MB,
      windows: { node: r.downloadNode.windows, diy: r.downloadDiy.windows },
    },
    plan,
    nodeOptions: COUNTED_NODE_OPTIONS,
    durationSec: Math.round((Date.now() - startedAt) / 1000),
  };
}

module.exports = { runCount, PLAN };
