'use strict';
// The download's faults on a real HTTP server on 127.0.0.1: each one an error, never a partial Buffer;
// credentials only to the API's origin ("localhost" on the same port is another origin).
const assert = require('node:assert/strict');
const { fakeMedia } = require('../support/fake-media');
const { EventEmitter } = require('node:events');
const http = require('node:http');
const util = require('node:util');
const { TelApiClient, loadGot, DownloadError, downloadMedia, getRecording, recordingUrlOf } = require('../../dist/telapi');

const ACCOUNT_SID = 'AC11112222333344445555666677778888';
const AUTH_TOKEN = 'Tk9sZWFrc0FsbG93ZWRIZXJlMTIzNDU2';
const FILE = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
/** The got module the clients are built with, as the account node hands it over. */
let got;
const gotLoaded = async () => { got = await loadGot(); };

describe('telapi/download: faults on a real HTTP server', () => {
  before(gotLoaded);
  let server;
  let port;
  let api;
  let other;
  const seen = [];
  const sockets = new Set();

  const routes = {
    '/file.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': FILE.length }); res.end(FILE); },
    '/chunked.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg' }); res.write(FILE.subarray(0, 30_000)); res.end(FILE.subarray(30_000)); },
    '/lying-length.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg' }); res.write(FILE); res.end(FILE); },
    '/cut.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': FILE.length }); res.write(FILE.subarray(0, 1000), () => req.socket.destroy()); },
    '/cut-chunked.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg' }); res.write(FILE.subarray(0, 1000), () => req.socket.destroy()); },
    '/missing.mp3': (req, res) => { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not here'); },
    '/loop-a': (req, res) => { res.writeHead(302, { location: '/loop-b' }); res.end(); },
    '/loop-b': (req, res) => { res.writeHead(302, { location: '/loop-a' }); res.end(); },
    '/hop1': (req, res) => { res.writeHead(302, { location: '/hop2' }); res.end(); },
    '/hop2': (req, res) => { res.writeHead(302, { location: '/hop3' }); res.end(); },
    '/hop3': (req, res) => { res.writeHead(302, { location: '/hop4' }); res.end(); },
    '/hop4': (req, res) => { res.writeHead(302, { location: '/file.mp3' }); res.end(); },
    '/to-other': (req, res) => { res.writeHead(302, { location: `http://localhost:${port}/file.mp3` }); res.end(); },
    '/to-file': (req, res) => { res.writeHead(302, { location: 'file:///etc/passwd' }); res.end(); },
    '/to-ftp': (req, res) => { res.writeHead(301, { location: 'ftp://127.0.0.1/x.mp3' }); res.end(); },
  };

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, path: req.url, authorization: req.headers.authorization });
      (routes[req.url] ?? ((q, s) => { s.writeHead(500); s.end(); }))(req, res);
    });
    server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
    api = `http://127.0.0.1:${port}`;
    other = `http://localhost:${port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  let client;
  beforeEach(() => {
    seen.length = 0;
    client = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${api}/v2`, timeoutMs: 5000 });
  });
  afterEach(() => client.close());

  async function fails(url, kind, maxBytes = 1_000_000) {
    await assert.rejects(client.download(url, { maxBytes }), (error) => {
      assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${error}`);
      assert.equal(error.kind, kind, error.message);
      assert.ok(!('body' in error), 'no partial body on the error');
      const text = `${error.message} ${util.inspect(error)}`;
      assert.ok(!text.includes(AUTH_TOKEN) && !text.includes(Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')));
      return true;
    });
  }

  it('downloads the exact bytes with their content type, with credentials on the API origin', async () => {
    const result = await client.download(`${api}/file.mp3`, { maxBytes: FILE.length });
    assert.ok(result.body.equals(FILE));
    assert.equal(result.contentType, 'audio/mpeg');
    assert.match(seen[0].authorization, /^Basic /);
    const chunked = await client.download(`${api}/chunked.mp3`, { maxBytes: FILE.length });
    assert.ok(chunked.body.equals(FILE));
  });

  it('sends no credentials to another origin, first URL or redirect', async () => {
    const direct = await client.download(`${other}/file.mp3`, { maxBytes: FILE.length });
    assert.ok(direct.body.equals(FILE));
    const redirected = await client.download(`${api}/to-other`, { maxBytes: FILE.length });
    assert.ok(redirected.body.equals(FILE));
    assert.equal(redirected.redirects, 1);
    assert.deepEqual(seen.map((s) => [s.host.split(':')[0], s.path, s.authorization === undefined]), [
      ['localhost', '/file.mp3', true], ['127.0.0.1', '/to-other', false], ['localhost', '/file.mp3', true],
    ]);
  });

  it('an oversize file is an error, counted as it arrives (no Content-Length) or announced', async () => {
    await fails(`${api}/chunked.mp3`, 'too-large', FILE.length - 1);
    await fails(`${api}/file.mp3`, 'too-large', FILE.length - 1);
    await fails(`${api}/lying-length.mp3`, 'too-large', FILE.length + 1);
  });

  it('a body cut off before its end is an error, with or without Content-Length', async () => {
    await fails(`${api}/cut.mp3`, 'cut-off');
    await fails(`${api}/cut-chunked.mp3`, 'cut-off');
  });

  it('a 404 is an error', async () => {
    await fails(`${api}/missing.mp3`, 'http');
  });

  it('a redirect loop and more than 3 redirects are errors', async () => {
    await fails(`${api}/loop-a`, 'redirect-loop');
    await fails(`${api}/hop1`, 'too-many-redirects');
    assert.equal(seen.filter((s) => s.path === '/file.mp3').length, 0);
  });

  it('follows no redirect to anything but http(s)', async () => {
    await fails(`${api}/to-file`, 'redirect-protocol');
    await fails(`${api}/to-ftp`, 'redirect-protocol');
    await fails('file:///etc/passwd', 'redirect-protocol');
  });

  it('a media server that is not there is a network error', async () => {
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    await fails(`http://127.0.0.1:${deadPort}/x.mp3`, 'network');
  });

  it('a download cancelled by its signal ends as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.download(`${api}/file.mp3`, { maxBytes: FILE.length, signal: controller.signal }), (e) => e.kind === 'aborted');
  });
});

describe('telapi/download: a slow media server against a stalled one', () => {
  before(gotLoaded);
  let server;
  let base;
  const closedTrickles = [];

  /** Writes `chunk` every `everyMs` until `count` were sent, then ends (also when the client is gone). */
  function writeEvery(res, chunk, everyMs, count) {
    let sent = 0;
    const timer = setInterval(() => {
      res.write(chunk);
      if (++sent === count) { clearInterval(timer); res.end(); }
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  }

  const routes = {
    '/stalled.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 60_000 }); res.write(Buffer.alloc(100)); },
    '/slow.mp3': (req, res) => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 60_000 }); writeEvery(res, Buffer.alloc(1000), 20, 60); },
    // One byte well within every idle timeout, 60,000 of them: 50 minutes.
    '/trickle.mp3': (req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 60_000 });
      writeEvery(res, Buffer.alloc(1), 50, 60_000);
      res.on('close', () => closedTrickles.push(req.url));
    },
    '/late-redirect': (req, res) => setTimeout(() => { res.writeHead(302, { location: '/late.mp3' }); res.end(); }, 200),
    '/late.mp3': (req, res) => setTimeout(() => { res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 10 }); res.end(Buffer.alloc(10)); }, 200),
  };

  before(async () => {
    server = http.createServer((req, res) => routes[req.url](req, res));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a file that keeps arriving is not cut short by the request timeout; one that stops is an error', async () => {
    // The request timeout bounds silence, not the whole download: 60 chunks 20 ms apart take longer
    // than the 1 s timeout in all.
    const client = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${base}/v2`, timeoutMs: 1000 });
    try {
      const result = await client.download(`${base}/slow.mp3`, { maxBytes: 60_000 });
      assert.equal(result.body.length, 60_000);
      await assert.rejects(client.download(`${base}/stalled.mp3`, { maxBytes: 60_000 }), (error) => error instanceof DownloadError && error.kind === 'timeout');
    } finally {
      client.close();
    }
  });

  it('a file that trickles in never too slowly for the request timeout still ends at the download\'s deadline, its connection closed', async () => {
    const client = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${base}/v2`, timeoutMs: 1000 });
    try {
      await assert.rejects(client.download(`${base}/trickle.mp3`, { maxBytes: 60_000, deadlineMs: 300 }), (error) => {
        assert.ok(error instanceof DownloadError, String(error));
        assert.equal(error.kind, 'timeout');
        assert.equal(error.deadlineMs, 300);
        assert.equal(error.message, `The download from ${new URL(base).host} did not finish within 0.3 s`);
        return true;
      });
      while (closedTrickles.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      client.close();
    }
  });

  it('the deadline covers every hop: a redirect and a file that each come within it, but not together, are a timeout', async () => {
    const client = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${base}/v2`, timeoutMs: 1000 });
    try {
      const result = await client.download(`${base}/late-redirect`, { maxBytes: 10, deadlineMs: 5000 });
      assert.equal(result.body.length, 10);
      await assert.rejects(client.download(`${base}/late-redirect`, { maxBytes: 10, deadlineMs: 300 }), (error) => error instanceof DownloadError && error.kind === 'timeout' && error.deadlineMs === 300);
    } finally {
      client.close();
    }
  });

  it('a deadline beyond what a Node timer holds (about 24.8 days) is that long, not a timeout at once', async () => {
    const client = new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: `${base}/v2`, timeoutMs: 1000 });
    try {
      const result = await client.download(`${base}/late-redirect`, { maxBytes: 10, deadlineMs: 3_600_000_000 });
      assert.equal(result.body.length, 10);
    } finally {
      client.close();
    }
  });
});

describe('telapi/download: memory reserved as bytes arrive', () => {
  const MiB = 1024 * 1024;

  /** downloadMedia on one fake answer, with every buffer size it reserves for the body. */
  function watchedDownload(media, maxBytes) {
    const reserved = [];
    const allocate = (size) => { reserved.push(size); return Buffer.allocUnsafe(size); };
    const result = downloadMedia({ open: () => media.stream, apiOrigin: 'https://api.telapi.test', allocate }, 'https://media.telapi.test/RE1.mp3', { maxBytes });
    return { result, reserved };
  }

  it('an answer announcing 40 MB that sends a few bytes and breaks reserves no more than 1 MiB', async () => {
    const media = fakeMedia({ 'content-type': 'audio/mpeg', 'content-length': String(40_000_000) });
    const { result, reserved } = watchedDownload(media, 50 * MiB);
    await new Promise(setImmediate);
    media.answer();
    media.send(Buffer.alloc(100, 1));
    media.fail();
    await assert.rejects(result, (error) => error instanceof DownloadError && error.kind === 'cut-off');
    assert.ok(reserved.every((size) => size <= MiB), `reserved ${reserved.join(', ')} bytes`);
  });

  it('a large file arriving in chunks ends in one buffer of its exact length, reserved only as its bytes arrived', async () => {
    const file = Buffer.allocUnsafe(5 * MiB + 3);
    for (let i = 0; i < file.length; i += 1) file[i] = (i * 7) % 251;
    const media = fakeMedia({ 'content-type': 'audio/mpeg', 'content-length': String(file.length) });
    const { result, reserved } = watchedDownload(media, 50 * MiB);
    await new Promise(setImmediate);
    media.answer();
    let sent = 0;
    const chunk = 64 * 1024;
    for (; sent < file.length; sent += chunk) {
      const before = reserved.reduce((sum, size) => sum + size, 0);
      assert.ok(before <= Math.max(MiB, 4 * sent), `${before} bytes reserved after ${sent} arrived`);
      media.send(file.subarray(sent, sent + chunk));
    }
    media.end();
    const { body } = await result;
    assert.ok(body.equals(file), 'the exact bytes');
    assert.equal(reserved.at(-1), file.length, 'the last buffer reserved is the file');
    assert.equal(body.buffer.byteLength, file.length, 'not a view of a larger reservation');
  });
});

describe('telapi/download: non-public addresses', () => {
  before(gotLoaded);
  const { startStandIn, replies } = require('../support/stand-in');
  const { startForwardProxy } = require('../support/forward-proxy');
  const RE = 'RE4288908463cd614b41084509ad8893a7';
  let api;
  let media;
  let mediaPort;
  const mediaSeen = [];

  /** Names of the test's hosts (the API, the media server, the proxy) and localhost: each resolves to 127.0.0.1. */
  const lookup = (hostname, options, callback) => {
    if (!hostname.endsWith('.telapi.test') && hostname !== 'localhost') return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  };

  before(async () => {
    api = await startStandIn();
    media = http.createServer((req, res) => {
      mediaSeen.push(req.url);
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 3 });
      res.end('mp3');
    });
    await new Promise((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaPort = media.address().port;
  });
  after(async () => {
    await api.close();
    media.closeAllConnections();
    await new Promise((resolve) => media.close(resolve));
  });
  beforeEach(() => { mediaSeen.length = 0; api.reset(); });

  const clientOn = (baseUrl, extra = {}) => new TelApiClient({ got, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl, lookup, timeoutMs: 5000, ...extra });

  /** The Recording from the API, then its recording_url, as the node downloads it. */
  async function downloadVia(client, recordingUrl) {
    api.setDefault(() => replies.recording({ recording_url: recordingUrl }));
    return client.download(recordingUrlOf(await getRecording(client, RE)), { maxBytes: 100 });
  }

  async function refused(download, host) {
    await assert.rejects(download, (error) => {
      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.kind, 'blocked-address', error.message);
      assert.equal(error.host, host);
      assert.ok(error.message.includes(host), error.message);
      assert.ok(!error.message.includes('/secret') && !error.message.includes('token='), error.message);
      return true;
    });
  }

  it('with a public base URL: a recording_url at a loopback address or a name resolving to one is refused, nothing requested', async () => {
    const client = clientOn(`http://api.telapi.test:${new URL(api.url).port}/v2`);
    try {
      await refused(downloadVia(client, `http://127.0.0.1:${mediaPort}/secret.mp3?token=x`), `127.0.0.1:${mediaPort}`);
      await refused(downloadVia(client, `http://2130706433:${mediaPort}/secret.mp3`), `127.0.0.1:${mediaPort}`);
      await refused(downloadVia(client, `http://[::ffff:127.0.0.1]:${mediaPort}/secret.mp3`), `[::ffff:7f00:1]:${mediaPort}`);
      await refused(downloadVia(client, `http://localhost:${mediaPort}/secret.mp3`), `localhost:${mediaPort}`);
      await refused(downloadVia(client, `http://media.telapi.test:${mediaPort}/secret.mp3?token=x`), `media.telapi.test:${mediaPort}`);
      assert.deepEqual(mediaSeen, [], 'nothing requested from the media server');
      assert.equal(api.requests.length, 5, 'the API itself was reached each time');
    } finally {
      client.close();
    }
  });

  it('with a public base URL: a media hop to the API\'s own host does not reuse the API\'s unchecked keep-alive socket', async () => {
    const apiOrigin = `http://api.telapi.test:${new URL(api.url).port}`;
    const client = clientOn(`${apiOrigin}/v2`);
    try {
      // The get leaves a free keep-alive socket to api.telapi.test (127.0.0.1 here, resolved unchecked).
      await refused(downloadVia(client, `${apiOrigin}/recordings/${RE}.mp3`), new URL(apiOrigin).host);
      assert.equal(api.requests.length, 1, 'only the get reached the API');
    } finally {
      client.close();
    }
  });

  it('with a loopback or localhost base URL (the simulator, on-premises): loopback media downloads', async () => {
    for (const base of [`${api.url}/v2`, `http://localhost:${new URL(api.url).port}/v2`]) {
      const client = clientOn(base);
      try {
        const result = await downloadVia(client, `http://media.telapi.test:${mediaPort}/file.mp3`);
        assert.equal(result.body.toString(), 'mp3');
      } finally {
        client.close();
      }
    }
    assert.equal(mediaSeen.length, 2);
  });

  // Through a proxy the API is not reached here (the proxy cannot resolve the test's names): the
  // recording URLs go to client.download directly.
  it('through a proxy: literal non-public addresses and localhost are refused; names go to the proxy, which resolves them', async () => {
    const proxy = await startForwardProxy();
    // The proxy by a name that resolves to 127.0.0.1: the proxy the user chose is reached however it resolves.
    const client = clientOn('http://api.telapi.test/v2', { proxy: { url: `http://proxy.telapi.test:${proxy.port}` } });
    try {
      await refused(client.download(`http://127.0.0.1:${mediaPort}/secret.mp3`, { maxBytes: 100 }), `127.0.0.1:${mediaPort}`);
      await refused(client.download(`http://localhost:${mediaPort}/secret.mp3`, { maxBytes: 100 }), `localhost:${mediaPort}`);
      assert.deepEqual(proxy.requests, []);
      await client.download(`http://media.telapi.test:${mediaPort}/file.mp3`, { maxBytes: 100 }).catch(() => undefined);
      assert.deepEqual(proxy.requests.map((r) => r.target), [`http://media.telapi.test:${mediaPort}/file.mp3`]);
      assert.deepEqual(mediaSeen, []);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it('through a proxy, a media hop of the other scheme than the API takes the proxy too: absolute form for http, CONNECT for https', async () => {
    const proxy = await startForwardProxy();
    const underHttps = clientOn('https://api.telapi.test/v2', { proxy: { url: `http://proxy.telapi.test:${proxy.port}` } });
    // The CONNECT tunnel (hpagent) resolves the proxy's name with the system's resolver: the proxy by address.
    const underHttp = clientOn('http://api.telapi.test/v2', { proxy: { url: `http://127.0.0.1:${proxy.port}` } });
    try {
      await underHttps.download(`http://media.telapi.test:${mediaPort}/file.mp3`, { maxBytes: 100 }).catch(() => undefined);
      await underHttp.download(`https://media.telapi.test:${mediaPort}/file.mp3`, { maxBytes: 100 }).catch(() => undefined);
      assert.deepEqual(proxy.requests.map((r) => `${r.method} ${r.target}`), [
        `GET http://media.telapi.test:${mediaPort}/file.mp3`,
        `CONNECT media.telapi.test:${mediaPort}`,
      ]);
      assert.deepEqual(mediaSeen, [], 'the media server was not reached directly');
    } finally {
      underHttps.close();
      underHttp.close();
      await proxy.close();
    }
  });

  it('with allowPrivateAddresses (telapiDownloadPrivateAddresses in settings.js), a public base URL may download from a private address', async () => {
    const client = clientOn(`http://api.telapi.test:${new URL(api.url).port}/v2`);
    try {
      api.setDefault(() => replies.recording({ recording_url: `http://media.telapi.test:${mediaPort}/file.mp3` }));
      const recording = await getRecording(client, RE);
      const viaName = await client.download(recordingUrlOf(recording), { maxBytes: 100, allowPrivateAddresses: true });
      const viaAddress = await client.download(`http://127.0.0.1:${mediaPort}/file.mp3`, { maxBytes: 100, allowPrivateAddresses: true });
      assert.deepEqual([viaName.body.toString(), viaAddress.body.toString()], ['mp3', 'mp3']);
      assert.equal(mediaSeen.length, 2);
    } finally {
      client.close();
    }
  });
});

describe('telapi/download: a redirect to a non-public address', () => {
  it('is refused before anything is requested from it', async () => {
    const opened = [];
    const open = (url) => {
      opened.push(url.href);
      const stream = new EventEmitter();
      stream.destroy = () => {};
      setImmediate(() => stream.emit('response', { statusCode: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
      return stream;
    };
    const access = { open, apiOrigin: 'https://api.telapi.test', publicOnly: true };
    await assert.rejects(downloadMedia(access, 'https://storage.telapi.test/RE1.mp3', { maxBytes: 100 }), (error) => {
      assert.equal(error.kind, 'blocked-address', error.message);
      assert.equal(error.host, '169.254.169.254');
      return true;
    });
    assert.deepEqual(opened, ['https://storage.telapi.test/RE1.mp3']);
  });
});
