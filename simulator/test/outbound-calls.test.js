'use strict';
// Calls made through `POST /Calls.json`: they ring, are answered (or not), ask their Url, run its
// InboundXML and report to StatusCallback; one of them is made with the official client.
const assert = require('node:assert/strict');
const cpaas = require('@avaya/cpaas');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, telapiSignature } = require('..');
const { closeAll, startSim, startFlow, startReceiver, xml, api, SID, RFC_2822 } = require('./helpers');

const ended = (sim, callSid) => sim.waitForCallEvent({ callSid, type: 'hangup' });
/** The settled StatusCallback delivery of the call that told `callStatus`. */
const statusCallback = (sim, callSid, callStatus) =>
  sim.waitForDelivery((delivery) => delivery.kind === 'status' && delivery.callSid === callSid && delivery.params.CallStatus === callStatus);

describe('simulator: outbound calls (make call)', function () {
  afterEach(closeAll);

  it('rings, is answered, asks Url with Direction=outbound-api by Method, and calls StatusCallback on connect and end', async function () {
    const sim = await startSim({ demoCalls: false, signCallbacks: true });
    const receiver = await startReceiver();
    const flow = await startFlow({ '/voice': xml('<Say>Hello from the flow.</Say>') });
    const made = await api(sim, 'POST', '/Calls.json', {
      version: 'v2',
      body: {
        From: '+15550100100', To: '+15550100222', Url: `${flow.url}/voice?key=abc`, Method: 'GET',
        StatusCallback: `${receiver.url}/status?key=def`, StatusCallbackMethod: 'POST', Timeout: '30',
      },
    });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.json.status, 'queued');
    const callSid = made.json.sid;
    const hangup = await ended(sim, callSid);
    assert.deepEqual([hangup.cause, hangup.status], ['document-ended', 'completed']);
    assert.deepEqual(sim.callEvents(callSid).filter((event) => event.type === 'status').map((event) => event.status), ['queued', 'ringing', 'in-progress']);

    const [voice] = flow.received;
    assert.equal(voice.method, 'GET');
    assert.ok(voice.url.startsWith('/voice?key=abc&AccountSid='));
    assert.deepEqual([voice.params.Direction, voice.params.CallStatus, voice.params.To, voice.params.ApiVersion], ['outbound-api', 'in-progress', '+15550100222', 'v2']);

    const connected = await statusCallback(sim, callSid, 'in-progress');
    const finished = await statusCallback(sim, callSid, 'completed');
    assert.equal(connected.params.CallStatus, 'in-progress');
    assert.equal(connected.params.CallDuration, undefined);
    assert.equal(finished.params.CallStatus, 'completed');
    assert.match(finished.params.CallDuration, /^\d+$/);
    assert.equal(finished.url, `${receiver.url}/status?key=def`);
    const posted = receiver.received.at(-1);
    assert.equal(posted.headers['x-telapi-signature'], telapiSignature(DEMO_AUTH_TOKEN, `${receiver.url}/status?key=def`, [...posted.params]));

    const call = await api(sim, 'GET', `/Calls/${callSid}.json`, { version: 'v2' });
    assert.equal(call.json.status, 'completed');
    assert.equal(call.json.answered_by, 'tbd');
    assert.match(call.json.start_time, RFC_2822);
    assert.equal(call.json.duration, Number(finished.params.CallDuration));
  });

  for (const [behavior, status] of [['busy', 'busy'], ['no-answer', 'no-answer'], ['failed', 'failed']]) {
    it(`ends ${status} without asking Url when the control API makes the number ${behavior}`, async function () {
      const sim = await startSim({ demoCalls: false });
      const receiver = await startReceiver();
      const flow = await startFlow({ '/voice': xml('<Say>Never heard.</Say>') });
      const set = await api(sim, 'POST', '//_simulator/numbers', { body: { Number: '+15550100333', Behavior: behavior } });
      assert.deepEqual(set.json.numbers, [{ number: '+15550100333', behavior }]);
      const made = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100100', To: '+15550100333', Url: `${flow.url}/voice`, StatusCallback: `${receiver.url}/status`, Timeout: '5' } });
      const hangup = await ended(sim, made.json.sid);
      assert.deepEqual([hangup.status, hangup.cause], [status, behavior]);
      assert.equal(flow.received.length, 0);
      const only = await statusCallback(sim, made.json.sid, status);
      assert.equal(only.params.CallDuration, '0');
      assert.equal(sim.deliveries().filter((delivery) => delivery.kind === 'status').length, 1, 'a call never connected reports its end only');
    });
  }

  it('keeps a manual number ringing until the control API answers or rejects it; a call never answered is no-answer after Timeout', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/voice': xml('<Say>Answered by hand.</Say>') });
    sim.setCalleeBehavior('+15550100444', 'manual');
    const body = { From: '+15550100100', To: '+15550100444', Url: `${flow.url}/voice`, Timeout: '999' };
    const first = await api(sim, 'POST', '/Calls.json', { body });
    await sim.waitForCallEvent((event) => event.callSid === first.json.sid && event.type === 'status' && event.status === 'ringing');
    assert.equal(sim.getCall(first.json.sid).status, 'ringing');
    const answered = await api(sim, 'POST', `//_simulator/calls/${first.json.sid}/answer`);
    assert.equal(answered.json.status, 'in-progress');
    await sim.waitForCallEvent({ callSid: first.json.sid, type: 'say' });

    const second = await api(sim, 'POST', '/Calls.json', { body });
    await sim.waitForCallEvent((event) => event.callSid === second.json.sid && event.type === 'status' && event.status === 'ringing');
    const rejected = await api(sim, 'POST', `//_simulator/calls/${second.json.sid}/reject`, { body: { Status: 'busy' } });
    assert.equal(rejected.json.status, 'busy');
    assert.equal((await api(sim, 'POST', `//_simulator/calls/${second.json.sid}/answer`)).status, 400);

    const third = await api(sim, 'POST', '/Calls.json', { body: { ...body, Timeout: '1' } });
    const hangup = await ended(sim, third.json.sid);
    assert.deepEqual([hangup.status, hangup.cause], ['no-answer', 'no-answer']);
    assert.equal(flow.received.length, 1);
  });

  it('tells a page waiting on GET /_simulator/calls?To=&Status=ringing&wait_ms= when a call to its manual number rings', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/voice': xml('<Say>x</Say>') });
    await api(sim, 'POST', '//_simulator/numbers', { body: { Number: '+15550100200', Behavior: 'manual' } });
    const ringing = '//_simulator/calls?To=%2B15550100200&Status=ringing&Direction=outbound-api';
    const started = Date.now();
    const none = await api(sim, 'GET', `${ringing}&wait_ms=50`);
    assert.deepEqual(none.json, { calls: [] });
    assert.ok(Date.now() - started >= 45, 'waited for wait_ms');

    const waiting = api(sim, 'GET', `${ringing}&wait_ms=5000`);
    const other = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100100', To: '+15550100222', Url: `${flow.url}/voice` } });
    const made = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100100', To: '+15550100200', Url: `${flow.url}/voice`, Timeout: '999' } });
    const told = await waiting;
    assert.deepEqual(told.json.calls.map((call) => [call.sid, call.status, call.to]), [[made.json.sid, 'ringing', '+15550100200']]);
    // The other number answers after its ring time, which a loaded machine can stretch: once it has, one call rings.
    await sim.waitForCallEvent((event) => event.callSid === other.json.sid && event.type === 'status' && event.status === 'in-progress');
    // A + left unencoded in the query string reads as a space: still the number meant. Filters are checked.
    assert.equal((await api(sim, 'GET', '//_simulator/calls?To=+15550100200&Status=RINGING')).json.calls.length, 1);
    assert.equal((await api(sim, 'GET', '//_simulator/calls?Status=ringing&From=%2B15550100100')).json.calls.length, 1);
    assert.equal((await api(sim, 'GET', '//_simulator/calls?Status=ringing&Direction=inbound')).json.calls.length, 0);
    assert.equal((await api(sim, 'GET', '//_simulator/calls?Status=dialling')).status, 400);
    assert.equal((await api(sim, 'GET', '//_simulator/calls?Direction=sideways')).status, 400);
  });

  it('cancels a ringing call hung up through the API, and refuses a Timeout outside 1..999', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/voice': xml('<Say>x</Say>') });
    sim.setCalleeBehavior('+15550100555', 'manual');
    const made = await api(sim, 'POST', '/Calls.json', { body: { From: '+1', To: '+15550100555', Url: `${flow.url}/voice`, Timeout: '999' } });
    const canceled = await api(sim, 'POST', `/Calls/${made.json.sid}.json`, { body: { Status: 'canceled' } });
    assert.equal(canceled.json.status, 'canceled');
    assert.equal((await ended(sim, made.json.sid)).cause, 'api');
    for (const Timeout of ['0', '1000', 'soon']) {
      assert.equal((await api(sim, 'POST', '/Calls.json', { body: { From: '+1', To: '+2', Url: `${flow.url}/voice`, Timeout } })).status, 400, Timeout);
    }
  });

  it('sends a live call to new InboundXML when the API gives it a Url', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/hold': xml('<Play>https://media.invalid/music.mp3</Play><Pause length="3600"/>'), '/next': xml('<Say>Redirected.</Say>') });
    const made = await api(sim, 'POST', '/Calls.json', { body: { From: '+1', To: '+2', Url: `${flow.url}/hold` } });
    await sim.waitForCallEvent({ callSid: made.json.sid, type: 'play' });
    const moved = await api(sim, 'POST', `/Calls/${made.json.sid}.json`, { body: { Url: `${flow.url}/next`, Method: 'GET' } });
    assert.equal(moved.status, 200, moved.text);
    const heard = await sim.waitForCallEvent({ callSid: made.json.sid, type: 'say' });
    assert.equal(heard.text, 'Redirected.');
    assert.deepEqual(flow.received.map((request) => [request.method, request.path]), [['POST', '/hold'], ['GET', '/next']]);
  });

  it('is driven by the official client @avaya/cpaas: makeCall with its parameters, then viewCall', async function () {
    const sim = await startSim({ demoCalls: false });
    const receiver = await startReceiver();
    const flow = await startFlow({ '/answer': xml('<Gather numDigits="1" action="/pressed"><Say>Press a key.</Say></Gather>'), '/pressed': xml('<Hangup/>') });
    const calls = new cpaas.CallsConnector({ accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, baseUrl: `${sim.url}/v2` });
    const call = await calls.makeCall({
      from: '+15550100100', to: '+15550100666', url: `${flow.url}/answer`, method: cpaas.enums.HttpMethod.POST,
      statusCallback: `${receiver.url}/status`, statusCallbackMethod: cpaas.enums.HttpMethod.GET, timeout: 45,
      record: true, recordCallback: `${receiver.url}/recorded`,
    });
    assert.match(call.sid, SID.CA);
    assert.equal(call.direction, 'outbound-api');
    assert.equal(call.api_version, 'v2');
    assert.equal(typeof call.answered_by, 'string');
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' });
    sim.sendDigits(call.sid, '9');
    await ended(sim, call.sid);
    assert.equal(flow.received[1].params.Digits, '9');
    const viewed = await calls.viewCall({ callSid: call.sid });
    assert.equal(viewed.status, 'completed');
    assert.equal(viewed.recordings_count, 1);
    const connected = await statusCallback(sim, call.sid, 'in-progress');
    const finished = await statusCallback(sim, call.sid, 'completed');
    assert.equal(connected.method, 'GET');
    assert.ok(new URL(finished.url).searchParams.get('CallDuration') !== null);
    const recorded = await sim.waitForDelivery({ kind: 'recording', callSid: call.sid });
    assert.equal(recorded.url, `${receiver.url}/recorded`);
  });
});
