'use strict';
// Preloaded into a Node-RED child process (`--require nr-probe.js`, see node-red-process.js
// `execArgv`) for the reliability suite and the benchmarks: a tiny HTTP server on 127.0.0.1, apart
// from Node-RED's own, that reports what the process holds. It never touches a flow.
//
//   GET /stats         memory, CPU time used, active sockets and timers, process listeners, and the routes of
//                      RED.httpNode (path -> number of Express layers)
//   GET /stats?gc=1    the same after a full garbage collection (needs --expose-gc)
//   GET /stats?gc=minor  the same after a young-generation collection only (the benchmark's counts: a
//                      full one also throws away optimised code, which V8 then compiles again)
//
// It prints "telapi-probe listening on http://127.0.0.1:PORT" once, which the parent reads from
// the child's log.
const http = require('node:http');

/** Node-RED's RED object, found among the loaded modules (Node-RED 3.1, 4 and 5 keep it in lib/red.js). */
function findRed() {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (/[\\/]node-red[\\/]lib[\\/]red\.js$/.test(file) && mod.exports && mod.exports.httpNode) return mod.exports;
  }
  return undefined;
}

/**
 * path -> number of router layers with that route path, and `<name>` -> number of middleware layers
 * with a named handler (Express 4 `_router`, Express 5 `router`).
 */
function routes(app) {
  const router = app && (app._router || app.router);
  const counts = {};
  if (!router || !Array.isArray(router.stack)) return counts;
  for (const layer of router.stack) {
    const key = layer.route ? String(layer.route.path) : layer.name ? `<${layer.name}>` : undefined;
    if (key !== undefined) counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}

function handles() {
  const kinds = {};
  // Node 20 and 22 both have it; it is the only portable way to count live sockets of a process.
  const active = typeof process._getActiveHandles === 'function' ? process._getActiveHandles() : [];
  for (const handle of active) {
    const kind = handle && handle.constructor ? handle.constructor.name : typeof handle;
    kinds[kind] = (kinds[kind] || 0) + 1;
  }
  return kinds;
}

function listeners() {
  const counts = {};
  for (const event of process.eventNames()) counts[String(event)] = process.listenerCount(event);
  return counts;
}

async function collect(gc) {
  if (gc === 'minor' && typeof global.gc === 'function') {
    global.gc({ type: 'minor' });
  } else if (gc && typeof global.gc === 'function') {
    // Two passes with a turn between them: weak callbacks and finalizers run after the first.
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
    global.gc();
  }
  const RED = findRed();
  return {
    pid: process.pid,
    gcAvailable: typeof global.gc === 'function',
    memory: process.memoryUsage(),
    /** CPU time of the whole process so far, microseconds. */
    cpu: process.cpuUsage(),
    handles: handles(),
    processListeners: listeners(),
    httpNodeRoutes: RED ? routes(RED.httpNode) : null,
  };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://probe.invalid');
  if (url.pathname !== '/stats') {
    res.writeHead(404).end();
    return;
  }
  const gc = url.searchParams.get('gc');
  collect(gc === 'minor' ? 'minor' : gc === '1').then(
    (stats) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
    },
    (error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error && error.message));
    },
  );
});
// The probe's own server must not keep Node-RED alive when it is asked to stop.
server.listen(0, '127.0.0.1', () => {
  server.unref();
  process.stdout.write(`telapi-probe listening on http://127.0.0.1:${server.address().port}\n`);
});

