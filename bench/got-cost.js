#!/usr/bin/env node
'use strict';
// Instructions per request of one TelAPI record stop (POST …/Recordings.json, keep-alive) sent
// several ways, counted by valgrind's callgrind: a count, not a time, so it holds on a busy machine.
// `npm run bench -- --count` counts `got+options` and `client` with the rest (client.overRawGot);
// run alone it counts every way:
//
//   node bench/got-cost.js            (needs valgrind: apt-get install -y valgrind; about 4 minutes)
//
//   node:http    http.request on a keep-alive agent, the body parsed as JSON
//   got          got 14 alone: keep-alive agent, text body, no retry, no timeouts
//   got+options  the options the client gives got (per-phase timeouts, retry policy): the raw got call the client wraps
//   client       the package's recordCall() on a TelApiClient (dist/telapi), which sends with got
//   got 12       got 12 alone, the version core Node-RED 4.1's http request node sends with (if installed)
//
// Each way runs in a fresh process under callgrind (bench/callgrind.js): a warm-up uncounted, then a
// settling window, a small and a large one; (large − small window) / (large − small requests) is the
// cost of one request, whatever a window costs by itself. The server answers in a process of its own,
// not counted.
const { fork, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { CountedProcess, callgrindAvailable, perMessage, COUNTED_NODE_OPTIONS } = require('./callgrind');

const ROOT = path.join(__dirname, '..');
/** Requests: a warm-up (uncounted), then the windows (perMessage in callgrind.js); one at a time, as in bench/count.js. */
const PLAN = { warmup: 3000, settle: 800, small: 100, large: 800, concurrency: 1 };
const RECORDING = JSON.stringify({
  sid: `RE${'a'.repeat(32)}`, call_sid: `CA${'b'.repeat(32)}`, account_sid: `AC${'c'.repeat(32)}`, duration: '4', status: 'completed',
  recording_url: 'https://api.telapi.com/recordings/RE.mp3', date_created: 'Wed, 02 Dec 2026 15:00:00 +0000',
});

function gotEntry(dir) {
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) return undefined;
  return { version: JSON.parse(fs.readFileSync(manifest, 'utf8')).version, entry: path.join(dir, 'dist', 'source', 'index.js') };
}

const GOT14 = () => gotEntry(path.join(ROOT, 'node_modules', 'got'));
const GOT12 = () => gotEntry(path.join(ROOT, 'node_modules', '@node-red', 'nodes', 'node_modules', 'got'));

/** The got options the client gives got (src/telapi/instances.ts, retry.ts), as a user would write them by hand. */
const CLIENT_GOT_OPTIONS = {
  timeout: { lookup: 5_000, connect: 5_000, secureConnect: 5_000, send: 15_000, response: 15_000, read: 15_000 },
  retry: {
    limit: 2,
    methods: ['GET', 'POST', 'DELETE'],
    statusCodes: [429, 503],
    errorCodes: ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EPROXY', 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'ETIMEDOUT'],
  },
};

/** One way's sender (runs inside callgrind): `send()` makes one request and resolves with its parsed answer. */
async function senderFor(way, port) {
  const base = `http://127.0.0.1:${port}/v2`;
  const url = `${base}/Accounts/AC/Calls/CA1/Recordings.json`;
  const authorization = `Basic ${Buffer.from('AC:token').toString('base64')}`;
  const headers = { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
  if (way === 'node:http') {
    const send = () => new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': 12 } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end('Record=false');
    });
    return { send, close: () => agent.destroy() };
  }
  if (way === 'client') {
    const { TelApiClient } = require(path.join(ROOT, 'dist', 'telapi', 'client.js'));
    const { loadGot } = require(path.join(ROOT, 'dist', 'telapi', 'got.js'));
    const { recordCall } = require(path.join(ROOT, 'dist', 'telapi', 'recording.js'));
    const client = new TelApiClient({ got: await loadGot(), accountSid: `AC${'c'.repeat(32)}`, authToken: 'token', baseUrl: base });
    const form = new URLSearchParams({ Record: 'false' });
    return { send: () => recordCall(client, `CA${'b'.repeat(32)}`, form), close: () => client.close() };
  }
  const { got } = await import(way === 'got 12' ? process.env.GOT12_ENTRY : GOT14().entry);
  const options = way === 'got+options' ? CLIENT_GOT_OPTIONS : { retry: { limit: 0 } };
  const instance = got.extend({ agent: { http: agent }, headers, followRedirect: false, responseType: 'text', ...options });
  return {
    send: () => instance(url, { method: 'POST', body: 'Record=false' }).then((response) => JSON.parse(response.body)),
    close: () => agent.destroy(),
  };
}

/** The counted child: warms up, says "ready", then runs "run N" lines (N requests at `concurrency`) until "exit". */
async function wayProcess(way, port, warmup, concurrency) {
  const { send, close } = await senderFor(way, port);
  const requests = async (count) => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next++ < count) await send();
    }));
  };
  await requests(warmup);
  process.stdout.write('ready\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [command, count] = line.split(' ');
    if (command === 'exit') break;
    // The young generation empty at each window's start, as in the Node-RED windows (counted: it cancels).
    global.gc?.({ type: 'minor' });
    await requests(Number(count));
    process.stdout.write('done\n');
  }
  close();
  process.exit(0);
}

/** The answering server, in a process of its own. */
function startServer() {
  const server = fork(__filename, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`got-cost server exited (${code})`)));
  });
  return { port, stop: () => server.kill() };
}

/**
 * Instructions per request of each way, each in a fresh process under callgrind.
 * @returns {Promise<Record<string, { perRequest: number, windows: number[] }>>}
 */
async function countWays({ ways, outDir, plan = PLAN, log = () => {} }) {
  const server = startServer();
  const port = await server.port;
  const got12 = GOT12();
  const results = {};
  try {
    for (const way of ways) {
      results[way] = await countWay(way, port, plan, outDir, got12);
      log(`client way ${way}: ${(results[way].perRequest / 1e6).toFixed(3)} M instructions per request`);
    }
  } finally {
    server.stop();
  }
  return results;
}

async function countWay(way, port, plan, outDir, got12) {
  const counted = new CountedProcess(outDir, `way-${way.replace(/\W/g, '_')}`);
  const child = spawn(counted.wrapper()[0], [...counted.wrapper().slice(1), process.execPath, '--expose-gc', ...COUNTED_NODE_OPTIONS, __filename, '--way', way, String(port), String(plan.warmup), String(plan.concurrency ?? 1)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...(got12 ? { GOT12_ENTRY: got12.entry } : {}) },
  });
  counted.pid = child.pid;
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const expect = async (word) => {
    const { value, done } = await lines.next();
    if (done || value !== word) throw new Error(`got-cost ${way}: expected "${word}", got ${done ? 'the end' : JSON.stringify(value)}`);
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await expect('ready');
    const result = await perMessage(counted, plan, async (count) => {
      child.stdin.write(`run ${count}\n`);
      await expect('done');
    });
    return { perRequest: result.perMessage, windows: result.windows };
  } finally {
    child.stdin.end('exit\n');
    await exited;
  }
}

async function main() {
  const [role, way, wayPort, warmup, concurrency] = process.argv.slice(2);
  if (role === '--way') return wayProcess(way, Number(wayPort), Number(warmup), Number(concurrency));
  if (role === '--server') {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(RECORDING) });
        res.end(RECORDING);
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => process.send(server.address().port));
    return undefined;
  }
  if (!(await callgrindAvailable())) throw new Error('valgrind is not installed (apt-get install -y valgrind)');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'telapi', 'client.js'))) throw new Error('run `npm run build` first');
  const got12 = GOT12();
  const ways = ['node:http', 'got', 'got+options', 'client', ...(got12 ? ['got 12'] : [])];
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-got-cost-'));
  console.log(`Instructions per request (callgrind), one at a time, Node ${process.version}, got ${GOT14().version}${got12 ? ` and ${got12.version}` : ''}:`);
  const results = await countWays({ ways, outDir });
  for (const [name, { perRequest }] of Object.entries(results)) {
    console.log(`  ${name.padEnd(12)} ${(perRequest / 1e6).toFixed(2)} M   ${(perRequest / results['node:http'].perRequest).toFixed(2)}x node:http`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  return results;
}

module.exports = { countWays, PLAN: Object.freeze({ ...PLAN }) };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
