'use strict';
// A scripted TelAPI stand-in on 127.0.0.1: it records every request and answers from a queue of
// scripted replies (then from a default reply), so a test sees exactly what a node sent.
const http = require('node:http');
const https = require('node:https');

const RECORDING = Object.freeze({
  sid: 'RE4288908463cd614b41084509ad8893a7',
  account_sid: 'ACe1889084056167d57a944486a50ceb46',
  call_sid: 'CA4288908428ae2061275a412e80bf1929',
  duration: 15,
  price: '0.00',
  recording_url: 'http://recordings.telapi.com/RBfcc94a3e2b5d4e4c89f7017d6387ffb8/RE4288908463cd614b41084509ad8893a7.mp3',
  date_created: 'Fri, 24 Mar 2017 16:06:32 -0000',
  date_updated: 'Fri, 24 Mar 2017 16:07:01 -0000',
  api_version: 'v2',
  uri: '/v2/Accounts/ACe1889084056167d57a944486a50ceb46/Recordings/RE4288908463cd614b41084509ad8893a7',
});

function json(status, body, headers = {}) {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

const replies = {
  recording: (overrides = {}) => json(200, { ...RECORDING, ...overrides }),
  listEnvelope: () => json(200, { page: 0, num_pages: 1, page_size: 50, total: 1, start: 0, end: 0, recordings: [{ ...RECORDING }] }),
  error: (status, code, message) =>
    json(status, { status, message, code, more_info: `http://www.telapi.com/docs/api/rest/overview/errors/${code}` }),
  retryAfter: (status, seconds) => ({
    ...json(status, { status, message: 'Slow down', code: 10429 }),
    headers: { 'content-type': 'application/json', 'retry-after': String(seconds) },
  }),
  html: (status) => ({ status, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }),
  /** Never answers: the client's timeout must end the request. */
  hang: () => ({ hang: true }),
  /** Closes the connection without an answer, after the request arrived. */
  reset: () => ({ reset: true }),
};

/** @param {{ tls?: { key: string, cert: string } }} [options] with tls, an HTTPS stand-in */
async function startStandIn(options = {}) {
  const requests = [];
  const queue = [];
  let fallback = () => replies.recording();
  const sockets = new Set();
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method, url: req.url, headers: req.headers, body, form: new URLSearchParams(body), remotePort: req.socket.remotePort };
      requests.push(request);
      const next = queue.length ? queue.shift() : fallback;
      const reply = typeof next === 'function' ? next(request) : next;
      if (reply.hang) return;
      if (reply.reset) return req.socket.destroy();
      const answer = () => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    /** Replies used in order for the next requests. */
    enqueue: (...items) => queue.push(...items),
    setDefault: (reply) => { fallback = reply; },
    reset: () => { requests.length = 0; queue.length = 0; fallback = () => replies.recording(); },
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * A port on 127.0.0.1 that nothing listens on (bound, then released), for tests of a refused
 * connection. A server a test needs binds port 0 itself instead.
 */
async function unusedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

module.exports = { startStandIn, replies, RECORDING, unusedPort };
