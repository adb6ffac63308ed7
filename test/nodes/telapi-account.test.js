'use strict';
const assert = require('node:assert/strict');
const util = require('node:util');
const { helper } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { ACCOUNT_SID, AUTH_TOKEN } = require('../support/fixtures');
const { withoutUserinfo } = require('../../dist/telapi');
const accountNode = withCatalog(require('../../nodes/telapi-account.js'));

describe('telapi-account node', function () {
  afterEach(async () => {
    await helper.unload();
  });

  async function load(props, credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }) {
    await helper.load([accountNode], [{ id: 'acc', type: 'telapi-account', name: 'account', ...props }], { acc: credentials });
    const node = helper.getNode('acc');
    return node;
  }
  const logged = (node, level) => node[level].getCalls().map((call) => String(call.args[0]));

  it('defaults to TelAPI v1 and keeps the public URL without a trailing slash', async () => {
    const node = await load({ publicUrl: 'https://nr.example.com/api/' });
    assert.equal(node.baseUrl, 'https://api.telapi.com/v1');
    assert.equal(node.publicUrl, 'https://nr.example.com/api');
    assert.equal(node.problem, undefined);
    assert.ok(node.client && node.authenticator);
  });

  it('reports missing credentials and a malformed AccountSid, and builds no client', async () => {
    assert.equal((await load({}, { accountSid: '', authToken: '' })).problem, 'missingCredentials');
    await helper.unload();
    const bad = await load({}, { accountSid: 'AC123', authToken: AUTH_TOKEN });
    assert.equal(bad.problem, 'invalidAccountSid');
    assert.equal(bad.client, undefined);
  });

  it('warns about cleartext http to another host, without the password in the base URL', async () => {
    const node = await load({ baseUrl: 'http://gateway-user:s3cret-pass@telapi.example.net/v2' });
    assert.equal(node.baseUrl, 'http://telapi.example.net/v2');
    const warnings = logged(node, 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /http:\/\/telapi\.example\.net\/v2 is plain http/);
    for (const text of [...warnings, util.inspect(node.client, { depth: 4 })]) {
      assert.ok(!text.includes('s3cret-pass'), text);
    }
  });

  it('does not warn about http to this machine (the simulator)', async () => {
    const node = await load({ baseUrl: 'http://127.0.0.1:8089/v2', publicUrl: 'http://127.0.0.1:1880' });
    assert.deepEqual(logged(node, 'warn'), []);
  });

  it('warns at deploy about a plain http public URL the internet reaches, and not about a local one', async () => {
    const node = await load({ publicUrl: 'http://nr.example.com/api' });
    assert.deepEqual(logged(node, 'warn'), [
      'The public URL http://nr.example.com/api is plain http: TelAPI would send its callbacks and voice requests, with the tokens that admit them, unencrypted over the internet. Use https (a reverse proxy or tunnel in front of Node-RED).',
    ]);
    for (const publicUrl of ['http://raspberrypi.local:1880', 'http://192.168.1.20:1880', 'http://nodered:1880', 'https://nr.example.com']) {
      await helper.unload();
      assert.deepEqual(logged(await load({ publicUrl }), 'warn'), [], publicUrl);
    }
  });

  it('strips user and password from URLs shown to people, and leaves others alone', () => {
    assert.equal(withoutUserinfo('http://u:p@host:8080/v2?x=1'), 'http://host:8080/v2?x=1');
    assert.equal(withoutUserinfo('https://user@host/'), 'https://host/');
    assert.equal(withoutUserinfo('https://host/v1'), 'https://host/v1');
    assert.equal(withoutUserinfo('not a URL'), 'not a URL');
    assert.equal(withoutUserinfo('http://u:p@ not a URL'), 'http:// not a URL');
  });

  describe('public URL and callback credentials (issue 13)', () => {
    afterEach(() => helper.settings({}));

    it('warns once at deploy when the public URL does not end with httpNodeRoot', async () => {
      helper.settings({ httpNodeRoot: '/api' });
      const wrong = await load({ publicUrl: 'https://host:8443/nr/' });
      assert.deepEqual(logged(wrong, 'warn').filter((text) => /httpNodeRoot/.test(text)), [
        'The public URL https://host:8443/nr does not end with httpNodeRoot (/api): TelAPI\'s callbacks to it would get 404. Add /api after any proxy prefix.',
      ]);
      await helper.unload();
      const right = await load({ publicUrl: 'HTTPS://Host:443/nr/api/' });
      assert.deepEqual(logged(right, 'warn'), []);
    });

    it('keeps callback credentials as Node-RED credentials, and takes a user and password left in the public URL with a warning', async () => {
      const node = await load({ publicUrl: 'https://nr.example.com' }, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackUser: 'tel', callbackPassword: 'cb-secret' });
      assert.deepEqual(node.callbackCredentials, { user: 'tel', password: 'cb-secret' });
      assert.deepEqual(logged(node, 'warn'), []);
      await helper.unload();
      const legacy = await load({ publicUrl: 'https://tel:old%20secret@nr.example.com/' });
      assert.equal(legacy.publicUrl, 'https://nr.example.com');
      assert.deepEqual(legacy.callbackCredentials, { user: 'tel', password: 'old secret' });
      const warnings = logged(legacy, 'warn');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /callback user and password/);
      assert.ok(!warnings[0].includes('old'), 'the password is not logged');
    });
  });
});
