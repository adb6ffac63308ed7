'use strict';
// Inbound calls run by the InboundXML engine: a tiny HTTP server on loopback plays the Node-RED flow
// that answers the voice requests, and the tests read what the caller heard in the call's transcript.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, telapiSignature } = require('..');
const { closeAll, startSim, startFlow, startReceiver, xml, eventTypes, api, startRecording, SID } = require('./helpers');

const VOICE_PARAMS = ['AccountSid', 'ApiVersion', 'Direction', 'CallerName', 'To', 'From', 'CallSid', 'CallStatus', 'UrlBase'];

function place(sim, flow, path, extra = {}) {
  return sim.placeCall({ from: '+15550100001', to: '+15550100100', callerName: 'Ada Lovelace', url: `${flow.url}${path}`, ...extra });
}

const ended = (sim, callSid) => sim.waitForCallEvent({ callSid, type: 'hangup' });

describe('simulator: inbound calls run their InboundXML', function () {
  afterEach(closeAll);

  it('requests the voice URL with the voice parameters, keeping its query string, and hangs up when the verbs run out', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/telapi/voice': `\uFEFF${xml('<Say>Welcome to the demo.</Say><Play>https://media.invalid/hold.mp3</Play><Pause length="2"/>')}` });
    const call = place(sim, flow, '/telapi/voice?key=9zQ3tm__LgdQ&flow=a%20b');
    assert.match(call.sid, SID.CA);
    assert.equal(call.status, 'ringing');
    const hangup = await ended(sim, call.sid);
    assert.equal(hangup.cause, 'document-ended');
    assert.equal(hangup.status, 'completed');

    const [request] = flow.received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/telapi/voice?key=9zQ3tm__LgdQ&flow=a%20b');
    assert.deepEqual([...new URLSearchParams(request.body).keys()], VOICE_PARAMS);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      AccountSid: DEMO_ACCOUNT_SID, ApiVersion: 'v1', Direction: 'inbound', CallerName: 'Ada Lovelace', To: '+15550100100',
      From: '+15550100001', CallSid: call.sid, CallStatus: 'ringing', UrlBase: `${flow.url}/telapi/`,
    });
    assert.equal(request.headers['x-telapi-signature'], undefined);

    assert.deepEqual(eventTypes(sim, call.sid), ['status', 'request', 'status', 'say', 'play', 'pause', 'hangup']);
    const events = sim.callEvents(call.sid);
    assert.deepEqual(events.map((event) => event.sequence), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(events[1].statusCode, 200);
    assert.match(events[1].answer, /<Say>Welcome to the demo\.<\/Say>/);
    assert.equal(events[1].purpose, 'voice');
    assert.ok(events[1].durationMs >= 0);
    assert.equal(events[2].status, 'in-progress');
    assert.equal(events[3].text, 'Welcome to the demo.');
    assert.equal(events[4].url, 'https://media.invalid/hold.mp3');
    assert.equal(events[5].seconds, 2);
    assert.equal(sim.getCall(call.sid).hangupCause, 'document-ended');
  });

  it('asks by GET with the parameters after the query as given, and signs voice requests like callbacks', async function () {
    const sim = await startSim({ demoCalls: false, signCallbacks: true });
    const flow = await startFlow({ '/voice': xml('<Hangup/>') });
    const call = place(sim, flow, '/voice?token=abc', { method: 'GET' });
    await ended(sim, call.sid);
    const [request] = flow.received;
    assert.equal(request.method, 'GET');
    assert.ok(request.url.startsWith('/voice?token=abc&AccountSid='), request.url);
    assert.equal(request.params.CallSid, call.sid);
    assert.equal(request.headers['x-telapi-signature'], telapiSignature(DEMO_AUTH_TOKEN, `${flow.url}${request.url}`, []));
    assert.equal(sim.callEvents(call.sid).at(-1).cause, 'hangup-verb');
  });

  it('gathers digits sent through the control API and requests the action with Digits; a Gather without digits goes on', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({
      '/menu': xml('<Gather action="/choice" method="GET" numDigits="3" finishOnKey="#" timeout="3600"><Say>Press one, then hash.</Say></Gather><Say>Not heard.</Say>'),
      '/choice': (request) => xml(`<Say>You pressed ${request.params.Digits}.</Say><Gather timeout="1"/><Say>Goodbye.</Say>`),
    });
    const call = place(sim, flow, '/menu');
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' });
    const pressed = await api(sim, 'POST', `//_simulator/calls/${call.sid}/digits`, { body: { Digits: '1#' } });
    assert.equal(pressed.status, 200, pressed.text);
    assert.deepEqual(pressed.json, { call_sid: call.sid, digits: '1#' });
    await ended(sim, call.sid);
    assert.equal(flow.received[1].method, 'GET');
    assert.equal(flow.received[1].path, '/choice');
    assert.equal(flow.received[1].params.Digits, '1');
    const heard = sim.callEvents(call.sid).filter((event) => event.type === 'say').map((event) => event.text);
    assert.deepEqual(heard, ['Press one, then hash.', 'You pressed 1.', 'Goodbye.']);
    const gathers = sim.callEvents(call.sid).filter((event) => event.type === 'gather-ended');
    assert.deepEqual(gathers.map(({ digits, reason }) => ({ digits, reason })), [{ digits: '1', reason: 'finish-key' }, { digits: '', reason: 'timeout' }]);
    assert.equal(sim.callEvents(call.sid).find((event) => event.type === 'digits').heardBy, 'gather');
  });

  it('ends a Gather at numDigits (keys pressed from an onCallEvent listener) and asks the current document again when it has no action', async function () {
    const sim = await startSim({ demoCalls: false });
    let asked = 0;
    const flow = await startFlow({ '/menu': () => (++asked === 1 ? xml('<Gather numDigits="2"><Pause length="30"/></Gather>') : xml('<Hangup/>')) });
    const stopListening = sim.onCallEvent((event) => {
      if (event.type === 'gather-started') sim.sendDigits(event.callSid, '42');
    });
    const call = place(sim, flow, '/menu');
    await ended(sim, call.sid);
    stopListening();
    assert.deepEqual(flow.received.map((request) => [request.path, request.params.Digits]), [['/menu', undefined], ['/menu', '42']]);
  });

  it('records with <Record>: finishOnKey ends it, its action gets RecordingUrl, RecordingDuration and Digits, and it is transcribed', async function () {
    const sim = await startSim({ demoCalls: false });
    const receiver = await startReceiver();
    const flow = await startFlow({
      '/voicemail': xml(`<Say>Leave a message.</Say><Record background="false" action="/saved" finishOnKey="#" maxLength="120" playBeep="true" transcribe="true" transcribeCallback="${receiver.url}/transcribed"/>`),
      '/saved': xml('<Say>Thank you.</Say>'),
    });
    const call = place(sim, flow, '/voicemail');
    const started = await sim.waitForCallEvent({ callSid: call.sid, type: 'record-started' });
    assert.equal(started.playBeep, true);
    assert.equal(started.background, false);
    sim.sendDigits(call.sid, '7#');
    await ended(sim, call.sid);
    const saved = flow.received.find((request) => request.path === '/saved');
    const recording = sim.getRecording(started.recordingSid);
    assert.equal(recording.endReason, 'finish-key');
    assert.equal(saved.params.RecordingUrl, recording.recordingUrl);
    assert.equal(saved.params.RecordingDuration, String(recording.duration));
    assert.equal(saved.params.Digits, '7#');
    assert.equal(saved.params.CallSid, call.sid);
    const stopped = sim.callEvents(call.sid).find((event) => event.type === 'record-stopped');
    assert.equal(stopped.recordingSid, recording.sid);
    const transcribed = await sim.waitForDelivery({ kind: 'transcription', callSid: call.sid });
    assert.equal(transcribed.url, `${receiver.url}/transcribed`);
    assert.equal(transcribed.status, 'delivered');
  });

  it('records in the background by default while the next verbs run, and calls its action back when the call ends', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/record': xml('<Record action="/recorded"/><Say>This is recorded.</Say><Pause length="3"/>'), '/recorded': 'ok' });
    const call = place(sim, flow, '/record');
    const hangup = await ended(sim, call.sid);
    assert.equal(hangup.cause, 'document-ended');
    const delivery = await sim.waitForDelivery({ kind: 'recording', callSid: call.sid });
    assert.equal(delivery.url, `${flow.url}/recorded`);
    assert.equal(delivery.params.RecordingDuration, String(sim.getRecording(delivery.recordingSid).duration));
    assert.deepEqual(eventTypes(sim, call.sid).slice(2), ['status', 'record-started', 'say', 'pause', 'record-stopped', 'hangup']);
  });

  it('reports a recording started through the REST API as one in the background: the call\'s keys do not go to it', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/hold': xml('<Gather numDigits="1" timeout="30"><Say>Hold on.</Say></Gather>') });
    const call = place(sim, flow, '/hold');
    await sim.waitForCallEvent({ callSid: call.sid, type: 'gather-started' });
    const recording = await startRecording(sim, call.sid);
    const started = await sim.waitForCallEvent({ callSid: call.sid, type: 'record-started' });
    assert.equal(started.recordingSid, recording.sid);
    assert.equal(started.background, true);
    assert.equal(started.playBeep, false);
    sim.hangUp(call.sid);
    await ended(sim, call.sid);
  });

  it('follows <Redirect>, <Dial> with its action, a busy dialed number, <Sms> and <Ping>', async function () {
    const sim = await startSim({ demoCalls: false });
    sim.setCalleeBehavior('+15550100999', 'busy');
    const flow = await startFlow({
      '/start': xml('<Sms to="+15550100001" from="+15550100100">Your code is 1234</Sms><Ping>/ping</Ping><Redirect method="GET">next</Redirect>'),
      '/next': xml('<Dial action="/dialed" timeout="5"><Number>+15550100200</Number></Dial>'),
      '/dialed': (request) => (request.params.DialCallStatus === 'completed' ? xml('<Dial action="/dialed"><Number>+15550100999</Number></Dial>') : xml('<Hangup/>')),
      '/ping': 'pong',
    });
    const call = place(sim, flow, '/start');
    await ended(sim, call.sid);
    assert.deepEqual(flow.received.map((request) => [request.method, request.path]), [
      ['POST', '/start'], ['POST', '/ping'], ['GET', '/next'], ['POST', '/dialed'], ['POST', '/dialed'],
    ]);
    const [first, second] = flow.received.filter((request) => request.path === '/dialed').map((request) => request.params);
    assert.equal(first.DialCallStatus, 'completed');
    assert.match(first.DialCallSid, SID.CA);
    assert.ok(Number(first.DialCallDuration) > 0);
    assert.equal(second.DialCallStatus, 'busy');
    assert.equal(second.DialCallDuration, '0');
    const message = sim.callEvents(call.sid).find((event) => event.type === 'message');
    assert.deepEqual([message.verb, message.to, message.from, message.text], ['Sms', '+15550100001', '+15550100100', 'Your code is 1234']);
    const dialed = sim.callEvents(call.sid).find((event) => event.type === 'dial-started');
    assert.deepEqual(dialed.targets, [{ kind: 'Number', value: '+15550100200' }]);
  });

  for (const [label, answer, message] of [
    ['malformed XML', { body: '<Response><Say>unclosed</Response>' }, /not well-formed XML/],
    ['an unknown verb', { body: xml('<Say>Hi</Say><Dance/>') }, /<Dance> is not an InboundXML verb/],
    ['a root that is not <Response>', { body: '<Reply/>' }, /not <Response>/],
    ['a non-2xx answer', { status: 500, body: 'oops' }, /answered HTTP 500/],
    ['an empty answer', { body: '' }, /not well-formed XML: .*root element/],
  ]) {
    it(`ends the call with an error for ${label}`, async function () {
      const sim = await startSim({ demoCalls: false });
      const flow = await startFlow({ '/voice': answer });
      const call = place(sim, flow, '/voice');
      const hangup = await ended(sim, call.sid);
      assert.equal(hangup.cause, 'error');
      const error = sim.callEvents(call.sid).find((event) => event.type === 'error');
      assert.match(error.message, message);
      assert.equal(sim.getCall(call.sid).status, 'failed', 'a document is read whole before the call is answered');
      assert.equal(sim.callEvents(call.sid).some((event) => event.type === 'say'), false, 'no verb of a faulty document runs');
    });
  }

  it('ends the call with an error when the voice URL cannot be reached', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({});
    const url = `${flow.url}/gone`;
    await flow.close();
    const call = sim.placeCall({ url });
    await ended(sim, call.sid);
    assert.match(sim.callEvents(call.sid).find((event) => event.type === 'error').message, /could not be reached \(ECONNREFUSED\)/);
    assert.equal(sim.callEvents(call.sid).find((event) => event.type === 'request').error, 'ECONNREFUSED');
  });

  it('lets the caller hang up at any time through the control API, and <Reject> refuses a ringing call', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/hold': xml('<Say>Please hold.</Say><Pause length="3600"/>'), '/reject': xml('<Reject reason="busy"/>') });
    const held = place(sim, flow, '/hold');
    await sim.waitForCallEvent({ callSid: held.sid, type: 'say' });
    const hungUp = await api(sim, 'POST', `//_simulator/calls/${held.sid}/hangup`);
    assert.equal(hungUp.json.status, 'completed');
    assert.equal(hungUp.json.hangup_cause, 'caller');
    assert.equal((await ended(sim, held.sid)).cause, 'caller');
    const rejected = place(sim, flow, '/reject');
    const hangup = await ended(sim, rejected.sid);
    assert.deepEqual([hangup.cause, hangup.status], ['reject-verb', 'busy']);
    assert.equal(sim.getCall(rejected.sid).answeredAt, undefined);
  });

  it('places a call and follows its transcript through the control API (snake_case, long polling)', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/voice': xml('<Gather numDigits="1" timeout="3600" action="/done"><Say>Press a key.</Say></Gather>'), '/done': xml('<Say>Done.</Say>') });
    const placed = await api(sim, 'POST', '//_simulator/calls/inbound', { body: { From: '+15550100001', To: '+15550100100', Url: `${flow.url}/voice`, Method: 'POST' } });
    assert.equal(placed.status, 200, placed.text);
    assert.equal(placed.json.direction, 'inbound');
    assert.equal(placed.json.account_sid, DEMO_ACCOUNT_SID);
    const callSid = placed.json.sid;
    const polled = await api(sim, 'GET', `//_simulator/calls/${callSid}/events?after=0&wait_ms=2000`);
    assert.ok(polled.json.events.length >= 1);
    assert.equal(polled.json.call_sid, callSid);
    await sim.waitForCallEvent({ callSid, type: 'gather-started' });
    await api(sim, 'POST', `//_simulator/calls/${callSid}/digits`, { body: { Digits: '5' } });
    await ended(sim, callSid);
    const whole = await api(sim, 'GET', `//_simulator/calls/${callSid}`);
    assert.equal(whole.json.status, 'completed');
    const request = whole.json.events.find((event) => event.type === 'request' && event.purpose === 'action');
    assert.equal(request.params.Digits, '5');
    assert.equal(request.status_code, 200);
    assert.ok('duration_ms' in request);
    assert.ok(whole.json.events.some((event) => event.type === 'gather-started' && event.num_digits === 1 && event.finish_on_key === '#'));
    const later = await api(sim, 'GET', `//_simulator/Calls/${callSid}/Events?after=${whole.json.events.length}`);
    assert.deepEqual(later.json.events, []);
    assert.equal((await api(sim, 'POST', '//_simulator/calls/inbound', { body: { From: '+1', Url: 'ftp://x' } })).status, 400);
    assert.equal((await api(sim, 'POST', `//_simulator/calls/${callSid}/digits`, { body: { Digits: '1' } })).status, 400);
  });
});
