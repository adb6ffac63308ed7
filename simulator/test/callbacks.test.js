'use strict';
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS } = require('..');
const { createHmac } = require('node:crypto');
const { closeAll, startSim, api, startReceiver, startRecording, stopRecording, SID, TLS, memoryLogger } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;
const VOICE_PARAMS = ['AccountSid', 'ApiVersion', 'Direction', 'CallerName', 'To', 'From', 'CallSid', 'CallStatus', 'UrlBase'];
const RECORDING_PARAMS = [...VOICE_PARAMS, 'Digits', 'RecordingDuration', 'RecordingUrl', 'RecordingSid'];
const TRANSCRIPTION_PARAMS = [...VOICE_PARAMS, 'TranscriptionStatus', 'TranscriptionSid', 'AudioUrl', 'TranscriptionText', 'RecordingSid'];

describe('simulator: callbacks', function () {
  afterEach(closeAll);

  it('posts the recording callback on stop, with exactly the documented parameters, to the URL as given', async function () {
    const sim = await startSim();
    const receiver = await startReceiver();
    const callbackUrl = `${receiver.url}/telapi/recording?token=abc-123_XYZ&flow=demo`;
    const started = await startRecording(sim, CALL, { CallbackUrl: callbackUrl });
    const stopped = await stopRecording(sim, CALL);

    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    assert.equal(delivery.status, 'delivered');
    assert.equal(delivery.kind, 'recording');
    assert.equal(delivery.url, callbackUrl);
    assert.equal(delivery.signature, undefined);
    assert.equal(receiver.received.length, 1);
    const [request] = receiver.received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/telapi/recording?token=abc-123_XYZ&flow=demo');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers['x-telapi-signature'], undefined);
    assert.deepEqual([...request.params.keys()], RECORDING_PARAMS);
    assert.deepEqual(Object.fromEntries(request.params), {
      AccountSid: DEMO_ACCOUNT_SID,
      ApiVersion: 'v1',
      Direction: 'inbound',
      CallerName: 'Ada Lovelace',
      To: '+15550100100',
      From: '+15550100001',
      CallSid: CALL,
      CallStatus: 'in-progress',
      UrlBase: `${sim.url}/`,
      Digits: '',
      RecordingDuration: String(stopped.duration),
      RecordingUrl: `${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${started.sid}.mp3`,
      RecordingSid: started.sid,
    });
    assert.deepEqual(delivery.params, Object.fromEntries(request.params));
  });

  it('sends no callback when no CallbackUrl was given', async function () {
    const sim = await startSim();
    const receiver = await startReceiver();
    await startRecording(sim, CALL);
    await stopRecording(sim, CALL);
    // A later recording's callback is scheduled after the first one's would have been.
    const marker = await startRecording(sim, DEMO_CALL_SIDS.outbound, { CallbackUrl: `${receiver.url}/cb` });
    await stopRecording(sim, DEMO_CALL_SIDS.outbound);
    await sim.waitForDelivery({ recordingSid: marker.sid });
    assert.deepEqual(sim.deliveries().map((delivery) => delivery.recordingSid), [marker.sid]);
  });

  it('ends the recording at TimeLimit and calls back with that duration', async function () {
    const sim = await startSim({ timeScale: 0.001 });
    const receiver = await startReceiver();
    const started = await startRecording(sim, CALL, { TimeLimit: '7', CallbackUrl: `${receiver.url}/cb` });
    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    assert.equal(delivery.params.RecordingDuration, '7');
    assert.equal(delivery.params.CallStatus, 'in-progress');
    const recording = sim.getRecording(started.sid);
    assert.equal(recording.status, 'completed');
    assert.equal(recording.endReason, 'time-limit');
    assert.equal(recording.duration, 7);
    const fetched = await api(sim, 'GET', `/Recordings/${started.sid}.json`, { version: 'v2' });
    assert.equal(fetched.json.duration, 7);
  });

  it('ends the recording when the call hangs up over the API, with CallStatus completed', async function () {
    const sim = await startSim({ timeScale: 1 });
    const receiver = await startReceiver();
    const started = await startRecording(sim, CALL, { CallbackUrl: `${receiver.url}/cb` });
    const hangUp = await api(sim, 'POST', `/Calls/${CALL}.json`, { body: { Status: 'completed' } });
    assert.equal(hangUp.status, 200);
    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    assert.equal(delivery.status, 'delivered');
    assert.equal(delivery.params.CallStatus, 'completed');
    assert.equal(sim.getRecording(started.sid).endReason, 'hangup');
  });

  it('ends the recording when the call is hung up programmatically', async function () {
    const sim = await startSim({ timeScale: 1 });
    const receiver = await startReceiver();
    const started = await startRecording(sim, DEMO_CALL_SIDS.outbound, { CallbackUrl: `${receiver.url}/cb` });
    sim.hangUp(DEMO_CALL_SIDS.outbound);
    const delivery = await sim.waitForDelivery({ callSid: DEMO_CALL_SIDS.outbound });
    assert.equal(delivery.recordingSid, started.sid);
    assert.equal(delivery.params.Direction, 'outbound-api');
    assert.equal(sim.getRecording(started.sid).endReason, 'hangup');
  });

  /** docs/telapi-api.md's formula, written out once more in the test: URL, then each name and value by name. */
  const expectedSignature = (token, url, params) =>
    createHmac('sha1', token).update(url + Object.keys(params).sort().map((name) => name + params[name]).join('')).digest('base64');

  it('signs callbacks with X-TelAPI-Signature when signCallbacks is on, over the URL as posted to', async function () {
    const sim = await startSim({ signCallbacks: true });
    const receiver = await startReceiver();
    const callbackUrl = `${receiver.url}/telapi/recording?token=t0k3n`;
    const started = await startRecording(sim, CALL, { CallbackUrl: callbackUrl });
    await stopRecording(sim, CALL);
    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    const [request] = receiver.received;
    const header = request.headers['x-telapi-signature'];
    assert.match(header, /^[A-Za-z0-9+/]{27}=$/);
    assert.equal(header, delivery.signature);
    const params = Object.fromEntries(request.params);
    assert.equal(header, expectedSignature(DEMO_AUTH_TOKEN, callbackUrl, params));
    assert.notEqual(header, expectedSignature(DEMO_AUTH_TOKEN, `${receiver.url}/telapi/recording`, params));
  });

  it('sends the transcription callback after the recording callback when Transcribe=true', async function () {
    const sim = await startSim();
    const receiver = await startReceiver();
    const started = await startRecording(sim, CALL, {
      CallbackUrl: `${receiver.url}/recording?token=r`,
      Transcribe: 'true',
      TranscribeQuality: 'hybrid',
      TranscribeCallback: `${receiver.url}/transcription?token=t`,
    });
    await stopRecording(sim, CALL);
    const delivery = await sim.waitForDelivery({ kind: 'transcription' });
    assert.equal(delivery.status, 'delivered');
    assert.deepEqual(
      receiver.received.map((request) => request.url),
      ['/recording?token=r', '/transcription?token=t'],
    );
    const params = receiver.received[1].params;
    assert.deepEqual([...params.keys()], TRANSCRIPTION_PARAMS);
    assert.equal(params.get('TranscriptionStatus'), 'completed');
    assert.match(params.get('TranscriptionSid'), SID.TR);
    assert.equal(params.get('AudioUrl'), `${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${started.sid}.mp3`);
    assert.ok(params.get('TranscriptionText').length > 0);
    assert.equal(params.get('RecordingSid'), started.sid);
    assert.equal(params.get('CallSid'), CALL);

    const transcriptionSid = params.get('TranscriptionSid');
    const json = await api(sim, 'GET', `/Transcriptions/${transcriptionSid}.json`, { version: 'v2' });
    assert.equal(json.status, 200);
    assert.equal(json.json.sid, transcriptionSid);
    assert.equal(json.json.recording_sid, started.sid);
    assert.equal(json.json.status, 'completed');
    assert.equal(json.json.type, 'hybrid');
    assert.equal(json.json.transcription_text, params.get('TranscriptionText'));
    assert.equal(json.json.api_version, 'v2');
    const text = await api(sim, 'GET', `/Transcriptions/${transcriptionSid}.txt`);
    assert.match(text.headers['content-type'], /^text\/plain/);
    assert.equal(text.text, params.get('TranscriptionText'));
    assert.equal((await api(sim, 'GET', `/Transcriptions/TR${'0'.repeat(32)}.json`)).status, 404);
  });

  it('resolves a relative callback URL (the golden example) against the call\'s Url', async function () {
    const sim = await startSim({ demoCalls: false });
    const receiver = await startReceiver();
    const call = { json: sim.createCall({ from: '+15550100001', to: '+15550100002', url: `${receiver.url}/app/voice.xml` }) };
    const started = await api(sim, 'POST', `/Calls/${call.json.sid}/Recordings.json`, {
      version: 'v2',
      body: 'Record=true&Direction=out&TimeLimit=1337&CallbackUrl=CallbackUrl&FileFormat=wav&TrimSilence=true&Transcribe=true&TranscribeQuality=hybrid&TranscribeCallback=TranscribeCallback',
    });
    assert.equal(started.status, 200);
    await stopRecording(sim, call.json.sid);
    await sim.waitForDelivery({ kind: 'transcription' });
    assert.deepEqual(receiver.received.map((request) => request.url), ['/app/CallbackUrl', '/app/TranscribeCallback']);
    assert.equal(receiver.received[0].params.get('UrlBase'), `${receiver.url}/app/`);
    assert.equal(receiver.received[0].params.get('ApiVersion'), 'v2');
  });

  it('retries a callback answered with non-2xx, with backoff, and logs each failure', async function () {
    const logger = memoryLogger();
    const sim = await startSim({ logger, callbackMaxAttempts: 4, callbackRetryBaseMs: 5 });
    const receiver = await startReceiver([500, 503, 200]);
    const started = await startRecording(sim, CALL, { CallbackUrl: `${receiver.url}/cb?token=secret-token-value` });
    await stopRecording(sim, CALL);
    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    assert.equal(delivery.status, 'delivered');
    assert.deepEqual(delivery.attempts.map((attempt) => attempt.statusCode), [500, 503, 200]);
    assert.equal(receiver.received.length, 3);
    assert.equal(logger.lines.filter((line) => line.startsWith('warn')).length, 2);
    assert.ok(logger.lines.some((line) => line.startsWith('info') && /delivered/.test(line)));
    assert.equal(logger.lines.some((line) => line.includes('secret-token-value')), false);
  });

  it('gives up after the last attempt when the receiver cannot be reached', async function () {
    const logger = memoryLogger();
    const sim = await startSim({ logger, callbackMaxAttempts: 3, callbackRetryBaseMs: 5 });
    const receiver = await startReceiver();
    const closedUrl = `${receiver.url}/cb`;
    await receiver.close();
    const started = await startRecording(sim, CALL, { CallbackUrl: closedUrl });
    await stopRecording(sim, CALL);
    const delivery = await sim.waitForDelivery({ recordingSid: started.sid });
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts.length, 3);
    for (const attempt of delivery.attempts) {
      assert.equal(attempt.statusCode, undefined);
      assert.equal(attempt.error, 'ECONNREFUSED');
    }
    assert.equal(logger.lines.filter((line) => line.startsWith('error')).length, 1);
  });

  it('waits callbackDelayMs before calling back, and close() cancels what is pending', async function () {
    const sim = await startSim({ callbackDelayMs: 60_000 });
    const receiver = await startReceiver();
    await startRecording(sim, CALL, { CallbackUrl: `${receiver.url}/cb` });
    await stopRecording(sim, CALL);
    assert.deepEqual(sim.deliveries(), []);
    await sim.close();
    assert.deepEqual(sim.deliveries(), []);
    assert.equal(receiver.received.length, 0);
  });

  it('waitForDelivery rejects when nothing matching settles in time', async function () {
    const sim = await startSim();
    await assert.rejects(sim.waitForDelivery({ kind: 'transcription' }, 20), /No matching callback delivery/);
  });

  describe('over HTTPS with a self-signed certificate', function () {
    async function deliverTo(options) {
      const sim = await startSim({ callbackMaxAttempts: 1, signCallbacks: true, ...options });
      const receiver = await startReceiver([200], { tls: true });
      const callbackUrl = `${receiver.url}/telapi/recording?token=t`;
      const started = await startRecording(sim, CALL, { CallbackUrl: callbackUrl });
      await stopRecording(sim, CALL);
      return { delivery: await sim.waitForDelivery({ recordingSid: started.sid }), receiver, callbackUrl };
    }

    it('refuses a certificate it cannot verify, as TelAPI would', async function () {
      const { delivery, receiver } = await deliverTo({});
      assert.equal(delivery.status, 'failed');
      assert.match(delivery.attempts[0].error, /SELF_SIGNED|UNABLE_TO_VERIFY/);
      assert.equal(receiver.received.length, 0);
    });

    it('delivers when given the certificate authority (ca), signed over the URL called', async function () {
      const { delivery, receiver, callbackUrl } = await deliverTo({ ca: TLS.cert });
      assert.equal(delivery.status, 'delivered');
      const [request] = receiver.received;
      assert.equal(request.headers['x-telapi-signature'], expectedSignature(DEMO_AUTH_TOKEN, callbackUrl, Object.fromEntries(request.params)));
    });

    it('delivers without checking the certificate when insecure', async function () {
      const { delivery } = await deliverTo({ insecure: true });
      assert.equal(delivery.status, 'delivered');
    });

    it('sends a user and password in the URL as Basic auth and leaves them out of the signed URL', async function () {
      const sim = await startSim({ signCallbacks: true, ca: TLS.cert });
      const receiver = await startReceiver([200], { tls: true });
      const plain = `${receiver.url}/cb?token=t`;
      const started = await startRecording(sim, CALL, { CallbackUrl: plain.replace('https://', 'https://tel%20api:p%40ss@') });
      await stopRecording(sim, CALL);
      await sim.waitForDelivery({ recordingSid: started.sid });
      const [request] = receiver.received;
      assert.equal(request.headers.authorization, `Basic ${Buffer.from('tel api:p@ss').toString('base64')}`);
      assert.equal(request.headers['x-telapi-signature'], expectedSignature(DEMO_AUTH_TOKEN, plain, Object.fromEntries(request.params)));
    });
  });
});
