'use strict';
// Shared by the reliability and security suite (test/reliability/*.test.js).
const fs = require('node:fs');
const http = require('node:http');

/** Records every unhandled rejection and uncaught exception of this (the test) process. */
function watchProcess() {
  const seen = [];
  const onRejection = (reason) => seen.push(`unhandledRejection: ${reason && reason.stack ? reason.stack : reason}`);
  const onException = (error) => seen.push(`uncaughtException: ${error && error.stack ? error.stack : error}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
    },
  };
}

/** Resolves once `predicate()` holds, checking every `everyMs`; rejects with `describe()` after `timeoutMs`. */
async function until(predicate, { timeoutMs = 15_000, everyMs = 10, describe = () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A few turns of the event loop: messages Node-RED delivers asynchronously have arrived. */
async function settle(turns = 5) {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** `CA` + 32 hex digits that encode `n` (and a tag nibble), so each message has its own call. */
const callSidFor = (n, tag = 0) => `CA${tag.toString(16)}${n.toString(16).padStart(31, '0')}`;

/**
 * POSTs requests at bounded concurrency over keep-alive sockets. `requests` are
 * { path, body, headers } objects; resolves with [{ status, body }] in the same order
 * (status 0 and `error` when the request failed without an answer).
 */
async function postAll(baseUrl, requests, { concurrency = 50, timeoutMs = 10_000 } = {}) {
  const target = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results = new Array(requests.length);
  let next = 0;
  const one = (index) =>
    new Promise((resolve) => {
      const { path, body = '', headers = {}, method = 'POST' } = requests[index];
      const payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const req = http.request(
        { host: target.hostname, port: target.port, method, path, agent, timeout: timeoutMs, headers: { 'content-length': payload.length, ...headers } },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            results[index] = { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
            resolve();
          });
          res.on('error', (error) => {
            results[index] = { status: 0, error: error.message };
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in time')));
      req.on('error', (error) => {
        results[index] ??= { status: 0, error: error.message };
        resolve();
      });
      req.end(payload);
    });
  const worker = async () => {
    while (next < requests.length) await one(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  } finally {
    agent.destroy();
  }
  return results;
}

/** Counts of each value. */
function tally(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] || 0) + 1;
  return counts;
}

/**
 * An HTTP server on 127.0.0.1 whose answer the test chooses (as TelAPI, a media host or a forward
 * proxy); it records what was asked (method, url, headers) and answers once each request's body is in.
 */
async function startScriptedServer(firstAnswer) {
  const requests = [];
  let answer = firstAnswer;
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on('end', () => answer(req, res));
  });
  const sockets = new Set();
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** The connections open now. */
    sockets,
    answer(handler) { answer = handler; requests.length = 0; },
    close: () => new Promise((resolve) => { for (const socket of sockets) socket.destroy(); server.close(resolve); }),
  };
}

/** Answers JSON (an object, or text as it is) with its length. */
function json(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The resident memory high-water mark of a process, in MiB (Linux). */
function peakRssMiB(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) / 1024;
}

module.exports = { watchProcess, until, settle, callSidFor, postAll, tally, startScriptedServer, json, peakRssMiB };
