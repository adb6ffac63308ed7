'use strict';
// Starts a real Node-RED (the one the suite runs against, see red.js) as a child process with its
// own user directory on 127.0.0.1, the way a user runs it, and drives it through the Admin API.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nodeRedPath } = require('./red');

const PACKAGE_ROOT = path.join(__dirname, '..', '..');
const PACKAGE_NAME = require(path.join(PACKAGE_ROOT, 'package.json')).name;

/**
 * A fresh user directory with this package linked into node_modules, as `npm install <path>` of a
 * checkout does (Node-RED's documented way to try a node under development).
 */
function userDirWithPackage() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-nr-'));
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(PACKAGE_ROOT, link, 'dir');
  return userDir;
}

/**
 * @param {object} options
 * @param {string} [options.userDir] an existing user directory (with node_modules installed), or a new temp one
 * @param {object} [options.settings] extra settings.js properties (JSON-serialisable)
 * @param {string[]} [options.execArgv] Node options placed before red.js, e.g. ['--expose-gc', '--require', probe]
 * @param {object} [options.env] extra environment variables for the child
 * @param {string[]} [options.wrapper] a command that runs Node, e.g. ['valgrind', '--tool=callgrind'] (the benchmark's counts)
 * @param {number} [options.startTimeoutMs] how long Node-RED may take to start (60 s)
 * @param {number} [options.logTimeoutMs] how long waitForLog and a deploy wait by default (20 s)
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
    // The receiving nodes' reachability check at deploy is off unless a test asks for it (see red.js).
    telapiReachabilityCheck: false,
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [...prefix, ...(options.execArgv ?? []), path.join(nodeRedPath, 'red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...options.env },
  });
  let log = '';
  const onOutput = (chunk) => { log += chunk.toString(); };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${log}`)), options.startTimeoutMs ?? 60_000);
    const check = () => {
      const match = /Server now running at (http:\/\/[^\s]+?)\/?\s/.exec(log);
      if (match) { clearTimeout(timer); resolve(match[1].replace(/\/$/, '')); }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Node-RED exited (${code}):\n${log}`)); });
  });

  /** Waits until `predicate(log)` holds. */
  async function waitForLog(predicate, timeoutMs = options.logTimeoutMs ?? 20_000) {
    const until = Date.now() + timeoutMs;
    while (!predicate(log)) {
      if (Date.now() > until) throw new Error(`log condition not met:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const startedFlows = () => (log.match(/Started (flows|modified nodes|modified flows)/g) ?? []).length;
  // The runtime starts its (possibly empty) flows after the server is up; a deploy must come after.
  await waitForLog(() => startedFlows() > 0 || log.includes('Waiting for missing types'));

  async function adminRequest(method, route, body, deploymentType = 'full') {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'node-red-deployment-type': deploymentType, 'node-red-api-version': 'v2' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
  }

  return {
    url,
    userDir,
    pid: child.pid,
    get log() { return log; },
    adminRequest,
    /**
     * A deploy ("full", "nodes" or "flows", as the editor's Deploy menu); node objects may carry a
     * `credentials` property as the editor sends it. Resolves once the runtime logged that the new
     * flows started (the Admin API may answer before that).
     */
    deploy: async (flows, type = 'full') => {
      const before = startedFlows();
      const result = await adminRequest('POST', '/flows', { flows }, type);
      await waitForLog(() => startedFlows() > before);
      return result;
    },
    waitForLog,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = { startNodeRed, userDirWithPackage, PACKAGE_NAME };
