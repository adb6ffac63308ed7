#!/usr/bin/env node
'use strict';
// Instructions per request of one TelAPI record stop (POST …/Recordings.json, 64 in flight, keep-alive)
// sent four ways, counted by valgrind's callgrind: a count, not a time, so it holds on a busy machine.
//
//   node bench/got-cost.js            (needs valgrind: apt-get install -y valgrind; about 6 minutes on 2 cores)
//
//   node:http    http.request on a keep-alive agent, the body parsed as JSON
//   got          got 14 alone: keep-alive agent, text body, no retry, no timeouts
//   got+options  the options the client gives got (per-phase timeouts, retry policy)
//   client       the package's recordCall() on a TelApiClient (dist/telapi), which sends with got
//   got 12       got 12 alone, the version core Node-RED 4.1's http request node sends with (if installed)
//
// Each way runs twice in a fresh process under callgrind, with a small and a large number of requests
// (the same warm-up); the difference of the two totals over the difference of the counts is the cost
// of one request, without the process's start-up. The server answers in a process of its own, not
// counted.
const { execFileSync, fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SMALL = 300;
const LARGE = 1300;
const CONCURRENCY = 64;
const RECORDING = JSON.stringify({
  sid: `RE${'a'.repeat(32)}`, call_sid: `CA${'b'.repeat(32)}`, account_sid: `AC${'c'.repeat(32)}`, duration: '4', status: 'completed',
  recording_url: 'https://api.telapi.com/recordings/RE.mp3', date_created: 'Wed, 02 Dec 2026 15:00:00 +0000',
});

function gotEntry(dir) {
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) return undefined;
  return { version: JSON.parse(fs.readFileSync(manifest, 'utf8')).version, entry: path.join(dir, 'dist', 'source', 'index.js') };
}

/** One way, `count` requests at CONCURRENCY against the server at `port` (runs inside callgrind). */
async function runWay(way, count, port) {
  const base = `http://127.0.0.1:${port}/v2`;
  const url = `${base}/Accounts/AC/Calls/CA1/Recordings.json`;
  const authorization = `Basic ${Buffer.from('AC:token').toString('base64')}`;
  const headers = { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
  let send;
  let close = () => agent.destroy();
  if (way === 'node:http') {
    send = () => new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': 12 } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end('Record=false');
    });
  } else if (way === 'client') {
    const { TelApiClient } = require(path.join(ROOT, 'dist', 'telapi', 'client.js'));
    const { loadGot } = require(path.join(ROOT, 'dist', 'telapi', 'got.js'));
    const { recordCall } = require(path.join(ROOT, 'dist', 'telapi', 'recording.js'));
    const client = new TelApiClient({ got: await loadGot(), accountSid: `AC${'c'.repeat(32)}`, authToken: 'token', baseUrl: base });
    const form = new URLSearchParams({ Record: 'false' });
    send = () => recordCall(client, `CA${'b'.repeat(32)}`, form);
    close = () => client.close();
  } else {
    const got12 = way === 'got 12';
    const { got } = await import(got12 ? process.env.GOT12_ENTRY : gotEntry(path.join(ROOT, 'node_modules', 'got')).entry);
    const options = way === 'got+options'
      ? {
          timeout: { lookup: 5_000, connect: 5_000, secureConnect: 5_000, send: 15_000, response: 15_000, read: 15_000 },
          retry: { limit: 2, methods: ['POST'], statusCodes: [429, 503], errorCodes: ['ECONNREFUSED', 'ETIMEDOUT'] },
        }
      : { retry: { limit: 0 } };
    const instance = got.extend({ agent: { http: agent }, headers, followRedirect: false, responseType: 'text', ...options });
    send = () => instance(url, { method: 'POST', body: 'Record=false' }).then((response) => JSON.parse(response.body));
  }
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < count) await send();
  }));
  close();
}

async function main() {
  const [role, way, count, wayPort] = process.argv.slice(2);
  if (role === '--way') return runWay(way, Number(count), Number(wayPort));
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
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('valgrind is not installed (apt-get install -y valgrind)');
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'telapi', 'client.js'))) throw new Error('run `npm run build` first');
  const server = fork(__filename, ['--server']);
  const port = await new Promise((resolve) => server.once('message', resolve));
  const got14 = gotEntry(path.join(ROOT, 'node_modules', 'got'));
  const got12 = gotEntry(path.join(ROOT, 'node_modules', '@node-red', 'nodes', 'node_modules', 'got'));
  const ways = ['node:http', 'got', 'got+options', 'client', ...(got12 ? ['got 12'] : [])];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-got-cost-'));
  const instructions = (way, count) => {
    const file = path.join(out, `${way.replace(/\W/g, '_')}.${count}`);
    execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${file}`, process.execPath, __filename, '--way', way, String(count), String(port)], {
      stdio: 'ignore', env: { ...process.env, ...(got12 ? { GOT12_ENTRY: got12.entry } : {}) },
    });
    return Number(/^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'))[1]);
  };
  console.log(`Instructions per request (callgrind), ${CONCURRENCY} in flight, Node ${process.version}, got ${got14.version}${got12 ? ` and ${got12.version}` : ''}:`);
  const results = {};
  for (const way of ways) {
    const perRequest = (instructions(way, LARGE) - instructions(way, SMALL)) / (LARGE - SMALL);
    results[way] = perRequest;
    console.log(`  ${way.padEnd(12)} ${(perRequest / 1e6).toFixed(2)} M   ${(perRequest / results['node:http']).toFixed(2)}x node:http`);
  }
  server.kill();
  fs.rmSync(out, { recursive: true, force: true });
  return results;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
