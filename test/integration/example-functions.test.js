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

describe('example 04: only a recording SID is taken from the callback', function () {
  // The recordings node fetches the media URL TelAPI reports for that SID, so no URL from the
  // callback is ever fetched: the old allowlist of hosts is gone.
  const sidOf = nodeOf('04 - Download the recording file.json', 'e04sid');
  const SID = 'RE0123456789abcdef0123456789abcdef';
  const take = (msg) => run(sidOf, msg, {});

  it('takes RecordingSid, else the SID at the end of RecordingUrl', () => {
    assert.equal(take({ payload: { RecordingSid: SID }, recordingUrl: 'https://evil.example.net/x' }).result.recordingSid, SID);
    assert.equal(take({ payload: {}, recordingUrl: `https://recordings.telapi.com/AC1/${SID}.mp3` }).result.recordingSid, SID);
    assert.equal(take({ payload: {}, recordingUrl: `http://127.0.0.1:1/recordings/${SID}.wav` }).result.recordingSid, SID);
  });

  it('passes on nothing but a well-formed SID, and never a URL', () => {
    for (const msg of [
      { payload: { RecordingSid: `${SID}/../../Calls` }, recordingUrl: '' },
      { payload: { RecordingSid: 'RE123' } },
      { payload: {}, recordingUrl: `https://evil.example.net/${SID}.mp3?x=1` },
      { payload: {}, recordingUrl: 'file:///etc/passwd' },
      {},
    ]) {
      const { result, logged } = take(msg);
      assert.equal(result, null, JSON.stringify(msg));
      assert.deepEqual(logged, ['callback without a recording SID']);
    }
    const out = take({ payload: { RecordingSid: SID }, recordingUrl: 'https://evil.example.net/x' }).result;
    assert.equal(out.url, undefined);
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
