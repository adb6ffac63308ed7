'use strict';
// Lifecycle: nodes closed and redeployed while traffic flows.
// - In a real Node-RED (a child process with this package in its user dir and a probe preloaded),
//   100 full deploys while callbacks, record requests and plain http-in requests keep arriving:
//   one route per callback node, no growth in process listeners, sockets or memory (after GC), no
//   callback emitted twice, no crash.
// - With the test helper, where every message can be followed: closing a telapi-record node with
//   requests in flight ends each of them in exactly one outcome, none silently.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startProbedNodeRed } = require('../support/probed-node-red');
const { userDirWithPackage } = require('../support/node-red-process');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { startStandIn, replies, unusedPort } = require('../support/stand-in');
const { callbackToken, computeSignature } = require('../../dist/telapi');
const { watchProcess, until, settle, callSidFor, postAll, tally } = require('./helpers');

const accountNode = require('../../nodes/telapi-account.js');
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));

const REDEPLOYS = 100;
const MiB = 1024 * 1024;
const CALLBACK_PATHS = ['/life/a', '/life/b'];
const HTTP_IN_PATHS = ['/life/record', '/life/ping', '/life/seen'];

/** The flow of deploy number k: the same shape each time, with properties that change. */
function lifeFlows(k, { baseUrl, publicUrl }) {
  const z = 'life';
  return [
    { id: z, type: 'tab', label: `life ${k}` },
    { id: 'acc', type: 'telapi-account', name: `sim ${k}`, baseUrl, publicUrl, timeout: 5,
      credentials: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } },
    { id: 'cbA', type: 'telapi-callback', z, name: `a ${k}`, account: 'acc', url: '/life/a', security: 'token', wires: [['count']] },
    { id: 'cbB', type: 'telapi-callback', z, name: `b ${k}`, account: 'acc', url: '/life/b', security: 'signature', wires: [['count']] },
    // Counts each emitted callback by CallSid in global context, which outlives deploys.
    { id: 'count', type: 'function', z, outputs: 0, libs: [],
      func: "const seen = global.get('seen') || {};\nseen[msg.callSid] = (seen[msg.callSid] || 0) + 1;\nglobal.set('seen', seen);\nreturn null;" },
    { id: 'inSeen', type: 'http in', z, url: '/life/seen', method: 'get', wires: [['fnSeen']] },
    { id: 'fnSeen', type: 'function', z, outputs: 1, libs: [], func: "msg.payload = global.get('seen') || {};\nreturn msg;", wires: [['resSeen']] },
    { id: 'resSeen', type: 'http response', z, statusCode: '', headers: {} },
    { id: 'inRec', type: 'http in', z, url: '/life/record', method: 'post', upload: false, wires: [['chg']] },
    { id: 'chg', type: 'change', z, rules: [{ t: 'set', p: 'callSid', pt: 'msg', to: 'payload.callSid', tot: 'msg' }], wires: [['rec']] },
    { id: 'rec', type: 'telapi-record', z, account: 'acc', action: 'stop', direction: k % 2 ? 'in' : 'out', wires: [['resRec']] },
    { id: 'resRec', type: 'http response', z, statusCode: '', headers: {} },
    { id: 'catchRec', type: 'catch', z, scope: ['rec'], uncaught: false, wires: [['chgErr']] },
    { id: 'chgErr', type: 'change', z, rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '502', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }],
      wires: [['resRec']] },
    { id: 'inPing', type: 'http in', z, url: '/life/ping', method: 'post', upload: false, wires: [['resPing']] },
    { id: 'resPing', type: 'http response', z, statusCode: '', headers: {} },
  ];
}

const sockets = (stats) => stats.handles.Socket ?? 0;

describe('reliability: lifecycle in a real Node-RED (100 redeploys under traffic)', function () {
  this.timeout(120_000);
  let sim;
  let nodeRed;
  let callSid;

  before(async () => {
    sim = await startSimulator({ port: 0, demoCalls: false });
    // One call with a past recording: every stop answers 200 (the simulator's idempotent stop).
    callSid = sim.createCall().sid;
    const authorization = 'Basic ' + Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64');
    for (const record of ['true', 'false']) {
      await fetch(`${sim.url}/v1/Accounts/${DEMO_ACCOUNT_SID}/Calls/${callSid}/Recordings.json`, {
        method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: `Record=${record}`,
      });
    }
    nodeRed = await startProbedNodeRed({ userDir: userDirWithPackage() });
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (sim) await sim.close();
  });

  it('keeps one route per callback node and no growth in listeners, sockets or memory; emits no callback twice', async () => {
    const context = { baseUrl: `${sim.url}/v1`, publicUrl: nodeRed.url };
    await nodeRed.deploy(lifeFlows(0, context));

    let n = 0;
    const callbackRequest = () => {
      const index = n++;
      const sid = callSidFor(index, 7);
      const params = { AccountSid: DEMO_ACCOUNT_SID, CallSid: sid, CallStatus: 'completed', RecordingDuration: '3', RecordingUrl: `https://example.invalid/${index}.mp3` };
      const body = new URLSearchParams(params).toString();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      return index % 2 === 0
        ? { callSid: sid, request: { path: `/life/a?token=${callbackToken(DEMO_AUTH_TOKEN, sid)}`, body, headers: form } }
        : { callSid: sid, request: { path: '/life/b', body, headers: { ...form, 'x-telapi-signature': computeSignature(DEMO_AUTH_TOKEN, `${nodeRed.url}/life/b`, params) } } };
    };
    const recordRequest = { path: '/life/record', body: JSON.stringify({ callSid }), headers: { 'content-type': 'application/json' } };
    const pingRequest = { path: '/life/ping', body: '{"ping":1}', headers: { 'content-type': 'application/json' } };

    const callbacks = [];
    const statuses = { callback: [], record: [], ping: [] };
    /** One batch of mixed traffic, 8 at a time. */
    async function traffic(size) {
      const batch = [];
      const kinds = [];
      for (let i = 0; i < size; i++) {
        if (i % 3 === 0) {
          const callback = callbackRequest();
          callbacks.push(callback);
          batch.push(callback.request);
          kinds.push(['callback', callback]);
        } else {
          batch.push(i % 3 === 1 ? recordRequest : pingRequest);
          kinds.push([i % 3 === 1 ? 'record' : 'ping']);
        }
      }
      const answers = await postAll(nodeRed.url, batch, { concurrency: 8, timeoutMs: 3_000 });
      answers.forEach((answer, i) => {
        const [kind, callback] = kinds[i];
        statuses[kind].push(answer.status);
        if (callback) callback.status = answer.status;
      });
    }

    // Warm up, then the baseline.
    await traffic(300);
    const before = await nodeRed.stats({ gc: true });

    let deploying = true;
    const background = (async () => {
      while (deploying) await traffic(30);
    })();
    try {
      for (let k = 1; k <= REDEPLOYS; k++) await nodeRed.deploy(lifeFlows(k, context));
    } finally {
      deploying = false;
      await background;
    }
    // Quiet again: this traffic must all get through.
    const quietFrom = callbacks.length;
    const quietStatuses = { record: statuses.record.length, ping: statuses.ping.length };
    await traffic(300);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await nodeRed.stats({ gc: true });

    // Routes: one per http in path and one dispatcher for all callback paths, whatever the number of deploys.
    const described = JSON.stringify(after.httpNodeRoutes);
    for (const path of HTTP_IN_PATHS) assert.equal(after.httpNodeRoutes[path], 1, `routes for ${path}: ${described}`);
    for (const path of CALLBACK_PATHS) assert.equal(after.httpNodeRoutes[path], undefined, `routes for ${path}: ${described}`);
    assert.equal(after.httpNodeRoutes['<telapiDispatch>'], 1, `callback dispatchers: ${described}`);
    // Listeners on the process: none added per deploy.
    for (const [event, count] of Object.entries(after.processListeners)) {
      assert.ok(count <= (before.processListeners[event] ?? 0), `process listeners for ${event}: ${before.processListeners[event]} -> ${count}`);
    }
    // Sockets: the clients of closed account nodes freed theirs (bound: a few idle keep-alive sockets).
    assert.ok(sockets(after) <= sockets(before) + 8, `sockets ${sockets(before)} -> ${sockets(after)}`);
    // Memory after GC: bounded, not proportional to the number of deploys.
    const heapGrowth = (after.memory.heapUsed - before.memory.heapUsed) / MiB;
    assert.ok(heapGrowth < 20, `heap grew ${heapGrowth.toFixed(1)} MiB over ${REDEPLOYS} deploys`);

    // Every answer is one a client understands. "No answer" (0) only while a deploy stopped the flow
    // of a request in transit: Node-RED drops such a message between nodes, for the core http in ->
    // http response flow (ping) just the same; a record request the node itself was sending ends in an
    // error in the log ("cancelled because the node was stopped"), see the in-process test below.
    for (const [kind, list] of Object.entries(statuses)) {
      for (const status of list) assert.ok([0, 200, 404, 502, 503].includes(status), `${kind}: ${status} (${JSON.stringify(tally(list))})`);
    }
    for (const kind of ['record', 'ping']) {
      assert.deepEqual(tally(statuses[kind].slice(quietStatuses[kind])), { 200: statuses[kind].length - quietStatuses[kind] }, `${kind} after the deploys`);
    }
    const cancelled = (nodeRed.log.match(/\[telapi-record:rec\] TelApiError: .*cancelled/g) ?? []).length;
    // Callbacks: none emitted twice, none emitted that was refused; all of the quiet ones emitted once.
    const seen = await (await fetch(`${nodeRed.url}/life/seen`)).json();
    for (const callback of callbacks) {
      const count = seen[callback.callSid] ?? 0;
      assert.ok(count <= 1, `callback ${callback.callSid} emitted ${count} times`);
      if (callback.status !== 200) assert.equal(count, 0, `refused callback ${callback.callSid} (${callback.status}) was emitted`);
    }
    for (const callback of callbacks.slice(quietFrom)) {
      assert.equal(callback.status, 200);
      assert.equal(seen[callback.callSid], 1, `quiet callback ${callback.callSid}`);
    }
    assert.ok(statuses.record.filter((s) => s === 200).length > 100, 'the record node kept working between deploys');

    // No crash, no unhandled rejection in the child.
    assert.equal(nodeRed.log.match(/Unhandled|Uncaught|UnhandledPromiseRejection/gi), null, nodeRed.log.slice(-2000));
    const lost = callbacks.filter((c) => c.status === 200 && !seen[c.callSid]).length;
    console.log(`      ${REDEPLOYS} deploys; ${callbacks.length} callbacks ${JSON.stringify(tally(statuses.callback))}, ` +
      `${lost} accepted during a deploy but not delivered by the runtime to the (stopping) next node; ` +
      `record ${JSON.stringify(tally(statuses.record))} (${cancelled} cancelled by a close, logged as errors); ping ${JSON.stringify(tally(statuses.ping))}; ` +
      `heap ${heapGrowth.toFixed(1)} MiB, rss ${((after.memory.rss - before.memory.rss) / MiB).toFixed(1)} MiB, sockets ${sockets(before)} -> ${sockets(after)}`);
  });
});

describe('reliability: closing telapi-record with requests in flight', function () {
  this.timeout(30_000);
  let standIn;
  let watch;

  before(async () => {
    // A TelAPI that receives every request and never answers: all of them stay in flight.
    standIn = await startStandIn();
    standIn.setDefault(() => replies.hang());
    watch = watchProcess();
  });
  after(async () => {
    watch.stop();
    helper.settings({});
    await standIn.close();
  });

  it('waits for the 200 requests TelAPI received until just before the close timeout, then ends and logs each', async () => {
    // Node-RED waits nodeCloseTimeout for a node to close; the node keeps 1 s of it to cancel and log.
    helper.settings({ nodeCloseTimeout: 3000 });
    const flow = [
      { id: 'f', type: 'tab' },
      { id: 'account', type: 'telapi-account', name: 'stand-in', baseUrl: `${standIn.url}/v1`, publicUrl: 'https://nr.example.com', timeout: 30 },
      { id: 'record', type: 'telapi-record', z: 'f', account: 'account', action: 'start', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f' },
    ];
    const credentials = { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } };
    await helper.load([accountNode, recordNode], flow, credentials);
    const outputs = [];
    const errors = [];
    const warnings = [];
    helper.getNode('out').on('input', (msg) => outputs.push(msg));
    const record = helper.getNode('record');
    record.on('call:error', (call) => errors.push({ error: call.args[0], msg: call.args[1] }));
    record.on('call:warn', (call) => warnings.push(String(call.args[0])));

    const total = 200;
    for (let testId = 0; testId < total; testId++) record.receive({ callSid: callSidFor(testId), testId });
    await until(() => standIn.requests.length >= total, { describe: () => `${standIn.requests.length} requests arrived` });

    const closing = helper.setFlows(flow, 'full', credentials);
    await settle(10);
    assert.equal(errors.length, 0, 'nothing is given up while TelAPI may still answer');
    await closing;
    await settle(10);
    try {
      assert.equal(outputs.length, 0);
      const ids = errors.map((e) => e.msg?.testId);
      assert.equal(errors.length, total, `one error per message in flight: ${errors.length}`);
      assert.deepEqual([...new Set(ids)].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i));
      for (const { error } of errors) assert.match(String(error), /cancelled because the node was stopped/);
      for (let testId = 0; testId < total; testId++) {
        const logged = warnings.filter((text) => text.includes(callSidFor(testId)));
        assert.equal(logged.length, 1, `${callSidFor(testId)} is logged once`);
        assert.match(logged[0], /ended while this node was being stopped: .*TelAPI may have received it/);
      }
      assert.equal(standIn.requests.length, total, 'nothing was repeated');
      assert.deepEqual(watch.seen, []);
    } finally {
      await helper.unload();
    }
  });

  it('cancels what was not sent yet, and says that nothing was changed', async () => {
    // Nothing listens there: each request is refused and waits to be retried (it never reached TelAPI).
    const closedPort = await unusedPort();
    const flow = [
      { id: 'f', type: 'tab' },
      { id: 'account', type: 'telapi-account', name: 'nowhere', baseUrl: `http://127.0.0.1:${closedPort}/v1`, publicUrl: 'https://nr.example.com', timeout: 30 },
      { id: 'record', type: 'telapi-record', z: 'f', account: 'account', action: 'start', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f' },
    ];
    const credentials = { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } };
    await helper.load([accountNode, recordNode], flow, credentials);
    const errors = [];
    const warnings = [];
    const record = helper.getNode('record');
    record.on('call:error', (call) => errors.push(call.args[0]));
    record.on('call:warn', (call) => warnings.push(String(call.args[0])));
    const callSids = Array.from({ length: 5 }, (_, i) => callSidFor(i, 7));
    for (const callSid of callSids) record.receive({ callSid });
    await settle(20);
    await helper.setFlows(flow, 'full', credentials);
    await settle(10);
    try {
      assert.equal(errors.length, callSids.length);
      for (const callSid of callSids) {
        const logged = warnings.filter((text) => text.includes(callSid));
        assert.equal(logged.length, 1, `${callSid}: ${warnings.join(' | ')}`);
        assert.match(logged[0], /^The start of the recording of call CA\w+ was cancelled because this node was stopped; nothing was changed at TelAPI$/);
      }
    } finally {
      await helper.unload();
    }
  });
});
