'use strict';
// npm run bench -- --count: the instructions the Node-RED process spends per message, counted by
// valgrind's callgrind (a count, not a time: the machine's load does not move it).
//
// Each variant gets a fresh Node-RED (the package installed as the timed bench installs it) under
// callgrind holding only that variant's nodes (bench/flows.js countFlows). Start-up, deploy and a
// warm-up run uncounted (instrumentation off); then two windows are counted (bench/callgrind.js),
// each after a full GC: SMALL and LARGE messages, and (LARGE window − SMALL window) / (LARGE − SMALL)
// is one message's cost. The TelAPI stand-in (the simulator, or the media server for the download)
// and the load generator run in other processes, not counted. The client's ways (bench/got-cost.js)
// run the same way, without Node-RED. Two counted processes run at a time (one per core).
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { runLoad } = require('./load');
const { countFlows } = require('./flows');
const { CountedProcess } = require('./callgrind');
const { countWays } = require('./got-cost');
const { startMediaServer, downloadFlows, SIDS, MB } = require('./download');
const { startProbedNodeRed } = require('../test/support/probed-node-red');
const { benchRequests } = require('./requests');

/** Messages per variant: a warm-up (uncounted), then the two counted windows. */
const PLAN = {
  concurrency: 16,
  record: { warmup: 600, small: 60, large: 360 },
  callback: { warmup: 1500, small: 150, large: 900 },
  download: { warmup: 4, small: 2, large: 8 },
  client: { warmup: 800, small: 100, large: 600, concurrency: 16 },
  parallel: 2,
};

/** The per-message settings of the Node-RED under count: nothing logged per message. */
const SETTINGS = { logging: { console: { level: 'info', metrics: false, audit: false } } };

/**
 * A fresh Node-RED under callgrind with `flows` deployed; `drive(count)` sends `count` messages.
 * Returns the instructions per message and the two windows.
 */
async function countNodeRed({ name, userDir, outDir, flows, drive, plan, log }) {
  const counted = new CountedProcess(outDir, name);
  // A user dir of its own (flows.json, settings.js), the installed node_modules shared.
  const ownDir = fs.mkdtempSync(path.join(outDir, `${name}-user-`));
  fs.writeFileSync(path.join(ownDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  fs.symlinkSync(path.join(userDir, 'node_modules'), path.join(ownDir, 'node_modules'), 'dir');
  const started = Date.now();
  const nodeRed = await startProbedNodeRed({ userDir: ownDir, settings: SETTINGS, wrapper: counted.wrapper(), startTimeoutMs: 300_000, logTimeoutMs: 180_000 });
  counted.pid = nodeRed.pid;
  try {
    await nodeRed.deploy(typeof flows === 'function' ? flows(nodeRed.url) : flows);
    const send = drive(nodeRed.url);
    await send(plan.warmup);
    await counted.instrument();
    const windowOf = async (count) => {
      await nodeRed.stats({ gc: true });
      return (await counted.window(() => send(count))).instructions;
    };
    const small = await windowOf(plan.small);
    const large = await windowOf(plan.large);
    const perMessage = Math.round((large - small) / (plan.large - plan.small));
    log(`${name}: ${(perMessage / 1e6).toFixed(3)} M instructions per message (${Math.round((Date.now() - started) / 1000)} s)`);
    return { perMessage, windows: [small, large] };
  } finally {
    await nodeRed.stop();
  }
}

/**
 * `count` requests at `concurrency` through the load generator; any error or non-200 fails the count.
 * Each call opens its own connections (an idle keep-alive socket would be closed by Node-RED between
 * windows): the same fixed cost in both windows, so it cancels.
 */
function loadDriver(url, concurrency, request) {
  return async (count) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      const result = await runLoad({ url, concurrency, count, request, agent });
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

/**
 * @param {{ userDir: string, stand: { url: string, accountSid: string, authToken: string, callSids: string[] }, log: Function }} o
 */
async function runCount({ userDir, stand, log, plan = PLAN }) {
  const startedAt = Date.now();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-count-'));
  const media = await startMediaServer({ small: 10 * MB });
  const { concurrency } = plan;
  const baseUrl = `${stand.url}/v1`;
  const account = (publicUrl) => ({ baseUrl, accountSid: stand.accountSid, authToken: stand.authToken, publicUrl });

  const nodeRedJob = (name, flows, drive, part) => () => countNodeRed({ name, userDir, outDir, flows, drive, plan: part, log });
  const record = (variant, route) => nodeRedJob(variant, (url) => countFlows(variant, account(url)),
    (url) => loadDriver(`${url}${route}`, concurrency, benchRequests(stand, url).recordRequest), plan.record);
  const callback = (variant) => nodeRedJob(variant, (url) => countFlows(variant, account(url)),
    (url) => loadDriver(url, concurrency, benchRequests(stand, url).callbackRequest(variant)), plan.callback);
  const downloadIds = (variant) => new Set(['dl-tab', 'dl-acc', ...(variant === 'node' ? ['in-node-small', 'sid-small', 'node-small', 'len-node-small', 'res-node-small']
    : ['in-diy-small', 'url-small', 'req-small', 'len-diy-small', 'res-diy-small'])]);
  const download = (variant) => nodeRedJob(`download-${variant}`, downloadFlows(media.url).filter((node) => downloadIds(variant).has(node.id)), (url) => async (count) => {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${url}/dl/${variant}/small`, { method: 'POST' });
      const text = await response.text();
      if (response.status !== 200 || Number(text) !== 10 * MB) throw new Error(`download ${variant}: ${response.status} ${text.slice(0, 200)}`);
    }
  }, plan.download);
  const client = () => countWays({ ways: ['got+options', 'client'], outDir, plan: plan.client, log });

  // The longest first, so the two lanes end together.
  const jobs = {
    diy: record('diy', '/bench/diy'),
    record: record('record', '/bench/node'),
    client,
    httpIn: callback('httpIn'),
    token: callback('token'),
    signature: callback('signature'),
    downloadDiy: download('diy'),
    downloadNode: download('node'),
  };
  let results;
  try {
    const values = await pool(Object.values(jobs), plan.parallel);
    results = Object.fromEntries(Object.keys(jobs).map((name, index) => [name, values[index]]));
  } finally {
    await media.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
  const r = results;
  return {
    unit: 'instructions (callgrind Ir, every thread) of the Node-RED process per message; the client: of a process sending with the client or with got',
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
    durationSec: Math.round((Date.now() - startedAt) / 1000),
  };
}

module.exports = { runCount, PLAN };
