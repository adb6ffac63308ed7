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

/**
 * Settings every helper test starts from: the receiving nodes' reachability check at deploy (a
 * request to the public URL two seconds later, and a log line) is off, so a test sees only what it
 * does itself; the tests of that check turn it on. helper.settings(x) merges x into these.
 */
const BASE_SETTINGS = { telapiReachabilityCheck: false };
const settings = helper.settings.bind(helper);
helper.settings = (values) => (values === undefined ? settings() : settings({ ...BASE_SETTINGS, ...values }));
helper.settings({});

/**
 * helper.setFlows() starts listening for 'flows:started' only after the deploy resolved and gives up
 * after 300 ms: on a loaded machine (CI runs two legs at a time) a deploy takes longer and the test
 * fails with "timeout waiting event". This one listens before deploying and waits up to 20 s.
 */
helper.setFlows = async function setFlows(testFlow, type, testCredentials, cb) {
  if (typeof testCredentials === 'string') {
    cb = testCredentials;
    testCredentials = {};
  }
  if (!type || typeof type !== 'string') type = 'full';
  let onStarted;
  let timer;
  const started = new Promise((resolve, reject) => {
    onStarted = resolve;
    timer = setTimeout(() => reject(new Error('flows did not start within 20 s')), 20_000);
    this._events.once('flows:started', onStarted);
  });
  try {
    await this._redNodes.setFlows(testFlow, testCredentials || {}, type);
    await started;
    if (cb) cb();
  } catch (error) {
    if (cb) cb(error);
    else throw error;
  } finally {
    clearTimeout(timer);
    this._events.off('flows:started', onStarted);
  }
};

/** A core node of the Node-RED under test, e.g. coreNode('network/21-httpin.js'), for helper.load(). */
const coreNode = (file) => require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [nodeRedPath] }));

module.exports = { helper, nodeRedPath, coreNode, requireNodeRed: () => require(nodeRedPath) };
