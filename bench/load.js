'use strict';
// A loopback load generator: `count` POSTs at `concurrency` in flight over node:http keep-alive
// sockets, measuring each request from just before it is written to the end of its answer.
const http = require('node:http');

const agents = new Map();

/** One keep-alive agent per concurrency level, kept for the whole run, so sockets are reused across rounds. */
function agentFor(concurrency) {
  let agent = agents.get(concurrency);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
    agents.set(concurrency, agent);
  }
  return agent;
}

function closeAgents() {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/**
 * @param {object} options
 * @param {string} options.url
 * @param {number} options.concurrency
 * @param {number} options.count
 * @param {(index: number) => { path?: string, body: string, headers: object }} options.request
 *   the request for message `index` (path relative to url's origin; default url's path)
 * @param {http.Agent} [options.agent] the keep-alive agent (default: the one kept for this concurrency)
 * @returns {Promise<{ count: number, errors: number, statuses: object, elapsedMs: number, latenciesMs: Float64Array }>}
 */
async function runLoad({ url, concurrency, count, request, agent = agentFor(concurrency) }) {
  const target = new URL(url);
  const latencies = new Float64Array(count);
  const statuses = {};
  let errors = 0;
  let next = 0;
  let firstError;

  const one = (index) =>
    new Promise((resolve) => {
      const { path = target.pathname + target.search, body, headers } = request(index);
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: target.hostname, port: target.port, method: 'POST', path, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          // The start of the first failed answer's body says why (the bench flows answer an error's message).
          let failure = '';
          res.on('data', (chunk) => {
            if (res.statusCode !== 200 && firstError === undefined && failure.length < 200) failure += chunk;
          });
          res.on('end', () => {
            latencies[index] = Number(process.hrtime.bigint() - started) / 1e6;
            statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
            if (res.statusCode !== 200) {
              errors += 1;
              firstError ??= `HTTP ${res.statusCode}${failure ? `: ${failure.slice(0, 200)}` : ''}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        latencies[index] = Number(process.hrtime.bigint() - started) / 1e6;
        errors += 1;
        firstError ??= error.message;
        resolve();
      });
      req.end(body);
    });

  const worker = async () => {
    while (next < count) {
      const index = next++;
      await one(index);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { count, errors, firstError, statuses, elapsedMs, latenciesMs: latencies };
}

/** The p-th percentile (0..100) of samples, nearest-rank. */
function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

module.exports = { runLoad, percentile, closeAgents };
