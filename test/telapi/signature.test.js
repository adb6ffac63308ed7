'use strict';
const assert = require('node:assert/strict');
const {
  CallbackAuthenticator, callbackToken, computeSignature, constantTimeEqual, pathKey, pathKeyPath, verifyCallbackToken, verifyPathKey,
  verifySignature, withCallbackToken,
} = require('../../dist/telapi');
const {
  ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID, SIGNED_URL: URL, SIGNED_PARAMS: PARAMS, SIGNATURE,
  VOICE_PATH, VOICE_PATH_KEY, STATUS_PATH, STATUS_PATH_KEY,
} = require('../support/fixtures');

describe('telapi/signature: callback authenticity (docs/telapi-api.md test vectors)', () => {
  it('computes the URL token of the vector', () => {
    assert.equal(callbackToken(AUTH_TOKEN, CALL_SID), CALL_TOKEN);
    assert.ok(verifyCallbackToken(AUTH_TOKEN, CALL_SID, CALL_TOKEN));
    assert.ok(!verifyCallbackToken(AUTH_TOKEN, OTHER_CALL_SID, CALL_TOKEN));
    assert.ok(!verifyCallbackToken(AUTH_TOKEN, CALL_SID, CALL_TOKEN.slice(1)));
    assert.ok(!verifyCallbackToken(AUTH_TOKEN, CALL_SID, ''));
  });

  it('computes the path keys of the vectors, whatever the slashes around the path', () => {
    assert.equal(pathKey(AUTH_TOKEN, VOICE_PATH), VOICE_PATH_KEY);
    assert.equal(pathKey(AUTH_TOKEN, STATUS_PATH), STATUS_PATH_KEY);
    for (const spelling of ['telapi/voice', '/telapi/voice/', '//telapi/voice//', ' /telapi/voice ']) {
      assert.equal(pathKeyPath(spelling), VOICE_PATH, spelling);
      assert.equal(pathKey(AUTH_TOKEN, spelling), VOICE_PATH_KEY, spelling);
    }
    assert.equal(pathKeyPath('/'), '/');
    assert.equal(pathKey(AUTH_TOKEN, '/'), pathKey(AUTH_TOKEN, ''));
    // Another path, another AuthToken, or the path's case changed: another key.
    assert.notEqual(pathKey(AUTH_TOKEN, '/telapi/Voice'), VOICE_PATH_KEY);
    assert.notEqual(pathKey('f'.repeat(32), VOICE_PATH), VOICE_PATH_KEY);
  });

  it('verifies a path key only for its own path', () => {
    assert.ok(verifyPathKey(AUTH_TOKEN, VOICE_PATH, VOICE_PATH_KEY));
    assert.ok(verifyPathKey(AUTH_TOKEN, 'telapi/voice/', VOICE_PATH_KEY));
    assert.ok(!verifyPathKey(AUTH_TOKEN, STATUS_PATH, VOICE_PATH_KEY));
    assert.ok(!verifyPathKey(AUTH_TOKEN, VOICE_PATH, `${VOICE_PATH_KEY}=`));
    assert.ok(!verifyPathKey(AUTH_TOKEN, VOICE_PATH, ''));
    const auth = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
    assert.equal(auth.keyFor(VOICE_PATH), VOICE_PATH_KEY);
    assert.ok(auth.verifyPathKey(STATUS_PATH, STATUS_PATH_KEY));
    assert.ok(!auth.verifyPathKey(VOICE_PATH, STATUS_PATH_KEY));
  });

  it('computes the X-TelAPI-Signature of the vector, in any parameter order', () => {
    assert.equal(computeSignature(AUTH_TOKEN, URL, PARAMS), SIGNATURE);
    const reversed = Object.entries(PARAMS).reverse();
    assert.equal(computeSignature(AUTH_TOKEN, URL, reversed), SIGNATURE);
    assert.equal(computeSignature(AUTH_TOKEN, URL, new URLSearchParams(PARAMS)), SIGNATURE);
  });

  it('rejects tampered parameters, URL or key', () => {
    assert.ok(verifySignature(AUTH_TOKEN, URL, PARAMS, SIGNATURE));
    assert.ok(!verifySignature(AUTH_TOKEN, URL, { ...PARAMS, Digits: '13#' }, SIGNATURE));
    assert.ok(!verifySignature(AUTH_TOKEN, URL + '?x=1', PARAMS, SIGNATURE));
    assert.ok(!verifySignature('f'.repeat(32), URL, PARAMS, SIGNATURE));
    assert.ok(!verifySignature(AUTH_TOKEN, URL, PARAMS, ''));
  });

  it('keeps repeated parameter names in the order sent', () => {
    const a = computeSignature(AUTH_TOKEN, URL, [['A', '1'], ['A', '2']]);
    const b = computeSignature(AUTH_TOKEN, URL, { A: ['1', '2'] });
    assert.equal(a, b);
    assert.notEqual(a, computeSignature(AUTH_TOKEN, URL, [['A', '2'], ['A', '1']]));
  });

  it('compares strings of any length', () => {
    assert.ok(constantTimeEqual('abc', 'abc'));
    assert.ok(!constantTimeEqual('abc', 'abcd'));
    assert.ok(!constantTimeEqual('', 'a'));
  });

  it('sets the token query parameter once', () => {
    assert.equal(withCallbackToken('https://h.example/p?a=1&token=x', 't'), 'https://h.example/p?a=1&token=t');
  });

  it('CallbackAuthenticator hides the token from inspection and JSON', () => {
    const auth = new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN);
    assert.equal(auth.tokenFor(CALL_SID), CALL_TOKEN);
    assert.ok(auth.verifySignature(URL, PARAMS, SIGNATURE));
    assert.equal(auth.sign(URL, PARAMS), SIGNATURE);
    // The vector's AccountSid contains its AuthToken as a substring, so look for a distinct secret.
    const secret = 'S3cr3tT0kenThatIsThirtyTwoChars!';
    const other = new CallbackAuthenticator(ACCOUNT_SID, secret);
    assert.ok(!require('node:util').inspect(other, { showHidden: true, depth: 5 }).includes(secret));
    assert.ok(!JSON.stringify(other).includes(secret));
  });
});
