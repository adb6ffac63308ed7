'use strict';
// End to end in a real Node-RED runtime: telapi-record asks a TelAPI stand-in to record a call with
// a callback URL; the test then plays TelAPI and POSTs the recording callback to that exact URL on
// Node-RED's HTTP server, where telapi-callback must turn it into exactly one message.
//
// node-red-node-test-helper runs the real flow engine but serves RED.httpNode nowhere (helper.url()
// serves an empty app), so the test serves it the way Node-RED's runtime does:
// app.use(httpNodeRoot, RED.httpNode), here with httpNodeRoot "/red" on 127.0.0.1.
const assert = require('node:assert/strict');
const { helper } = require('../support/red');
const { captureHttpNode, express, serve } = require('../support/http-node');
const { startStandIn } = require('../support/stand-in');
const { ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID } = require('../support/fixtures');
const accountNode = require('../../nodes/telapi-account.js');
const recordNode = require('../../nodes/telapi-record.js');
const callbackNode = require('../../nodes/telapi-callback.js');

const HTTP_NODE_ROOT = '/red';
const RECORDING_URL = 'https://api.telapi.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00112233445566778899aabbccddeeff.mp3';

/** What TelAPI posts when the recording is done (docs/telapi-api.md, "Callbacks TelAPI sends"). */
const recordingCallback = (overrides = {}) => ({
  AccountSid: ACCOUNT_SID,
  ApiVersion: 'v1',
  Direction: 'outbound-api',
  CallerName: '',
  To: '+15555550100',
  From: '+15555550199',
  CallSid: CALL_SID,
  CallStatus: 'in-progress',
  Digits: '',
  RecordingDuration: '15',
  RecordingUrl: RECORDING_URL,
  ...overrides,
});

const transcriptionCallback = () => ({
  AccountSid: ACCOUNT_SID,
  CallSid: CALL_SID,
  TranscriptionSid: 'TR00112233445566778899aabbccddeeff',
  TranscriptionStatus: 'completed',
  TranscriptionText: 'Please call me back.',
  AudioUrl: RECORDING_URL,
});

/** POSTs a form as TelAPI does: to the URL exactly as it was given, no extra headers. */
async function telapiPost(url, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('telapi-callback end to end: record node -> TelAPI stand-in -> callback node', function () {
  let standIn;
  let nodeRedHttp;
  let capture;

  before(async function () {
    standIn = await startStandIn();
    // Node-RED's HTTP server; RED.httpNode is bound once the flow is loaded.
    const root = express()();
    root.use(HTTP_NODE_ROOT, (req, res, next) => (capture?.captured.app ? capture.captured.app(req, res, next) : next()));
    nodeRedHttp = await serve(root);
  });

  after(async function () {
    await Promise.all([standIn && standIn.close(), nodeRedHttp && nodeRedHttp.close()]);
  });

  beforeEach(async function () {
    standIn.reset();
    capture = captureHttpNode(callbackNode);
    const publicUrl = `${nodeRedHttp.url}${HTTP_NODE_ROOT}`;
    const flow = [
      { id: 'acc', type: 'telapi-account', name: 'stand-in', baseUrl: `${standIn.url}/v2`, publicUrl },
      {
        id: 'rec',
        type: 'telapi-record',
        account: 'acc',
        action: 'start',
        direction: 'both',
        timeLimit: 60,
        callbackUrl: '/telapi/recording',
        fileFormat: 'mp3',
        trimSilence: false,
        transcribe: true,
        transcribeQuality: 'auto',
        transcribeCallback: '/telapi/transcription',
        wires: [['recorded']],
      },
      { id: 'recorded', type: 'helper' },
      { id: 'cbRec', type: 'telapi-callback', account: 'acc', url: '/telapi/recording', security: 'token', wires: [['recordings']] },
      { id: 'cbTr', type: 'telapi-callback', account: 'acc', url: '/telapi/transcription', security: 'token', wires: [['transcriptions']] },
      { id: 'recordings', type: 'helper' },
      { id: 'transcriptions', type: 'helper' },
    ];
    await helper.load([accountNode, recordNode, capture.register], flow, { acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
  });

  afterEach(async function () {
    await helper.unload();
  });

  function collect(id) {
    const messages = [];
    helper.getNode(id).on('input', (msg) => messages.push(msg));
    return messages;
  }

  /** Sends msg.callSid to the record node and resolves with the form the stand-in received. */
  async function startRecording() {
    const rec = helper.getNode('rec');
    const recorded = new Promise((resolve, reject) => {
      helper.getNode('recorded').once('input', resolve);
      rec.once('call:error', (call) => reject(new Error(`record node failed: ${call.args[0]}`)));
    });
    rec.receive({ callSid: CALL_SID });
    const msg = await recorded;
    assert.equal(msg.statusCode, 200);
    assert.equal(standIn.requests.length, 1);
    const [request] = standIn.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/v2/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`);
    return request.form;
  }

  it('delivers TelAPI\'s recording callback to the URL the record node gave, as exactly one message', async function () {
    const recordings = collect('recordings');
    const transcriptions = collect('transcriptions');
    const form = await startRecording();
    const callbackUrl = form.get('CallbackUrl');
    assert.equal(callbackUrl, `${nodeRedHttp.url}${HTTP_NODE_ROOT}/telapi/recording?token=${CALL_TOKEN}`);

    const params = recordingCallback();
    assert.equal(await telapiPost(callbackUrl, params), 200);
    await settle();
    assert.equal(recordings.length, 1);
    assert.equal(transcriptions.length, 0);
    const [msg] = recordings;
    assert.deepEqual({ ...msg.payload }, params);
    assert.equal(msg.topic, 'recording');
    assert.equal(msg.callSid, CALL_SID);
    assert.equal(msg.recordingUrl, RECORDING_URL);
  });

  it('delivers the transcription callback to the transcription path', async function () {
    const recordings = collect('recordings');
    const transcriptions = collect('transcriptions');
    const form = await startRecording();
    const transcribeUrl = form.get('TranscribeCallback');
    assert.equal(transcribeUrl, `${nodeRedHttp.url}${HTTP_NODE_ROOT}/telapi/transcription?token=${CALL_TOKEN}`);
    assert.equal(await telapiPost(transcribeUrl, transcriptionCallback()), 200);
    await settle();
    assert.equal(transcriptions.length, 1);
    assert.equal(recordings.length, 0);
    assert.equal(transcriptions[0].topic, 'transcription');
    assert.equal(transcriptions[0].transcriptionText, 'Please call me back.');
  });

  it('answers a forged callback with 403 and sends nothing', async function () {
    const recordings = collect('recordings');
    const form = await startRecording();
    const callbackUrl = new URL(form.get('CallbackUrl'));
    // The genuine URL, but for another call (a token is bound to its CallSid) …
    assert.equal(await telapiPost(callbackUrl, recordingCallback({ CallSid: OTHER_CALL_SID })), 403);
    // … or for another account …
    assert.equal(await telapiPost(callbackUrl, recordingCallback({ AccountSid: 'ACffffffffffffffffffffffffffffffff' })), 403);
    // … or guessing the path without the token.
    const withoutToken = new URL(callbackUrl);
    withoutToken.search = '';
    assert.equal(await telapiPost(withoutToken, recordingCallback()), 403);
    await settle();
    assert.equal(recordings.length, 0);

    // The genuine callback still gets through, once.
    assert.equal(await telapiPost(callbackUrl, recordingCallback()), 200);
    await settle();
    assert.equal(recordings.length, 1);
  });

  it('stops answering once the flow is stopped', async function () {
    const form = await startRecording();
    await helper.setFlows([], 'full');
    assert.equal(await telapiPost(form.get('CallbackUrl'), recordingCallback()), 404);
  });
});
