'use strict';
// A TLS reverse proxy as nginx is often set up in front of Node-RED: https://127.0.0.1:port<prefix>/…
// is forwarded to <target>/… with X-Forwarded-*, WebSocket upgrades (the editor's comms) included,
// anything outside the prefix answered 404 by the proxy itself. Its certificate is tls/'s
// self-signed one for 127.0.0.1.
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');

const TLS = {
  cert: fs.readFileSync(path.join(__dirname, 'tls', 'cert.pem'), 'utf8'),
  key: fs.readFileSync(path.join(__dirname, 'tls', 'key.pem'), 'utf8'),
};
/** For a child process (Node-RED) that is to trust the proxy: NODE_EXTRA_CA_CERTS. */
const CERT_FILE = path.join(__dirname, 'tls', 'cert.pem');

/** Starts the proxy for `target` (an http origin) under `prefix` (e.g. '/nr'); resolves with its port and close(). */
async function startTlsProxy(target, prefix) {
  const upstreamUrl = new URL(target);
  const forwarded = (req) => ({
    'x-forwarded-for': [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', '),
    'x-forwarded-proto': 'https',
    'x-forwarded-host': req.headers.host,
  });
  const server = https.createServer(TLS, (req, res) => {
    if (!req.url.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('proxy: no such location\n');
      return;
    }
    const upstream = http.request(`${upstreamUrl.origin}${req.url.slice(prefix.length)}`, {
      method: req.method,
      headers: { ...req.headers, ...forwarded(req) },
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const upgraded = new Set();
  server.on('upgrade', (req, socket, head) => {
    if (!req.url.startsWith(`${prefix}/`)) return socket.destroy();
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const upstream = net.connect(Number(upstreamUrl.port), upstreamUrl.hostname, () => {
      const headers = { ...req.headers, ...forwarded(req) };
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
      upstream.write(`${req.method} ${req.url.slice(prefix.length)} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
    return undefined;
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const socket of upgraded) socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startTlsProxy, TLS, CERT_FILE };
