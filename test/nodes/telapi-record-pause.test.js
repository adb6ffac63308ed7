'use strict';
// Pause and resume on the simulator: a pause is a stop, a resume a new recording of the call, and a
// call's sixth recording (the fifth resume) reaches Catch saying that TelAPI keeps at most five.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { startSim, closeAll } = require('../../simulator/test/helpers');

const accountNode = require('../../nodes/telapi-account.js');
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));

describe('telapi-record node: pause and resume on the simulator', function () {
  this.timeout(30_000);
  let sim;
  before(async () => {
    sim = await startSim({ timeScale: 0.001 });
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await closeAll();
  });
  afterEach(async () => { await helper.unload(); });

  it('each resume is a new recording of the call; the fifth resume is refused as the limit, and says so', async () => {
    await helper.load([accountNode, recordNode], [
      { id: 'account', type: 'telapi-account', baseUrl: `${sim.url}/v2`, publicUrl: 'https://nr.example.com', timeout: 5 },
      { id: 'record', type: 'telapi-record', account: 'account', action: 'start', wires: [['out']], z: 'f' },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'f', type: 'tab' },
    ], { account: { accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } });
    const out = [];
    const errors = [];
    helper.getNode('out').on('input', (msg) => out.push(msg));
    helper.getNode('record').on('call:error', (call) => errors.push(call.args[0]));
    const callSid = sim.createCall().sid;
    const step = async (action) => {
      const before = out.length + errors.length;
      helper.getNode('record').receive({ callSid, recording: { action } });
      while (out.length + errors.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await step('start');
    for (let i = 0; i < 4; i++) {
      await step('pause');
      await step('resume');
    }
    assert.equal(errors.length, 0, errors.map((e) => e.message).join(' | '));
    const sids = out.filter((msg) => msg.recording.action !== 'pause').map((msg) => msg.payload.sid);
    assert.equal(new Set(sids).size, 5, 'five recordings: the start and four resumes');
    assert.equal(sim.recordings({ callSid }).length, 5);
    await step('pause');
    await step('resume');
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, new RegExp(`^TelAPI keeps at most 5 recordings of a call, and call ${callSid} has them all: no recording can be started or resumed on it`));
    assert.equal(errors[0].kind, 'recording-limit');
  });
});
