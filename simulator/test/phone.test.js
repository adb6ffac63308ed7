'use strict';
// The browser phone's server side (simulator/README.md, "The phone page"): the page and its files, the
// per-process session the page drives the control API with (what it opens, for whom, from where),
// and that no AuthToken reaches the page or the log. The page itself: test-browser/phone.browser.js.
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEFAULT_PHONE_NUMBER, PHONE_SESSION_HEADER, TelApiSimulator } = require('..');
const { api, basicAuth, closeAll, memoryLogger, rawRequest, startFlow, startSim, xml } = require('./helpers');

const OTHER = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'the-other-account-token' };

/** The session the page was served with. */
async function sessionOf(sim) {
  const page = await rawRequest(`${sim.url}/phone`);
  const match = /<meta name="telapi-phone-session" content="([^"]+)">/.exec(page.text);
  assert.ok(match, 'the page carries a session');
  return match[1];
}

/** A control API request with the phone's session instead of Basic credentials. */
function phoneRequest(sim, session, method, path, options = {}) {
  const { body, headers = {} } = options;
  return api(sim, method, `//_simulator${path}`, { auth: null, body, headers: { [PHONE_SESSION_HEADER]: session, ...headers } });
}

describe('simulator: the phone page (server side)', function () {
  afterEach(closeAll);

  it('is off unless asked for: /phone is a 404 that says how to turn it on, and a session header opens nothing', async function () {
    const sim = await startSim();
    const page = await rawRequest(`${sim.url}/phone`);
    assert.equal(page.status, 404);
    assert.match(page.json.message, /phone option \(CLI: --phone\)/);
    assert.equal(sim.phoneUrl, undefined);
    assert.equal(sim.phoneNumber, undefined);
    assert.throws(() => { sim.phoneVoiceUrl = 'http://127.0.0.1:1880/voice'; }, RangeError);
    assert.equal((await phoneRequest(sim, 'anything', 'GET', '/calls')).status, 401);
    assert.deepEqual(sim.calleeBehaviors(), {});
  });

  it('serves the page, its script, style and icon with a strict policy, no caching and no Referer', async function () {
    const sim = await startSim({ phone: true });
    assert.equal(sim.phoneUrl, `${sim.url}/phone`);
    const page = await rawRequest(sim.phoneUrl);
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const policy = page.headers['content-security-policy'];
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(policy.includes(directive), directive);
    }
    assert.doesNotMatch(page.text, /<script>|<style>| on[a-z]+="/, 'no inline script or style');
    assert.match(page.text, /<script src="\/phone\/phone.js" defer><\/script>/);
    assert.ok(page.text.includes(`<meta name="telapi-phone-number" content="${DEFAULT_PHONE_NUMBER}">`));
    assert.ok(page.text.includes('<meta name="telapi-phone-voice-url" content="">'));
    assert.equal((await rawRequest(`${sim.url}/phone/`)).text, page.text, 'the same page at /phone/');
    for (const [file, type] of [['phone.js', 'text/javascript; charset=utf-8'], ['phone.css', 'text/css; charset=utf-8'], ['icon.svg', 'image/svg+xml']]) {
      const answer = await rawRequest(`${sim.url}/phone/${file}`);
      assert.equal(answer.status, 200, file);
      assert.equal(answer.headers['content-type'], type, file);
      assert.ok(answer.bytes.length > 100, file);
    }
    assert.equal((await rawRequest(`${sim.url}/phone/../package.json`)).status, 404);
    assert.equal((await rawRequest(`${sim.url}/phone/index.html`)).status, 404);
    assert.equal((await rawRequest(`${sim.url}/phone`, { method: 'POST', body: '' })).status, 405);
    const head = await rawRequest(sim.phoneUrl, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.bytes.length, 0);
  });

  it('offers the voice URL and number it was given, escaped; the URL can be set later (npm start knows the flow’s port late)', async function () {
    const sim = await startSim({ phone: { voiceUrl: 'http://127.0.0.1:1880/telapi/voice?key=k&x="<b>', number: '+15550109999' } });
    const page = await rawRequest(sim.phoneUrl);
    assert.ok(page.text.includes('<meta name="telapi-phone-voice-url" content="http://127.0.0.1:1880/telapi/voice?key=k&amp;x=&quot;&lt;b&gt;">'));
    assert.ok(page.text.includes('<meta name="telapi-phone-number" content="+15550109999">'));
    assert.equal(sim.phoneNumber, '+15550109999');
    sim.phoneVoiceUrl = 'http://127.0.0.1:1881/telapi/voice?key=$&';
    assert.ok((await rawRequest(sim.phoneUrl)).text.includes('content="http://127.0.0.1:1881/telapi/voice?key=$&amp;"'));
    assert.throws(() => { sim.phoneVoiceUrl = 'ftp://example.com/voice'; }, RangeError);
    sim.phoneVoiceUrl = undefined;
    assert.ok((await rawRequest(sim.phoneUrl)).text.includes('<meta name="telapi-phone-voice-url" content="">'));
    assert.throws(() => new TelApiSimulator({ phone: { voiceUrl: 'not a url' } }), RangeError);
  });

  it('sets its number to ring until answered (manual), at start and again after a reset', async function () {
    const sim = await startSim({ phone: true });
    assert.deepEqual(sim.calleeBehaviors(), { [DEFAULT_PHONE_NUMBER]: 'manual' });
    sim.setCalleeBehavior(DEFAULT_PHONE_NUMBER, undefined);
    sim.reset();
    assert.deepEqual(sim.calleeBehaviors(), { [DEFAULT_PHONE_NUMBER]: 'manual' });
  });

  it('puts no AuthToken or Basic credentials into the page, a new session into each process, and the session into no log', async function () {
    const logger = memoryLogger();
    const first = await startSim({ phone: { voiceUrl: 'http://127.0.0.1:1880/voice' }, logger });
    const second = await startSim({ phone: true });
    const texts = [];
    for (const file of ['', '/phone.js', '/phone.css']) texts.push((await rawRequest(`${first.url}/phone${file}`)).text);
    const basic = basicAuth().split(' ')[1];
    for (const text of texts) {
      assert.ok(!text.includes(DEMO_AUTH_TOKEN), 'no AuthToken');
      assert.ok(!text.includes(basic), 'no Basic credentials');
    }
    const session = await sessionOf(first);
    assert.match(session, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    assert.notEqual(session, await sessionOf(second));
    assert.equal(session, await sessionOf(first), 'one session per process');
    const flow = await startFlow({ '/voice': xml('<Say>Hi.</Say>') });
    const placed = await phoneRequest(first, session, 'POST', '/calls/inbound', { body: { Url: `${flow.url}/voice` } });
    assert.equal(placed.status, 200, placed.text);
    await first.waitForCallEvent({ callSid: placed.json.sid, type: 'hangup' });
    assert.ok(logger.lines.length > 0);
    assert.ok(logger.lines.every((line) => !line.includes(session) && !line.includes(DEMO_AUTH_TOKEN)), logger.lines.join('\n'));
  });

  it('drives calls with the session alone: place, follow, press keys, hang up; answer and reject a call that rings on its number', async function () {
    const sim = await startSim({ phone: true, demoCalls: false });
    const session = await sessionOf(sim);
    const flow = await startFlow({
      '/voice': xml('<Gather numDigits="1" action="/pressed" timeout="600"><Say>Press 1.</Say></Gather>'),
      '/pressed': xml('<Record background="false" maxLength="600" timeout="600"/>'),
    });
    const placed = await phoneRequest(sim, session, 'POST', '/calls/inbound', {
      body: { Url: `${flow.url}/voice`, From: DEFAULT_PHONE_NUMBER, To: '+15550100100', CallerName: 'Browser phone' },
    });
    assert.equal(placed.status, 200, placed.text);
    assert.equal(placed.json.account_sid, DEMO_ACCOUNT_SID);
    const callSid = placed.json.sid;
    await sim.waitForCallEvent({ callSid, type: 'gather-started' });
    const events = await phoneRequest(sim, session, 'GET', `/calls/${callSid}/events?after=0&wait_ms=1000`);
    assert.equal(events.status, 200);
    assert.ok(events.json.events.some((event) => event.type === 'say' && event.text === 'Press 1.'));
    assert.equal((await phoneRequest(sim, session, 'POST', `/calls/${callSid}/digits`, { body: { Digits: '1' } })).status, 200);
    await sim.waitForCallEvent({ callSid, type: 'record-started' });
    assert.equal((await phoneRequest(sim, session, 'GET', `/calls/${callSid}`)).json.status, 'in-progress');
    assert.equal((await phoneRequest(sim, session, 'POST', `/calls/${callSid}/hangup`)).json.status, 'completed');

    const registered = await phoneRequest(sim, session, 'POST', '/numbers', { body: { Number: DEFAULT_PHONE_NUMBER, Behavior: 'manual' } });
    assert.deepEqual(registered.json.numbers, [{ number: DEFAULT_PHONE_NUMBER, behavior: 'manual' }]);
    const waiting = phoneRequest(sim, session, 'GET', `/calls?To=${encodeURIComponent(DEFAULT_PHONE_NUMBER)}&Status=ringing&wait_ms=5000`);
    const made = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100100', To: DEFAULT_PHONE_NUMBER, Url: `${flow.url}/voice` } });
    assert.deepEqual((await waiting).json.calls.map((call) => call.sid), [made.json.sid]);
    assert.equal((await phoneRequest(sim, session, 'POST', `/calls/${made.json.sid}/answer`)).json.status, 'in-progress');
    await sim.waitForCallEvent({ callSid: made.json.sid, type: 'gather-started' });
    await phoneRequest(sim, session, 'POST', `/calls/${made.json.sid}/hangup`);
    const again = await api(sim, 'POST', '/Calls.json', { body: { From: '+15550100100', To: DEFAULT_PHONE_NUMBER, Url: `${flow.url}/voice` } });
    await sim.waitForCallEvent((event) => event.callSid === again.json.sid && event.type === 'status' && event.status === 'ringing');
    assert.equal((await phoneRequest(sim, session, 'POST', `/calls/${again.json.sid}/reject`, { body: { Status: 'busy' } })).json.status, 'busy');
  });

  it('opens nothing else: not faults, reset, seeding, the logs, live calls, the REST API; a wrong session is 401', async function () {
    const sim = await startSim({ phone: true });
    const session = await sessionOf(sim);
    for (const [method, path] of [
      ['POST', '/reset'], ['GET', '/faults'], ['PUT', '/faults'], ['POST', '/fail-next'], ['GET', '/recordings'], ['POST', '/recordings'],
      ['GET', '/requests'], ['GET', '/deliveries'], ['GET', '/media-requests'], ['GET', '/transcriptions'], ['POST', '/calls'],
    ]) {
      const answer = await phoneRequest(sim, session, method, path, { body: method === 'GET' ? undefined : {} });
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.json.code, 10006);
    }
    assert.equal(sim.calls().length, 3, 'nothing was reset');
    const rest = await api(sim, 'GET', '/Calls.json', { auth: null, headers: { [PHONE_SESSION_HEADER]: session } });
    assert.equal(rest.status, 401);
    assert.equal((await phoneRequest(sim, `${session}x`, 'GET', '/calls')).status, 401);
    assert.equal((await phoneRequest(sim, '', 'GET', '/calls')).status, 401);
    // Basic credentials keep opening everything, the session header beside them changes nothing.
    assert.equal((await api(sim, 'GET', '//_simulator/faults', { headers: { [PHONE_SESSION_HEADER]: session } })).status, 200);
  });

  it('answers only under its own address and to its own origin (DNS rebinding, other sites)', async function () {
    const sim = await startSim({ phone: true });
    const session = await sessionOf(sim);
    const { port } = sim.address;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      assert.equal((await rawRequest(sim.phoneUrl, { headers: { host } })).status, 200, host);
      assert.equal((await phoneRequest(sim, session, 'GET', '/numbers', { headers: { host } })).status, 200, host);
    }
    for (const host of [`rebound.example:${port}`, `127.0.0.1.rebound.example:${port}`, `0x7f000001.example:${port}`]) {
      const page = await rawRequest(sim.phoneUrl, { headers: { host } });
      assert.equal(page.status, 403, host);
      assert.equal(page.json.code, 10006);
      assert.equal((await phoneRequest(sim, session, 'GET', '/numbers', { headers: { host } })).status, 403, host);
    }
    assert.equal((await phoneRequest(sim, session, 'GET', '/numbers', { headers: { origin: sim.url } })).status, 200);
    for (const origin of ['http://127.0.0.1:1880', 'https://evil.example', 'null']) {
      assert.equal((await phoneRequest(sim, session, 'GET', '/numbers', { headers: { origin } })).status, 403, origin);
    }
    // A public URL's host is the simulator's own too.
    const behind = await startSim({ phone: true, publicUrl: 'https://telapi.test.example' });
    const proxied = { host: 'telapi.test.example' };
    assert.equal((await rawRequest(behind.phoneUrl, { headers: proxied })).status, 200);
    const behindSession = await sessionOf(behind);
    assert.equal((await phoneRequest(behind, behindSession, 'GET', '/numbers', { headers: { ...proxied, origin: 'https://telapi.test.example' } })).status, 200);
    assert.equal((await phoneRequest(behind, behindSession, 'GET', '/numbers', { headers: { ...proxied, origin: 'https://other.test.example' } })).status, 403);
  });

  it('sees and drives only the first account’s calls', async function () {
    const sim = await startSim({ phone: true, accounts: [{ accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN }, OTHER], demoCalls: false });
    const session = await sessionOf(sim);
    const mine = sim.createCall({ from: '+1', to: '+2' });
    const theirs = sim.createCall({ accountSid: OTHER.accountSid, from: '+3', to: '+4' });
    assert.deepEqual((await phoneRequest(sim, session, 'GET', '/calls')).json.calls.map((call) => call.sid), [mine.sid]);
    for (const [method, path] of [['GET', ''], ['GET', '/events'], ['POST', '/digits'], ['POST', '/hangup'], ['POST', '/answer'], ['POST', '/reject']]) {
      const answer = await phoneRequest(sim, session, method, `/calls/${theirs.sid}${path}`, { body: method === 'POST' ? { Digits: '1' } : undefined });
      assert.equal(answer.status, 404, `${method} ${path}`);
    }
    assert.equal(sim.getCall(theirs.sid).status, 'in-progress');
    const flow = await startFlow({ '/voice': xml('<Say>Hi.</Say>') });
    const refused = await phoneRequest(sim, session, 'POST', '/calls/inbound', { body: { Url: `${flow.url}/voice`, AccountSid: OTHER.accountSid } });
    assert.equal(refused.status, 403);
    assert.equal(flow.received.length, 0);
  });
});
