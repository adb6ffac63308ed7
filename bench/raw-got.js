'use strict';
// The "raw got" variant, in a process of its own (like Node-RED is): a loop of got requests with one
// keep-alive agent, the got options the package's client had before it moved to node:http (no
// retries, no redirects, text body; see bench/README.md) and the same request (POST …/Recordings.json, Record=false, Basic auth), `concurrency` in flight. No
// Node-RED, no inbound HTTP hop: the limit of the stack below the node. Driven over IPC by run.js.
const http = require('node:http');

let gotPromise;
const agents = new Map();

function clientFor(concurrency, authorization) {
  gotPromise ??= import('got').then((module) => module.default);
  let agent = agents.get(concurrency);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true });
    agents.set(concurrency, agent);
  }
  return gotPromise.then((got) =>
    got.extend({
      agent: { http: agent },
      headers: { authorization, accept: 'application/json', 'user-agent': 'bench-raw-got' },
      timeout: { request: 15_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
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
        const response = await got(urls[index % urls.length], {
          method: 'POST',
          body: 'Record=false',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
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
