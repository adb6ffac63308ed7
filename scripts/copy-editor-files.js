'use strict';
// tsc compiles only .ts; Node-RED loads each node's .html, its locales and icons from beside the
// compiled .js, so those editor files are copied into dist/nodes after every build.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'nodes');
const to = path.join(__dirname, '..', 'dist', 'nodes');
const editorFile = (src) => fs.statSync(src).isDirectory() || /\.(html|json|svg|png)$/.test(src);

fs.mkdirSync(to, { recursive: true });
fs.cpSync(from, to, { recursive: true, filter: editorFile });
