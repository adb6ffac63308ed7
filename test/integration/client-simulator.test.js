'use strict';
// The package's own TelAPI client and signature check against the simulator: two independent
// readings of docs/telapi-api.md that must agree on the wire format.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS } = require('@telapi-nodes/telapi-simulator');
const { TelApiClient, loadGot, recordCall, recordingFormParams, DEFAULT_RECORDING_OPTIONS, verifySignature } = require('../../dist/telapi');
const { closeAll, startSim, startReceiver, SID } = require('../../simulator/test/helpers');

describe('simulator: with the package\'s TelApiClient', function () {
  const clients = [];
  let got;
  before(async () => { got = await loadGot(); });
  afterEach(async function () {
    for (const client of clients.splice(0)) client.close();
    await closeAll();
  });

  function clientFor(sim, version) {
    const client = new TelApiClient({ got, accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, baseUrl: `${sim.url}/${version}`, unreachableBackoffMs: 1 });
    clients.push(client);
    return client;
  }

  for (const version of ['v1', 'v2']) {
    it(`starts and stops a recording through /${version}`, async function () {
      const sim = await startSim();
      const client = clientFor(sim, version);
      const started = await recordCall(client, DEMO_CALL_SIDS.outbound, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, fileFormat: 'wav' }));
      assert.equal(started.statusCode, 200);
      assert.match(started.recording.sid, SID.RE);
      assert.equal(started.recording.api_version, version);
      const stopped = await recordCall(client, DEMO_CALL_SIDS.outbound, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, action: 'stop' }));
      assert.equal(stopped.recording.sid, started.recording.sid);
      assert.equal(sim.getRecording(started.recording.sid).params.fileFormat, 'wav');
    });
  }

  it('retries a 503 with Retry-After, and reports TelAPI\'s error code for a 404', async function () {
    const sim = await startSim({ faults: { retryAfterSeconds: 0 } });
    const client = clientFor(sim, 'v2');
    sim.failNext(1, 503);
    const result = await recordCall(client, DEMO_CALL_SIDS.inbound, recordingFormParams(DEFAULT_RECORDING_OPTIONS));
    assert.equal(result.attempts, 2);
    await assert.rejects(recordCall(client, `CA${'9'.repeat(32)}`, recordingFormParams(DEFAULT_RECORDING_OPTIONS)), { name: 'TelApiError', status: 404, code: 13404 });
  });

  it('signs callbacks so that the package\'s verifySignature accepts them, and only them', async function () {
    const sim = await startSim({ signCallbacks: true });
    const receiver = await startReceiver();
    const client = clientFor(sim, 'v2');
    const callbackUrl = `${receiver.url}/telapi/recording?token=t0k3n`;
    await recordCall(client, DEMO_CALL_SIDS.outbound, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, callbackUrl }));
    await recordCall(client, DEMO_CALL_SIDS.outbound, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, action: 'stop' }));
    await sim.waitForDelivery({ callSid: DEMO_CALL_SIDS.outbound });
    const [request] = receiver.received;
    const params = Object.fromEntries(request.params);
    const header = request.headers['x-telapi-signature'];
    assert.equal(verifySignature(DEMO_AUTH_TOKEN, callbackUrl, params, header), true);
    assert.equal(verifySignature(DEMO_AUTH_TOKEN, `${receiver.url}/telapi/recording`, params, header), false);
    assert.equal(verifySignature('x'.repeat(32), callbackUrl, params, header), false);
  });
});
