'use strict';
// Fault matrix: telapi-record against the simulator with injected faults. Every fault ends in one
// clear outcome (an output or one error at a Catch node), and no request that may have started a
// recording is ever repeated. Then 1,000 messages in flight with 20 % faults: each accounted for
// exactly once, correlated with the simulator's request log by a CallSid of its own.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog, loadCatalog, translate } = require('../support/i18n');
const { unusedPort } = require('../support/stand-in');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { watchProcess, until, settle } = require('./helpers');

const accountNode = require('../../nodes/telapi-account.js');
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));

const catalog = loadCatalog();
const ANY = '\u0000';
/**
 * The error text a user reads, from the en-US catalog (so wording changes there do not break this
 * suite), as `TelApiError: …`; parameters given as ANY match any text.
 */
function errorText(key, params = {}) {
  const text = `TelApiError: ${translate(catalog, `telapi-record.errors.${key}`, params)}`;
  const pattern = text.split(ANY).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?');
  return new RegExp(`^${pattern}$`);
}

const CREDENTIALS = { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } };

function flow(baseUrl, accountProps = {}, recordProps = {}) {
  return [
    { id: 'flow1', type: 'tab' },
    { id: 'account', type: 'telapi-account', name: 'sim', baseUrl, publicUrl: 'https://nr.example.com', timeout: 10, ...accountProps },
    { id: 'record', type: 'telapi-record', z: 'flow1', account: 'account', action: 'start', wires: [['out']], ...recordProps },
    { id: 'out', type: 'helper', z: 'flow1' },
    { id: 'catcher', type: 'catch', z: 'flow1', scope: ['record'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'flow1' },
  ];
}

/** The CallSid a simulator API request was for, if any. */
const callSidOf = (request) => /\/Calls\/(CA[0-9a-fA-F]{32})\/Recordings\.json$/.exec(request.path)?.[1];

describe('reliability: fault matrix of telapi-record against the simulator', function () {
  this.timeout(60_000);
  let sim;
  let watch;
  let seen;

  before(async () => {
    sim = await startSimulator({ port: 0, demoCalls: false, maxRecordedRequests: 20_000 });
    await new Promise((resolve) => helper.startServer(resolve));
    watch = watchProcess();
  });
  after(async () => {
    watch.stop();
    await new Promise((resolve) => helper.stopServer(resolve));
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearRequests();
  });
  afterEach(async () => {
    await helper.unload();
    assert.deepEqual(watch.seen, [], 'no unhandled rejection or uncaught exception');
  });

  async function load(accountProps, recordProps, baseUrl = `${sim.url}/v1`) {
    await helper.load([accountNode, recordNode], flow(baseUrl, accountProps, recordProps), CREDENTIALS);
    seen = { out: [], caught: [], statuses: [] };
    helper.getNode('out').on('input', (msg) => seen.out.push(msg));
    helper.getNode('caught').on('input', (msg) => seen.caught.push(msg));
    helper.getNode('record').on('call:status', (call) => seen.statuses.push(call.args[0]));
  }

  /** Sends one message and waits for its one outcome; then checks nothing else arrives. */
  async function outcomeOf(msg) {
    helper.getNode('record').receive(msg);
    await until(() => seen.out.length + seen.caught.length >= 1, { describe: () => JSON.stringify(msg) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle();
    assert.equal(seen.out.length + seen.caught.length, 1, 'exactly one outcome per message');
    return seen.caught.length ? { caught: seen.caught[0] } : { out: seen.out[0] };
  }

  const requestsFor = (callSid) => sim.requests().filter((request) => callSidOf(request) === callSid);

  function expectCaught(outcome, pattern, statusCode) {
    assert.ok(outcome.caught, `expected a Catch, got an output: ${JSON.stringify(outcome.out?.payload)}`);
    assert.match(outcome.caught.error.message, pattern);
    assert.equal(outcome.caught.error.source.id, 'record');
    assert.equal(outcome.caught.statusCode, statusCode);
    const status = seen.statuses.at(-1);
    assert.equal(status.fill, 'red');
    assert.ok(!JSON.stringify(outcome.caught).includes(DEMO_AUTH_TOKEN));
  }

  const single = [
    ['400 (a recording already runs on the call)', { real: 'second-start' }, errorText('httpWithCode', { status: 400, code: ANY, message: ANY }), 400, 1],
    ['403', { failNext: 403 }, errorText('httpWithCode', { status: 403, code: ANY, message: ANY }), 403, 1],
    ['404 (unknown call)', { real: 'unknown-call' }, errorText('httpWithCode', { status: 404, code: ANY, message: ANY }), 404, 1],
    ['429 three times (Retry-After each time)', { failNext: 429, count: 3 }, errorText('httpWithCode', { status: 429, code: ANY, message: ANY }), 429, 3],
    ['500', { failNext: 500 }, errorText('httpWithCode', { status: 500, code: ANY, message: ANY }), 500, 1],
    ['503 three times', { failNext: 503, count: 3 }, errorText('httpWithCode', { status: 503, code: ANY, message: ANY }), 503, 3],
    ['a reset connection', { failNext: 'drop' }, errorText('network', { cause: 'ECONNRESET' }), undefined, 1],
    ['malformed JSON in a 200', { failNext: 'malformed-json' }, errorText('invalid-response', { status: 200 }), 200, 1],
    ['an HTML error page', { failNext: 'html' }, errorText('http', { status: 502, message: 'Bad Gateway' }), 502, 1],
  ];
  for (const [name, fault, pattern, statusCode, requests] of single) {
    it(`${name}: one error at the Catch node, ${requests} request${requests > 1 ? 's' : ''}`, async () => {
      sim.setFaults({ retryAfterSeconds: 0 });
      await load();
      const call = sim.createCall();
      let callSid = call.sid;
      if (fault.real === 'second-start') {
        helper.getNode('record').receive({ callSid });
        await until(() => seen.out.length === 1);
        seen.out.length = 0;
        sim.clearRequests();
      } else if (fault.real === 'unknown-call') {
        callSid = 'CA0123456789abcdef0123456789abcdef';
      } else {
        sim.failNext(fault.count ?? 1, fault.failNext);
      }
      const outcome = await outcomeOf({ callSid, testId: name });
      expectCaught(outcome, pattern, statusCode);
      assert.equal(outcome.caught.testId, name);
      assert.equal(requestsFor(callSid).length, requests, 'requests sent');
    });
  }

  it('401 (wrong AuthToken): one error at the Catch node, never the token in it', async () => {
    await helper.load([accountNode, recordNode], flow(`${sim.url}/v1`), {
      account: { accountSid: DEMO_ACCOUNT_SID, authToken: 'wrong-token-wrong-token-wrong-tok' },
    });
    seen = { out: [], caught: [], statuses: [] };
    helper.getNode('out').on('input', (msg) => seen.out.push(msg));
    helper.getNode('caught').on('input', (msg) => seen.caught.push(msg));
    helper.getNode('record').on('call:status', (call) => seen.statuses.push(call.args[0]));
    const outcome = await outcomeOf({ callSid: sim.createCall().sid });
    expectCaught(outcome, errorText('httpWithCode', { status: 401, code: 10004, message: 'Invalid credentials supplied' }), 401);
    assert.ok(!JSON.stringify(outcome.caught).includes('wrong-token'));
  });

  it('429 then success: retried after Retry-After, one output', async () => {
    sim.setFaults({ retryAfterSeconds: 0 });
    sim.failNext(1, 429);
    await load();
    const callSid = sim.createCall().sid;
    const outcome = await outcomeOf({ callSid });
    assert.ok(outcome.out, 'the retry succeeded');
    assert.equal(outcome.out.statusCode, 200);
    assert.equal(outcome.out.payload.call_sid, callSid);
    assert.deepEqual(requestsFor(callSid).map((r) => r.status), [429, 200]);
    assert.equal(sim.recordings({ callSid }).length, 1);
  });

  it('503 then success: retried, one output, one recording', async () => {
    sim.setFaults({ retryAfterSeconds: 0 });
    sim.failNext(1, 503);
    await load();
    const callSid = sim.createCall().sid;
    const outcome = await outcomeOf({ callSid });
    assert.ok(outcome.out);
    assert.deepEqual(requestsFor(callSid).map((r) => r.status), [503, 200]);
    assert.equal(sim.recordings({ callSid }).length, 1);
  });

  it('a timeout: one error, the request not repeated', async () => {
    sim.setFaults({ latencyMs: 2_000 });
    await load({ timeout: 0.3 });
    const callSid = sim.createCall().sid;
    const outcome = await outcomeOf({ callSid });
    expectCaught(outcome, errorText('timeout'), undefined);
    assert.equal(requestsFor(callSid).length, 1);
  });

  it('connection refused: retried (nothing was sent), then one error', async () => {
    const port = await unusedPort();
    await load({}, {}, `http://127.0.0.1:${port}/v1`);
    const outcome = await outcomeOf({ callSid: sim.createCall().sid });
    expectCaught(outcome, errorText('unreachable', { cause: 'ECONNREFUSED', attempts: 3 }), undefined);
  });

  it('1,000 messages in flight with 20 % faults: each accounted for once, nothing that may have started a recording repeated', async () => {
    const total = 1000;
    sim.replaceFaults({ rate429: 0.03, rate500: 0.04, rate503: 0.03, rateDrop: 0.04, rateMalformedJson: 0.03, rateHtml: 0.03, retryAfterSeconds: 0, seed: 42 });
    await load({ timeout: 20 });
    const calls = Array.from({ length: total }, () => sim.createCall().sid);
    const record = helper.getNode('record');
    calls.forEach((callSid, testId) => record.receive({ callSid, testId }));
    await until(() => seen.out.length + seen.caught.length >= total, {
      timeoutMs: 40_000,
      describe: () => `${seen.out.length} out, ${seen.caught.length} caught`,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();

    // Exactly once each, matched by the msg id.
    const outcomes = new Map();
    for (const msg of seen.out) outcomes.set(msg.testId, [...(outcomes.get(msg.testId) ?? []), 'out']);
    for (const msg of seen.caught) outcomes.set(msg.testId, [...(outcomes.get(msg.testId) ?? []), 'caught']);
    assert.equal(seen.out.length + seen.caught.length, total);
    for (let testId = 0; testId < total; testId++) assert.equal(outcomes.get(testId)?.length, 1, `message ${testId}: ${outcomes.get(testId)}`);

    // The request log, per message (each message has a call of its own).
    const byCall = new Map();
    for (const request of sim.requests()) {
      const callSid = callSidOf(request);
      if (callSid) byCall.set(callSid, [...(byCall.get(callSid) ?? []), request]);
    }
    const safeToRepeat = (request) => request.status === 429 || request.status === 503;
    let faulted = 0;
    let retried = 0;
    for (const [testId, callSid] of calls.entries()) {
      const requests = byCall.get(callSid) ?? [];
      assert.ok(requests.length >= 1 && requests.length <= 3, `message ${testId}: ${requests.length} requests`);
      requests.slice(0, -1).forEach((request) =>
        assert.ok(safeToRepeat(request), `message ${testId}: a request answered ${request.status ?? request.fault} was repeated`),
      );
      if (requests.length > 1) retried += 1;
      const last = requests.at(-1);
      const [kind] = outcomes.get(testId);
      if (last.fault) faulted += 1;
      if (!last.fault && last.status === 200) {
        assert.equal(kind, 'out', `message ${testId}: TelAPI answered 200`);
      } else {
        assert.equal(kind, 'caught', `message ${testId}: TelAPI answered ${last.status ?? last.fault}`);
        const msg = seen.caught.find((m) => m.testId === testId);
        const http = (status) => errorText('httpWithCode', { status, code: ANY, message: ANY });
        const expected = {
          'status 429': http(429), 'status 500': http(500), 'status 503': http(503), drop: errorText('network', { cause: 'ECONNRESET' }),
          'malformed-json': errorText('invalid-response', { status: 200 }), html: errorText('http', { status: 502, message: 'Bad Gateway' }),
        }[last.fault];
        assert.ok(expected, `message ${testId}: unexpected last answer ${last.status} ${last.fault}`);
        assert.match(msg.error.message, expected);
      }
      // Injected faults have no side effects: a recording exists exactly for the messages that succeeded.
      assert.equal(sim.recordings({ callSid }).length, kind === 'out' ? 1 : 0, `message ${testId}: recordings`);
    }
    assert.ok(faulted > 100 && retried > 20, `the mix really was faulty: ${faulted} failed, ${retried} retried`);
  });
});
