'use strict';
// `npm start` as a child process, its output collected: the demo's tests start it as a user does.
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

function startDemo(env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'demo', 'start.js')], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const demo = { child, output: '' };
  child.stdout.on('data', (chunk) => { demo.output += chunk; });
  child.stderr.on('data', (chunk) => { demo.output += chunk; });
  demo.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  demo.waitForOutput = async (pattern, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(demo.output)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`demo output never matched ${pattern}:\n${demo.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** An address the banner names: 'Node-RED editor', 'Phone', 'TelAPI simulator'. */
  demo.bannerUrl = (label) => new RegExp(`${label}:\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(demo.output)?.[1];
  return demo;
}

module.exports = { startDemo };
