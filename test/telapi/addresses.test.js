'use strict';
// Which hosts and addresses a download from a public TelAPI may not reach, however they are written:
// hostnames as the URL parser leaves them (decimal, octal and hex IPv4 normalised, IPv6 bracketed),
// and the addresses a lookup returns.
const assert = require('node:assert/strict');
const { isNonPublicHost, isNonPublicAddress, publicOnlyLookup, BLOCKED_ADDRESS_CODE } = require('../../dist/telapi');

const NON_PUBLIC_URLS = [
  'http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f000001/', 'http://0x7f.1/',
  'http://0/', 'http://0.0.0.0/', 'http://10.1.2.3/', 'http://012.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.255/',
  'http://192.168.1.1/', 'http://169.254.169.254/', 'http://2852039166/', 'http://100.64.0.1/', 'http://224.0.0.1/',
  'http://255.255.255.255/', 'http://127.0.0.1.:8080/',
  'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://[::ffff:10.0.0.1]/', 'http://[::ffff:192.168.0.1]/',
  'http://[::127.0.0.1]/', 'http://[64:ff9b::127.0.0.1]/', 'http://[64:ff9b::a9fe:a9fe]/',
  'http://[fc00::1]/', 'http://[fd12:3456:789a::1]/', 'http://[fe80::1]/', 'http://[febf::1]/', 'http://[ff02::1]/',
  'http://localhost/', 'http://LOCALHOST./', 'http://media.localhost:8080/',
];

const PUBLIC_URLS = [
  'http://8.8.8.8/', 'http://134744072/', 'http://11.0.0.1/', 'http://172.15.255.255/', 'http://172.32.0.1/',
  'http://192.169.0.1/', 'http://169.253.255.255/', 'http://100.128.0.1/', 'http://223.255.255.255/',
  'http://[2001:4860:4860::8888]/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b::808:808]/', 'http://[fbff::1]/',
  'http://recordings.telapi.com/', 'http://localhost.example.com/', 'http://127.0.0.1.example.com/',
];

describe('telapi/addresses', () => {
  for (const url of NON_PUBLIC_URLS) {
    it(`${url} (hostname ${new URL(url).hostname}) is not public`, () => {
      assert.equal(isNonPublicHost(new URL(url).hostname), true);
    });
  }
  for (const url of PUBLIC_URLS) {
    it(`${url} (hostname ${new URL(url).hostname}) is public or a name to look up`, () => {
      assert.equal(isNonPublicHost(new URL(url).hostname), false);
    });
  }

  it('classifies addresses as a lookup returns them', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:169.254.169.254', '10.255.255.255', 'fe80::1', 'fd00::1']) {
      assert.equal(isNonPublicAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', 'recordings.telapi.com', '']) {
      assert.equal(isNonPublicAddress(address), false, address);
    }
  });

  describe('publicOnlyLookup', () => {
    const answers = {
      'public.test': [{ address: '93.184.216.34', family: 4 }],
      'private.test': [{ address: '10.0.0.7', family: 4 }],
      'mixed.test': [{ address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }],
      'proxy.test': [{ address: '10.0.0.8', family: 4 }],
    };
    const lookup = (hostname, options, callback) => {
      const found = answers[hostname];
      if (!found) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
      return options.all ? callback(null, found) : callback(null, found[0].address, found[0].family);
    };
    const resolve = (filtered, hostname, all) => new Promise((done) => filtered(hostname, { all }, (error, address, family) => done({ error, address, family })));

    it('passes public answers through, one address or all', async () => {
      const filtered = publicOnlyLookup(lookup);
      assert.deepEqual(await resolve(filtered, 'public.test', false), { error: null, address: '93.184.216.34', family: 4 });
      assert.deepEqual((await resolve(filtered, 'public.test', true)).address, answers['public.test']);
    });

    it('refuses a name with any non-public address, and passes lookup errors on', async () => {
      const filtered = publicOnlyLookup(lookup);
      for (const [hostname, all] of [['private.test', false], ['private.test', true], ['mixed.test', true]]) {
        const { error } = await resolve(filtered, hostname, all);
        assert.equal(error?.code, BLOCKED_ADDRESS_CODE, `${hostname} all=${all}`);
      }
      assert.equal((await resolve(filtered, 'missing.test', true)).error.code, 'ENOTFOUND');
    });

    it('resolves a trusted name (the proxy) unchecked', async () => {
      const filtered = publicOnlyLookup(lookup, ['Proxy.test']);
      assert.deepEqual(await resolve(filtered, 'proxy.test', false), { error: null, address: '10.0.0.8', family: 4 });
      assert.equal((await resolve(filtered, 'private.test', false)).error.code, BLOCKED_ADDRESS_CODE);
    });
  });
});
