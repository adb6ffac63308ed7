'use strict';
const assert = require('node:assert/strict');
const {
  CallbackAuthenticator,
  canonicalCallbackUrl,
  canonicalPublicUrl,
  checkCallback,
  parseCallbackBody,
  privatePublicHost,
  publicUrlHasNodeRoot,
  resolveCallbackUrl,
  computeSignature,
  signedElsewhere,
} = require('../../dist/telapi');

// The vector of docs/telapi-api.md, "Callback authenticity".
const VECTOR = {
  authToken: '0123456789abcdef0123456789abcdef',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  url: 'https://nr.example.com/telapi/recording',
  body:
    'AccountSid=AC0123456789abcdef0123456789abcdef&CallSid=CAfedcba9876543210fedcba9876543210&Digits=12%23&RecordingDuration=7' +
    '&RecordingUrl=' + encodeURIComponent('https://api.telapi.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00112233445566778899aabbccddeeff.mp3'),
  signature: 'odratxRXx08/YUeetD3oQH1Bz1E=',
};

describe('canonical public URL (docs/design.md: one form for sending and checking)', () => {
  it('lower-cases scheme and host, drops the default port, keeps one slash between parts', () => {
    for (const spelling of ['https://nr.example.com', 'HTTPS://NR.Example.COM', 'https://nr.example.com:443', 'https://nr.example.com/', 'HTTPS://Nr.Example.com:443/']) {
      assert.equal(canonicalPublicUrl(spelling), 'https://nr.example.com', spelling);
      assert.equal(canonicalCallbackUrl(spelling, '/telapi/recording'), VECTOR.url, spelling);
    }
    assert.equal(canonicalPublicUrl('http://Host:80/NR//api/'), 'http://host/NR/api', 'the path keeps its case');
    assert.equal(canonicalPublicUrl('https://host:8443/nr/'), 'https://host:8443/nr', 'another port stays');
    assert.equal(canonicalPublicUrl('https://user:pw@host/'), 'https://host', 'no userinfo');
    assert.equal(canonicalPublicUrl('ftp://host'), undefined);
    assert.equal(canonicalPublicUrl(''), undefined);
  });

  it('the record node sends and the callback node checks the same URL, whatever the spelling (signature vector)', () => {
    const authenticator = new CallbackAuthenticator(VECTOR.accountSid, VECTOR.authToken);
    const parsed = parseCallbackBody(VECTOR.body, 'application/x-www-form-urlencoded');
    assert.ok(parsed.ok);
    for (const publicUrl of ['https://nr.example.com', 'https://NR.example.com:443/', 'HTTPS://nr.EXAMPLE.com/']) {
      const sent = resolveCallbackUrl('callbackUrl', '/telapi/recording', publicUrl, 'TOKEN');
      assert.equal(sent, `${VECTOR.url}?token=TOKEN`);
      assert.equal(computeSignature(VECTOR.authToken, VECTOR.url, parsed.callback.pairs), VECTOR.signature);
      const verdict = checkCallback(
        { callback: parsed.callback, relativeUrl: '/telapi/recording', signature: VECTOR.signature },
        { security: 'signature', verifier: authenticator, publicUrl },
      );
      assert.deepEqual(verdict, { ok: true, callSid: 'CAfedcba9876543210fedcba9876543210' }, publicUrl);
    }
  });

  it('puts callback credentials into URLs under the public URL only', () => {
    const credentials = { user: 'tel api', password: 'p@ss:w/rd' };
    const own = resolveCallbackUrl('callbackUrl', '/cb', 'https://Nr.example.com:443/api/', 'T', credentials);
    assert.equal(own, 'https://tel%20api:p%40ss%3Aw%2Frd@nr.example.com/api/cb?token=T');
    const url = new URL(own);
    assert.equal(decodeURIComponent(url.username), 'tel api');
    assert.equal(decodeURIComponent(url.password), 'p@ss:w/rd');
    assert.equal(resolveCallbackUrl('callbackUrl', 'https://elsewhere.example/cb', 'https://nr.example.com/api', 'T', credentials), 'https://elsewhere.example/cb?token=T');
    assert.equal(resolveCallbackUrl('callbackUrl', 'https://nr.example.com/api/cb', 'https://nr.example.com/api', 'T', credentials), 'https://tel%20api:p%40ss%3Aw%2Frd@nr.example.com/api/cb?token=T');
  });

  it('counts the credentials against the 200 characters', () => {
    assert.throws(
      () => resolveCallbackUrl('callbackUrl', '/cb', 'https://nr.example.com', 'T'.repeat(43), { user: 'u', password: 'p'.repeat(150) }),
      (error) => error.reason === 'url-too-long' && !String(error.message).includes('ppp') && !JSON.stringify(error.params).includes('ppp'),
    );
  });

  it('tells whether the public URL path ends with httpNodeRoot', () => {
    assert.equal(publicUrlHasNodeRoot('https://h/nr/api', '/api'), true);
    assert.equal(publicUrlHasNodeRoot('https://h/nr/api/', '/api/'), true);
    assert.equal(publicUrlHasNodeRoot('https://h/nr', '/api'), false);
    assert.equal(publicUrlHasNodeRoot('https://h/xapi', '/api'), false);
    assert.equal(publicUrlHasNodeRoot('https://h', '/'), true);
    assert.equal(publicUrlHasNodeRoot('https://h', undefined), true);
  });

  it('names a public URL\'s host TelAPI on the internet cannot reach, unless the API is on such a host too (issue 21)', () => {
    assert.equal(privatePublicHost('http://127.0.0.1:1895', 'https://api.zang.io/v2'), '127.0.0.1');
    assert.equal(privatePublicHost('https://nodered.local/api', 'https://api.telapi.com/v1'), 'nodered.local');
    assert.equal(privatePublicHost(' http://[fd00::5]:1880 ', 'https://api.zang.io/v2'), '[fd00::5]');
    assert.equal(privatePublicHost('http://127.0.0.1:1895', 'http://127.0.0.1:8089/v2'), undefined, 'the simulator on this machine');
    assert.equal(privatePublicHost('https://nr.example.com', 'https://api.zang.io/v2'), undefined);
    assert.equal(privatePublicHost('', 'https://api.zang.io/v2'), undefined);
    assert.equal(privatePublicHost('http://127.0.0.1', 'not a url'), undefined);
  });

  it('tells an absolute URL of a receiving node\'s path under another root than the public URL, which a signature check refuses (issue 21)', () => {
    const path = '/telapi/recording';
    assert.equal(signedElsewhere('https://other.example.com/telapi/recording', 'https://nr.example.com', path), true);
    assert.equal(signedElsewhere('https://nr.example.com:8443/telapi/recording', 'https://nr.example.com', path), true, 'another port');
    assert.equal(signedElsewhere('http://nr.example.com/telapi/recording', 'https://nr.example.com', path), true, 'another scheme');
    assert.equal(signedElsewhere('https://nr.example.com/telapi/recording', 'https://nr.example.com/nr/api', path), true, 'without the prefix');
    assert.equal(signedElsewhere('https://host/nr/api/Telapi/Recording/?x=1', 'https://host/nr', path), true);
    // What the node checks against: the same root, however written.
    assert.equal(signedElsewhere('HTTPS://NR.example.com:443/nr/api/telapi/recording', 'https://nr.example.com/nr/api/', path), false);
    assert.equal(signedElsewhere('https://u:p@nr.example.com/telapi/Recording?token=x', 'https://nr.example.com', path), false);
    // Not this node's path, a path (put under the public URL), nothing to compare with.
    assert.equal(signedElsewhere('https://other.example.com/telapi/transcription', 'https://nr.example.com', path), false);
    assert.equal(signedElsewhere('https://other.example.com/x-telapi/recording', 'https://nr.example.com', path), false);
    assert.equal(signedElsewhere('/telapi/recording', 'https://nr.example.com', path), false);
    assert.equal(signedElsewhere('https://other.example.com/telapi/recording', '', path), false);
    assert.equal(signedElsewhere('${CALLBACK_URL}', 'https://nr.example.com', path), false);
    assert.equal(signedElsewhere('https://other.example.com/', 'https://nr.example.com', '/'), false);
  });
});
