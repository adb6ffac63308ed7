'use strict';
// node-red-node-test-helper: helper.request() reaches only the admin app, and the RED.httpNode app a
// node registers its routes on is served nowhere (not even by helper.startServer()/helper.url()).
// A test wraps the node's register function to capture RED.httpNode, then drives it with supertest
// or serves it itself on 127.0.0.1, mounted at an httpNodeRoot as Node-RED's runtime does
// (node-red/red.js: app.use(settings.httpNodeRoot, RED.httpNode)).
const http = require('node:http');
const { nodeRedPath } = require('./red');

/** Express as Node-RED itself resolves it (so Node-RED 5's copy when the suite runs against it). */
function express() {
  return require(require.resolve('express', { paths: [nodeRedPath] }));
}

/**
 * Wraps a node module's register function; `captured.app` is the RED.httpNode of the latest load
 * and `captured.RED` the RED the node got.
 */
function captureHttpNode(register) {
  const captured = { app: undefined, RED: undefined };
  const wrapped = (RED) => {
    captured.RED = RED;
    captured.app = RED.httpNode;
    return register(RED);
  };
  return { register: wrapped, captured };
}

/** An app that serves `httpNode` below `root`, as Node-RED does for httpNodeRoot. */
function mount(httpNode, root = '/') {
  const app = express()();
  app.use(root, httpNode);
  return app;
}

/**
 * Serves `handler` (an app) on 127.0.0.1 on an ephemeral port. Returns { url, close }; close() also
 * ends idle keep-alive connections so the server stops at once.
 */
async function serve(handler) {
  const server = http.createServer(handler);
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { captureHttpNode, mount, serve, express };
