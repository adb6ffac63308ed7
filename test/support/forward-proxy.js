'use strict';
// A small real forward proxy on 127.0.0.1: plain HTTP requests in absolute form
// ("POST http://host:port/path HTTP/1.1") are forwarded, CONNECT opens a TCP tunnel. It counts what
// it relays and, given credentials, answers 407 to a request without the matching Proxy-Authorization.
const http = require('node:http');
const net = require('node:net');

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

/**
 * @param {{ username?: string, password?: string }} [options]
 * @returns {Promise<{ url: string, port: number, requests: Array<{ method: string, target: string, authorization?: string, status: number }>, connections: () => number, reset: () => void, close: () => Promise<void> }>}
 */
async function startForwardProxy(options = {}) {
  const expected = options.username !== undefined || options.password !== undefined
    ? 'Basic ' + Buffer.from(`${options.username ?? ''}:${options.password ?? ''}`).toString('base64')
    : undefined;
  const requests = [];
  const sockets = new Set();
  let connections = 0;
  const allowed = (req) => expected === undefined || req.headers['proxy-authorization'] === expected;

  const server = http.createServer((req, res) => {
    const entry = { method: req.method, target: req.url, authorization: req.headers['proxy-authorization'], status: 0 };
    requests.push(entry);
    if (!/^http:\/\//i.test(req.url)) {
      entry.status = 400;
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    if (!allowed(req)) {
      entry.status = 407;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url);
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = http.request(
      { hostname: target.hostname, port: target.port || 80, method: req.method, path: target.pathname + target.search, headers },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req, client, head) => {
    const entry = { method: 'CONNECT', target: req.url, authorization: req.headers['proxy-authorization'], status: 0 };
    requests.push(entry);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!allowed(req)) {
      entry.status = 407;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = req.url.split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => {
      if (entry.status === 0) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      }
    });
  });

  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    /** TCP connections accepted so far. */
    connections: () => connections,
    reset: () => { requests.length = 0; connections = 0; },
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startForwardProxy };
