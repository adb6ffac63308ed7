'use strict';
// A Node-RED child process (node-red-process.js) with nr-probe.js preloaded and --expose-gc, for
// tests and benchmarks that look at what the process holds: memory after GC, sockets, listeners and
// the routes on RED.httpNode.
const path = require('node:path');
const { startNodeRed } = require('./node-red-process');

const PROBE = path.join(__dirname, 'nr-probe.js');

/**
 * @param {object} [options] as startNodeRed; `execArgv` is appended to the probe's own.
 * @returns the startNodeRed handle plus `stats({ gc })`.
 */
async function startProbedNodeRed(options = {}) {
  const nodeRed = await startNodeRed({ ...options, execArgv: ['--expose-gc', '--require', PROBE, ...(options.execArgv ?? [])] });
  await nodeRed.waitForLog((log) => /telapi-probe listening on /.test(log));
  const probeUrl = /telapi-probe listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(nodeRed.log)[1];
  return Object.assign(nodeRed, {
    probeUrl,
    /** What the Node-RED process holds; `gc: true` collects garbage first (`'minor'`: the young generation only). */
    stats: async ({ gc = false } = {}) => {
      const response = await fetch(`${probeUrl}/stats${gc === 'minor' ? '?gc=minor' : gc ? '?gc=1' : ''}`);
      if (!response.ok) throw new Error(`probe: ${response.status} ${await response.text()}`);
      return response.json();
    },
  });
}

module.exports = { startProbedNodeRed, PROBE };
