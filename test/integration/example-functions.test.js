'use strict';
// The function nodes of the examples that guard against hostile input, run as Node-RED's function
// node runs them: the body of a function of msg, with env, node and the Setup tab's modules (`libs`,
// here Node's built-in ones) in scope, and no global URL, as in Node-RED 3.1's sandbox.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const nodeOf = (file, id) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')).find((n) => n.id === id);

/** Runs a function node's code on `msg`; returns its outputs and what it logged. */
function run(node, msg, env) {
  const logged = [];
  const modules = Object.fromEntries((node.libs ?? []).map((lib) => [lib.var, require(`node:${lib.module}`)]));
  const context = vm.createContext({
    ...modules, msg, env: { get: (name) => env[name] },
    node: { warn: (text) => logged.push(text), status: () => {}, error: (text) => logged.push(text) },
  });
  const result = vm.runInContext(`(function () {\n${node.func}\n})()`, context);
  return { result, logged };
}

describe('example 04: which recording URLs are fetched', function () {
  const trusted = nodeOf('04 - Download the recording file.json', 'e04sw1');
  const env = { SIMULATOR_URL: 'http://127.0.0.1:8089' };
  const check = (url) => run(trusted, { recordingUrl: url }, env).result;

  it('fetches the recording hosts and the simulator, as parsed URLs', () => {
    for (const url of [
      'https://recordings.telapi.com/RB1/RE1.mp3',
      'https://media.zang.io/RE1.wav',
      'http://127.0.0.1:8089/recordings/RE1.mp3',
    ]) {
      const [fetch, refused] = check(url);
      assert.equal(refused, null, url);
      assert.equal(fetch.recordingUrl, new URL(url).href);
    }
  });

  it('refuses what only looks like them once parsed', () => {
    for (const url of [
      'http://127.0.0.1:8089/recordings/../v2/Accounts/AC1/Calls.json',
      'http://127.0.0.1:8089/recordings/%2e%2e/v2/Accounts/AC1/Calls.json',
      'http://127.0.0.1:8089/recordings/..%2fv2',
      'http://127.0.0.1:8089@169.254.169.254/recordings/x',
      'http://user:pw@127.0.0.1:8089/recordings/x',
      'http://127.0.0.1:80890/recordings/x',
      'http://127.0.0.1:8090/recordings/x',
      'https://recordings.telapi.com.evil.example/x.mp3',
      'https://recordings.telapi.com:8443/x.mp3',
      'http://recordings.telapi.com/x.mp3',
      'https://evil.example/#https://recordings.telapi.com/',
      'https://x.zang.io.evil.example/',
      'file:///etc/passwd',
      'not a url',
      '',
    ]) {
      const [fetch, refused] = check(url);
      // "..%2f" stays inside /recordings/ once parsed: that one may pass, but only as its parsed form.
      if (fetch) {
        assert.ok(new URL(fetch.recordingUrl).pathname.startsWith('/recordings/'), url);
        assert.equal(new URL(fetch.recordingUrl).origin, 'http://127.0.0.1:8089', url);
      } else {
        assert.equal(refused.recordingUrl, url);
      }
    }
    assert.equal(check('http://127.0.0.1:8089/recordings/../v2/x')[0], null);
    assert.equal(check('http://127.0.0.1:8089/recordings/%2e%2e/v2/x')[0], null);
  });
});

describe('example 05: the keypress key', function () {
  const keyCheck = nodeOf('05 - Record only after the caller presses 1.json', 'e05key');
  const tab = nodeOf('05 - Record only after the caller presses 1.json', 'e05tab');
  const keypress = (key) => ({ req: { query: key === undefined ? {} : { key } }, payload: { Digits: '1' } });

  it('ships without a key, and refuses every keypress until one is set', () => {
    const shipped = Object.fromEntries(tab.env.map((v) => [v.name, v.value]));
    assert.equal(shipped.VOICE_KEY, '');
    for (const key of [undefined, '', 'change-me-to-a-long-random-string', 'undefined']) {
      const { result, logged } = run(keyCheck, keypress(key), shipped);
      assert.equal(result[0], null, `key ${key}`);
      assert.match(logged[0], /Set this flow's VOICE_KEY/);
    }
    const short = run(keyCheck, keypress('short'), { VOICE_KEY: 'short' });
    assert.equal(short.result[0], null, 'a key under 16 characters is no key');
  });

  it('lets through exactly the key that was set', () => {
    const env = { VOICE_KEY: 'a-long-random-key-0123' };
    assert.notEqual(run(keyCheck, keypress('a-long-random-key-0123'), env).result[0], null);
    for (const key of ['a-long-random-key-012', 'a-long-random-key-01234', 'A-long-random-key-0123', '', undefined]) {
      assert.equal(run(keyCheck, keypress(key), env).result[0], null, `key ${key}`);
    }
  });
});
