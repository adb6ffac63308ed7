'use strict';
// Runs the same mocha suite against Node-RED 5 on Node 22 (Node-RED 5 needs Node >= 22.9; this
// machine has Node 20). The npm package `node` ships the Node 22 binary into compat/nr5.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compat = path.join(root, 'compat', 'nr5');
const node22 = path.join(compat, 'node_modules', '.bin', 'node');
const nodeRed = path.join(compat, 'node_modules', 'node-red');

if (!fs.existsSync(node22) || !fs.existsSync(path.join(nodeRed, 'package.json'))) {
  console.log('Installing Node 22 and Node-RED 5 into compat/nr5 …');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: compat, stdio: 'inherit' });
}

const version = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
const nrVersion = require(path.join(nodeRed, 'package.json')).version;
console.log(`Running the suite on Node ${version} with Node-RED ${nrVersion}`);

const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const result = spawnSync(node22, [mocha, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TELAPI_TEST_NODE_RED: nodeRed },
});
process.exit(result.status ?? 1);
