'use strict';
// Clean build: a file removed from src/ must not live on in dist/. The CLI is made executable
// because the workspace's bin link is created before dist/cli.js exists and tsc writes it 0644.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
fs.chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
