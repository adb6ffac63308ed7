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

describe('example 08: only a recording SID is taken from the Record action', function () {
  const sidOf = nodeOf('08 - Voicemail, take a message and file the MP3.json', 'e08sid');
  const SID = 'RE0123456789abcdef0123456789abcdef';
  const take = (payload) => run(sidOf, { payload, callSid: 'CA1' }, {});

  it('takes the SID at the end of RecordingUrl, with the caller and the call', () => {
    const { result } = take({ RecordingUrl: `https://recordings.telapi.com/AC1/${SID}.mp3`, From: '+15550100' });
    assert.deepEqual({ ...result }, { recordingSid: SID, caller: '+15550100', callSid: 'CA1' });
  });

  it('passes on nothing but a well-formed SID, and never a URL', () => {
    for (const payload of [{ RecordingUrl: `https://evil.example.net/${SID}.mp3?x=1` }, { RecordingUrl: 'file:///etc/passwd' }, { RecordingUrl: 'RE12.mp3' }, {}]) {
      const { result, logged } = take(payload);
      assert.equal(result, null, JSON.stringify(payload));
      assert.equal(logged.length, 1);
    }
  });
});
