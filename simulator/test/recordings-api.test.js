'use strict';
// The recordings and transcriptions API of docs/telapi-api.md ("Managing recordings and transcriptions"),
// with many recordings seeded, and the Record/Transcribe parameters of a make-call request.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_CALL_SIDS, API_ERRORS } = require('..');
const { closeAll, startSim, startReceiver, startFlow, xml, api, startRecording, stopRecording, SID, RFC_2822 } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;
const TRANSCRIPTION_KEYS = [
  'sid', 'account_sid', 'call_sid', 'recording_sid', 'status', 'type', 'audio_url', 'duration', 'price', 'transcription_text',
  'transcribe_callback', 'callback_method', 'date_created', 'date_updated', 'api_version', 'uri',
];

async function finishedRecording(sim, callSid = CALL, params = {}) {
  const started = await startRecording(sim, callSid, params, { version: 'v2' });
  await stopRecording(sim, callSid, { version: 'v2' });
  return started;
}

describe('simulator: managing recordings and transcriptions', function () {
  afterEach(closeAll);

  describe('many recordings (seeded)', function () {
    it('lists 120 seeded recordings over 3 pages, following next_page_uri until it is ""', async function () {
      const sim = await startSim();
      const seeded = sim.seedRecordings({ count: 120, from: new Date('2024-01-01T08:00:00Z'), to: new Date('2024-03-30T08:00:00Z') });
      assert.equal(seeded.length, 120);
      const seen = [];
      let path = `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json`;
      const pages = [];
      while (path !== '') {
        const answer = await api(sim, 'GET', `/${path}`);
        assert.equal(answer.status, 200, answer.text);
        pages.push(answer.json);
        seen.push(...answer.json.recordings.map((recording) => recording.sid));
        path = answer.json.next_page_uri;
      }
      assert.deepEqual(pages.map((page) => [page.page, page.num_pages, page.total, page.recordings.length]), [[0, 3, 120, 50], [1, 3, 120, 50], [2, 3, 120, 20]]);
      assert.deepEqual(seen, seeded.map((recording) => recording.sid), 'newest first, each once');
      assert.equal(pages[2].last_page_uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json?Page=2&PageSize=50`);
      assert.equal(pages[0].previous_page_uri, '');
      for (const page of pages) assert.equal(page.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json`);
    });

    it('filters seeded recordings by DateCreated> and DateCreated< (both days included) and by CallSid', async function () {
      const sim = await startSim();
      const january = sim.seedRecordings({ count: 31, from: new Date('2024-01-01T10:00:00Z'), to: new Date('2024-01-31T10:00:00Z') });
      const february = sim.seedRecordings({ count: 3, from: new Date('2024-02-01T10:00:00Z'), to: new Date('2024-02-03T10:00:00Z') });
      const total = async (query) => (await api(sim, 'GET', `/Recordings.json?${query}`, { version: 'v2' })).json.total;
      assert.equal(await total('DateCreated>=2024-01-31'), 4);
      assert.equal(await total('DateCreated<=2024-01-02'), 2);
      assert.equal(await total('DateCreated%3E=2024-01-10&DateCreated%3C=2024-01-19'), 10);
      assert.equal(await total(`CallSid=${february[0].callSid}`), 3);
      assert.equal(await total(`CallSid=${january[0].callSid}&DateCreated>=2024-02-01`), 0);
      const perCall = await api(sim, 'GET', `/Calls/${february[0].callSid}/Recordings.json?DateCreated<=2024-02-02`, { version: 'v2' });
      assert.deepEqual(perCall.json.recordings.map((recording) => recording.sid), [february[1].sid, february[2].sid]);
    });

    it('seeds over the control API, and the seeded media is served', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', '//_simulator/recordings', { body: { Count: '3', DateFrom: '2024-05-01', DateTo: '2024-05-03', Duration: '2', FileFormat: 'wav' } });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.recordings.length, 3);
      const listed = await api(sim, 'GET', '/Recordings.json?DateCreated=2024-05-02', { version: 'v2' });
      assert.equal(listed.json.total, 1);
      const [recording] = listed.json.recordings;
      assert.equal(recording.duration, 2);
      assert.equal(recording.date_created, 'Thu, 02 May 2024 12:00:00 -0000');
      const media = await fetch(recording.recording_url);
      assert.equal(media.status, 200);
      assert.equal(media.headers.get('content-type'), 'audio/wav');
      const bad = await api(sim, 'POST', '//_simulator/recordings', { body: { Count: '0' } });
      assert.equal(bad.status, 400);
      assert.equal((await api(sim, 'POST', '//_simulator/recordings', { body: { Count: '1', DateFrom: 'soon' } })).status, 400);
    });
  });

  describe('media on another origin', function () {
    it('hands out recording_url on mediaHostName, redirects there, and logs whether credentials came along', async function () {
      const sim = await startSim({ mediaHostName: 'localhost' });
      const [recording] = sim.seedRecordings({ count: 1, duration: 1 });
      const port = new URL(sim.url).port;
      assert.equal(recording.recordingUrl, `http://localhost:${port}/recordings/${DEMO_ACCOUNT_SID}/${recording.sid}.mp3`);
      const redirect = await api(sim, 'GET', `/Recordings/${recording.sid}.wav`, { version: 'v2' });
      assert.equal(redirect.status, 302);
      assert.equal(redirect.headers.location, `http://localhost:${port}/recordings/${DEMO_ACCOUNT_SID}/${recording.sid}.wav`);
      assert.equal((await fetch(redirect.headers.location)).status, 200);
      assert.equal((await fetch(recording.recordingUrl, { headers: { authorization: 'Basic eDp5' } })).status, 200);
      assert.deepEqual(sim.mediaRequests().map(({ host, authorization, status }) => ({ host, authorization, status })), [
        { host: `localhost:${port}`, authorization: false, status: 200 },
        { host: `localhost:${port}`, authorization: true, status: 200 },
      ]);
      const overHttp = await api(sim, 'GET', '//_simulator/media-requests');
      assert.equal(overHttp.json.media_requests.length, 2);
      assert.equal(overHttp.json.media_requests[0].authorization, false);
    });
  });

  describe('transcribe a recording', function () {
    it('answers an in-progress Transcription, completes it, calls back, and serves it as .json and .txt', async function () {
      const sim = await startSim();
      const receiver = await startReceiver();
      const recording = await finishedRecording(sim);
      const answer = await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, {
        version: 'v2',
        body: { Quality: 'hybrid', TranscribeCallback: `${receiver.url}/transcribed?token=x`, CallbackMethod: 'POST' },
      });
      assert.equal(answer.status, 200, answer.text);
      const transcription = answer.json;
      assert.deepEqual(Object.keys(transcription), TRANSCRIPTION_KEYS);
      assert.match(transcription.sid, SID.TR);
      assert.equal(transcription.status, 'in-progress');
      assert.equal(transcription.type, 'hybrid');
      assert.equal(transcription.recording_sid, recording.sid);
      assert.equal(transcription.call_sid, CALL);
      assert.equal(transcription.audio_url, recording.recording_url);
      assert.equal(transcription.transcribe_callback, `${receiver.url}/transcribed?token=x`);
      assert.equal(transcription.callback_method, 'POST');
      assert.equal(transcription.api_version, 'v2');
      assert.equal(transcription.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Transcriptions/${transcription.sid}`);
      assert.match(transcription.date_created, RFC_2822);

      const delivery = await sim.waitForDelivery({ kind: 'transcription' });
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.params.TranscriptionSid, transcription.sid);
      assert.equal(delivery.params.TranscriptionStatus, 'completed');
      assert.equal(delivery.params.CallSid, CALL);
      assert.equal(delivery.params.RecordingSid, recording.sid);
      assert.ok(delivery.params.TranscriptionText.length > 0);
      const fetched = await api(sim, 'GET', `/Transcriptions/${transcription.sid}.json`, { version: 'v2' });
      assert.equal(fetched.json.status, 'completed');
      assert.equal(fetched.json.transcription_text, delivery.params.TranscriptionText);
      const text = await api(sim, 'GET', `/Transcriptions/${transcription.sid}.txt`, { version: 'v2' });
      assert.equal(text.text, delivery.params.TranscriptionText);
      assert.match(text.headers['content-type'], /^text\/plain/);
    });

    it('refuses a running, unknown or foreign recording and bad parameters', async function () {
      const sim = await startSim();
      const running = await startRecording(sim, CALL);
      const running400 = await api(sim, 'POST', `/Recordings/${running.sid}/Transcriptions.json`, { body: {} });
      assert.equal(running400.status, 400);
      assert.equal(running400.json.code, API_ERRORS.recordingNotComplete.code);
      await stopRecording(sim, CALL);
      const unknown = await api(sim, 'POST', `/Recordings/RE${'0'.repeat(32)}/Transcriptions.json`, { body: {} });
      assert.equal(unknown.json.code, API_ERRORS.recordingNotFound.code);
      for (const body of [{ Quality: 'diamond' }, { CallbackMethod: 'PUT' }, { SliceStart: '-1' }, { SliceDuration: '0' }, { TranscribeCallback: 'ftp://x' }]) {
        const answer = await api(sim, 'POST', `/Recordings/${running.sid}/Transcriptions.json`, { body });
        assert.equal(answer.status, 400, JSON.stringify(body));
      }
      assert.equal(sim.transcriptions().length, 0, 'a refused request transcribes nothing');
    });

    it('says transcribe_callback "" and api_version v1 under /2011-07-01, uri with .json', async function () {
      const sim = await startSim();
      const recording = await finishedRecording(sim);
      const answer = await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: '2011-07-01', body: {} });
      assert.equal(answer.json.transcribe_callback, '');
      assert.equal(answer.json.api_version, 'v1');
      assert.equal(answer.json.type, 'auto');
      assert.equal(answer.json.duration, String(sim.getRecording(recording.sid).duration));
      assert.equal(answer.json.uri, `/2011-07-01/Accounts/${DEMO_ACCOUNT_SID}/Transcriptions/${answer.json.sid}.json`);
    });
  });

  describe('transcribe an audio URL', function () {
    it('needs AudioUrl, and calls back by GET when CallbackMethod=GET', async function () {
      const sim = await startSim();
      const receiver = await startReceiver();
      const missing = await api(sim, 'POST', '/Transcriptions.json', { version: 'v2', body: { Quality: 'auto' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.json.code, API_ERRORS.missingParameter.code);
      const answer = await api(sim, 'POST', '/Transcriptions.json', {
        version: 'v2',
        body: { AudioUrl: 'https://media.example.com/voicemail.mp3', TranscribeCallback: `${receiver.url}/t?token=y`, CallbackMethod: 'get', SliceDuration: '4' },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.audio_url, 'https://media.example.com/voicemail.mp3');
      assert.equal(answer.json.recording_sid, '');
      assert.equal(answer.json.callback_method, 'GET');
      assert.equal(answer.json.duration, 4);
      const delivery = await sim.waitForDelivery({ kind: 'transcription' });
      assert.equal(delivery.status, 'delivered');
      const [request] = receiver.received;
      assert.equal(request.method, 'GET');
      const query = new URL(request.url, receiver.url).searchParams;
      assert.equal(query.get('token'), 'y');
      assert.equal(query.get('TranscriptionSid'), answer.json.sid);
      assert.equal(query.get('AudioUrl'), 'https://media.example.com/voicemail.mp3');
      assert.equal(query.get('AccountSid'), DEMO_ACCOUNT_SID);
      assert.equal(request.body, '');
    });
  });

  describe('list transcriptions', function () {
    it('lists newest first with Status and DateTranscribed filters and paging', async function () {
      let now = new Date('2024-06-01T10:00:00Z');
      const sim = await startSim({ now: () => now, transcriptionDelayMs: 60_000 });
      const recording = await finishedRecording(sim);
      const made = [];
      for (const day of ['2024-06-01', '2024-06-02', '2024-06-03']) {
        now = new Date(`${day}T10:00:00Z`);
        made.push((await api(sim, 'POST', `/Recordings/${recording.sid}/Transcriptions.json`, { version: 'v2', body: {} })).json);
      }
      const list = async (query) => (await api(sim, 'GET', `/Transcriptions.json?${query}`, { version: 'v2' })).json;
      const all = await list('');
      assert.deepEqual(all.transcriptions.map((item) => item.sid), made.map((item) => item.sid).reverse());
      assert.equal(all.uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Transcriptions.json`);
      assert.equal(all.next_page_uri, '');
      assert.equal((await list('Status=in-progress')).total, 3);
      assert.equal((await list('Status=completed')).total, 0);
      assert.equal((await list('DateTranscribed>=2024-06-02')).total, 2);
      assert.equal((await list('DateTranscribed<=2024-06-02&DateTranscribed>=2024-06-02')).total, 1);
      const paged = await list('PageSize=2');
      assert.equal(paged.num_pages, 2);
      assert.equal(paged.next_page_uri, `/v2/Accounts/${DEMO_ACCOUNT_SID}/Transcriptions.json?Page=1&PageSize=2`);
      assert.equal((await api(sim, 'GET', '/Transcriptions.json?Status=lost', { version: 'v2' })).status, 400);
    });
  });

  describe('Record and Transcribe on a make-call request', function () {
    it('records the whole call from the answer until the hang-up and calls RecordCallback, then transcribes it', async function () {
      const sim = await startSim({ demoCalls: false });
      const receiver = await startReceiver();
      const flow = await startFlow({ '/answer.xml': xml('<Pause length="3600"/>') });
      const made = await api(sim, 'POST', '/Calls.json', {
        version: 'v2',
        body: {
          From: '+15550100100', To: '+15550100222', Url: `${flow.url}/answer.xml`,
          Record: 'true', RecordCallback: `${receiver.url}/recorded`, RecordCallbackMethod: 'POST',
          Transcribe: 'true', TranscribeCallback: `${receiver.url}/transcribed`,
        },
      });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.json.recordings_count, 0);
      const started = await sim.waitForCallEvent({ callSid: made.json.sid, type: 'record-started' });
      const [recording] = sim.recordings({ callSid: made.json.sid });
      assert.equal(recording.sid, started.recordingSid);
      assert.equal(recording.status, 'in-progress');
      assert.equal(recording.params.transcribe, true);
      await api(sim, 'POST', `/Calls/${made.json.sid}.json`, { version: 'v2', body: { Status: 'completed' } });
      const recorded = await sim.waitForDelivery({ kind: 'recording' });
      assert.equal(recorded.url, `${receiver.url}/recorded`);
      assert.equal(recorded.params.RecordingSid, recording.sid);
      const transcribed = await sim.waitForDelivery({ kind: 'transcription' });
      assert.equal(transcribed.url, `${receiver.url}/transcribed`);
      assert.equal(sim.getRecording(recording.sid).endReason, 'hangup');
    });

    it('refuses Transcribe or a RecordCallback without Record=true, and bad values, creating no call', async function () {
      const sim = await startSim({ demoCalls: false });
      const flow = await startFlow({ '/answer.xml': xml('<Hangup/>') });
      const call = { From: '+15550100100', To: '+15550100222', Url: `${flow.url}/answer.xml` };
      for (const extra of [{ Transcribe: 'true' }, { RecordCallback: 'https://hooks.example.com/r' }, { Record: 'maybe' }, { Record: 'true', RecordCallbackMethod: 'PATCH' }, { Record: 'true', RecordCallback: 'https://x.example.com/' + 'a'.repeat(200) }]) {
        const answer = await api(sim, 'POST', '/Calls.json', { version: 'v2', body: { ...call, ...extra } });
        assert.equal(answer.status, 400, JSON.stringify(extra));
      }
      assert.equal(sim.calls().length, 0);
      const plain = await api(sim, 'POST', '/Calls.json', { version: 'v2', body: { ...call, Record: 'false' } });
      assert.equal(plain.status, 200);
      assert.equal(plain.json.recordings_count, 0);
    });
  });
});
