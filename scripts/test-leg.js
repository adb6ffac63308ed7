'use strict';
// Runs mocha on compatibility legs: a leg is a Node-RED release on a Node release.
//
//   node scripts/test-leg.js <leg>[,<leg>...] [--jobs N] [mocha arguments]
//   node scripts/test-leg.js nr31 test/nodes/telapi-record.test.js
//   node scripts/test-leg.js nr4,nr31,nr5,nr5-node24 --jobs 2 "test/**/*.test.js"
//
// Legs:
//   nr4         the devDependency Node-RED (4.1.x) on the Node running this script (the machine's Node 20)
//   <folder>    any folder compat/<folder>/ with a package.json that depends on `node-red` and, to
//               run on another Node, on the npm package `node` (which puts that Node's binary into
//               its node_modules/.bin). It is installed on first use, and again when its
//               package.json asks for versions other than those installed.
//
// With several legs, the compat folders that need it are installed first, side by side, then the
// legs run, N at a time (--jobs N, default 1; TELAPI_TEST_JOBS overrides it). With more than one at
// a time each leg's output is held back and printed whole when the leg ends. A summary with each
// leg's versions, counts and time ends the run, followed by each failed leg's failure report; the
// exit code is non-zero if any leg failed.
//
// The tests find the leg's Node-RED through TELAPI_TEST_NODE_RED (read by test/support/red.js, the
// one place that picks the runtime) and its name through TELAPI_TEST_LEG.
const { execFileSync, spawn } = require('node:child_process');
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
  console.error(`${message}\nusage: node scripts/test-leg.js <leg>[,<leg>...] [--jobs N] [mocha arguments]\nlegs: ${[DEFAULT_LEG, ...compatLegs()].join(', ')}`);
  process.exit(2);
}

/** semver from the project's own Node-RED (no dependency of its own for one comparison). */
function semver() {
  const nodeRedDir = path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
  return require(require.resolve('semver', { paths: [nodeRedDir, ROOT] }));
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Dependencies of a compat folder that are missing or whose installed version is outside the asked range. */
function staleDependencies(dir) {
  const { dependencies = {} } = readJson(path.join(dir, 'package.json'));
  const { satisfies } = semver();
  return Object.entries(dependencies).filter(([name, range]) => {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    return !fs.existsSync(file) || !satisfies(readJson(file).version, range);
  }).map(([name, range]) => `${name}@${range}`);
}

/** Runs a command; resolves with its exit code and, when `capture`, its output. */
function run(command, args, options, capture) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => { output += chunk; });
      child.stderr.on('data', (chunk) => { output += chunk; });
    }
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** Installs the compat folders of these legs that need it, all at once. */
async function install(legs, quiet) {
  const needed = legs.filter((leg) => leg !== DEFAULT_LEG)
    .map((leg) => ({ leg, stale: staleDependencies(path.join(COMPAT, leg)) }))
    .filter(({ stale }) => stale.length > 0);
  if (needed.length === 0) return;
  const started = Date.now();
  for (const { leg, stale } of needed) console.log(`Installing ${stale.join(', ')} into compat/${leg} …`);
  const results = await Promise.all(needed.map(({ leg }) =>
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: path.join(COMPAT, leg) }, quiet)));
  results.forEach(({ code, output }, i) => {
    if (code !== 0) {
      process.stdout.write(output);
      throw new Error(`npm install in compat/${needed[i].leg} failed (${code})`);
    }
  });
  console.log(`Installed ${needed.map(({ leg }) => `compat/${leg}`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Where the leg's Node-RED and Node are, and their versions. */
function resolveLeg(leg) {
  if (leg === DEFAULT_LEG) {
    const nodeRed = path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
    return legInfo(leg, nodeRed, process.execPath, false);
  }
  const dir = path.join(COMPAT, leg);
  const { dependencies = {} } = readJson(path.join(dir, 'package.json'));
  if (!dependencies['node-red']) usage(`compat/${leg}/package.json does not depend on node-red.`);
  const ownNode = path.join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  return legInfo(leg, path.join(dir, 'node_modules', 'node-red'), dependencies.node ? ownNode : process.execPath, true);
}

function legInfo(leg, nodeRed, node, compat) {
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const nodeRedVersion = readJson(path.join(nodeRed, 'package.json')).version;
  return { leg, nodeRed, node, compat, title: `leg ${leg}: Node-RED ${nodeRedVersion} on Node ${nodeVersion}` };
}

/** The output without its colours. */
const plain = (output) => output.replace(/\x1b\[[0-9;]*m/g, '');

/** mocha's spec reporter's closing counts, as "N passing, N pending, N failing". */
function counts(output) {
  const text = plain(output);
  const found = ['passing', 'pending', 'failing'].map((kind) => {
    const all = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${kind}\\b`, 'gm'))];
    return all.length > 0 ? `${all[all.length - 1][1]} ${kind}` : null;
  }).filter(Boolean);
  return found.join(', ');
}

async function runLeg(target, mochaArgs, buffered) {
  const env = { ...process.env, TELAPI_TEST_LEG: target.leg };
  if (target.compat) env.TELAPI_TEST_NODE_RED = target.nodeRed;
  else delete env.TELAPI_TEST_NODE_RED;
  const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  if (!buffered) console.log(`== ${target.title}`);
  const started = Date.now();
  // Output goes through a tee either way: the summary line takes the reporter's closing counts.
  if (!buffered && process.stdout.isTTY && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  const { code, output } = await runTee(target.node, [mocha, ...mochaArgs], { cwd: ROOT, env }, buffered);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const line = `== ${target.title}, ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s${counts(output) ? ` (${counts(output)})` : ''}`;
  if (buffered) process.stdout.write(`== ${target.title}\n${output}`);
  console.log(line);
  return { ...target, code, line, failures: code === 0 ? '' : failures(output) };
}

/** mocha's spec reporter's failure report (from its last "N failing" on), or the output's tail when it has none. */
function failures(output) {
  const text = plain(output);
  const all = [...text.matchAll(/^\s*\d+ failing\b/gm)];
  return all.length > 0 ? text.slice(all[all.length - 1].index) : text.slice(-4000);
}

/** Like run(), but always keeps the output; prints it live unless `hold`. */
function runTee(command, args, options, hold) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['inherit', 'pipe', 'pipe'] });
    let output = '';
    const take = (stream) => (chunk) => {
      output += chunk;
      if (!hold) stream.write(chunk);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

function parseArgs(argv) {
  const [legList, ...rest] = argv;
  if (!legList || legList.startsWith('-')) usage('No leg given.');
  const legs = legList.split(',').map((leg) => leg.trim()).filter(Boolean);
  for (const leg of legs) if (leg !== DEFAULT_LEG && !compatLegs().includes(leg)) usage(`Unknown leg "${leg}".`);
  let jobs = 1;
  const mochaArgs = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--jobs') jobs = Number(rest[++i]);
    else if (rest[i].startsWith('--jobs=')) jobs = Number(rest[i].slice('--jobs='.length));
    else mochaArgs.push(rest[i]);
  }
  // The environment wins over the npm script's --jobs: `TELAPI_TEST_JOBS=1 npm test` runs one leg at a time.
  if (process.env.TELAPI_TEST_JOBS) jobs = Number(process.env.TELAPI_TEST_JOBS);
  if (!Number.isInteger(jobs) || jobs < 1) usage('--jobs takes a whole number >= 1.');
  return { legs, jobs: Math.min(jobs, legs.length), mochaArgs };
}

async function main() {
  const { legs, jobs, mochaArgs } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  await install(legs, legs.length > 1);
  const targets = legs.map(resolveLeg);
  const results = [];
  const queue = [...targets];
  const worker = async () => {
    for (let target = queue.shift(); target; target = queue.shift()) {
      if (jobs > 1) console.log(`-- started ${target.title}`);
      results.push(await runLeg(target, mochaArgs, jobs > 1));
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (legs.length > 1) {
    console.log(`\n== ${legs.length} legs, ${jobs} at a time, in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    const inLegOrder = targets.map((target) => results.find((r) => r.leg === target.leg));
    for (const result of inLegOrder) console.log(result.line);
    // Each failed leg's failures again at the very end, where a log's tail shows them.
    for (const result of inLegOrder.filter((r) => r.code !== 0)) {
      console.log(`\n== failures of ${result.title}:\n${result.failures.trimEnd()}`);
    }
  }
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
