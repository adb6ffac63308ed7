'use strict';
// Runs mocha on one compatibility leg: a Node-RED release on a Node release.
//
//   node scripts/test-leg.js <leg> [mocha arguments]      e.g.  node scripts/test-leg.js nr31 "test/**/*.test.js"
//
// Legs:
//   nr4         the devDependency Node-RED (4.1.x) on the Node running this script (the machine's Node 20)
//   <folder>    any folder compat/<folder>/ with a package.json that depends on `node-red` and, to
//               run on another Node, on the npm package `node` (which puts that Node's binary into
//               its node_modules/.bin). It is installed on first use, and again when its
//               package.json asks for versions other than those installed.
//
// The tests find the leg's Node-RED through TELAPI_TEST_NODE_RED (read by test/support/red.js, the
// one place that picks the runtime) and its name through TELAPI_TEST_LEG.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const COMPAT = path.join(ROOT, 'compat');
const DEFAULT_LEG = 'nr4';

function compatLegs() {
  if (!fs.existsSync(COMPAT)) return [];
  return fs.readdirSync(COMPAT).filter((name) => fs.existsSync(path.join(COMPAT, name, 'package.json'))).sort();
}

function usage(message) {
  console.error(`${message}\nusage: node scripts/test-leg.js <leg> [mocha arguments]\nlegs: ${[DEFAULT_LEG, ...compatLegs()].join(', ')}`);
  process.exit(2);
}

/** semver from the project's own Node-RED (no dependency of its own for one comparison). */
function semver() {
  const nodeRedDir = path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
  return require(require.resolve('semver', { paths: [nodeRedDir, ROOT] }));
}

/** Dependencies of compat/<leg> that are missing or whose installed version is outside the asked range. */
function staleDependencies(dir) {
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const { satisfies } = semver();
  return Object.entries(dependencies).filter(([name, range]) => {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    return !fs.existsSync(file) || !satisfies(JSON.parse(fs.readFileSync(file, 'utf8')).version, range);
  }).map(([name, range]) => `${name}@${range}`);
}

/** Where the leg's Node-RED and Node are; installs compat/<leg> when needed. */
function resolveLeg(leg) {
  if (leg === DEFAULT_LEG) {
    return { nodeRed: path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] })), node: process.execPath, compat: null };
  }
  if (!compatLegs().includes(leg)) usage(`Unknown leg "${leg}".`);
  const dir = path.join(COMPAT, leg);
  const stale = staleDependencies(dir);
  if (stale.length > 0) {
    console.log(`Installing ${stale.join(', ')} into compat/${leg} …`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  }
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (!dependencies['node-red']) usage(`compat/${leg}/package.json does not depend on node-red.`);
  const ownNode = path.join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  return {
    nodeRed: path.join(dir, 'node_modules', 'node-red'),
    node: dependencies.node ? ownNode : process.execPath,
    compat: dir,
  };
}

function main() {
  const [leg, ...mochaArgs] = process.argv.slice(2);
  if (!leg || leg.startsWith('-')) usage('No leg given.');
  const { nodeRed, node, compat } = resolveLeg(leg);
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const nodeRedVersion = JSON.parse(fs.readFileSync(path.join(nodeRed, 'package.json'), 'utf8')).version;
  console.log(`== leg ${leg}: Node-RED ${nodeRedVersion} on Node ${nodeVersion}`);

  const env = { ...process.env, TELAPI_TEST_LEG: leg };
  if (compat) env.TELAPI_TEST_NODE_RED = nodeRed;
  else delete env.TELAPI_TEST_NODE_RED;
  const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const started = Date.now();
  const result = spawnSync(node, [mocha, ...mochaArgs], { cwd: ROOT, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`== leg ${leg}: Node-RED ${nodeRedVersion} on Node ${nodeVersion}, ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

main();
