'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS, API_ERRORS } = require('..');
const { closeAll, startSim, startFlow, xml, basicAuth, api, rawRequest, startRecording, stopRecording, SID, RFC_2822 } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;
const OTHER_ACCOUNT = { accountSid: 'AC' + 'ab'.repeat(16), authToken: 'b'.repeat(32) };
const GOLDEN_BODY =
  'Record=true&Direction=out&TimeLimit=1337&CallbackUrl=CallbackUrl&FileFormat=wav&TrimSilence=true&Transcribe=true&TranscribeQuality=hybrid&TranscribeCallback=TranscribeCallback';

function assertTelApiError(answer, status, code) {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers['content-type'], /^application\/json/);
  assert.deepEqual(Object.keys(answer.json), ['status', 'message', 'code', 'more_info']);
  assert.equal(answer.json.status, status);
  assert.equal(answer.json.code, code);
  assert.equal(typeof answer.json.message, 'string');
  assert.equal(answer.json.more_info, `http://www.telapi.com/docs/api/rest/overview/errors/${code}`);
}

describe('simulator: TelAPI REST API', function () {
  afterEach(closeAll);

  describe('authentication', function () {
    it('accepts the demo credentials', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'GET', '/Recordings.json');
      assert.equal(answer.status, 200);
    });

    it('answers 401 with TelAPI error JSON for wrong, missing or malformed credentials', async function () {
      const sim = await startSim();
      const expected = {
        status: 401,
        message: 'Invalid credentials supplied',
        code: 10004,
        more_info: 'http://www.telapi.com/docs/api/rest/overview/errors/10004',
      };
      for (const auth of [basicAuth(DEMO_ACCOUNT_SID, 'wrong-token'), basicAuth('ACnobody', DEMO_AUTH_TOKEN), null, 'Bearer abc', 'Basic !!!']) {
        const answer = await api(sim, 'GET', '/Recordings.json', { auth });
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.json, expected);
        assert.match(answer.headers['www-authenticate'], /^Basic/);
      }
    });

    it('answers 403 when the path names another account than the credentials', async function () {
      const sim = await startSim({ accounts: [{ accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN }, OTHER_ACCOUNT] });
      const other = await api(sim, 'GET', '/Recordings.json', { account: OTHER_ACCOUNT.accountSid });
      assertTelApiError(other, 403, API_ERRORS.accountMismatch.code);
      const own = await api(sim, 'GET', '/Recordings.json', { account: OTHER_ACCOUNT.accountSid, auth: basicAuth(OTHER_ACCOUNT.accountSid, OTHER_ACCOUNT.authToken) });
      assert.equal(own.status, 200);
    });

    it('keeps accounts apart: another account cannot see or record a call', async function () {
      const sim = await startSim({ accounts: [{ accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN }, OTHER_ACCOUNT] });
      const auth = basicAuth(OTHER_ACCOUNT.accountSid, OTHER_ACCOUNT.authToken);
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { account: OTHER_ACCOUNT.accountSid, auth, body: { Record: 'true' } });
      assertTelApiError(answer, 404, API_ERRORS.callNotFound.code);
    });
  });

  describe('API versions', function () {
    // TelAPI's two prefixes both report v1 and their uris end in .json; Zang's do not.
    for (const [version, reported, durationType, suffix] of [
      ['v1', 'v1', 'string', '.json'],
      ['2011-07-01', 'v1', 'string', '.json'],
      ['v2', 'v2', 'number', ''],
    ]) {
      it(`serves /${version} and reports api_version ${reported}`, async function () {
        const sim = await startSim();
        const recording = await startRecording(sim, CALL, {}, { version });
        assert.equal(recording.api_version, reported);
        assert.equal(recording.uri, `/${version}/Accounts/${DEMO_ACCOUNT_SID}/Recordings/${recording.sid}${suffix}`);
        assert.equal(typeof recording.duration, durationType);
        const fetched = await api(sim, 'GET', `/Recordings/${recording.sid}.json`, { version });
        assert.equal(fetched.json.api_version, reported);
        const call = await api(sim, 'GET', `/Calls/${CALL}.json`, { version });
        assert.equal(call.json.uri, `/${version}/Accounts/${DEMO_ACCOUNT_SID}/Calls/${CALL}${suffix}`);
        assert.equal(call.json.subresource_uris.recordings, `/${version}/Accounts/${DEMO_ACCOUNT_SID}/Calls/${CALL}/Recordings${suffix}`);
      });
    }

    it('answers 404 for an unknown version prefix and for a path without .json', async function () {
      const sim = await startSim();
      assertTelApiError(await api(sim, 'GET', '/Recordings.json', { version: 'v3' }), 404, API_ERRORS.resourceNotFound.code);
      const noJson = await api(sim, 'GET', '/Recordings');
      assertTelApiError(noJson, 404, API_ERRORS.resourceNotFound.code);
      assert.match(noJson.json.message, /\.json/);
    });

    it('answers 405 with Allow for a method a resource does not have', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'DELETE', '/Calls.json');
      assertTelApiError(answer, 405, API_ERRORS.methodNotAllowed.code);
      assert.equal(answer.headers.allow, 'GET, POST');
    });
  });

  describe('start and stop a recording', function () {
    it('answers HTTP 200 with exactly the Recording object of docs/telapi-api.md', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { version: 'v2', body: { Record: 'true' } });
      assert.equal(answer.status, 200);
      const recording = answer.json;
      assert.deepEqual(Object.keys(recording), [
        'sid',
        'account_sid',
        'call_sid',
        'duration',
        'price',
        'recording_url',
        'date_created',
        'date_updated',
        'api_version',
        'uri',
      ]);
      assert.match(recording.sid, SID.RE);
      assert.equal(recording.account_sid, DEMO_ACCOUNT_SID);
      assert.equal(recording.call_sid, CALL);
      assert.equal(recording.duration, 0);
      assert.equal(recording.price, '0.00');
      assert.equal(recording.recording_url, `${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${recording.sid}.mp3`);
      assert.match(recording.date_created, RFC_2822);
      assert.match(recording.date_updated, RFC_2822);
    });

    it('applies TelAPI defaults to a bare Record=true', async function () {
      const sim = await startSim();
      const recording = await startRecording(sim, CALL);
      assert.deepEqual(sim.getRecording(recording.sid).params, {
        direction: 'both',
        timeLimit: 60,
        callbackUrl: undefined,
        fileFormat: 'mp3',
        trimSilence: false,
        transcribe: false,
        transcribeQuality: 'auto',
        transcribeCallback: undefined,
        callbackMethod: 'POST',
      });
    });

    it('accepts the golden example body and echoes it in the Recording', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { version: 'v2', body: GOLDEN_BODY });
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.json.recording_url, /\.wav$/);
      const stored = sim.getRecording(answer.json.sid);
      assert.equal(stored.status, 'in-progress');
      assert.deepEqual(stored.params, {
        direction: 'out',
        timeLimit: 1337,
        callbackUrl: 'CallbackUrl',
        fileFormat: 'wav',
        trimSilence: true,
        transcribe: true,
        transcribeQuality: 'hybrid',
        transcribeCallback: 'TranscribeCallback',
        callbackMethod: 'POST',
      });
      const request = sim.requests().at(-1);
      assert.equal(request.body, GOLDEN_BODY);
      assert.equal(request.accountSid, DEMO_ACCOUNT_SID);
      assert.match(request.headers.authorization, /redacted/);
    });

    it('stops with Record=false and answers the completed recording', async function () {
      const sim = await startSim();
      const started = await startRecording(sim, CALL);
      const stopped = await stopRecording(sim, CALL);
      assert.equal(stopped.sid, started.sid);
      assert.ok(Number(stopped.duration) >= 1);
      assert.equal(sim.getRecording(started.sid).status, 'completed');
      assert.equal(sim.getRecording(started.sid).endReason, 'stopped');
    });

    it('answers a second stop with the latest recording again, and a stop on a never-recorded call with 400', async function () {
      const sim = await startSim();
      const started = await startRecording(sim, CALL);
      await stopRecording(sim, CALL);
      const again = await stopRecording(sim, CALL);
      assert.equal(again.sid, started.sid);
      const never = await api(sim, 'POST', `/Calls/${DEMO_CALL_SIDS.support}/Recordings.json`, { body: { Record: 'false' } });
      assertTelApiError(never, 400, API_ERRORS.noRecordingToStop.code);
    });

    it('refuses a second start while a recording runs', async function () {
      const sim = await startSim();
      await startRecording(sim, CALL);
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: { Record: 'true' } });
      assertTelApiError(answer, 400, API_ERRORS.recordingInProgress.code);
    });

    const badBodies = [
      ['Record missing', { Direction: 'in' }, API_ERRORS.missingParameter.code],
      ['Record empty', { Record: '' }, API_ERRORS.missingParameter.code],
      ['Record not a boolean', { Record: 'maybe' }, API_ERRORS.invalidParameter.code],
      ['TimeLimit 0', { Record: 'true', TimeLimit: '0' }, API_ERRORS.invalidParameter.code],
      ['TimeLimit negative', { Record: 'true', TimeLimit: '-5' }, API_ERRORS.invalidParameter.code],
      ['TimeLimit fractional', { Record: 'true', TimeLimit: '1.5' }, API_ERRORS.invalidParameter.code],
      ['TimeLimit text', { Record: 'true', TimeLimit: 'ten' }, API_ERRORS.invalidParameter.code],
      ['Direction unknown', { Record: 'true', Direction: 'sideways' }, API_ERRORS.invalidParameter.code],
      ['FileFormat unknown', { Record: 'true', FileFormat: 'ogg' }, API_ERRORS.invalidParameter.code],
      ['TranscribeQuality unknown', { Record: 'true', TranscribeQuality: 'diamond' }, API_ERRORS.invalidParameter.code],
      ['TrimSilence not a boolean', { Record: 'true', TrimSilence: 'yes' }, API_ERRORS.invalidParameter.code],
      ['Transcribe not a boolean', { Record: 'true', Transcribe: 'sure' }, API_ERRORS.invalidParameter.code],
      ['CallbackUrl with another scheme', { Record: 'true', CallbackUrl: 'ftp://example.com/cb' }, API_ERRORS.invalidParameter.code],
      ['CallbackUrl that is no URL', { Record: 'true', CallbackUrl: 'not a url' }, API_ERRORS.invalidParameter.code],
      ['CallbackUrl without host', { Record: 'true', CallbackUrl: 'http://' }, API_ERRORS.invalidParameter.code],
      ['TranscribeCallback that is no URL', { Record: 'true', TranscribeCallback: 'javascript:alert(1)' }, API_ERRORS.invalidParameter.code],
      ['CallbackUrl over 200 characters', { Record: 'true', CallbackUrl: 'https://example.com/' + 'a'.repeat(181) }, API_ERRORS.urlTooLong.code],
      ['TranscribeCallback over 200 characters', { Record: 'true', TranscribeCallback: 'https://example.com/' + 'a'.repeat(181) }, API_ERRORS.urlTooLong.code],
    ];
    for (const [label, body, code] of badBodies) {
      it(`answers 400 (${code}) for ${label} and starts nothing`, async function () {
        const sim = await startSim();
        const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body });
        assertTelApiError(answer, 400, code);
        assert.equal(sim.recordings({ callSid: CALL }).length, 0);
      });
    }

    it('accepts a URL of exactly 200 characters', async function () {
      const sim = await startSim();
      const url = 'https://example.com/' + 'a'.repeat(180);
      assert.equal(url.length, 200);
      const recording = await startRecording(sim, CALL, { CallbackUrl: url });
      assert.equal(sim.getRecording(recording.sid).params.callbackUrl, url);
    });

    // At most 5 recordings per call (the 6th start a 400): test/segments.test.js, with pause and resume.

    it('answers 404 for an unknown CallSid', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/CA${'9'.repeat(32)}/Recordings.json`, { body: { Record: 'true' } });
      assertTelApiError(answer, 404, API_ERRORS.callNotFound.code);
    });

    it('answers 400 for a new recording on a call that has hung up', async function () {
      const sim = await startSim();
      sim.hangUp(CALL);
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: { Record: 'true' } });
      assertTelApiError(answer, 400, API_ERRORS.callNotInProgress.code);
    });
  });

  describe('liberal parsing', function () {
    it('takes parameters from the query string of a POST', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json?Record=true&FileFormat=wav`, { body: '' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.getRecording(answer.json.sid).params.fileFormat, 'wav');
    });

    it('lets body parameters win over query parameters', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json?Record=true&Direction=in`, { body: 'Direction=out' });
      assert.equal(sim.getRecording(answer.json.sid).params.direction, 'out');
    });

    it('parses a form body labelled application/json', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: 'Record=true&Direction=in', contentType: 'application/json' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.getRecording(answer.json.sid).params.direction, 'in');
    });

    it('parses an unlabelled form body', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: 'Record=true&TimeLimit=30', contentType: null });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.requests().at(-1).headers['content-type'], undefined);
      assert.equal(sim.getRecording(answer.json.sid).params.timeLimit, 30);
    });

    it('parses a JSON object body', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, {
        body: JSON.stringify({ Record: true, TimeLimit: 42, Transcribe: false }),
        contentType: 'application/json',
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.getRecording(answer.json.sid).params.timeLimit, 42);
    });

    for (const [spelling, expected] of [
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['1', true],
      ['false', false],
      ['False', false],
      ['0', false],
    ]) {
      it(`reads the boolean ${spelling} as ${expected}`, async function () {
        const sim = await startSim();
        const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: `Record=1&TrimSilence=${spelling}` });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(sim.getRecording(answer.json.sid).params.trimSilence, expected);
      });
    }

    it('ignores empty parameter names and unknown parameters, and accepts enum values in any case', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: '=x&=&Record=true&Direction=Both&FileFormat=WAV&Colour=blue' });
      assert.equal(answer.status, 200, answer.text);
      const { params } = sim.getRecording(answer.json.sid);
      assert.equal(params.direction, 'both');
      assert.equal(params.fileFormat, 'wav');
      assert.equal(Object.hasOwn(sim.requests().at(-1).params, ''), false);
    });

    it('answers 413 for a body over the size limit', async function () {
      const sim = await startSim({ maxBodyBytes: 1024 });
      const answer = await api(sim, 'POST', `/Calls/${CALL}/Recordings.json`, { body: `Record=true&Padding=${'x'.repeat(20_000)}` });
      assertTelApiError(answer, 413, API_ERRORS.bodyTooLarge.code);
      assert.equal(sim.recordings().length, 0);
    });

    it('answers 413 for a chunked body that grows over the limit', async function () {
      const sim = await startSim({ maxBodyBytes: 1024 });
      const answer = await new Promise((resolve, reject) => {
        const request = http.request(`${sim.url}/v1/Accounts/${DEMO_ACCOUNT_SID}/Calls/${CALL}/Recordings.json`, {
          method: 'POST',
          headers: { authorization: basicAuth(), 'content-type': 'application/x-www-form-urlencoded' },
          agent: false,
        });
        request.on('error', reject);
        request.on('response', (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        });
        request.write('Record=true&Padding=');
        request.end('y'.repeat(4096));
      });
      assert.equal(answer.status, 413);
      assert.equal(answer.json.code, API_ERRORS.bodyTooLarge.code);
    });
  });

  describe('calls', function () {
    it('starts with the demo calls in progress', async function () {
      const sim = await startSim();
      for (const callSid of Object.values(DEMO_CALL_SIDS)) {
        const answer = await api(sim, 'GET', `/Calls/${callSid}.json`);
        assert.equal(answer.status, 200);
        assert.equal(answer.json.sid, callSid);
        assert.equal(answer.json.status, 'in-progress');
      }
    });

    it('starts without calls when demoCalls is false', async function () {
      const sim = await startSim({ demoCalls: false });
      assert.deepEqual(sim.calls(), []);
      assertTelApiError(await api(sim, 'GET', `/Calls/${CALL}.json`), 404, API_ERRORS.callNotFound.code);
    });

    it('makes a call with POST /Calls.json: queued at once, then answered, and listed', async function () {
      const sim = await startSim({ demoCalls: false });
      const flow = await startFlow({ '/voice': xml('<Pause length="3600"/>') });
      const answer = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100007', To: '+15550100008', Url: `${flow.url}/voice` } });
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.json.sid, SID.CA);
      assert.equal(answer.json.status, 'queued');
      assert.equal(answer.json.direction, 'outbound-api');
      assert.equal(answer.json.from, '+15550100007');
      assert.equal(answer.json.answered_by, 'tbd');
      await sim.waitForCallEvent({ callSid: answer.json.sid, type: 'pause' });
      const list = await api(sim, 'GET', '/Calls.json');
      assert.equal(list.json.total, 1);
      assert.equal(list.json.calls[0].sid, answer.json.sid);
      assert.equal(list.json.calls[0].status, 'in-progress');
      await startRecording(sim, answer.json.sid);
    });

    it('refuses a call without From, To or Url', async function () {
      const sim = await startSim();
      for (const body of [{ To: '+1', Url: 'https://example.com/' }, { From: '+1', Url: 'https://example.com/' }, { From: '+1', To: '+2' }]) {
        assertTelApiError(await api(sim, 'POST', '/Calls.json', { body }), 400, API_ERRORS.missingParameter.code);
      }
      assertTelApiError(await api(sim, 'POST', '/Calls.json', { body: { From: '+1', To: '+2', Url: 'voice.xml' } }), 400, API_ERRORS.invalidParameter.code);
    });

    it('hangs up with POST /Calls/{CallSid}.json Status=completed', async function () {
      const sim = await startSim();
      const answer = await api(sim, 'POST', `/Calls/${CALL}.json`, { body: { Status: 'completed' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.json.status, 'completed');
      assert.match(answer.json.end_time, RFC_2822);
      assert.equal(sim.getCall(CALL).status, 'completed');
      assertTelApiError(await api(sim, 'POST', `/Calls/${CALL}.json`, { body: { Status: 'busy' } }), 400, API_ERRORS.invalidParameter.code);
      assertTelApiError(await api(sim, 'POST', `/Calls/${CALL}.json`, { body: {} }), 400, API_ERRORS.missingParameter.code);
    });

    it('creates and hangs up calls programmatically', async function () {
      const sim = await startSim();
      const call = sim.createCall({ from: '+15550101010', callerName: 'Test Caller' });
      assert.match(call.sid, SID.CA);
      assert.equal(sim.getCall(call.sid).status, 'in-progress');
      assert.equal(sim.hangUp(call.sid).status, 'completed');
      assert.throws(() => sim.createCall({ callSid: call.sid }), RangeError);
      assert.throws(() => sim.createCall({ callSid: 'CA123' }), RangeError);
    });
  });

  describe('recordings API', function () {
    /** Three recordings on three days, on two calls, with a clock the test moves. */
    async function seeded() {
      let now = new Date('2017-03-23T10:00:00Z');
      const sim = await startSim({ now: () => now });
      const made = [];
      for (const [day, callSid] of [
        ['2017-03-23', DEMO_CALL_SIDS.inbound],
        ['2017-03-24', DEMO_CALL_SIDS.outbound],
        ['2017-03-25', DEMO_CALL_SIDS.inbound],
      ]) {
        now = new Date(`${day}T12:00:00Z`);
        made.push(await startRecording(sim, callSid));
        await stopRecording(sim, callSid);
      }
      return { sim, made };
    }

    it('gets one recording, and 404 for an unknown one', async function () {
      const { sim, made } = await seeded();
      const answer = await api(sim, 'GET', `/Recordings/${made[0].sid}.json`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.sid, made[0].sid);
      assert.equal(answer.json.date_created, 'Thu, 23 Mar 2017 12:00:00 -0000');
      assertTelApiError(await api(sim, 'GET', `/Recordings/RE${'0'.repeat(32)}.json`), 404, API_ERRORS.recordingNotFound.code);
    });

    it('lists newest first in TelAPI list envelope', async function () {
      const { sim, made } = await seeded();
      const answer = await api(sim, 'GET', '/Recordings.json');
      assert.equal(answer.status, 200);
      const base = `/v1/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json`;
      assert.deepEqual({ ...answer.json, recordings: answer.json.recordings.map((item) => item.sid) }, {
        page: 0,
        num_pages: 1,
        page_size: 50,
        total: 3,
        start: 0,
        end: 2,
        uri: base,
        first_page_uri: `${base}?Page=0&PageSize=50`,
        previous_page_uri: '',
        next_page_uri: '',
        last_page_uri: `${base}?Page=0&PageSize=50`,
        recordings: [made[2].sid, made[1].sid, made[0].sid],
      });
    });

    it('pages with Page (0-based) and PageSize, keeping the filters in the page URIs', async function () {
      const { sim, made } = await seeded();
      const base = `/v1/Accounts/${DEMO_ACCOUNT_SID}/Recordings.json`;
      const first = await api(sim, 'GET', '/Recordings.json?DateCreated>=2017-03-23&PageSize=2');
      assert.equal(first.json.page, 0);
      assert.equal(first.json.num_pages, 2);
      assert.equal(first.json.page_size, 2);
      assert.equal(first.json.total, 3);
      assert.equal(first.json.start, 0);
      assert.equal(first.json.end, 1);
      assert.deepEqual(first.json.recordings.map((item) => item.sid), [made[2].sid, made[1].sid]);
      assert.equal(first.json.uri, base, 'the uri is the path without the query string');
      assert.equal(first.json.previous_page_uri, '');
      assert.equal(first.json.next_page_uri, `${base}?DateCreated%3E=2017-03-23&Page=1&PageSize=2`);
      assert.equal(first.json.last_page_uri, `${base}?DateCreated%3E=2017-03-23&Page=1&PageSize=2`);
      const second = await api(sim, 'GET', '/Recordings.json?DateCreated>=2017-03-23&PageSize=2&Page=1');
      assert.equal(second.json.page, 1);
      assert.equal(second.json.start, 2);
      assert.equal(second.json.end, 2);
      assert.deepEqual(second.json.recordings.map((item) => item.sid), [made[0].sid]);
      assert.equal(second.json.next_page_uri, '');
      assert.equal(second.json.previous_page_uri, `${base}?DateCreated%3E=2017-03-23&Page=0&PageSize=2`);
      const beyond = await api(sim, 'GET', '/Recordings.json?PageSize=2&Page=5');
      assert.deepEqual(beyond.json.recordings, []);
    });

    it('filters by DateCreated, DateCreated>, DateCreated< (inclusive) and CallSid', async function () {
      const { sim, made } = await seeded();
      const sids = async (query) => (await api(sim, 'GET', `/Recordings.json?${query}`)).json.recordings.map((item) => item.sid);
      assert.deepEqual(await sids('DateCreated=2017-03-24'), [made[1].sid]);
      assert.deepEqual(await sids('DateCreated>=2017-03-24'), [made[2].sid, made[1].sid]);
      assert.deepEqual(await sids('DateCreated%3E=2017-03-24'), [made[2].sid, made[1].sid]);
      assert.deepEqual(await sids('DateCreated<=2017-03-24'), [made[1].sid, made[0].sid]);
      assert.deepEqual(await sids('DateCreated>=2017-03-24&DateCreated<=2017-03-24'), [made[1].sid]);
      assert.deepEqual(await sids(`CallSid=${DEMO_CALL_SIDS.inbound}`), [made[2].sid, made[0].sid]);
      assert.deepEqual(await sids('DateCreated=2016-01-01'), []);
    });

    it('lists one call\'s recordings at /Calls/{CallSid}/Recordings.json', async function () {
      const { sim, made } = await seeded();
      const answer = await api(sim, 'GET', `/Calls/${DEMO_CALL_SIDS.outbound}/Recordings.json`);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json.recordings.map((item) => item.sid), [made[1].sid]);
      assertTelApiError(await api(sim, 'GET', `/Calls/CA${'9'.repeat(32)}/Recordings.json`), 404, API_ERRORS.callNotFound.code);
    });

    it('refuses bad filters and paging values with 400', async function () {
      const { sim } = await seeded();
      for (const query of ['DateCreated=24-03-2017', 'DateCreated>=2017-02-30', 'PageSize=0', 'PageSize=1001', 'Page=-1', 'Page=x']) {
        assertTelApiError(await api(sim, 'GET', `/Recordings.json?${query}`), 400, API_ERRORS.invalidParameter.code);
      }
    });

    it('deletes a recording and answers the deleted recording', async function () {
      const { sim, made } = await seeded();
      const answer = await api(sim, 'DELETE', `/Recordings/${made[1].sid}.json`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.sid, made[1].sid);
      assert.equal(answer.json.call_sid, DEMO_CALL_SIDS.outbound);
      assertTelApiError(await api(sim, 'GET', `/Recordings/${made[1].sid}.json`), 404, API_ERRORS.recordingNotFound.code);
      assert.equal((await api(sim, 'GET', '/Recordings.json')).json.total, 2);
      assertTelApiError(await api(sim, 'DELETE', `/Recordings/${made[1].sid}.json`), 404, API_ERRORS.recordingNotFound.code);
    });
  });

  describe('simulator control API', function () {
    it('creates and hangs up calls, queues faults and shows deliveries over HTTP', async function () {
      const sim = await startSim({ demoCalls: false });
      const created = await api(sim, 'POST', '//_simulator/calls', { body: { From: '+15550109999', CallerName: 'Over HTTP', Direction: 'inbound' } });
      assert.equal(created.status, 200, created.text);
      assert.match(created.json.sid, SID.CA);
      assert.equal(sim.getCall(created.json.sid).callerName, 'Over HTTP');
      const listed = await api(sim, 'GET', '//_simulator/calls');
      assert.equal(listed.json.calls.length, 1);
      const hungUp = await api(sim, 'POST', `//_simulator/calls/${created.json.sid}/hangup`);
      assert.equal(hungUp.json.status, 'completed');
      const queued = await api(sim, 'POST', '//_simulator/fail-next', { body: { count: '1', status: '503' } });
      assert.deepEqual(queued.json, { queued: 1 });
      assert.equal((await api(sim, 'GET', '/Recordings.json')).status, 503);
      assert.equal((await api(sim, 'GET', '/Recordings.json')).status, 200);
      const faults = await api(sim, 'POST', '//_simulator/faults', { body: JSON.stringify({ rate500: 0.25, seed: 7 }), contentType: 'application/json' });
      assert.equal(faults.json.rate500, 0.25);
      assertTelApiError(await api(sim, 'POST', '//_simulator/faults', { body: { rate500: '2' } }), 400, API_ERRORS.invalidParameter.code);
      const deliveries = await api(sim, 'GET', '//_simulator/deliveries');
      assert.deepEqual(deliveries.json, { deliveries: [] });
      const reset = await api(sim, 'POST', '//_simulator/reset');
      assert.equal(reset.status, 204);
      assert.equal(sim.faults.rate500, 0);
    });

    it('requires credentials', async function () {
      const sim = await startSim();
      const answer = await rawRequest(`${sim.url}/_simulator/calls`);
      assert.equal(answer.status, 401);
      assert.equal(answer.json.code, 10004);
    });
  });
});
