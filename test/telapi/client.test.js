'use strict';
const assert = require('node:assert/strict');
const util = require('node:util');
const { TelApiClient, loadGot, recordCall, TelApiError, retryAfterMs, recordingFormParams, parseRecordingOptions } = require('../../dist/telapi');
const { startStandIn, replies, RECORDING, unusedPort } = require('../support/stand-in');
const { CALL_SID, basicAuth } = require('../support/fixtures');

const ACCOUNT_SID = 'AC11112222333344445555666677778888';
const AUTH_TOKEN = 'Tk9sZWFrc0FsbG93ZWRIZXJlMTIzNDU2';
const FORM = recordingFormParams(parseRecordingOptions({ direction: 'out' }));

function assertNoSecret(error) {
  for (const text of [error.message, String(error.stack), JSON.stringify(error), util.inspect(error, { depth: 5 })]) {
    assert.ok(!text.includes(AUTH_TOKEN), 'the AuthToken leaked into an error');
    assert.ok(!text.includes(basicAuth(ACCOUNT_SID, AUTH_TOKEN).slice(6)), 'the Basic credentials leaked into an error');
  }
}

async function rejectsWith(promise, expected) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof TelApiError, `expected TelApiError, got ${error}`);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(error[key], value, key);
    assertNoSecret(error);
    return true;
  });
}

describe('telapi/client: requests against a loopback TelAPI stand-in', () => {
  let got;
  let standIn;
  let client;
  const newClient = (options = {}) =>
    new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${standIn.url}/v2/`, unreachableBackoffMs: 5, ...options });

  before(async () => {
    got = await loadGot();
    standIn = await startStandIn();
  });
  after(() => standIn.close());
  beforeEach(() => { standIn.reset(); client = newClient(); });
  afterEach(() => client.close());

  it('says when a request was written out (onSent), and never for one refused before it was sent', async () => {
    let sent = 0;
    await recordCall(client, CALL_SID, FORM, undefined, { onSent: () => { sent += 1; } });
    assert.equal(sent, 1);
    const nowhere = newClient({ baseUrl: `http://127.0.0.1:${await unusedPort()}/v2`, maxAttempts: 2 });
    let refusedSent = 0;
    await rejectsWith(recordCall(nowhere, CALL_SID, FORM, undefined, { onSent: () => { refusedSent += 1; } }), { kind: 'unreachable', attempts: 2 });
    assert.equal(refusedSent, 0);
    nowhere.close();
  });

  it('lets requests under way finish when closed, and refuses new ones', async () => {
    standIn.setDefault(() => ({ ...replies.recording(), delayMs: 100 }));
    const pending = recordCall(client, CALL_SID, FORM);
    while (standIn.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    client.close();
    assert.equal((await pending).recording.sid, RECORDING.sid);
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'aborted' });
  });

  it('POSTs the form to {base}/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json with Basic auth', async () => {
    const result = await recordCall(client, CALL_SID, FORM);
    assert.equal(standIn.requests.length, 1);
    const [request] = standIn.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/v2/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`);
    assert.equal(request.headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers.accept, 'application/json');
    assert.equal(request.body, FORM.toString());
    assert.equal(result.statusCode, 200);
    assert.deepEqual(result.recording, RECORDING);
  });

  it('computes the Basic header of docs/telapi-api.md\'s example', async () => {
    const example = new TelApiClient({ got, accountSid: 'TestAccountSid', authToken: 'TestToken', baseUrl: standIn.url });
    try {
      await example.request({ method: 'GET', path: '/Recordings.json' });
      assert.equal(standIn.requests[0].headers.authorization, 'Basic VGVzdEFjY291bnRTaWQ6VGVzdFRva2Vu');
    } finally {
      example.close();
    }
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    await recordCall(client, CALL_SID, FORM);
    await recordCall(client, CALL_SID, FORM);
    assert.equal(standIn.requests[0].headers.connection, 'keep-alive');
    assert.equal(standIn.requests[1].remotePort, standIn.requests[0].remotePort, 'the second request used the same socket');
  });

  it('reports an unusable base URL as such, sending nothing', async () => {
    const broken = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: 'not a url' });
    try {
      await rejectsWith(recordCall(broken, CALL_SID, FORM), { kind: 'invalid-base-url', attempts: 1 });
    } finally {
      broken.close();
    }
  });

  it('accepts the list envelope and takes its first recording', async () => {
    standIn.enqueue(replies.listEnvelope());
    const result = await recordCall(client, CALL_SID, FORM);
    assert.deepEqual(result.recording, RECORDING);
    assert.equal(result.body.total, 1);
  });

  it('rejects an empty list envelope', async () => {
    standIn.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"recordings":[]}' });
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'invalid-response', status: 200 });
  });

  for (const [status, code, message] of [
    [400, 10001, 'TimeLimit must be an integer'],
    [401, 10004, 'Invalid credentials supplied'],
    [403, 10005, 'Account suspended'],
    [404, 10404, 'Call not found'],
  ]) {
    it(`turns ${status} into a TelApiError with TelAPI's code and message, without retrying`, async () => {
      standIn.enqueue(replies.error(status, code, message));
      await rejectsWith(recordCall(client, CALL_SID, FORM), {
        kind: 'http', status, code, apiMessage: message, attempts: 1,
        message: `TelAPI ${status} (code ${code}): ${message}`,
        moreInfo: `http://www.telapi.com/docs/api/rest/overview/errors/${code}`,
      });
      assert.equal(standIn.requests.length, 1);
    });
  }

  it('retries 429 after Retry-After and succeeds', async () => {
    standIn.enqueue(replies.retryAfter(429, 0));
    const result = await recordCall(client, CALL_SID, FORM);
    assert.equal(result.attempts, 2);
    assert.equal(standIn.requests.length, 2);
    assert.equal(standIn.requests[1].body, FORM.toString());
  });

  it('caps a long Retry-After', async () => {
    client = newClient({ maxRetryAfterMs: 20 });
    standIn.enqueue(replies.retryAfter(429, 3600), replies.retryAfter(503, 3600));
    const result = await recordCall(client, CALL_SID, FORM);
    assert.equal(result.attempts, 3);
  });

  it('gives up on 503 after 3 attempts in all', async () => {
    standIn.setDefault(() => replies.retryAfter(503, 0));
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'http', status: 503, attempts: 3 });
    assert.equal(standIn.requests.length, 3);
  });

  it('never retries a 500: the recording may have started', async () => {
    standIn.enqueue(replies.error(500, 10500, 'Internal error'));
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'http', status: 500, attempts: 1 });
    assert.equal(standIn.requests.length, 1);
  });

  it('reports a non-JSON error page by its HTTP status text', async () => {
    standIn.enqueue(replies.html(502));
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'http', status: 502, message: 'TelAPI 502: Bad Gateway', code: undefined });
  });

  it("masks callback credentials and tokens that TelAPI's error text echoes from the request", async () => {
    const echoed = 'https://cbuser:CB-s3cret@nr.example.com/cb?token=lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk';
    standIn.enqueue(replies.error(400, 21205, `Invalid CallbackUrl ${encodeURIComponent(echoed)} (${echoed})`));
    await assert.rejects(recordCall(client, CALL_SID, FORM), (error) => {
      for (const text of [error.message, error.apiMessage, util.inspect(error)]) {
        for (const secret of ['cbuser', 'CB-s3cret', 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
      }
      assert.match(error.message, /^TelAPI 400 \(code 21205\): Invalid CallbackUrl https%3A%2F%2F…%40nr\.example\.com/);
      return true;
    });
  });

  it('rejects a 200 that is not JSON', async () => {
    standIn.enqueue({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' });
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'invalid-response', status: 200 });
  });

  it('times out without repeating the request', async () => {
    client = newClient({ timeoutMs: 150 });
    standIn.enqueue(replies.hang());
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'timeout', attempts: 1 });
    assert.equal(standIn.requests.length, 1);
  });

  it('does not repeat a request whose connection broke after it was sent', async () => {
    standIn.enqueue(replies.reset());
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'network', attempts: 1 });
    assert.equal(standIn.requests.length, 1);
  });

  it('retries with back-off when nothing could be reached, then reports it', async () => {
    const port = await unusedPort();
    const refused = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `http://127.0.0.1:${port}/v2`, unreachableBackoffMs: 5 });
    try {
      await rejectsWith(recordCall(refused, CALL_SID, FORM), { kind: 'unreachable', causeCode: 'ECONNREFUSED', attempts: 3 });
    } finally {
      refused.close();
    }
  });

  it('cancels on abort, also during a Retry-After wait', async () => {
    const controller = new AbortController();
    standIn.enqueue(replies.retryAfter(429, 30));
    const pending = recordCall(client, CALL_SID, FORM, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, { kind: 'aborted' });
    assert.equal(standIn.requests.length, 1);
  });

  it('refuses requests after close', async () => {
    client.close();
    await rejectsWith(recordCall(client, CALL_SID, FORM), { kind: 'aborted' });
    assert.equal(standIn.requests.length, 0);
  });

  it('never shows the AuthToken when inspected', () => {
    assert.ok(!util.inspect(client, { showHidden: true, depth: 5 }).includes(AUTH_TOKEN));
    assert.ok(!JSON.stringify(client).includes(AUTH_TOKEN));
  });
});

describe('telapi/client: Retry-After parsing', () => {
  it('reads delta-seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
    assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:01 GMT', 4000), 0);
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs('1.5'), undefined, 'not delta-seconds, not an HTTP date');
    assert.equal(retryAfterMs('-5'), undefined);
    assert.equal(retryAfterMs(''), undefined);
  });
});
