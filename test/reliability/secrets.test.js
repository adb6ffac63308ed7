'use strict';
// Secrets and bad input, in a real Node-RED logging at 'trace' (plus audit) with this package in its
// user dir: the AuthToken (and the Basic credentials and callback tokens derived from it) never
// appears in a flow export, the flow files, the log, a msg, a status text or an error; input of
// every wrong kind gets a clear error and nothing else (no request to TelAPI, no message).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { startNodeRed, userDirWithPackage } = require('../support/node-red-process');
const { startSimulator } = require('@telapi-nodes/telapi-simulator');
const { callbackToken, computeSignature } = require('../../dist/telapi');
const { callSidFor, postAll } = require('./helpers');

const ACCOUNT_SID = 'AC5ec2e75ec2e75ec2e75ec2e75ec2e75e';
const AUTH_TOKEN = 'Qz7Lw2Vb9Nx4Tk6Rm1Hc8Jd3Fp5Gs0Ya';
const WRONG_TOKEN = 'Wb3Xn8Kq1Zr6Mv9Tc2Hs5Jd7Lf4Pg0Ne';
const basic = (sid, token) => Buffer.from(`${sid}:${token}`).toString('base64');
const FORGED_TOKEN = 'Fo7ge8dToKenThatMustNotBeLoggedXyZ0123456789';
const FORGED_SIGNATURE = 'Zm9yZ2VkU2lnbmF0dXJlTm90TG9nZ2VkPT0=';

function secFlows({ baseUrl, publicUrl }) {
  const z = 'sec';
  const collect = (key, expr) => `const list = global.get('${key}') || [];\nlist.push(${expr});\nglobal.set('${key}', list);\nreturn null;`;
  const prep = "msg.callSid = msg.payload.callSid;\nif (Object.prototype.hasOwnProperty.call(msg.payload, 'recording')) msg.recording = msg.payload.recording;\nreturn msg;";
  return [
    { id: z, type: 'tab', label: 'secrets' },
    { id: 'acc', type: 'telapi-account', name: 'good', baseUrl, publicUrl, timeout: 2, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
    { id: 'accBad', type: 'telapi-account', name: 'bad', baseUrl, publicUrl, timeout: 2, credentials: { accountSid: ACCOUNT_SID, authToken: WRONG_TOKEN } },

    { id: 'inRec', type: 'http in', z, url: '/sec/record', method: 'post', upload: false, wires: [['prep']] },
    { id: 'prep', type: 'function', z, outputs: 1, libs: [], func: prep, wires: [['rec']] },
    { id: 'rec', type: 'telapi-record', z, account: 'acc', action: 'start', callbackUrl: '/sec/cb/token', transcribe: true,
      transcribeCallback: '/sec/cb/token', wires: [['echo', 'debugOut']] },
    { id: 'inBad', type: 'http in', z, url: '/sec/record-bad', method: 'post', upload: false, wires: [['prepBad']] },
    { id: 'prepBad', type: 'function', z, outputs: 1, libs: [], func: prep, wires: [['recBad']] },
    { id: 'recBad', type: 'telapi-record', z, account: 'accBad', action: 'start', wires: [['echo']] },
    { id: 'echo', type: 'function', z, outputs: 1, libs: [],
      func: 'const { req, res, ...rest } = msg;\nmsg.payload = { msg: rest };\nreturn msg;', wires: [['response']] },
    { id: 'debugOut', type: 'debug', z, active: true, tosidebar: true, console: true, complete: 'true' },
    { id: 'catchRec', type: 'catch', z, scope: ['rec', 'recBad'], uncaught: false, wires: [['errEcho', 'debugErr']] },
    { id: 'errEcho', type: 'function', z, outputs: 1, libs: [],
      func: 'const { req, res, ...rest } = msg;\nmsg.payload = { error: msg.error, msg: rest };\nmsg.statusCode = 400;\nreturn msg;', wires: [['response']] },
    { id: 'debugErr', type: 'debug', z, active: true, tosidebar: true, console: true, complete: 'true' },
    { id: 'response', type: 'http response', z, statusCode: '', headers: {} },

    { id: 'statusAll', type: 'status', z, scope: null, wires: [['keepStatus']] },
    { id: 'keepStatus', type: 'function', z, outputs: 0, libs: [], func: collect('statuses', 'msg.status') },

    { id: 'cbToken', type: 'telapi-callback', z, account: 'acc', url: '/sec/cb/token', security: 'token', wires: [['keepCallback', 'debugCb']] },
    { id: 'cbSig', type: 'telapi-callback', z, account: 'acc', url: '/sec/cb/sig', security: 'signature', wires: [['keepCallback', 'debugCb']] },
    { id: 'keepCallback', type: 'function', z, outputs: 0, libs: [], func: collect('callbacks', '{ callSid: msg.callSid, payload: msg.payload, topic: msg.topic }') },
    { id: 'debugCb', type: 'debug', z, active: true, tosidebar: true, console: true, complete: 'true' },

    { id: 'inCollected', type: 'http in', z, url: '/sec/collected', method: 'get', wires: [['collected']] },
    { id: 'collected', type: 'function', z, outputs: 1, libs: [],
      func: "msg.payload = { statuses: global.get('statuses') || [], callbacks: global.get('callbacks') || [] };\nreturn msg;", wires: [['response']] },
  ];
}

describe('reliability: secrets and bad input in a real Node-RED logging at trace', function () {
  this.timeout(60_000);
  let sim;
  let nodeRed;
  const texts = []; // every answer body and error text seen, checked for secrets at the end

  const post = async (route, body, headers = { 'content-type': 'application/json' }) => {
    const response = await fetch(`${nodeRed.url}${route}`, { method: 'POST', headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
    const text = await response.text();
    texts.push(text);
    return { status: response.status, text, json: /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  };

  before(async () => {
    sim = await startSimulator({ port: 0, demoCalls: false, accounts: [{ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }] });
    nodeRed = await startNodeRed({
      userDir: userDirWithPackage(),
      settings: { logging: { console: { level: 'trace', metrics: false, audit: true } } },
    });
    await nodeRed.deploy(secFlows({ baseUrl: `${sim.url}/v1`, publicUrl: nodeRed.url }));
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (sim) await sim.close();
  });

  it('starts and stops a recording and outputs the Recording', async () => {
    const callSid = sim.createCall().sid;
    const started = await post('/sec/record', { callSid });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.json.msg.payload.call_sid, callSid);
    const stopped = await post('/sec/record', { callSid, recording: { action: 'stop' } });
    assert.equal(stopped.status, 200, stopped.text);
  });

  const telapiFaults = [
    ['401 (wrong AuthToken)', '/sec/record-bad', undefined, /^TelApiError: TelAPI 401 /],
    ['500', '/sec/record', 500, /^TelApiError: TelAPI 500 /],
    ['an HTML page', '/sec/record', 'html', /^TelApiError: TelAPI 502/],
    ['malformed JSON', '/sec/record', 'malformed-json', /^TelApiError: .*HTTP 200/],
    ['a reset connection', '/sec/record', 'drop', /^TelApiError: .*ECONNRESET/],
  ];
  for (const [name, route, fault, pattern] of telapiFaults) {
    it(`reports ${name} as a clear error`, async () => {
      if (fault !== undefined) sim.failNext(1, fault);
      const answer = await post(route, { callSid: sim.createCall().sid });
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.json.error.message, pattern);
    });
  }

  const BAD_INPUT = [
    ['no callSid', {}],
    ['a numeric callSid', { callSid: 12345 }],
    ['an array callSid', { callSid: ['CA00000000000000000000000000000001'] }],
    ['an object callSid', { callSid: { sid: 'CA00000000000000000000000000000001' } }],
    ['a callSid with non-hex digits', { callSid: 'CAzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' }],
    ['a callSid with a path in it', { callSid: 'CA00000000000000000000000000000001/../../Recordings' }],
    ['a callSid of unicode look-alikes', { callSid: 'СА00000000000000000000000000000001' }],
    ['a 1 MB callSid', { callSid: `CA${'a'.repeat(1024 * 1024)}` }],
    ['msg.recording as a string', { recording: 'stop' }],
    ['msg.recording as a number', { recording: 5 }],
    ['msg.recording as an array', { recording: [{ action: 'stop' }] }],
    ['msg.recording as true', { recording: true }],
    ['an unknown key', { recording: { timelimit: 5 } }],
    ['a __proto__ key', { recording: JSON.parse('{"__proto__": {"action": "stop"}}') }],
    ['a constructor key', { recording: { constructor: 'x' } }],
    ['timeLimit "abc"', { recording: { timeLimit: 'abc' } }],
    ['timeLimit -1', { recording: { timeLimit: -1 } }],
    ['timeLimit 1.5', { recording: { timeLimit: 1.5 } }],
    ['timeLimit 1e21', { recording: { timeLimit: 1e21 } }],
    ['timeLimit "60; DROP TABLE"', { recording: { timeLimit: '60; DROP TABLE' } }],
    ['timeLimit as an object', { recording: { timeLimit: { $gt: 0 } } }],
    ['direction as a number', { recording: { direction: 5 } }],
    ['direction as an array', { recording: { direction: ['in'] } }],
    ['fileFormat "ogg"', { recording: { fileFormat: 'ogg' } }],
    ['trimSilence "maybe"', { recording: { trimSilence: 'maybe' } }],
    ['transcribe as an object', { recording: { transcribe: {} } }],
    ['transcribeQuality "diamond"', { recording: { transcribeQuality: 'diamond' } }],
    ['a javascript: callbackUrl', { recording: { callbackUrl: 'javascript:alert(1)' } }],
    ['a 100,000 character callbackUrl', { recording: { callbackUrl: `https://evil.example/${'x'.repeat(100_000)}` } }],
    ['a numeric callbackUrl', { recording: { callbackUrl: 42 } }],
  ];
  it(`rejects ${BAD_INPUT.length} kinds of bad input with a clear error, sending nothing to TelAPI`, async () => {
    const callSid = sim.createCall().sid;
    sim.clearRequests();
    for (const [name, input] of BAD_INPUT) {
      const body = 'callSid' in input || name === 'no callSid' ? input : { callSid, ...input };
      const answer = await post('/sec/record', body);
      assert.equal(answer.status, 400, `${name}: ${answer.text.slice(0, 300)}`);
      assert.match(answer.json.error.message, /^TelApiInputError: Invalid \S+/, name);
      assert.ok(answer.json.error.message.length < 300, `${name}: the error is short: ${answer.json.error.message.slice(0, 100)}…`);
      assert.deepEqual(answer.json.msg.payload.callSid, body.callSid, `${name}: the msg is passed to the Catch as it was`);
    }
    assert.deepEqual(sim.requests(), [], 'nothing reached TelAPI');
  });

  it('sends a callbackUrl with CR LF in it as one harmless form value', async () => {
    const callSid = sim.createCall().sid;
    sim.clearRequests();
    const answer = await post('/sec/record', { callSid, recording: { callbackUrl: 'https://evil.example/a\r\nX-Injected: 1' } });
    assert.equal(answer.status, 200, answer.text);
    const [request] = sim.requests();
    assert.equal(request.headers['x-injected'], undefined);
    assert.ok(!/[\r\n]/.test(request.params.CallbackUrl), request.params.CallbackUrl);
    assert.match(request.params.CallbackUrl, /^https:\/\/evil\.example\/aX-Injected:%201\?token=/);
  });

  it('answers callbacks in odd encodings and shapes with a clear status, emitting only the genuine ones', async () => {
    const sidOf = (n) => callSidFor(n, 5);
    const params = (n, extra = {}) => ({ AccountSid: ACCOUNT_SID, CallSid: sidOf(n), RecordingUrl: `https://example.invalid/${n}.mp3`, RecordingDuration: '4', ...extra });
    const tokenPath = (n) => `/sec/cb/token?token=${callbackToken(AUTH_TOKEN, sidOf(n))}`;
    const form = (p) => new URLSearchParams(p).toString();
    const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
    // The answer of each case. Node-RED's defaults (httpAdminRoot = httpNodeRoot = "/") let the admin
    // API's body parsers see every POST first; the callback node reads its bodies before them, so
    // each case has one answer, the node's own.
    const cases = [
      ['a plain form', { path: tokenPath(1), body: form(params(1)), headers: FORM }, [200], 1],
      ['a form in UTF-16LE, labelled so', { path: tokenPath(2), body: Buffer.from(form(params(2, { CallerName: 'Zoë' })), 'utf16le'),
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16le' } }, [200], 2],
      ['a form labelled application/json', { path: tokenPath(3), body: form(params(3)), headers: { 'content-type': 'application/json' } }, [200], 3],
      ['a JSON object', { path: tokenPath(4), body: JSON.stringify(params(4)), headers: { 'content-type': 'application/json' } }, [200], 4],
      ['a form with invalid UTF-8 in a value', { path: tokenPath(5), body: Buffer.concat([Buffer.from(form(params(5))), Buffer.from('&CallerName=%FF'), Buffer.from([0xff, 0xfe])]),
        headers: FORM }, [200], 5],
      ['a gzip-encoded body', { path: tokenPath(6), body: zlib.gzipSync(form(params(6))), headers: { ...FORM, 'content-encoding': 'gzip' } }, [400]],
      ['multipart/form-data', { path: tokenPath(7), body: '--x\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\nCA\r\n--x--',
        headers: { 'content-type': 'multipart/form-data; boundary=x' } }, [400]],
      ['a JSON array', { path: tokenPath(8), body: '[1,2,3]', headers: { 'content-type': 'application/json' } }, [400]],
      ['a CallSid that is an object', { path: tokenPath(9), body: JSON.stringify({ ...params(9), CallSid: { $ne: '' } }), headers: { 'content-type': 'application/json' } }, [400]],
      ['an empty body', { path: tokenPath(10), body: '', headers: FORM }, [400]],
      ['a 300 kB form', { path: tokenPath(11), body: form(params(11, { Pad: 'x'.repeat(300 * 1024) })), headers: FORM }, [413], 11],
      ['a 3 MB form', { path: tokenPath(12), body: form(params(12, { Pad: 'x'.repeat(3 * 1024 * 1024) })), headers: FORM }, [413], 12],
      ['a 6 MB form', { path: tokenPath(16), body: form(params(16, { Pad: 'x'.repeat(6 * 1024 * 1024) })), headers: FORM }, [413], 16],
      ['a forged token', { path: `/sec/cb/token?token=${FORGED_TOKEN}`, body: form(params(13)), headers: FORM }, [403], 13],
      ['a forged signature', { path: '/sec/cb/sig', body: form(params(14)), headers: { ...FORM, 'x-telapi-signature': FORGED_SIGNATURE } }, [403], 14],
      ['a genuine signature', { path: '/sec/cb/sig', body: form(params(15)), headers: { ...FORM, 'x-telapi-signature': computeSignature(AUTH_TOKEN, `${nodeRed.url}/sec/cb/sig`, params(15)) } }, [200], 15],
    ];
    const answers = await postAll(nodeRed.url, cases.map(([, request]) => request), { concurrency: 1 });
    cases.forEach(([name, , [expected]], i) => assert.equal(answers[i].status, expected, `${name}: ${JSON.stringify(answers[i]).slice(0, 300)}`));
    for (const [name, sid] of [['a plain form', 1], ['a JSON object', 4], ['a genuine signature', 15]]) assert.equal(answers[cases.findIndex(([n]) => n === name)].status, 200, name, sid);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { callbacks } = await (await fetch(`${nodeRed.url}/sec/collected`)).json();
    const expected = cases.filter((_, i) => answers[i].status === 200).map(([, , , n]) => sidOf(n)).sort();
    // (The simulator also delivers real callbacks for the recordings started above: other CallSids.)
    const mine = callbacks.filter((c) => cases.some(([, , , n]) => n !== undefined && sidOf(n) === c.callSid));
    assert.deepEqual(mine.map((c) => c.callSid).sort(), expected, 'exactly the callbacks answered 200, once each');
    const utf16 = callbacks.find((c) => c.callSid === sidOf(2));
    assert.equal(utf16.payload.CallerName, 'Zoë', 'UTF-16 decoded as labelled');
  });

  it('never shows the AuthToken in the flow export, the flow files, the trace log, a msg, a status or an error', async () => {
    const { statuses } = await (await fetch(`${nodeRed.url}/sec/collected`)).json();
    assert.ok(statuses.length > 10, 'statuses were collected');
    const flows = await nodeRed.adminRequest('GET', '/flows');
    const files = fs.readdirSync(nodeRed.userDir).filter((f) => /^(flows|\.flows).*\.json$/.test(f));
    assert.ok(files.includes('flows.json') && files.includes('flows_cred.json'), files.join());
    const secrets = {
      AuthToken: AUTH_TOKEN,
      'the wrong AuthToken': WRONG_TOKEN,
      'the Basic credentials': basic(ACCOUNT_SID, AUTH_TOKEN),
      'the wrong Basic credentials': basic(ACCOUNT_SID, WRONG_TOKEN),
      'a forged callback token': FORGED_TOKEN,
      'a forged signature': FORGED_SIGNATURE,
    };
    const places = {
      'the flow export': JSON.stringify(flows),
      ...Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(nodeRed.userDir, f), 'utf8')])),
      'the trace log': nodeRed.log,
      'the answers (msgs and errors)': texts.join('\n'),
      'the status texts': JSON.stringify(statuses),
    };
    assert.match(nodeRed.log, /\[trace\]/, 'the log really is at trace level');
    assert.match(nodeRed.log, /TelApiInputError/, 'errors were logged');
    for (const [place, text] of Object.entries(places)) {
      for (const [what, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `${what} appears in ${place}`);
    }
    // Nor a callback URL token (docs/telapi-api.md: never log the token) in the log.
    for (const n of [1, 2, 3]) assert.ok(!nodeRed.log.includes(callbackToken(AUTH_TOKEN, callSidFor(n, 5))), 'a callback token appears in the log');
    assert.equal(nodeRed.log.match(/Unhandled|Uncaught/gi), null);
  });
});
