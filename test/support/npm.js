'use strict';
// npm as a user runs it, for packing this package and installing the tarball.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/**
 * The machine's npm, not node_modules/.bin/npm (node-red's registry ships npm 10, whose `pack` runs
 * the prepare script, i.e. a build, despite --ignore-scripts): npx and npm run put .bin first on PATH.
 */
function npmEnv() {
  const PATH = (process.env.PATH || '').split(path.delimiter).filter((dir) => !dir.includes(`node_modules${path.sep}.bin`)).join(path.delimiter);
  return { ...process.env, PATH };
}

function npm(args, cwd = ROOT) {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: npmEnv() });
}

/** The files `npm pack` would ship, sorted. */
function packedFiles() {
  return JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']))[0].files.map((f) => f.path).sort();
}

/**
 * `npm pack`s the built package and installs the tarball into a new Node-RED user directory, as
 * the palette manager does. Returns the temp folder (remove it when done), the user dir and the packed files.
 */
function packAndInstall() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'record', 'telapi-record.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work]));
  const userDir = path.join(work, 'user');
  fs.mkdirSync(userDir);
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  npm(['install', '--prefer-offline', path.join(work, packed[0].filename)], userDir);
  return { work, userDir, files: packed[0].files.map((f) => f.path) };
}

module.exports = { npm, npmEnv, packedFiles, packAndInstall };
