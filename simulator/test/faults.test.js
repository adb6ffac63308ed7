'use strict';
const assert = require('node:assert/strict');
const { DEMO_CALL_SIDS, API_ERRORS, ApiError } = require('..');
const { closeAll, startSim, api } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;

async function statuses(sim, count) {
  const seen = [];
  for (let index = 0; index < count; index++) seen.push((await api(sim, 'GET', '/Recordings.json')).status);
  return seen;
}

describe('simulator: fault injection', function () {
  afterEach(closeAll);

  it('is off by default', async function () {
    const sim = await startSim();
    assert.deepEqual(await statuses(sim, 20), Array(20).fill(200));
    assert.deepEqual(sim.faults, {
      latencyMs: 0,
      rate429: 0,
      rate500: 0,
      rate503: 0,
      rateDrop: 0,
      rateMalformedJson: 0,
      rateHtml: 0,
      retryAfterSeconds: 1,
      seed: 1,
    });
  });

  it('answers 429 with Retry-After and TelAPI error JSON', async function () {
    const sim = await startSim({ faults: { rate429: 1, retryAfterSeconds: 3 } });
    const answer = await api(sim, 'GET', '/Recordings.json');
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], '3');
    assert.deepEqual(answer.json, new ApiError('tooManyRequests').toBody());
    assert.equal(sim.requests().at(-1).fault, 'status 429');
  });

  it('answers 500, and 503 with Retry-After', async function () {
    const sim = await startSim({ faults: { rate500: 1 } });
    const internal = await api(sim, 'GET', '/Recordings.json');
    assert.equal(internal.status, 500);
    assert.equal(internal.json.code, API_ERRORS.internalError.code);
    assert.equal(internal.headers['retry-after'], undefined);
    sim.setFaults({ rate500: 0, rate503: 1 });
    const unavailable = await api(sim, 'GET', '/Recordings.json');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.json.code, API_ERRORS.serviceUnavailable.code);
    assert.equal(unavailable.headers['retry-after'], '1');
  });

  it('drops the connection without an answer', async function () {
    const sim = await startSim({ faults: { rateDrop: 1 } });
    await assert.rejects(api(sim, 'GET', '/Recordings.json'), (error) => ['ECONNRESET', 'EPIPE'].includes(error.code) || /socket hang up/.test(error.message));
    assert.equal(sim.requests().at(-1).fault, 'drop');
  });

  it('answers malformed JSON with HTTP 200', async function () {
    const sim = await startSim({ faults: { rateMalformedJson: 1 } });
    const answer = await api(sim, 'GET', '/Recordings.json');
    assert.equal(answer.status, 200);
    assert.match(answer.headers['content-type'], /^application\/json/);
    assert.throws(() => JSON.parse(answer.text), SyntaxError);
  });

  it('answers an HTML error page', async function () {
    const sim = await startSim({ faults: { rateHtml: 1 } });
    const answer = await api(sim, 'GET', '/Recordings.json');
    assert.equal(answer.status, 502);
    assert.match(answer.headers['content-type'], /^text\/html/);
    assert.match(answer.text, /<html>/);
  });

  it('adds latency: a client that gives up early gets nothing, one that waits gets the answer', async function () {
    const sim = await startSim({ faults: { latencyMs: 2000 } });
    const url = `${sim.url}/v1/Accounts/${sim.accountSids[0]}/Recordings.json`;
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
    sim.setFaults({ latencyMs: 30 });
    assert.equal((await api(sim, 'GET', '/Recordings.json')).status, 200);
  });

  it('has no side effects: a faulted record request starts nothing', async function () {
    const sim = await startSim();
    sim.failNext(1, 500);
    const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: { Record: 'true' } });
    assert.equal(answer.status, 500);
    assert.deepEqual(sim.recordings(), []);
  });

  it('fails the next N requests with a given status or mode, then answers normally', async function () {
    const sim = await startSim();
    sim.failNext(2, 503);
    sim.failNext(1, 'html');
    sim.failNext(1, 418);
    const answers = [];
    for (let index = 0; index < 5; index++) answers.push(await api(sim, 'GET', '/Recordings.json'));
    assert.deepEqual(answers.map((answer) => answer.status), [503, 503, 502, 418, 200]);
    assert.equal(answers[3].json.code, 10418);
    assert.equal(answers[3].json.status, 418);
    assert.throws(() => sim.failNext(1, 200), RangeError);
    assert.throws(() => sim.failNext(1, 'explode'), RangeError);
  });

  it('is reproducible: the same seed gives the same sequence', async function () {
    const faults = { rate429: 0.2, rate500: 0.2, rate503: 0.2, seed: 42 };
    const first = await statuses(await startSim({ faults }), 30);
    const second = await statuses(await startSim({ faults }), 30);
    assert.deepEqual(first, second);
    for (const status of [200, 429, 500, 503]) assert.ok(first.includes(status), `${status} occurs in ${first}`);
    const other = await statuses(await startSim({ faults: { ...faults, seed: 43 } }), 30);
    assert.notDeepEqual(other, first);
  });

  it('changes at runtime, restarting the sequence when a seed is given, and clears', async function () {
    const sim = await startSim();
    sim.setFaults({ rate500: 0.5, seed: 9 });
    const first = await statuses(sim, 12);
    sim.setFaults({ seed: 9 });
    assert.deepEqual(await statuses(sim, 12), first);
    sim.clearFaults();
    assert.deepEqual(await statuses(sim, 5), Array(5).fill(200));
    assert.throws(() => sim.setFaults({ rate500: 0.7, rate503: 0.7 }), RangeError);
    assert.throws(() => sim.setFaults({ rate429: -0.1 }), RangeError);
  });
});
