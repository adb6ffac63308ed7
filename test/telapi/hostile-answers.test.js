'use strict';
// The TelAPI library against answers that are too deep, too large, encoded, echoing secrets or
// redirecting back: each refused with an error of its own kind, never thrown out of a stream handler.
const assert = require('node:assert/strict');
const { fakeMedia } = require('../support/fake-media');
const { EventEmitter } = require('node:events');
const http = require('node:http');
const zlib = require('node:zlib');
const {
  TelApiClient, TelApiError, DownloadError, loadGot, MAX_ANSWER_BYTES, SecretRedactor, downloadMedia, jsonNestsDeeperThan, maskUrlSecrets, parseRecordingOptions,
} = require('../../dist/telapi');
const { cloneableForCatch } = require('../../dist/nodes/shared/request-node');
const { requireNodeRed } = require('../support/red');

const ACCOUNT_SID = 'AC11112222333344445555666677778888';
const AUTH_TOKEN = 'Tk9sZWFrc0FsbG93ZWRIZXJlMTIzNDU2';

describe('telapi/json: nesting is measured before parsing', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    assert.equal(jsonNestsDeeperThan('{"a":1}', 1), false);
    assert.equal(jsonNestsDeeperThan('{"a":[1]}', 1), true);
    assert.equal(jsonNestsDeeperThan('{"a":"[[[[{{{{\\"]]"}', 1), false);
    assert.equal(jsonNestsDeeperThan(`{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 16), true);
    assert.equal(jsonNestsDeeperThan('{"recordings":[{"sid":"RE1","subresource_uris":{"t":"/x"}}]}', 16), false);
  });
});

describe('telapi/redact: nothing secret in what the nodes output', () => {
  it('masks URL credentials and token/key values, plain or encoded, and leaves other words alone', () => {
    assert.equal(maskUrlSecrets('http://u:p@nr.example.com/cb?token=abc_-1&key=k9&x=1'), 'http://…@nr.example.com/cb?token=…&key=…&x=1');
    assert.equal(maskUrlSecrets('https%3A%2F%2Fu%3Ap%40h%2Fcb%3Ftoken%3Dabc'), 'https%3A%2F%2F…%40h%2Fcb%3Ftoken%3D…');
    assert.equal(maskUrlSecrets('monkey=banana&X-Token=abc'), 'monkey=banana&X-Token=abc');
    assert.equal(maskUrlSecrets('a plain sentence'), 'a plain sentence');
  });

  it('masks the account\'s secrets in text and in every string of an answer, and copies the answer', () => {
    const redactor = new SecretRedactor([AUTH_TOKEN, 'cb pass/9', undefined, 'ab']);
    assert.equal(redactor.text(`Invalid ${ACCOUNT_SID}:${AUTH_TOKEN}`), `Invalid ${ACCOUNT_SID}:…`);
    assert.equal(redactor.text('password cb%20pass%2F9 echoed'), 'password … echoed');
    assert.equal(redactor.text('ab stays: too short to mask'), 'ab stays: too short to mask');
    const answer = { sid: 'TR1', nested: [{ text: `token ${AUTH_TOKEN}` }], transcribe_callback: 'https://u:cb pass/9@h/t?token=x', duration: 7, ok: true };
    const masked = redactor.value(answer);
    assert.deepEqual(masked, { sid: 'TR1', nested: [{ text: 'token …' }], transcribe_callback: 'https://…@h/t?token=…', duration: 7, ok: true });
    assert.equal(answer.nested[0].text, `token ${AUTH_TOKEN}`, 'the original is left as it was');
    const buffer = Buffer.from('audio');
    assert.equal(redactor.value(buffer), buffer, 'a Buffer is passed through');
  });
});

describe('telapi/options: values from messages', () => {
  it('takes only decimal digits as numbers, and names the value it refused', () => {
    assert.equal(parseRecordingOptions({ timeLimit: ' 42 ' }).timeLimit, 42);
    for (const value of ['0x10', '1e3', '-5', '4.5', '', 1.5, Infinity, '99999999999999999']) {
      assert.throws(() => parseRecordingOptions({ timeLimit: value }), /Invalid timeLimit: must be a whole number greater than 0, not /, String(value));
    }
  });

  it('reads own options of a plain object only', () => {
    assert.throws(() => parseRecordingOptions(Object.create({ action: 'stop' })), /must be of type object/);
    assert.throws(() => parseRecordingOptions(JSON.parse('{"__proto__":{"action":"stop"}}')), /Invalid __proto__: is not a recording option/);
    assert.equal(parseRecordingOptions(Object.assign(Object.create(null), { action: 'stop' })).action, 'stop');
  });
});

describe('telapi/client: answers are bounded', () => {
  let got;
  let server;
  let baseUrl;
  let answer;
  const sockets = new Set();
  before(async () => {
    got = await loadGot();
    server = http.createServer((req, res) => { req.resume(); req.on('end', () => answer(req, res)); });
    server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${server.address().port}/v2`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const newClient = () => new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl, timeoutMs: 5000, unreachableBackoffMs: 1, maxRetryAfterMs: 1 });

  it('an answer that never ends is cut at MAX_ANSWER_BYTES: kind too-large', async () => {
    let written = 0;
    answer = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => { while (!res.destroyed && res.write(chunk)) written += chunk.length; };
      res.on('drain', pump);
      res.on('close', () => res.off('drain', pump));
      pump();
    };
    const client = newClient();
    await assert.rejects(client.request({ method: 'GET', path: '/Recordings.json' }), (error) => error instanceof TelApiError && error.kind === 'too-large');
    assert.ok(written < 64 * MAX_ANSWER_BYTES, `the server wrote ${written} bytes`);
    client.close();
  });

  it('a gzip bomb is measured after decompression', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    answer = (req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length }); res.end(bomb); };
    const client = newClient();
    await assert.rejects(client.request({ method: 'GET', path: '/Recordings.json' }), (error) => error instanceof TelApiError && error.kind === 'too-large');
    client.close();
  });

  it('an answer nested too deep is an invalid answer, not a value', async () => {
    answer = (req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"sid":"RE1","x":${'['.repeat(5000)}${']'.repeat(5000)}}`); };
    const client = newClient();
    await assert.rejects(client.request({ method: 'GET', path: '/Recordings.json' }), (error) => error.kind === 'invalid-response' && /nests more than 16 levels deep/.test(error.message));
    client.close();
  });

  it('tells the caller when TelAPI refused an attempt it had received (429), then that the next one was written', async () => {
    let count = 0;
    answer = (req, res) => {
      count += 1;
      if (count === 1) { res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' }); res.end('{"message":"slow down"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"sid":"RE1"}');
    };
    const events = [];
    const client = newClient();
    await client.request({ method: 'POST', path: '/Calls/CA1/Recordings.json', form: new URLSearchParams('Record=true'), onSent: () => events.push('sent'), onRefused: () => events.push('refused') });
    assert.deepEqual(events, ['sent', 'refused', 'sent']);
    client.close();
  });
});

describe('telapi/download: hostile media answers', () => {

  it('memory that cannot be reserved is a too-large error, not an exception out of the stream handler', async () => {
    const allocate = () => { throw Object.assign(new RangeError('Array buffer allocation failed'), { code: 'ERR_OUT_OF_RANGE' }); };
    const refused = (error) => error instanceof DownloadError && error.kind === 'too-large' && /could not be reserved/.test(error.message);
    // A small file's buffer is reserved on its headers; a larger one once a quarter of it has arrived.
    for (const [announced, sent] of [[1000, 0], [8 * 1024 * 1024, 2 * 1024 * 1024]]) {
      const media = fakeMedia({ 'content-type': 'audio/mpeg', 'content-length': String(announced) });
      const result = downloadMedia({ open: () => media.stream, apiOrigin: 'https://api.telapi.test', allocate }, 'https://media.telapi.test/RE1.mp3', { maxBytes: 5e9 });
      await new Promise(setImmediate);
      assert.doesNotThrow(() => media.answer());
      if (sent > 0) assert.doesNotThrow(() => media.send(Buffer.alloc(sent)));
      await assert.rejects(result, refused);
    }
  });

  it('a content-encoded file is refused, never output as audio', async () => {
    const media = fakeMedia({ 'content-type': 'audio/mpeg', 'content-encoding': 'gzip' });
    const result = downloadMedia({ open: () => media.stream, apiOrigin: 'https://api.telapi.test' }, 'https://media.telapi.test/RE1.mp3', { maxBytes: 1e6 });
    await new Promise(setImmediate);
    media.answer();
    await assert.rejects(result, (error) => error instanceof DownloadError && error.kind === 'encoding' && error.encoding === 'gzip');
    assert.equal(media.stream.destroyed, true);
  });

  it('credentials go to the API origin only until a hop has left it', async () => {
    const opened = [];
    const hops = {
      'https://api.telapi.test/v2/RE1.mp3': 'https://media.telapi.test/RE1.mp3',
      'https://media.telapi.test/RE1.mp3': 'https://api.telapi.test/v2/Accounts/AC1.json',
    };
    const open = (url, withCredentials) => {
      opened.push([url.href, withCredentials]);
      const stream = new EventEmitter();
      stream.destroy = () => undefined;
      setImmediate(() => {
        const next = hops[url.href];
        if (next) stream.emit('response', { statusCode: 302, headers: { location: next } });
        else { stream.emit('response', { statusCode: 200, headers: { 'content-length': '2' } }); stream.emit('data', Buffer.from('{}')); stream.emit('end'); }
      });
      return stream;
    };
    await downloadMedia({ open, apiOrigin: 'https://api.telapi.test' }, 'https://api.telapi.test/v2/RE1.mp3', { maxBytes: 100 });
    assert.deepEqual(opened, [
      ['https://api.telapi.test/v2/RE1.mp3', true],
      ['https://media.telapi.test/RE1.mp3', false],
      ['https://api.telapi.test/v2/Accounts/AC1.json', false],
    ]);
  });
});

describe('nodes: a message handed to Catch can always be cloned', () => {
  const { util } = requireNodeRed();

  it('drops the fields the node set when they cannot be cloned, then anything else that cannot', () => {
    let deep = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const msg = { _msgid: 'm1', topic: 'kept', callSid: 'CA1', payload: { x: deep } };
    assert.throws(() => util.cloneMessage(msg), RangeError);
    cloneableForCatch(msg, ['payload', 'statusCode'], util.cloneMessage);
    assert.deepEqual(msg, { _msgid: 'm1', topic: 'kept', callSid: 'CA1' });

    const hostileInput = { _msgid: 'm2', other: { x: deep } };
    cloneableForCatch(hostileInput, ['payload'], util.cloneMessage);
    assert.deepEqual(hostileInput, { _msgid: 'm2' });

    const fine = { _msgid: 'm3', payload: { sid: 'RE1' } };
    cloneableForCatch(fine, ['payload'], util.cloneMessage);
    assert.deepEqual(fine, { _msgid: 'm3', payload: { sid: 'RE1' } });
  });
});
