'use strict';
// Shared by the simulator tests: start simulators and callback receivers that are all closed after
// each test, call the API over real HTTP, and read audio headers.
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('..');

const opened = [];

/** Register in the test file: closes everything the test opened. */
async function closeAll() {
  const closing = opened.splice(0).map((item) => item.close());
  await Promise.all(closing);
}

async function startSim(options = {}) {
  const simulator = await startSimulator({ timeScale: 0.001, callbackRetryBaseMs: 5, ...options });
  opened.push(simulator);
  return simulator;
}

function basicAuth(user = DEMO_ACCOUNT_SID, password = DEMO_AUTH_TOKEN) {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/**
 * One API request with node:http, so that the body can go unlabelled. `path` is below
 * /{version}/Accounts/{account} unless it starts with "//" (then it is used as is, minus one "/").
 */
function api(simulator, method, path, options = {}) {
  const { version = 'v1', account = DEMO_ACCOUNT_SID, auth = basicAuth(), body, contentType = 'application/x-www-form-urlencoded' } = options;
  const fullPath = path.startsWith('//') ? path.slice(1) : `/${version}/Accounts/${account}${path}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : new URLSearchParams(body).toString();
  return rawRequest(simulator.url + fullPath, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(payload !== undefined && contentType ? { 'content-type': contentType } : {}),
      ...(options.headers ?? {}),
    },
    body: payload,
  });
}

function rawRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) }, agent: false });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode, headers: response.headers, bytes, text, json });
      });
    });
    request.end(body);
  });
}

/**
 * A callback receiver on 127.0.0.1: records every request; `statuses` are answered in turn (the
 * last one repeats).
 */
/** The self-signed certificate of simulator/test/tls (for 127.0.0.1). */
const TLS = {
  cert: fs.readFileSync(path.join(__dirname, 'tls', 'cert.pem'), 'utf8'),
  key: fs.readFileSync(path.join(__dirname, 'tls', 'key.pem'), 'utf8'),
};

/** A callback receiver on 127.0.0.1; `{ tls: true }` serves HTTPS with TLS's certificate. */
async function startReceiver(statuses = [200], options = {}) {
  const received = [];
  const listener = (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: request.method, url: request.url, headers: request.headers, body, params: new URLSearchParams(body) });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  };
  const server = options.tls ? https.createServer(TLS, listener) : http.createServer(listener);
  return { ...(await listenOnLoopback(server, options.tls ? 'https' : 'http')), received };
}

/** Listens on 127.0.0.1 (any free port); the server is closed after the test. */
async function listenOnLoopback(server, scheme) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = {
    url: `${scheme}://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  opened.push(listening);
  return listening;
}

/**
 * A Node-RED flow stand-in on 127.0.0.1 answering voice requests: `routes` maps a path to the
 * InboundXML to answer (a string, or a function of the request giving a string or
 * `{ status, body, delayMs }`). Every request is kept with its parameters (query and form merged).
 */
async function startFlow(routes = {}) {
  const received = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url, 'http://flow.invalid');
      const params = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
      const seen = { method: request.method, url: request.url, path: url.pathname, headers: request.headers, body, params };
      received.push(seen);
      const route = routes[url.pathname];
      let answer = typeof route === 'function' ? await route(seen) : route;
      if (answer === undefined) answer = { status: 404, body: 'no such flow' };
      if (typeof answer === 'string') answer = { status: 200, body: answer };
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/xml' });
      response.end(answer.body ?? '');
    });
  });
  return { ...(await listenOnLoopback(server, 'http')), received };
}

/** `<Response>…</Response>` around the verbs given. */
function xml(verbs) {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;
}

/** The call's transcript without what changes from run to run (times, SIDs of new things, durations). */
function eventTypes(sim, callSid) {
  return sim.callEvents(callSid).map((event) => event.type);
}

/** A logger that keeps every line, "level message". */
function memoryLogger() {
  const lines = [];
  const log = (level) => (message) => lines.push(`${level} ${message}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const SID = {
  RE: /^RE[0-9a-f]{32}$/,
  TR: /^TR[0-9a-f]{32}$/,
  CA: /^CA[0-9a-f]{32}$/,
};
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} -0000$/;

const MPEG_BITRATES_KBPS = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_SAMPLE_RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Walks MPEG audio Layer III frame headers from the first byte to the last; throws on anything else. */
function mp3Frames(bytes) {
  const frames = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) throw new Error(`truncated frame header at ${offset}`);
    const header = bytes.readUInt32BE(offset);
    if (header >>> 21 !== 0x7ff) throw new Error(`no frame sync at ${offset}`);
    const versionBits = (header >>> 19) & 3;
    const layerBits = (header >>> 17) & 3;
    const bitrateIndex = (header >>> 12) & 15;
    const sampleRateIndex = (header >>> 10) & 3;
    const padding = (header >>> 9) & 1;
    if (versionBits === 1) throw new Error(`reserved MPEG version at ${offset}`);
    if (layerBits !== 1) throw new Error(`not Layer III at ${offset}`);
    if (bitrateIndex === 0 || bitrateIndex === 15) throw new Error(`bad bitrate index at ${offset}`);
    if (sampleRateIndex === 3) throw new Error(`bad sample rate index at ${offset}`);
    const sampleRate = MPEG_SAMPLE_RATES[versionBits][sampleRateIndex];
    const mpeg1 = versionBits === 3;
    const bitrate = (mpeg1 ? MPEG_BITRATES_KBPS.mpeg1 : MPEG_BITRATES_KBPS.mpeg2)[bitrateIndex] * 1000;
    const samplesPerFrame = mpeg1 ? 1152 : 576;
    const length = Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + padding;
    frames.push({ offset, sampleRate, bitrate, samplesPerFrame, length });
    offset += length;
  }
  if (offset !== bytes.length) throw new Error(`last frame runs past the end (${offset} > ${bytes.length})`);
  return frames;
}

/** Reads a canonical RIFF/WAVE PCM file's header fields. */
function wavInfo(bytes) {
  return {
    riff: bytes.toString('ascii', 0, 4),
    riffSize: bytes.readUInt32LE(4),
    wave: bytes.toString('ascii', 8, 12),
    fmt: bytes.toString('ascii', 12, 16),
    audioFormat: bytes.readUInt16LE(20),
    channels: bytes.readUInt16LE(22),
    sampleRate: bytes.readUInt32LE(24),
    byteRate: bytes.readUInt32LE(28),
    blockAlign: bytes.readUInt16LE(32),
    bitsPerSample: bytes.readUInt16LE(34),
    dataTag: bytes.toString('ascii', 36, 40),
    dataLength: bytes.readUInt32LE(40),
  };
}

/** Starts a recording on `callSid` and returns the Recording JSON (asserting HTTP 200). */
async function startRecording(simulator, callSid, params = {}, options = {}) {
  const answer = await api(simulator, 'POST', `/Calls/${callSid}/Recordings.json`, { ...options, body: { Record: 'true', ...params } });
  if (answer.status !== 200) throw new Error(`start recording answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

async function stopRecording(simulator, callSid, options = {}) {
  const answer = await api(simulator, 'POST', `/Calls/${callSid}/Recordings.json`, { ...options, body: { Record: 'false' } });
  if (answer.status !== 200) throw new Error(`stop recording answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

module.exports = {
  closeAll,
  startSim,
  basicAuth,
  api,
  rawRequest,
  startReceiver,
  startFlow,
  xml,
  eventTypes,
  memoryLogger,
  TLS,
  startRecording,
  stopRecording,
  mp3Frames,
  wavInfo,
  SID,
  RFC_2822,
};
