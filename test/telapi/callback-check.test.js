'use strict';
// Voice requests and callbacks: which ones a node accepts (docs/telapi-api.md "Callback
// authenticity", docs/design.md "Calls"), and what a flow is handed of them.
const assert = require('node:assert/strict');
const {
  CallbackAuthenticator, SINGLE_VALUE_PARAMS, callbackFields, checkCallback, parseCallbackBody, parseVoiceRequest, urlCredential,
} = require('../../dist/telapi');
const { REJECTION_STATUS } = require('../../dist/nodes/shared/body');
const {
  ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID, VOICE_PATH, VOICE_PATH_KEY, STATUS_PATH_KEY,
} = require('../support/fixtures');

const PUBLIC_URL = 'https://nr.example.com';
const OTHER_ACCOUNT = 'AC00000000000000000000000000000000';
const VOICE = { AccountSid: ACCOUNT_SID, ApiVersion: 'v2', Direction: 'inbound', CallSid: CALL_SID, CallStatus: 'ringing', From: '+15550100', To: '+15550199' };
const verifier = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
const tokenPolicy = { security: 'token', verifier, path: VOICE_PATH };

const query = (params) => new URLSearchParams(params).toString();
/** A voice GET as TelAPI sends it to `relativeUrl` (which carries our token or key), the parameters appended. */
function get(relativeUrl, params = VOICE) {
  const relative = `${relativeUrl}${relativeUrl.includes('?') ? '&' : '?'}${query(params)}`;
  return { relativeUrl: relative, parsed: parseVoiceRequest({ method: 'GET', relativeUrl: relative }) };
}
function post(relativeUrl, params = VOICE) {
  return { relativeUrl, parsed: parseVoiceRequest({ method: 'POST', relativeUrl, body: Buffer.from(query(params)), contentType: 'application/x-www-form-urlencoded' }) };
}
function check({ relativeUrl, parsed }, policy = tokenPolicy, signature) {
  assert.equal(parsed.ok, true, `parsed ${relativeUrl}`);
  return checkCallback({ callback: parsed.callback, relativeUrl, signature }, policy);
}
const refused = (reason, status) => {
  assert.equal(REJECTION_STATUS[reason], status, `${reason} is answered ${status}`);
  return { ok: false, reason };
};

describe('telapi/callback-check: voice requests and callbacks', () => {
  describe('token mode: the per-call token or the path key of the node\'s own path', () => {
    it('accepts the path key of its own path for any call of the account, by GET and by POST', () => {
      for (const send of [get, post]) {
        assert.deepEqual(check(send(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`)), { ok: true, callSid: CALL_SID }, send.name);
        assert.deepEqual(check(send(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`, { ...VOICE, CallSid: OTHER_CALL_SID })), { ok: true, callSid: OTHER_CALL_SID });
      }
    });

    it('accepts the per-call token of the CallSid, with other query parameters around it', () => {
      assert.deepEqual(check(post(`${VOICE_PATH}?step=2&token=${CALL_TOKEN}`)), { ok: true, callSid: CALL_SID });
      assert.deepEqual(check(get(`${VOICE_PATH}?token=${CALL_TOKEN}`)), { ok: true, callSid: CALL_SID });
    });

    it('refuses a request without token or key (403), also with an empty one', () => {
      for (const url of [VOICE_PATH, `${VOICE_PATH}?key=`, `${VOICE_PATH}?token=`]) {
        assert.deepEqual(check(post(url)), refused('noToken', 403), url);
        assert.deepEqual(check(get(url)), refused('noToken', 403), url);
      }
    });

    it("refuses another path's key (403), and any key when the node names no path", () => {
      assert.deepEqual(check(get(`${VOICE_PATH}?key=${STATUS_PATH_KEY}`)), refused('badKey', 403));
      assert.deepEqual(check(post(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`), { ...tokenPolicy, path: '/telapi/status' }), refused('badKey', 403));
      assert.deepEqual(check(post(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`), { security: 'token', verifier }), refused('badKey', 403));
      // A token is no key, and a key no token.
      assert.deepEqual(check(post(`${VOICE_PATH}?key=${CALL_TOKEN}`)), refused('badKey', 403));
      assert.deepEqual(check(post(`${VOICE_PATH}?token=${VOICE_PATH_KEY}`)), refused('badToken', 403));
    });

    it("refuses another call's token (403)", () => {
      assert.deepEqual(check(post(`${VOICE_PATH}?token=${CALL_TOKEN}`, { ...VOICE, CallSid: OTHER_CALL_SID })), refused('badToken', 403));
    });

    it("refuses another account's request even with a valid key or token (403)", () => {
      const foreign = { ...VOICE, AccountSid: OTHER_ACCOUNT };
      assert.deepEqual(check(get(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`, foreign)), refused('foreignAccount', 403));
      assert.deepEqual(check(post(`${VOICE_PATH}?token=${CALL_TOKEN}`, foreign)), refused('foreignAccount', 403));
      const { AccountSid, ...without } = VOICE;
      assert.deepEqual(check(post(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`, without)), refused('foreignAccount', 403));
    });

    it('refuses a URL with both token and key (400), or either twice (400), in every mode', () => {
      const both = `${VOICE_PATH}?token=${CALL_TOKEN}&key=${VOICE_PATH_KEY}`;
      for (const policy of [tokenPolicy, { security: 'none' }, { security: 'signature', verifier, publicUrl: PUBLIC_URL }]) {
        assert.deepEqual(check(post(both), policy), refused('tokenAndKey', 400), policy.security);
        assert.deepEqual(check(post(`${VOICE_PATH}?key=${VOICE_PATH_KEY}&key=${VOICE_PATH_KEY}`), policy), refused('repeatedParam', 400));
        assert.deepEqual(check(post(`${VOICE_PATH}?token=${CALL_TOKEN}&token=x`), policy), refused('repeatedParam', 400));
      }
      // By GET the query is also the parameters: a second key is refused while reading them.
      assert.deepEqual(parseVoiceRequest({ method: 'GET', relativeUrl: `${VOICE_PATH}?key=a&${query(VOICE)}&key=b` }), refused('repeatedParam', 400));
      assert.deepEqual(urlCredential(`${VOICE_PATH}?key=&token=`), { ok: false, reason: 'tokenAndKey' });
    });
  });

  describe('signature and none modes, as for callbacks', () => {
    const signaturePolicy = { security: 'signature', verifier, publicUrl: `${PUBLIC_URL}/`, path: VOICE_PATH };

    it('checks a POST signature over the URL and the body, and a GET signature over the URL with its query', () => {
      const posted = post(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`);
      const postSignature = verifier.sign(`${PUBLIC_URL}${posted.relativeUrl}`, Object.entries(VOICE));
      assert.deepEqual(check(posted, signaturePolicy, postSignature), { ok: true, callSid: CALL_SID });
      const fetched = get(VOICE_PATH);
      const getSignature = verifier.sign(`${PUBLIC_URL}${fetched.relativeUrl}`, []);
      assert.deepEqual(check(fetched, signaturePolicy, getSignature), { ok: true, callSid: CALL_SID });
    });

    it('refuses a signature computed over other values (403)', () => {
      const signedOver = (url, params) => verifier.sign(`${PUBLIC_URL}${url}`, Object.entries(params));
      const posted = post(VOICE_PATH);
      assert.deepEqual(check(posted, signaturePolicy, signedOver(VOICE_PATH, { ...VOICE, From: '+15550000' })), refused('badSignature', 403));
      assert.deepEqual(check(posted, signaturePolicy, signedOver(`${VOICE_PATH}?x=1`, VOICE)), refused('badSignature', 403));
      const fetched = get(VOICE_PATH);
      const otherQuery = `${VOICE_PATH}?${query({ ...VOICE, CallStatus: 'completed' })}`;
      assert.deepEqual(check(fetched, signaturePolicy, signedOver(otherQuery, {})), refused('badSignature', 403));
      assert.deepEqual(check(fetched, signaturePolicy, undefined), refused('noSignature', 403));
    });

    it('refuses a signed POST\'s signature replayed as a GET that names another call: a token or key in the URL must hold as well', () => {
      // The signature covers URL + names and values without separators: a GET to exactly that string
      // carries the same signature. With a caller-chosen From such as "x&CallSid=CA…", the GET's
      // query names another call, and the token the POST's URL ended with swallows the rest.
      const from = `sip:x&AccountSid=${ACCOUNT_SID}&CallSid=${OTHER_CALL_SID}&Injected=yes`;
      const posted = post(`${VOICE_PATH}?token=${CALL_TOKEN}`, { ...VOICE, From: from });
      const pairs = [...posted.parsed.callback.pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const signature = verifier.sign(`${PUBLIC_URL}${posted.relativeUrl}`, pairs);
      assert.deepEqual(check(posted, signaturePolicy, signature), { ok: true, callSid: CALL_SID }, 'the genuine POST');
      const forged = `${posted.relativeUrl}${pairs.map(([name, value]) => `${name}${value}`).join('')}`;
      const replayed = { relativeUrl: forged, parsed: parseVoiceRequest({ method: 'GET', relativeUrl: forged }) };
      assert.equal(replayed.parsed.callback.params.CallSid, OTHER_CALL_SID, 'the GET names another call');
      assert.equal(verifier.verifySignature(`${PUBLIC_URL}${forged}`, [], signature), true, 'and carries a valid signature');
      assert.deepEqual(check(replayed, signaturePolicy, signature), refused('badToken', 403));
      // A key in the URL is held to the node's path as well.
      const keyed = post(`${VOICE_PATH}?key=${STATUS_PATH_KEY}`);
      assert.deepEqual(check(keyed, signaturePolicy, verifier.sign(`${PUBLIC_URL}${keyed.relativeUrl}`, Object.entries(VOICE))), refused('badKey', 403));
    });

    it('none mode takes any well-formed request, still not one without a CallSid', () => {
      assert.deepEqual(check(get(VOICE_PATH, { ...VOICE, AccountSid: OTHER_ACCOUNT }), { security: 'none' }), { ok: true, callSid: CALL_SID });
      assert.deepEqual(check(get(VOICE_PATH, { From: '+15550100' }), { security: 'none' }), refused('noCallSid', 400));
    });
  });

  describe('what a flow is handed', () => {
    it('the parameters as TelAPI sent them, without our token or key, by GET and by POST', () => {
      for (const request of [get(`${VOICE_PATH}?key=${VOICE_PATH_KEY}`), post(`${VOICE_PATH}?token=${CALL_TOKEN}`)]) {
        assert.deepEqual({ ...request.parsed.callback.params }, VOICE);
      }
      const bodyWithKey = parseVoiceRequest({ method: 'POST', relativeUrl: VOICE_PATH, body: `${query(VOICE)}&key=x&token=y` });
      assert.deepEqual({ ...bodyWithKey.callback.params }, VOICE);
      // What a POST's signature covers stays what was sent.
      assert.deepEqual(bodyWithKey.callback.pairs.map(([name]) => name).slice(-2), ['key', 'token']);
    });

    it('refuses a second value of a status or Dial parameter (400)', () => {
      for (const name of ['CallDuration', 'DialCallStatus', 'DialCallSid', 'DialCallDuration', 'Digits', 'key']) {
        assert.ok(SINGLE_VALUE_PARAMS.has(name), name);
        assert.deepEqual(parseVoiceRequest({ method: 'POST', relativeUrl: VOICE_PATH, body: `${name}=1&${query(VOICE)}&${name}=2` }), refused('repeatedParam', 400));
      }
    });

    it('topics: transcription, else recording with a RecordingUrl, else status', () => {
      const status = parseCallbackBody(query({ ...VOICE, CallStatus: 'completed', CallDuration: '42' })).callback.params;
      assert.deepEqual(callbackFields(status), { topic: 'status', callSid: CALL_SID });
      const recording = { ...VOICE, RecordingUrl: 'https://api.zang.io/r.mp3', RecordingDuration: '7' };
      assert.equal(callbackFields(recording).topic, 'recording');
      assert.equal(callbackFields({ ...recording, TranscriptionStatus: 'completed', TranscriptionText: 'hi' }).topic, 'transcription');
    });
  });
});
