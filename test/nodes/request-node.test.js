'use strict';
// The record and recordings nodes share one base (src/nodes/shared/request-node.ts): redeployed with
// requests in flight, both log the same things the same way.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startStandIn, replies } = require('../support/stand-in');
const { ACCOUNT_SID, CALL_SID } = require('../support/fixtures');

const accountNode = require('../../nodes/telapi-account.js');
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));
const recordingsNode = withCatalog(require('../../nodes/telapi-recordings.js'));

const AUTH_TOKEN = 'Zx9QwErTyUiOpAsDfGhJkLzXcVbNm123';
const RECORDING_SID = 'RE4288908463cd614b41084509ad8893a7';

describe('request nodes: one base, one way to close', function () {
  let standIn;
  before(async () => {
    standIn = await startStandIn();
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await standIn.close();
  });
  beforeEach(() => standIn.reset());
  afterEach(async () => { await helper.unload(); });

  /** Both nodes get one message each, TelAPI answers with `reply`, the flows are stopped mid-request: the warnings of each. */
  async function redeployWithRequestsInFlight(reply) {
    await helper.load([accountNode, recordNode, recordingsNode], [
      { id: 'account', type: 'telapi-account', baseUrl: `${standIn.url}/v2`, publicUrl: 'https://nr.example.com', timeout: 5 },
      { id: 'record', type: 'telapi-record', account: 'account', wires: [[]], z: 'f' },
      { id: 'recordings', type: 'telapi-recordings', account: 'account', operation: 'delete', wires: [[]], z: 'f' },
      { id: 'f', type: 'tab' },
    ], { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    standIn.setDefault(reply);
    const warnings = { record: [], recordings: [] };
    for (const id of ['record', 'recordings']) helper.getNode(id).on('call:warn', (call) => warnings[id].push(String(call.args[0])));
    helper.getNode('record').receive({ callSid: CALL_SID });
    helper.getNode('recordings').receive({ recordingSid: RECORDING_SID });
    while (standIn.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await helper.clearFlows();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return warnings;
  }

  it('a request TelAPI received is waited for, and its outcome logged by both alike', async () => {
    const warnings = await redeployWithRequestsInFlight(() => ({ ...replies.recording(), delayMs: 200 }));
    assert.deepEqual(warnings, {
      record: [`The start of the recording of call ${CALL_SID} finished while this node was being stopped (recording ${RECORDING_SID}); if its flow was stopped too, the flow did not receive it`],
      recordings: [`The delete of recording ${RECORDING_SID} finished while this node was being stopped (deleted RE4288…); if its flow was stopped too, the flow did not receive it`],
    });
  });

  it('a request TelAPI refused (429) and that waits to be retried is logged as refused by both alike', async () => {
    const warnings = await redeployWithRequestsInFlight(() => replies.retryAfter(429, 20));
    assert.deepEqual(warnings, {
      record: [`The start of the recording of call ${CALL_SID} was refused by TelAPI (HTTP 429 or 503: try again later), and this node was stopped before trying again; nothing was done`],
      recordings: [`The delete of recording ${RECORDING_SID} was refused by TelAPI (HTTP 429 or 503: try again later), and this node was stopped before trying again; nothing was done`],
    });
  });

  it('an InboundXML answer reads no catalog text after the first: its status texts are read once', async () => {
    let reads = 0;
    const counting = withCatalog((RED) => {
      const red = Object.create(RED);
      red._ = (...args) => {
        reads += 1;
        return RED._(...args);
      };
      return require('../../nodes/telapi-inboundxml.js')(red);
    });
    await helper.load([counting], [
      { id: 'xml', type: 'telapi-inboundxml', verbs: [{ verb: 'Say', text: 'Hello' }], wires: [['out']], z: 'f' },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'f', type: 'tab' },
    ]);
    const received = [];
    helper.getNode('out').on('input', (msg) => received.push(msg));
    const until = async (count) => {
      while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    helper.getNode('xml').receive({ callSid: CALL_SID });
    helper.getNode('xml').receive({});
    await until(2);
    const afterFirst = reads;
    for (let i = 0; i < 3; i++) {
      helper.getNode('xml').receive({ callSid: CALL_SID });
      helper.getNode('xml').receive({});
    }
    await until(8);
    assert.equal(reads - afterFirst, 0, 'catalog reads for 6 more answers');
    assert.match(received[7].payload, /<Say>Hello<\/Say>/);
  });

  it('a message that succeeds reads no catalog text: every text is read once, at deploy or first use (bench/README.md)', async () => {
    let reads = 0;
    const counting = (register) => withCatalog((RED) => {
      const red = Object.create(RED);
      red._ = (...args) => {
        reads += 1;
        return RED._(...args);
      };
      return register(red);
    });
    await helper.load([accountNode, counting(require('../../nodes/telapi-record.js')), counting(require('../../nodes/telapi-recordings.js'))], [
      { id: 'account', type: 'telapi-account', baseUrl: `${standIn.url}/v2`, publicUrl: 'https://nr.example.com', timeout: 5 },
      { id: 'record', type: 'telapi-record', account: 'account', wires: [['out']], z: 'f' },
      { id: 'recordings', type: 'telapi-recordings', account: 'account', operation: 'delete', wires: [['out']], z: 'f' },
      { id: 'out', type: 'helper', z: 'f' },
      { id: 'f', type: 'tab' },
    ], { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    const received = [];
    helper.getNode('out').on('input', (msg) => received.push(msg));
    const send = (rounds) => {
      for (let i = 0; i < rounds; i++) {
        helper.getNode('record').receive({ callSid: CALL_SID });
        helper.getNode('recordings').receive({ recordingSid: RECORDING_SID });
      }
    };
    const until = async (count) => {
      while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    // The first message of each reads its texts (cachedText).
    send(1);
    await until(2);
    const afterFirst = reads;
    send(3);
    await until(8);
    assert.equal(reads - afterFirst, 0, 'catalog reads for 6 more successful messages');
    assert.equal(received.filter((msg) => msg.payload.sid === RECORDING_SID).length, 8);
  });

  it('errors reaching Catch are the library\'s own classes, with the catalog\'s text', async () => {
    const { TelApiError, TelApiInputError } = require('../../dist/telapi');
    await helper.load([accountNode, recordNode], [
      { id: 'account', type: 'telapi-account', baseUrl: `${standIn.url}/v2`, publicUrl: 'https://nr.example.com', timeout: 5 },
      { id: 'record', type: 'telapi-record', account: 'account', wires: [[]], z: 'f' },
      { id: 'f', type: 'tab' },
    ], { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    const errors = [];
    helper.getNode('record').on('call:error', (call) => errors.push(call.args[0]));
    standIn.setDefault(() => replies.error(404, 10404, 'Call not found'));
    helper.getNode('record').receive({ callSid: 'CA1' });
    helper.getNode('record').receive({ callSid: CALL_SID });
    while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(errors[0] instanceof TelApiInputError);
    assert.equal(errors[0].message, 'Invalid callSid: must be "CA" followed by 32 hex digits');
    assert.equal(errors[0].field, 'callSid');
    assert.ok(errors[1] instanceof TelApiError);
    assert.equal(errors[1].message, 'TelAPI 404 (code 10404): Call not found');
    assert.equal(errors[1].status, 404);
  });
});
