'use strict';
// The proxy choice is a port of core Node-RED's lib/proxyHelper.js: the same answers for the same
// URL, environment and proxyOptions as the core module of the Node-RED under test, plus the mapping
// of an `http proxy` config node the way core 21-httprequest.js does it.
const assert = require('node:assert/strict');
const { getProxyForUrl, resolveProxy, ProxyUrlError } = require('../../dist/telapi');
const { nodeRedPath } = require('../support/red');

const core = require(require.resolve('@node-red/nodes/core/network/lib/proxyHelper.js', { paths: [nodeRedPath] }));

const CASES = [
  ['https://api.telapi.com/v1', {}],
  ['https://api.telapi.com/v1', { https_proxy: 'http://proxy:3128' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://proxy:3128' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }],
  ['https://api.telapi.com/v1', { HTTP_PROXY: 'http://only-http:3128' }],
  ['http://127.0.0.1:8089/v2', { HTTP_PROXY: 'http://proxy:3128' }],
  ['http://127.0.0.1:8089/v2', { http_proxy: 'proxy:3128' }],
  ['https://api.telapi.com/v1', { https_proxy: 'proxy:3128' }],
  ['https://api.telapi.com/v1', { ALL_PROXY: 'http://all:1' }],
  ['https://api.telapi.com/v1', { npm_config_https_proxy: 'http://npm:1', HTTPS_PROXY: 'http://env:2' }],
  ['https://api.telapi.com/v1', { npm_config_proxy: 'http://npm:1' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.telapi.com' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', no_proxy: 'API.TELAPI.COM' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.telapi.com' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.telapi.com' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'telapi.com' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.telapi.com:443' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.telapi.com:8443' }],
  ['https://api.telapi.com:8443/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.telapi.com:8443' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost, 127.0.0.1 ,api.zang.io' }],
  ['http://127.0.0.1:8089/v2', { HTTP_PROXY: 'http://p:1', NO_PROXY: 'localhost,127.0.0.1' }],
  ['http://[::1]:8089/v2', { HTTP_PROXY: 'http://p:1', NO_PROXY: '[::1]' }],
  ['http://[::1]:8089/v2', { HTTP_PROXY: 'http://p:1' }],
  ['https://api.telapi.com/v1', { HTTPS_PROXY: 'http://p:1', npm_config_no_proxy: 'api.telapi.com' }],
  ['not a url', { HTTPS_PROXY: 'http://p:1' }],
];
const OPTION_SETS = [{}, { favourUpperCase: true }, { lowerCaseOnly: true }, { excludeNpm: true }, { mode: 'legacy' }];

describe('telapi/proxy: which proxy a request goes through', () => {
  let savedMode;
  before(() => {
    savedMode = process.env.NR_PROXY_MODE;
    delete process.env.NR_PROXY_MODE;
  });
  after(() => {
    if (savedMode !== undefined) process.env.NR_PROXY_MODE = savedMode;
  });

  it('answers as core proxyHelper does for every environment and proxyOptions', () => {
    let compared = 0;
    for (const [url, env] of CASES) {
      for (const options of OPTION_SETS) {
        const withEnv = { ...options, env };
        assert.equal(getProxyForUrl(url, withEnv), core.getProxyForUrl(url, withEnv), `${url} ${JSON.stringify(withEnv)}`);
        compared += 1;
      }
    }
    assert.equal(compared, CASES.length * OPTION_SETS.length);
  });

  it('takes HTTPS_PROXY for https, HTTP_PROXY for http, either case, unless NO_PROXY matches', () => {
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { HTTPS_PROXY: 'http://p:1' } }), 'http://p:1');
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { https_proxy: 'http://p:1' } }), 'http://p:1');
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { HTTP_PROXY: 'http://p:1' } }), '');
    assert.equal(getProxyForUrl('http://127.0.0.1:8089/v2', { env: { HTTP_PROXY: 'http://p:1' } }), 'http://p:1');
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.telapi.com' } }), '');
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { HTTPS_PROXY: 'http://p:1', no_proxy: 'example.com' } }), 'http://p:1');
    assert.equal(getProxyForUrl('https://api.telapi.com/v1', { lowerCaseOnly: true, env: { HTTPS_PROXY: 'http://p:1' } }), '');
  });

  it('lets NR_PROXY_MODE=legacy override the proxyOptions mode, as Node-RED does', () => {
    process.env.NR_PROXY_MODE = 'legacy';
    try {
      // Legacy mode reads HTTP_PROXY only, for https too.
      assert.equal(getProxyForUrl('https://api.telapi.com/v1', { env: { HTTP_PROXY: 'http://legacy:1', HTTPS_PROXY: 'http://p:1' } }), 'http://legacy:1');
    } finally {
      delete process.env.NR_PROXY_MODE;
    }
  });

  describe('resolveProxy: an http proxy config node or the environment', () => {
    it('uses the config node instead of the environment, with its no-proxy list', () => {
      const env = { HTTPS_PROXY: 'http://from-env:1' };
      assert.deepEqual(resolveProxy('https://api.telapi.com/v1', { url: 'http://node:3128', noProxy: [] }, { env }), { url: 'http://node:3128' });
      assert.equal(resolveProxy('https://api.telapi.com/v1', { url: 'http://node:3128', noProxy: ['api.telapi.com'] }, { env }), undefined);
      assert.deepEqual(resolveProxy('https://api.telapi.com/v1', undefined, { env }), { url: 'http://from-env:1' });
      assert.equal(resolveProxy('https://api.telapi.com/v1', undefined, { env: {} }), undefined);
    });

    it('keeps credentials apart from the URL: the config node\'s first, else the URL\'s', () => {
      assert.deepEqual(
        resolveProxy('https://api.telapi.com/v1', { url: 'http://u:p@node:3128', username: 'user', password: 'pa:ss' }),
        { url: 'http://node:3128', username: 'user', password: 'pa:ss' },
      );
      assert.deepEqual(
        resolveProxy('https://api.telapi.com/v1', undefined, { env: { HTTPS_PROXY: 'http://me:s%40cret@p:1' } }),
        { url: 'http://p:1', username: 'me', password: 's@cret' },
      );
    });

    it('refuses an unusable proxy URL without repeating it', () => {
      for (const url of ['ftp://me:secret@p:21', 'http://me:%zz@p:1']) {
        assert.throws(() => resolveProxy('https://api.telapi.com/v1', { url }), (error) => {
          assert.ok(error instanceof ProxyUrlError);
          assert.ok(!error.message.includes('secret') && !error.message.includes('%zz'));
          return true;
        });
      }
    });
  });
});
