'use strict';
// The "raw got" variant, in a process of its own (like Node-RED is): a loop of got requests on one
// extended got instance with the options the package's client gives got (src/telapi/client.ts: a
// keep-alive agent, per-phase timeouts, the retry policy, no redirects, text body) and the same
// request (POST …/Recordings.json, Record=false, Basic auth), `concurrency` in flight. No Node-RED,
// no inbound HTTP hop: the cost of got itself. Driven over IPC by run.js.
const http = require('node:http');

let gotPromise;
const agents = new Map();

function clientFor(concurrency, authorization) {
  gotPromise ??= import('got').then((module) => module.default);
  let agent = agents.get(concurrency);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
    agents.set(concurrency, agent);
  }
  return gotPromise.then((got) =>
    got.extend({
      agent: { http: agent },
      headers: { authorization, accept: 'application/json', 'user-agent': 'bench-raw-got', 'content-type': 'application/x-www-form-urlencoded' },
      followRedirect: false,
      responseType: 'text',
      timeout: { lookup: 5_000, connect: 5_000, secureConnect: 5_000, send: 15_000, response: 15_000, read: 15_000 },
      retry: {
        limit: 2,
        methods: ['GET', 'POST', 'DELETE'],
        statusCodes: [429, 503],
        errorCodes: ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EPROXY', 'ETIMEDOUT'],
      },
    }),
  );
}

async function run({ urls, authorization, concurrency, count }) {
  const got = await clientFor(concurrency, authorization);
  const latencies = new Array(count);
  let errors = 0;
  let firstError;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const started = process.hrtime.bigint();
      try {
        const response = await got(urls[index % urls.length], { method: 'POST', body: 'Record=false' });
        const body = JSON.parse(response.body);
        if (response.statusCode !== 200 || typeof body !== 'object') {
          errors += 1;
          firstError ??= `HTTP ${response.statusCode}`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= error.message;
      }
      latencies[index] = Number(process.hrtime.bigint() - started) / 1e6;
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { count, errors, firstError, elapsedMs, latenciesMs: latencies, cpuMicros: cpu.user + cpu.system };
}

process.on('message', (message) => {
  if (message.type === 'run') {
    run(message).then(
      (result) => process.send({ type: 'result', result }),
      (error) => process.send({ type: 'error', message: error.stack ?? String(error) }),
    );
  } else if (message.type === 'exit') {
    for (const agent of agents.values()) agent.destroy();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
