'use strict';
// The account's proxy, in Node-RED: a core `http proxy` config node (loaded from the Node-RED under
// test), or HTTP_PROXY/HTTPS_PROXY/NO_PROXY and RED.settings.proxyOptions without one. Requests go
// through a real forward proxy on loopback; its credentials never show in a log, status or error.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { helper, nodeRedPath } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { startStandIn } = require('../support/stand-in');
const { startForwardProxy } = require('../support/forward-proxy');
const { ACCOUNT_SID, CALL_SID, basicAuth } = require('../support/fixtures');

const accountNode = withCatalog(require('../../nodes/telapi-account.js'));
const recordNode = withCatalog(require('../../nodes/telapi-record.js'));
const httpProxyNode = require(require.resolve('@node-red/nodes/core/network/06-httpproxy.js', { paths: [nodeRedPath] }));

const AUTH_TOKEN = 'Zx9QwErTyUiOpAsDfGhJkLzXcVbNm123';
const PROXY_USER = 'nr-proxy-user';
const PROXY_PASSWORD = 'Sup3r-s3cret-pr0xy-pa55';
const TLS = { key: fs.readFileSync(path.join(__dirname, '..', 'support', 'tls', 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(__dirname, '..', 'support', 'tls', 'cert.pem'), 'utf8') };
const RECORD_PATH = `/v2/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}/Recordings.json`;
const PROXY_ENV = /^(npm_config_)?(https?|all|no)_?proxy$|^NR_PROXY_MODE$/i;

function flow(baseUrl, accountProps = {}, proxyProps) {
  const nodes = [
    { id: 'flow1', type: 'tab' },
    { id: 'account', type: 'telapi-account', name: 'test', baseUrl, publicUrl: 'https://nr.example.com', timeout: 2, ...accountProps },
    { id: 'record', type: 'telapi-record', account: 'account', wires: [['out']], z: 'flow1' },
    { id: 'out', type: 'helper', z: 'flow1' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']], z: 'flow1' },
    { id: 'caught', type: 'helper', z: 'flow1' },
  ];
  if (proxyProps) nodes.push({ id: 'proxy', type: 'http proxy', name: 'corporate', noproxy: [], ...proxyProps });
  return nodes;
}

describe('telapi-account: proxy', function () {
  let standIn;
  let secureStandIn;
  let proxy;
  let savedEnv;

  before(async () => {
    standIn = await startStandIn();
    secureStandIn = await startStandIn({ tls: TLS });
    proxy = await startForwardProxy({ username: PROXY_USER, password: PROXY_PASSWORD });
    await new Promise((resolve) => helper.startServer(resolve));
  });
  after(async () => {
    await new Promise((resolve) => helper.stopServer(resolve));
    await Promise.all([standIn.close(), secureStandIn.close(), proxy.close()]);
  });
  beforeEach(() => {
    standIn.reset();
    secureStandIn.reset();
    proxy.reset();
    savedEnv = {};
    for (const name of Object.keys(process.env).filter((n) => PROXY_ENV.test(n))) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({ proxyOptions: undefined });
    for (const name of Object.keys(process.env).filter((n) => PROXY_ENV.test(n))) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  async function load(baseUrl, accountProps, proxyProps, proxyCredentials) {
    const credentials = { account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };
    if (proxyCredentials) credentials.proxy = proxyCredentials;
    await helper.load([httpProxyNode, accountNode, recordNode], flow(baseUrl, accountProps, proxyProps), credentials);
    const seen = { out: [], caught: [], statuses: [] };
    helper.getNode('out').on('input', (msg) => seen.out.push(msg));
    helper.getNode('caught').on('input', (msg) => seen.caught.push(msg));
    helper.getNode('record').on('call:status', (call) => seen.statuses.push(call.args[0]));
    return seen;
  }

  /** One message; resolves when it produced an output or reached the Catch node. */
  async function send(seen) {
    helper.getNode('record').receive({ callSid: CALL_SID });
    for (let i = 0; i < 400 && seen.out.length + seen.caught.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(seen.out.length + seen.caught.length, 1, 'one outcome');
    return seen.caught[0] ?? seen.out[0];
  }

  /** Everything a user could read: log lines, statuses, caught errors. */
  function assertNoProxySecret(seen) {
    const logged = helper.log().args.map((args) => JSON.stringify(args));
    const texts = [...logged, JSON.stringify(seen.statuses), ...seen.caught.map((msg) => JSON.stringify({ error: msg.error, message: msg.error.message, stack: msg.error.stack }))];
    const encoded = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
    for (const text of texts) {
      assert.ok(!text.includes(PROXY_PASSWORD) && !text.includes(encoded), `proxy password in: ${text}`);
      assert.ok(!text.includes(AUTH_TOKEN), `AuthToken in: ${text}`);
    }
    return logged;
  }

  it('sends through the selected http proxy config node, with its credentials, and logs the proxy without them', async () => {
    const seen = await load(`${standIn.url}/v2`, { proxy: 'proxy' }, { url: proxy.url }, { username: PROXY_USER, password: PROXY_PASSWORD });
    const msg = await send(seen);
    assert.equal(msg.statusCode, 200, JSON.stringify(msg.error));
    assert.deepEqual(proxy.requests.map((r) => [r.method, r.target]), [['POST', `${standIn.url}${RECORD_PATH}`]]);
    assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
    assert.equal(standIn.requests[0].headers.authorization, basicAuth(ACCOUNT_SID, AUTH_TOKEN));
    const logged = assertNoProxySecret(seen);
    assert.ok(logged.some((line) => line.includes(`TelAPI requests go through the proxy ${proxy.url}`)), 'the proxy is logged');
  });

  it('takes the credentials from the proxy URL too, and never shows them', async () => {
    const withCredentials = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
    const seen = await load(`${standIn.url}/v2`, { proxy: 'proxy' }, { url: withCredentials });
    const msg = await send(seen);
    assert.equal(msg.statusCode, 200);
    assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
    assertNoProxySecret(seen);
  });

  it('reports a refusing proxy at the Catch node without its password', async () => {
    const seen = await load(`${secureStandIn.url}/v2`, { proxy: 'proxy' }, { url: proxy.url }, { username: PROXY_USER, password: `${PROXY_PASSWORD}-wrong` });
    const msg = await send(seen);
    assert.ok(msg.error, 'an error');
    assert.deepEqual(proxy.requests.map((r) => r.status), [407, 407, 407]);
    assert.equal(secureStandIn.requests.length, 0);
    assertNoProxySecret(seen);
    assert.ok(!JSON.stringify(seen).includes(`${PROXY_PASSWORD}-wrong`));
  });

  it('goes direct for a host on the config node\'s no-proxy list, even with HTTP_PROXY set', async () => {
    process.env.HTTP_PROXY = proxy.url;
    const seen = await load(`${standIn.url}/v2`, { proxy: 'proxy' }, { url: proxy.url, noproxy: ['localhost', '127.0.0.1'] });
    assert.equal((await send(seen)).statusCode, 200);
    assert.equal(proxy.requests.length, 0);
    assert.equal(standIn.requests.length, 1);
  });

  it('warns about an unusable proxy URL without repeating it, and goes direct as the core node does', async () => {
    const seen = await load(`${standIn.url}/v2`, { proxy: 'proxy' }, { url: `ftp://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:21` });
    assert.equal((await send(seen)).statusCode, 200);
    const logged = assertNoProxySecret(seen);
    assert.ok(logged.some((line) => line.includes('The proxy URL is not a valid http(s) URL')));
  });

  describe('without a config node: the environment', () => {
    it('sends plain HTTP through HTTP_PROXY (or http_proxy), credentials from the URL', async () => {
      for (const name of ['HTTP_PROXY', 'http_proxy']) {
        process.env[name] = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
        proxy.reset();
        const seen = await load(`${standIn.url}/v2`);
        assert.equal((await send(seen)).statusCode, 200, name);
        assert.equal(proxy.requests.length, 1, name);
        assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
        assertNoProxySecret(seen);
        await helper.unload();
        delete process.env[name];
      }
    });

    it('tunnels HTTPS through HTTPS_PROXY with CONNECT', async () => {
      process.env.HTTPS_PROXY = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
      const seen = await load(`${secureStandIn.url}/v2`);
      const msg = await send(seen);
      // The stand-in's certificate is self-signed, so TLS fails after the tunnel: the tunnel is the point here.
      assert.ok(msg.error);
      assert.deepEqual(proxy.requests.map((r) => [r.method, r.target, r.status]), [['CONNECT', new URL(secureStandIn.url).host, 200]]);
      assert.equal(proxy.requests[0].authorization, basicAuth(PROXY_USER, PROXY_PASSWORD));
      assertNoProxySecret(seen);
    });

    it('goes direct when NO_PROXY (or no_proxy) matches', async () => {
      for (const [name, value] of [['NO_PROXY', '127.0.0.1'], ['no_proxy', 'example.com,127.0.0.1'], ['NO_PROXY', `127.0.0.1:${new URL(secureStandIn.url).port}`]]) {
        process.env.HTTPS_PROXY = proxy.url;
        process.env[name] = value;
        const seen = await load(`${secureStandIn.url}/v2`);
        await send(seen);
        assert.equal(proxy.requests.length, 0, `${name}=${value}`);
        await helper.unload();
        delete process.env[name];
      }
    });

    it('sends through HTTPS_PROXY when NO_PROXY names another host or port', async () => {
      process.env.HTTPS_PROXY = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
      process.env.NO_PROXY = 'localhost,127.0.0.1:1';
      await send(await load(`${secureStandIn.url}/v2`));
      assert.deepEqual(proxy.requests.map((r) => [r.method, r.status]), [['CONNECT', 200]]);
    });

    it('follows RED.settings.proxyOptions (lowerCaseOnly ignores HTTP_PROXY)', async () => {
      helper.settings({ proxyOptions: { lowerCaseOnly: true } });
      process.env.HTTP_PROXY = proxy.url;
      assert.equal((await send(await load(`${standIn.url}/v2`))).statusCode, 200);
      assert.equal(proxy.requests.length, 0);
    });
  });
});
