'use strict';
// Starts a real Node-RED (the one the suite runs against, see red.js) as a child process with its
// own user directory on 127.0.0.1, the way a user runs it, and drives it through the Admin API.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nodeRedPath } = require('./red');

/**
 * @param {object} options
 * @param {string} [options.userDir] an existing user directory (with node_modules installed), or a new temp one
 * @param {object} [options.settings] extra settings.js properties (JSON-serialisable)
 */
async function startNodeRed(options = {}) {
  const userDir = options.userDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-nr-'));
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: 0,
    flowFile: 'flows.json',
    credentialSecret: 'telapi-test-secret',
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false },
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const child = spawn(process.execPath, [path.join(nodeRedPath, 'red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  let log = '';
  const onOutput = (chunk) => { log += chunk.toString(); };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${log}`)), 60_000);
    const check = () => {
      const match = /Server now running at (http:\/\/[^\s]+?)\/?\s/.exec(log);
      if (match) { clearTimeout(timer); resolve(match[1].replace(/\/$/, '')); }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Node-RED exited (${code}):\n${log}`)); });
  });

  async function adminRequest(method, route, body) {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'node-red-deployment-type': 'full', 'node-red-api-version': 'v2' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  return {
    url,
    userDir,
    get log() { return log; },
    adminRequest,
    /** Full deploy; node objects may carry a `credentials` property as the editor sends it. */
    deploy: (flows) => adminRequest('POST', '/flows', { flows }),
    /** Waits until `predicate(log)` holds. */
    waitForLog: async (predicate, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while (!predicate(log)) {
        if (Date.now() > until) throw new Error(`log condition not met:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = { startNodeRed };
