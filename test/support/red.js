'use strict';
// One place that decides which Node-RED the tests run against: the devDependency (4.1.x on the
// machine's Node 20) by default, or the compat/<leg> install that scripts/test-leg.js points at
// (Node-RED 3.1, or 5 on Node 22 or 24).
const path = require('node:path');
const helper = require('node-red-node-test-helper');

const nodeRedPath = process.env.TELAPI_TEST_NODE_RED
  ? path.resolve(process.env.TELAPI_TEST_NODE_RED)
  : path.dirname(require.resolve('node-red/package.json'));

helper.init(require.resolve(nodeRedPath));

module.exports = { helper, nodeRedPath, requireNodeRed: () => require(nodeRedPath) };
