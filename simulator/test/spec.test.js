'use strict';
// The simulator's own reading of docs/telapi-api.md, against the spec's test vectors.
const assert = require('node:assert/strict');
const { telapiSignature, urlToken, isSid, readBoolean, isAbsoluteHttpUrl, sameSecret } = require('../dist/spec');

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';

describe('simulator: wire rules (docs/telapi-api.md test vectors)', function () {
  it('computes X-TelAPI-Signature as the spec\'s vector', function () {
    const params = [
      ['RecordingUrl', 'https://api.telapi.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00112233445566778899aabbccddeeff.mp3'],
      ['AccountSid', 'AC0123456789abcdef0123456789abcdef'],
      ['RecordingDuration', '7'],
      ['CallSid', CALL_SID],
      ['Digits', '12#'],
    ];
    assert.equal(telapiSignature(AUTH_TOKEN, 'https://nr.example.com/telapi/recording', params), 'odratxRXx08/YUeetD3oQH1Bz1E=');
  });

  it('computes the callback URL token as the spec\'s vector', function () {
    assert.equal(urlToken(AUTH_TOKEN, CALL_SID), 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk');
  });

  it('knows the SID shapes', function () {
    assert.equal(isSid('AC', 'AC0123456789abcdef0123456789abcdef'), true);
    assert.equal(isSid('CA', CALL_SID), true);
    assert.equal(isSid('CA', 'AC0123456789abcdef0123456789abcdef'), false);
    assert.equal(isSid('RE', `RE${'0'.repeat(31)}`), false);
    assert.equal(isSid('TR', `TR${'g'.repeat(32)}`), false);
  });

  it('reads booleans liberally and URLs strictly', function () {
    for (const text of ['true', 'True', '1']) assert.equal(readBoolean(text), true);
    for (const text of ['false', 'FALSE', '0']) assert.equal(readBoolean(text), false);
    assert.equal(readBoolean('yes'), undefined);
    assert.equal(isAbsoluteHttpUrl('https://nr.example.com/x?token=1'), true);
    assert.equal(isAbsoluteHttpUrl('ftp://nr.example.com/x'), false);
    assert.equal(isAbsoluteHttpUrl('/relative'), false);
    assert.equal(sameSecret('abc', 'abc'), true);
    assert.equal(sameSecret('abc', 'abd'), false);
  });
});
