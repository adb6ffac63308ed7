#!/usr/bin/env node
'use strict';
// npm run bench [-- --quick] [-- --profile] [-- --link]
//
// Side by side in one run, against one loopback TelAPI stand-in (the package's simulator, no latency,
// in its own process), with this package installed in a real Node-RED's user directory (a child
// process):
//   record    msgs/s and p50/p99 latency of telapi-record vs the DIY flow (function + http request)
//             vs a raw got keep-alive loop (got alone, no Node-RED, its own process)
//   callback  req/s of telapi-callback (token and signature modes) vs core http in + http response
//   memory    RSS growth of the Node-RED process over 100,000 record messages, measured after GC
//   download  files/s of telapi-recordings (download) vs the DIY flow (http request, binary) on one
//             10 MB file, and the peak RSS growth during a 50 MB download / file size (bench/download.js)
// Variants alternate within every round (A/B/C, B/C/A, …) so drift on a noisy machine hits them all.
// Writes bench/results.json and bench/results.svg and prints a table.
//
//   --quick    fewer rounds and messages per slice (under 3 minutes on 2 cores)
//   --profile  start Node-RED with --cpu-prof; the profile's top frames are printed at the end
//   --link     link the checkout into the user dir instead of `npm pack` + `npm install` (faster)
//   --only download   only the download comparison; its figures replace `download` in results.json
const { fork, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runLoad, percentile, closeAgents } = require('./load');
const { benchFlows } = require('./flows');
const { renderSvg } = require('./chart');
const { summariseProfile } = require('./profile-top');
const { runDownloadBenches } = require('./download');
const { runCount } = require('./count');
const { callgrindAvailable } = require('./callgrind');
const { startProbedNodeRed } = require('../test/support/probed-node-red');
const { userDirWithPackage, PACKAGE_NAME } = require('../test/support/node-red-process');
const { nodeRedPath } = require('../test/support/red');
const { benchRequests } = require('./requests');

const ROOT = path.join(__dirname, '..');
/** Where --profile writes (.tmp/ is git-ignored). */
const PROFILE_DIR = path.join(ROOT, '.tmp', 'bench-profiles');
const RESULTS_FILE = path.join(__dirname, 'results.json');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
/** --count: instructions per message under callgrind (bench/count.js) instead of timed runs. */
const COUNT = args.has('--count');
const PROFILE = args.has('--profile');
const LINK = args.has('--link') || [...args].some((a) => a.startsWith('--link='));
/** --link=<dir>: link another build of the package (an experiment) instead of this checkout. */
const LINK_DIR = [...args].find((a) => a.startsWith('--link='))?.slice('--link='.length);
/** --only=record|callback|<variant,…>: skip the other comparisons and the memory run (for profiling; no results file). */
const argv = process.argv.slice(2);
const ONLY = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);

const PLAN = QUICK
  ? {
      rounds: 5,
      record: { concurrency: [1, 16, 64], perSlice: { 1: 200, 16: 800, 64: 1200 }, warmup: 1000 },
      diyDefault: { concurrency: [16], perSlice: { 16: 600 } },
      callback: { concurrency: [16, 64], perSlice: { 16: 1000, 64: 1500 }, warmup: 1000 },
      memory: { messages: 100_000, warmup: 10_000, concurrency: 64, samples: 5 },
    }
  : {
      rounds: 7,
      record: { concurrency: [1, 16, 64], perSlice: { 1: 400, 16: 2000, 64: 3000 }, warmup: 3000 },
      diyDefault: { concurrency: [16, 64], perSlice: { 16: 1500, 64: 2000 } },
      callback: { concurrency: [1, 16, 64], perSlice: { 1: 500, 16: 2500, 64: 4000 }, warmup: 3000 },
      memory: { messages: 100_000, warmup: 20_000, concurrency: 64, samples: 10 },
    };

/** --rounds=N and --scale=X (messages per slice times X): for experiments. */
const option = (name) => [...args].find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (option('rounds')) PLAN.rounds = Number(option('rounds'));
if (option('scale')) {
  for (const part of [PLAN.record, PLAN.diyDefault, PLAN.callback]) {
    for (const c of Object.keys(part.perSlice)) part.perSlice[c] = Math.round(part.perSlice[c] * Number(option('scale')));
  }
}

const MiB = 1024 * 1024;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;
const round2 = (x) => Math.round(x * 100) / 100;
const log = (...parts) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);

/** A child process over IPC: resolves with its 'ready' message. */
function startChild(file, argv = []) {
  const child = fork(path.join(__dirname, file), argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (message) => (message.type === 'ready' ? resolve(message) : reject(new Error(JSON.stringify(message)))));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code})`)));
  });
  return { child, ready };
}

function ask(child, message) {
  return new Promise((resolve, reject) => {
    child.once('message', (reply) => (reply.type === 'result' ? resolve(reply.result) : reject(new Error(reply.message))));
    child.send(message);
  });
}

/** The package as a user gets it: npm pack, then npm install of the tarball into a user dir. */
function installedUserDir() {
  if (LINK_DIR) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-bench-'));
    const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.resolve(LINK_DIR), link, 'dir');
    return userDir;
  }
  if (LINK) return userDirWithPackage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-bench-'));
  const npm = (argv, cwd) => execFileSync('npm', [...argv, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT));
  const userDir = path.join(work, 'user');
  fs.mkdirSync(userDir);
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  npm(['install', '--prefer-offline', path.join(work, packed[0].filename)], userDir);
  if (!fs.existsSync(path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'), 'dist', 'nodes', 'record', 'telapi-record.js'))) {
    throw new Error('the packed package did not install');
  }
  return userDir;
}

/** The HTTP client the installed package sends with, and its version, as Node-RED resolves it. */
function clientLibrary(userDir) {
  const packageDir = fs.realpathSync(path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/')));
  for (const dir of [path.join(packageDir, 'node_modules'), path.join(userDir, 'node_modules'), path.join(ROOT, 'node_modules')]) {
    const manifest = path.join(dir, 'got', 'package.json');
    if (fs.existsSync(manifest)) return { library: 'got', version: JSON.parse(fs.readFileSync(manifest, 'utf8')).version };
  }
  throw new Error('got is not installed beside the package');
}

/** Accumulates slices of one variant at one concurrency. */
class Series {
  constructor() {
    this.count = 0;
    this.errors = 0;
    this.elapsedMs = 0;
    this.latencies = [];
    this.firstError = undefined;
    this.cpuMicros = 0;
    this.rates = [];
    this.simCpuMicros = 0;
    this.genCpuMicros = 0;
  }

  add(result) {
    this.count += result.count;
    this.errors += result.errors;
    this.elapsedMs += result.elapsedMs;
    this.latencies.push(...result.latenciesMs);
    this.firstError ??= result.firstError;
    this.cpuMicros += result.cpuMicros ?? NaN;
    this.rates.push((result.count / result.elapsedMs) * 1000);
    this.simCpuMicros += result.simCpuMicros ?? NaN;
    this.genCpuMicros += result.genCpuMicros ?? NaN;
  }

  summary() {
    return {
      messages: this.count,
      errors: this.errors,
      // The median of the rounds' rates: one slice hit by another process's burst does not move it.
      perSec: Math.round(median(this.rates)),
      perSecMean: Math.round((this.count / this.elapsedMs) * 1000),
      perRound: this.rates.map(Math.round),
      p50Ms: round2(percentile(this.latencies, 50)),
      p99Ms: round2(percentile(this.latencies, 99)),
      // CPU time of the process doing the work (Node-RED, or the raw got process) per message: robust to a busy machine.
      cpuUsPerMsg: Math.round(this.cpuMicros / this.count),
      simCpuUsPerMsg: Math.round(this.simCpuMicros / this.count),
      genCpuUsPerMsg: Math.round(this.genCpuMicros / this.count),
      ...(this.firstError ? { firstError: this.firstError } : {}),
    };
  }
}

async function main() {
  const startedAt = Date.now();
  const loadAtStart = os.loadavg()[0];
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'record', 'telapi-record.js'))) throw new Error('run `npm run build` first');

  log(`plan: ${QUICK ? 'quick' : 'full'}${PROFILE ? ', profiling Node-RED' : ''}`);
  if (ONLY === 'download') {
    const download = await runDownloadBenches({ userDir: installedUserDir(), quick: QUICK, log });
    const cpus = os.cpus();
    download.machine = `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, Node ${process.version}, 1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`;
    download.date = new Date().toISOString();
    download.mode = QUICK ? 'quick' : 'full';
    const ordered = writeResults({ ...readResults(), download });
    if (ordered.record && ordered.callback && ordered.memory) fs.writeFileSync(path.join(__dirname, 'results.svg'), renderSvg(ordered));
    console.log(downloadTable(download));
    return;
  }
  if (COUNT) return countMain(loadAtStart);
  const sim = startChild('sim-server.js', ['64']);
  const got = startChild('raw-got.js');
  const profileDir = PROFILE_DIR;
  if (PROFILE) fs.mkdirSync(profileDir, { recursive: true });
  let nodeRed;
  const results = { plan: PLAN };
  try {
    const userDir = installedUserDir();
    log(`package installed in ${userDir}${LINK ? ' (linked)' : ' (npm pack + npm install)'}`);
    results.client = clientLibrary(userDir);
    nodeRed = await startProbedNodeRed({
      userDir,
      // info: Node-RED logs nothing per message at this level, and "Server now running" is info.
      settings: { logging: { console: { level: 'info', metrics: false, audit: false } } },
      execArgv: PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    });
    const nodeRedPid = nodeRed.pid;
    process.once('exit', () => { try { process.kill(nodeRedPid, 'SIGKILL'); } catch { /* already gone */ } });
    const stand = await sim.ready;
    await got.ready;
    const baseUrl = `${stand.url}/v1`;
    const publicUrl = nodeRed.url;
    await nodeRed.deploy(benchFlows({ baseUrl, accountSid: stand.accountSid, authToken: stand.authToken, publicUrl }));
    await nodeRed.waitForLog((text) => /Started flows/.test(text));

    // Requests, made once: JSON bodies for the record paths, TelAPI's form for the callback paths.
    const callSids = stand.callSids;
    const { recordRequest, callbackRequest } = benchRequests(stand, publicUrl);
    const recordUrls = callSids.map((callSid) => `${baseUrl}/Accounts/${stand.accountSid}/Calls/${callSid}/Recordings.json`);
    const authorization = 'Basic ' + Buffer.from(`${stand.accountSid}:${stand.authToken}`).toString('base64');

    /** A load on Node-RED, with the CPU time the Node-RED process spent on it (from the probe). */
    const simCpu = async () => { const c = await ask(sim.child, { type: 'cpu' }); return c.user + c.system; };
    const ownCpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
    const onNodeRed = async (options) => {
      const [before, simBefore, ownBefore] = [(await nodeRed.stats()).cpu, await simCpu(), ownCpu()];
      const result = await runLoad(options);
      const [after, simAfter, ownAfter] = [(await nodeRed.stats()).cpu, await simCpu(), ownCpu()];
      return { ...result, cpuMicros: after.user + after.system - before.user - before.system, simCpuMicros: simAfter - simBefore, genCpuMicros: ownAfter - ownBefore };
    };
    const recordVariants = {
      node: (concurrency, count) => onNodeRed({ url: `${nodeRed.url}/bench/node`, concurrency, count, request: recordRequest }),
      diy: (concurrency, count) => onNodeRed({ url: `${nodeRed.url}/bench/diy`, concurrency, count, request: recordRequest }),
      rawGot: async (concurrency, count) => {
        const simBefore = await simCpu();
        const result = await ask(got.child, { type: 'run', urls: recordUrls, authorization, concurrency, count });
        return { ...result, simCpuMicros: (await simCpu()) - simBefore, genCpuMicros: 0 };
      },
    };
    /** The in-flow driver (flows.js): no inbound HTTP per message; timed inside Node-RED. */
    const inFlow = (variant) => async (concurrency, count) => {
      const [before, simBefore] = [(await nodeRed.stats()).cpu, await simCpu()];
      const response = await fetch(`${nodeRed.url}/drive/${variant}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: count, c: concurrency, callSids }),
      });
      if (response.status !== 200) throw new Error(`/drive/${variant}: ${response.status} ${await response.text()}`);
      const result = await response.json();
      const [after, simAfter] = [(await nodeRed.stats()).cpu, await simCpu()];
      return {
        count, errors: result.errors, firstError: result.errors ? 'an error or a non-200 answer in the flow' : undefined, elapsedMs: result.elapsedMs,
        latenciesMs: result.latencies, cpuMicros: after.user + after.system - before.user - before.system, simCpuMicros: simAfter - simBefore, genCpuMicros: 0,
      };
    };
    recordVariants.nodeInFlow = inFlow('node');
    recordVariants.diyInFlow = inFlow('diy');
    const diyDefault = (concurrency, count) => onNodeRed({ url: `${nodeRed.url}/bench/diy-default`, concurrency, count, request: recordRequest });
    const callbackVariants = {
      token: (concurrency, count) => onNodeRed({ url: nodeRed.url, concurrency, count, request: callbackRequest('token') }),
      signature: (concurrency, count) => onNodeRed({ url: nodeRed.url, concurrency, count, request: callbackRequest('signature') }),
      httpIn: (concurrency, count) => onNodeRed({ url: nodeRed.url, concurrency, count, request: callbackRequest('httpIn') }),
    };

    // Every variant must work before anything is measured.
    for (const [name, variant] of Object.entries({ ...recordVariants, diyDefault, ...callbackVariants })) {
      const check = await variant(2, 4);
      if (check.errors) throw new Error(`${name} does not work: ${check.firstError}`);
    }
    let memory;
    if (!ONLY) {
      // Memory first, in a fresh process (a later baseline would carry the RSS the comparisons left):
      // 100,000 messages through telapi-record (the in-flow driver: the node's own memory, no
      // inbound HTTP objects), after a warm-up that brings the process to its steady state; RSS after GC.
      const { messages, warmup: memoryWarmup, concurrency: memoryConcurrency, samples } = PLAN.memory;
      await recordVariants.nodeInFlow(memoryConcurrency, memoryWarmup);
      const before = await nodeRed.stats({ gc: true });
      if (!before.gcAvailable) throw new Error('Node-RED was started without --expose-gc');
      const trace = [{ messages: 0, rssMb: round1(before.memory.rss / MiB), heapUsedMb: round1(before.memory.heapUsed / MiB) }];
      let sent = 0;
      let memoryErrors = 0;
      for (let sample = 1; sample <= samples; sample++) {
        const count = Math.round((messages * sample) / samples) - sent;
        const result = await recordVariants.nodeInFlow(memoryConcurrency, count);
        memoryErrors += result.errors;
        sent += count;
        const stats = await nodeRed.stats({ gc: true });
        trace.push({ messages: sent, rssMb: round1(stats.memory.rss / MiB), heapUsedMb: round1(stats.memory.heapUsed / MiB) });
      }
      const after = await nodeRed.stats({ gc: true });
      log(`memory: ${sent} messages, rss ${trace[0].rssMb} -> ${round1(after.memory.rss / MiB)} MiB`);
      memory = { before, after, trace, sent, memoryErrors, memoryWarmup, memoryConcurrency };
    }
    log('all variants answer 200; warming up');
    // With --only=<variants>, only those run at all (so a profile shows nothing else).
    const wanted = (name) => !ONLY || ONLY === 'record' || ONLY === 'callback' || ONLY.split(',').includes(name);
    for (const [name, variant] of Object.entries({ ...recordVariants, diyDefault })) if (wanted(name) && ONLY !== 'callback') await variant(16, PLAN.record.warmup);
    for (const [name, variant] of Object.entries(callbackVariants)) if (wanted(name) && ONLY !== 'record') await variant(16, PLAN.callback.warmup);

    /** Rounds of slices; within a round the variants' order rotates, so each runs first, middle and last. */
    async function compare(label, variants, plan, extra = {}) {
      const names = Object.keys(variants);
      const series = {};
      for (let round = 0; round < PLAN.rounds; round++) {
        for (const concurrency of plan.concurrency) {
          const order = names.map((_, i) => names[(i + round) % names.length]);
          for (const name of order) {
            const result = await variants[name](concurrency, plan.perSlice[concurrency]);
            ((series[concurrency] ??= {})[name] ??= new Series()).add(result);
          }
          for (const [name, variant] of Object.entries(extra)) {
            if (!extra[name].concurrency.includes(concurrency)) continue;
            const result = await variant.run(concurrency, variant.perSlice[concurrency]);
            ((series[concurrency] ??= {})[name] ??= new Series()).add(result);
          }
        }
        log(`${label}: round ${round + 1}/${PLAN.rounds} done`);
      }
      const byConcurrency = {};
      for (const [concurrency, variantSeries] of Object.entries(series)) {
        byConcurrency[concurrency] = Object.fromEntries(Object.entries(variantSeries).map(([name, s]) => [name, s.summary()]));
      }
      return byConcurrency;
    }

    if (ONLY) {
      const pick = (variants) => Object.fromEntries(Object.entries(variants).filter(([name]) => ONLY.split(',').includes(name)));
      const only =
        ONLY === 'record' ? compare('record', recordVariants, PLAN.record)
          : ONLY === 'callback' ? compare('callback', callbackVariants, PLAN.callback)
            : Object.keys(pick(recordVariants)).length ? compare('record', pick(recordVariants), PLAN.record)
              : compare('callback', pick(callbackVariants), PLAN.callback);
      results.only = await only;
    } else {
    const recordDetail = await compare('record', recordVariants, PLAN.record, {
      diyDefault: { run: diyDefault, ...PLAN.diyDefault },
    });
    const callbackDetail = await compare('callback', callbackVariants, PLAN.callback);


    // Headline figures: the highest concurrency measured (the throughput limit of each stack).
    const topRecord = String(Math.max(...PLAN.record.concurrency));
    const topCallback = String(Math.max(...PLAN.callback.concurrency));
    const rec = recordDetail[topRecord];
    const cb = callbackDetail[topCallback];
    /** The median over rounds of a/b within each round (the two ran back to back). */
    const paired = (a, b) => round2(median(a.perRound.map((rate, i) => rate / b.perRound[i])));
    Object.assign(results, {
      record: {
        msgsPerSec: { node: rec.node.perSec, diy: rec.diy.perSec, rawGot: rec.rawGot.perSec },
        ratioVsDiy: round2(rec.node.perSec / rec.diy.perSec),
        p99Ms: { node: rec.node.p99Ms, diy: rec.diy.p99Ms, rawGot: rec.rawGot.p99Ms },
        p50Ms: { node: rec.node.p50Ms, diy: rec.diy.p50Ms, rawGot: rec.rawGot.p50Ms },
        pairedRatio: { vsDiy: paired(rec.node, rec.diy) },
        // Without the benchmark's own inbound HTTP hop per message (see bench/README.md): the honest
        // pair against the raw got loop, which has no inbound hop either.
        inFlow: {
          msgsPerSec: { node: rec.nodeInFlow.perSec, diy: rec.diyInFlow.perSec, rawGot: rec.rawGot.perSec },
          ratioVsDiy: round2(rec.nodeInFlow.perSec / rec.diyInFlow.perSec),
          ratioVsRawGot: round2(rec.nodeInFlow.perSec / rec.rawGot.perSec),
          pairedRatio: { vsDiy: paired(rec.nodeInFlow, rec.diyInFlow), vsRawGot: paired(rec.nodeInFlow, rec.rawGot) },
          p99Ms: { node: rec.nodeInFlow.p99Ms, diy: rec.diyInFlow.p99Ms, rawGot: rec.rawGot.p99Ms },
          // Node-RED's CPU per message (the whole runtime: driver, message passing, node, got) against
          // got's CPU per request in its own process.
          cpuUsPerMsg: { node: rec.nodeInFlow.cpuUsPerMsg, diy: rec.diyInFlow.cpuUsPerMsg, rawGot: rec.rawGot.cpuUsPerMsg },
          cpuRatioVsRawGot: round2(rec.nodeInFlow.cpuUsPerMsg / rec.rawGot.cpuUsPerMsg),
        },
        cpuUsPerMsg: { node: rec.node.cpuUsPerMsg, diy: rec.diy.cpuUsPerMsg, rawGot: rec.rawGot.cpuUsPerMsg },
        concurrency: Number(topRecord),
        byConcurrency: recordDetail,
      },
      callback: {
        reqPerSec: { node: cb.token.perSec, httpIn: cb.httpIn.perSec },
        ratioVsHttpIn: round2(cb.token.perSec / cb.httpIn.perSec),
        signature: { reqPerSec: cb.signature.perSec, ratioVsHttpIn: round2(cb.signature.perSec / cb.httpIn.perSec) },
        pairedRatio: { tokenVsHttpIn: paired(cb.token, cb.httpIn), signatureVsHttpIn: paired(cb.signature, cb.httpIn) },
        cpuUsPerMsg: { node: cb.token.cpuUsPerMsg, signature: cb.signature.cpuUsPerMsg, httpIn: cb.httpIn.cpuUsPerMsg },
        p99Ms: { node: cb.token.p99Ms, signature: cb.signature.p99Ms, httpIn: cb.httpIn.p99Ms },
        concurrency: Number(topCallback),
        byConcurrency: callbackDetail,
      },
      memory: {
        messages: memory.sent,
        rssGrowthMb: round1((memory.after.memory.rss - memory.before.memory.rss) / MiB),
        heapUsedGrowthMb: round1((memory.after.memory.heapUsed - memory.before.memory.heapUsed) / MiB),
        errors: memory.memoryErrors,
        unit: 'MiB, after two full GCs in the Node-RED process',
        driver: `in-flow driver, ${memory.memoryConcurrency} in flight, after ${memory.memoryWarmup} warm-up messages, before the comparisons`,
        trace: memory.trace,
        handlesBefore: memory.before.handles,
        handlesAfter: memory.after.handles,
      },
    });
    }
  } finally {
    closeAgents();
    if (nodeRed) await nodeRed.stop();
    for (const { child } of [got, sim]) if (child.connected) child.send({ type: 'exit' });
  }
  // Its own Node-RED, after the other one stopped: the RSS it measures carries nothing of theirs.
  if (!ONLY) results.download = await runDownloadBenches({ userDir: installedUserDir(), quick: QUICK, log });

  if (ONLY) {
    console.log(JSON.stringify(results.only, null, 1));
    printProfile();
    return;
  }
  const cpus = os.cpus();
  results.machine = `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, Node-RED ${require(path.join(nodeRedPath, 'package.json')).version}, ` +
    `1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`;
  results.date = new Date().toISOString();
  results.durationSec = Math.round((Date.now() - startedAt) / 1000);
  results.mode = QUICK ? 'quick' : 'full';
  results.installedAs = LINK ? 'linked checkout' : 'npm pack + npm install';

  // The counted figures (--count) stay beside the timed ones.
  const ordered = writeResults({ ...results, counted: readResults().counted });
  fs.writeFileSync(path.join(__dirname, 'results.svg'), renderSvg(ordered));
  console.log(table(ordered));

  printProfile();
}

/** The committed results.json, or nothing yet. */
function readResults() {
  return fs.existsSync(RESULTS_FILE) ? JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) : {};
}

/** Writes results.json, the contract keys first and the detail after; returns what it wrote. */
function writeResults(results) {
  const { record, callback, memory, download, counted, ...rest } = results;
  const ordered = { record, callback, memory, download, counted, ...rest };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
  return ordered;
}

/** --count: the counted comparisons; their figures replace `counted` in results.json, the timed keys stay. */
async function countMain(loadAtStart) {
  if (!(await callgrindAvailable())) throw new Error('--count needs valgrind (Debian: apt-get install valgrind)');
  const sim = startChild('sim-server.js', ['64']);
  let counted;
  try {
    const userDir = installedUserDir();
    log(`package installed in ${userDir}${LINK ? ' (linked)' : ' (npm pack + npm install)'}; counting under callgrind`);
    counted = await runCount({ userDir, stand: await sim.ready, log, only: ONLY?.split(',') });
  } finally {
    if (sim.child.connected) sim.child.send({ type: 'exit' });
  }
  if (ONLY) {
    console.log(JSON.stringify(counted.only, null, 1));
    return;
  }
  const cpus = os.cpus();
  counted.machine = `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, Node ${process.version}, Node-RED ${require(path.join(nodeRedPath, 'package.json')).version}, ` +
    `${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}, 1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`;
  counted.date = new Date().toISOString();
  counted.installedAs = LINK ? 'linked checkout' : 'npm pack + npm install';
  writeResults({ ...readResults(), counted });
  console.log(countTable(counted));
}

function countTable(c) {
  const m = (n) => `${(n / 1e6).toFixed(3)} M`;
  return [
    `\ntelapi counted benchmarks (${c.date}), instructions per message under callgrind, one message at a time`,
    c.machine,
    `  record    telapi-record ${m(c.record.perMessage.node)}, DIY function + http request ${m(c.record.perMessage.diy)}: ratioVsDiy ${c.record.ratioVsDiy}x`,
    `  callback  token ${m(c.callback.perMessage.token)}, signature ${m(c.callback.perMessage.signature)}, http in + http response ${m(c.callback.perMessage.httpIn)}: ` +
      `ratioVsHttpIn ${c.callback.ratioVsHttpIn}x (token), ${c.callback.signature.ratioVsHttpIn}x (signature)`,
    `  client    recordCall ${m(c.client.perRequest.client)}, the same got call by hand ${m(c.client.perRequest.rawGot)}: overRawGot ${c.client.overRawGot}x`,
    `  download  telapi-recordings ${m(c.download.perFile.node)}, DIY http request ${m(c.download.perFile.diy)} per ${c.download.fileBytes / 1e6} MB file: ratioVsDiy ${c.download.ratioVsDiy}x`,
    `\n${c.durationSec} s; counted written into bench/results.json`,
  ].join('\n');
}

function printProfile() {
  const profileDir = PROFILE_DIR;
  if (PROFILE) {
    const profiles = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profileDir, f));
    const latest = profiles.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (latest) console.log(`\nCPU profile of the Node-RED process (${path.relative(ROOT, latest)}):\n${summariseProfile(latest)}`);
  }
}

function table(r) {
  const pad = (text, width) => String(text).padEnd(width);
  const lpad = (text, width) => String(text).padStart(width);
  const lines = [];
  const block = (title, detail, names, cpuOwner) => {
    const levels = Object.keys(detail);
    lines.push(title);
    lines.push(`  ${pad('variant', 30)}${levels.map((c) => lpad(`c=${c}`, 26)).join('')}   CPU µs/msg at c=${levels.at(-1)}`);
    for (const [key, label] of Object.entries(names)) {
      const cells = levels.map((c) => {
        const s = detail[c][key];
        return lpad(s ? `${s.perSec} (${s.p50Ms} / ${s.p99Ms})` : '-', 26);
      });
      const top = detail[levels.at(-1)][key];
      lines.push(`  ${pad(label, 30)}${cells.join('')}   ${top ? `${top.cpuUsPerMsg} (${cpuOwner(key)})` : ''}`);
    }
  };
  lines.push(`\ntelapi benchmarks (${r.mode}, ${r.date})\n${r.machine}\n`);
  block('record: msgs/s, median of rounds  (p50 / p99 latency ms)', r.record.byConcurrency,
    { node: 'telapi-record', diy: 'DIY function + http request', diyDefault: 'DIY, http request defaults', rawGot: 'raw got loop (no Node-RED)',
      nodeInFlow: 'telapi-record, in-flow driver', diyInFlow: 'DIY, in-flow driver' },
    (key) => (key === 'rawGot' ? 'got process' : 'Node-RED'));
  lines.push(`  at c=${r.record.concurrency}: telapi-record / DIY = ${r.record.ratioVsDiy}x (paired by round ${r.record.pairedRatio.vsDiy}x)`);
  lines.push(`  in-flow driver at c=${r.record.concurrency}: telapi-record / DIY = ${r.record.inFlow.ratioVsDiy}x (paired ${r.record.inFlow.pairedRatio.vsDiy}x), ` +
    `telapi-record / raw got = ${r.record.inFlow.ratioVsRawGot}x (paired ${r.record.inFlow.pairedRatio.vsRawGot}x); ` +
    `CPU µs per message ${r.record.inFlow.cpuUsPerMsg.node} (Node-RED) vs ${r.record.inFlow.cpuUsPerMsg.rawGot} per request (got) = ${r.record.inFlow.cpuRatioVsRawGot}x`);
  lines.push(`  client: ${r.client.library} ${r.client.version}\n`);
  block('callback: req/s, median of rounds  (p50 / p99 latency ms)', r.callback.byConcurrency,
    { token: 'telapi-callback (token)', signature: 'telapi-callback (signature)', httpIn: 'http in + http response' }, () => 'Node-RED');
  lines.push(`  at c=${r.callback.concurrency}: token / http in = ${r.callback.ratioVsHttpIn}x (paired ${r.callback.pairedRatio.tokenVsHttpIn}x), ` +
    `signature / http in = ${r.callback.signature.ratioVsHttpIn}x (paired ${r.callback.pairedRatio.signatureVsHttpIn}x)\n`);
  lines.push(`memory: ${r.memory.messages} record messages, RSS growth after GC ${r.memory.rssGrowthMb} MiB (heap ${r.memory.heapUsedGrowthMb} MiB), ${r.memory.errors} errors`);
  lines.push(`  RSS after GC (MiB) every ${r.memory.trace[1]?.messages ?? '?'} messages: ${r.memory.trace.map((t) => t.rssMb).join(' ')}`);
  const errors = [];
  for (const group of [r.record.byConcurrency, r.callback.byConcurrency]) {
    for (const [c, variants] of Object.entries(group)) {
      for (const [name, s] of Object.entries(variants)) if (s.errors) errors.push(`${name} c=${c}: ${s.errors} errors (${s.firstError})`);
    }
  }
  lines.push(downloadTable(r.download));
  lines.push(errors.length ? `\nERRORS:\n  ${errors.join('\n  ')}` : '\nno request failed');
  lines.push(`\n${r.durationSec} s; bench/results.json and bench/results.svg written`);
  return lines.join('\n');
}

function downloadTable(d) {
  return `\ndownload: ${d.fileBytes / 1e6} MB file, files/s median of ${d.plan.rounds} rounds: telapi-recordings ${d.filesPerSec.node}, ` +
    `DIY http request ${d.filesPerSec.diy}; ratioVsDiy ${d.ratioVsDiy}x (paired by round ${d.pairedRatio}x)\n` +
    `  a ${(d.longFileBytes / 1e6).toFixed(1)} MB recording, each in a fresh Node-RED: peak RSS growth ${d.toFile.peakRssGrowthMb} MB to a file, ` +
    `${d.toBuffer.peakRssGrowthMb} MB into a Buffer (${d.bufferOverFile}x the file)`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
