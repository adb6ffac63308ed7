'use strict';
// node-red-node-test-helper's RED._ returns the key itself. Tests that check what a user reads wrap
// a node's register function so RED._ resolves keys from our own en-US catalog, with Node-RED's
// __name__ interpolation.
const fs = require('node:fs');
const path = require('node:path');

const catalogDir = path.join(__dirname, '..', '..', 'nodes', 'locales', 'en-US');

function loadCatalog() {
  const catalog = {};
  for (const file of fs.readdirSync(catalogDir).filter((f) => f.endsWith('.json'))) {
    Object.assign(catalog, JSON.parse(fs.readFileSync(path.join(catalogDir, file), 'utf8')));
  }
  return catalog;
}

function translate(catalog, key, params = {}) {
  const value = key.split('.').reduce((node, part) => (node && typeof node === 'object' ? node[part] : undefined), catalog);
  if (typeof value !== 'string') throw new Error(`missing i18n key ${key}`);
  return value.replace(/__([a-zA-Z0-9_]+)__/g, (_, name) => (name in params ? String(params[name]) : `__${name}__`));
}

/** Returns a register function that gives the node a RED._ backed by the real catalog. */
function withCatalog(register) {
  const catalog = loadCatalog();
  const wrapped = (RED) => {
    const red = Object.create(RED);
    red._ = (key, params) => translate(catalog, key, params);
    return register(red);
  };
  return wrapped;
}

module.exports = { withCatalog, loadCatalog, translate };
