'use strict';
// The simulator's browser phone (simulator/README.md, "The phone page") in Debian's Chromium, 360 px
// wide, driven by the keyboard: a call to a tiny loopback flow (a Gather around a Say, then a Record)
// is placed, heard, answered with a key and hung up; a call made through the REST API rings the page
// and runs once answered; the request log names a refusal, a failure and the voice node's fallback.
// No console errors, and axe-core finds no accessibility violations.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEFAULT_PHONE_NUMBER } = require('@telapi-nodes/telapi-simulator');
const h = require('./harness');

const GREETING = 'Welcome to the phone test. Press 1 to leave a message.';
const XML = (verbs) => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;
const ROUTES = {
  '/voice': XML(`<Gather numDigits="1" action="/gathered" timeout="60"><Say>${GREETING}</Say></Gather>`),
  '/gathered': XML('<Say>Leave your message after the beep.</Say><Play>beep.wav</Play><Record background="false" maxLength="600" timeout="600" playBeep="true"/>'),
  '/late': XML('<Say>We are sorry, this call cannot be answered now.</Say><Hangup/>'),
};

/** 0.2 s of silence: RIFF PCM, 8 kHz, 16-bit mono. */
function silentWav() {
  const data = Buffer.alloc(3200);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A stand-in for a Node-RED flow on 127.0.0.1: answers ROUTES and /beep.wav, 403 at /refuse, 404 elsewhere. */
async function startFlow() {
  const received = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = new URL(request.url, 'http://flow.invalid').pathname;
      received.push(`${request.method} ${path}`);
      if (path === '/beep.wav') {
        response.writeHead(200, { 'content-type': 'audio/wav' });
        response.end(silentWav());
        return;
      }
      const body = ROUTES[path];
      const status = body ? 200 : path === '/refuse' ? 403 : 404;
      response.writeHead(status, { 'content-type': body ? 'application/xml' : 'text/plain' });
      response.end(body ?? 'no');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

/** Makes a call through the REST API, as the telapi-call node does. */
async function makeCall(sim, to, url) {
  const response = await fetch(`${sim.url}/v1/Accounts/${DEMO_ACCOUNT_SID}/Calls.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ From: '+15550100100', To: to, Url: url, CallerName: 'Demo Line' }).toString(),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

describe('the simulator’s phone page in a real browser (360 px, keyboard)', function () {
  this.timeout(120_000);
  let sim;
  let flow;
  let browser;
  let page;
  const problems = [];

  before(async () => {
    flow = await startFlow();
    sim = await startSimulator({ phone: true, timeScale: 0.2, demoCalls: false });
    browser = await h.launchBrowser({ viewport: { width: 360, height: 780 } });
    page = await browser.context.newPage();
    page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`); });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => { if (!/ERR_ABORTED/.test(request.failure()?.errorText ?? '')) problems.push(`request failed: ${request.url()}`); });
    await page.goto(`${sim.phoneUrl}?url=${encodeURIComponent(`${flow.url}/voice?key=flow-secret`)}`);
  });
  afterEach(async function () { await h.screenshotOnFailure(this, page); });
  after(async () => {
    if (browser) await browser.close();
    if (sim) await sim.close();
    if (flow) await flow.close();
  });

  const status = () => page.locator('#status');
  const heard = () => page.locator('#heard');
  const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  /** axe-core's violations, one line each; injected through the DevTools protocol, which the page's CSP (no inline script) does not govern. */
  const axeViolations = async () => {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  };

  it('opens with its number, the voice URL from its address, and nothing wider than 360 px', async () => {
    assert.equal(await page.locator('#own-number').textContent(), DEFAULT_PHONE_NUMBER);
    assert.equal(await page.locator('#url').inputValue(), `${flow.url}/voice?key=flow-secret`);
    assert.equal(await page.title(), 'Phone · TelAPI simulator');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling');
    assert.equal(await page.locator('#hangup').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: '5', exact: true }).isDisabled(), true);
  });

  it('has labels, a focus order from the number to the Call button, and no axe-core violations', async () => {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the request log');
    const order = [];
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await active());
    }
    assert.deepEqual(order, ['to', 'url', 'method', 'call', 'sound']);
    assert.equal(await page.getByLabel('Its voice URL: the flow that answers').count(), 1);
    assert.equal(await page.getByLabel('Number to call').count(), 1);
    assert.equal(await heard().getAttribute('aria-live'), 'polite');
    assert.equal(await status().getAttribute('role'), 'status');
    assert.deepEqual(await axeViolations(), []);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await axeViolations(), [], 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('calls with Enter, shows what the caller hears, sends 1 from the keyboard while the Gather listens, shows the recording, hangs up with Escape', async () => {
    await page.locator('#url').focus();
    await page.keyboard.press('Enter');
    await heard().getByText(GREETING).waitFor();
    await page.locator('#listening', { hasText: 'Listening for keys: up to 1 key' }).waitFor();
    assert.equal(await active(), 'hangup', 'focus moves to Hang up');
    assert.match(await status().textContent(), /^In a call with \+15550100100\.$/);
    assert.equal(await page.locator('#call').isDisabled(), true);
    assert.equal(await page.locator('#url').isDisabled(), true);

    await page.keyboard.press('1');
    await page.locator('#recording:not([hidden])').waitFor();
    await heard().getByText('Leave your message after the beep.').waitFor();
    assert.equal(await page.locator('#keys').textContent(), '1');
    await heard().getByText('You pressed 1: the Gather heard it.').waitFor();
    assert.equal(await page.locator('#recording').textContent().then((text) => text.trim()), 'Recording');

    // The request log: the voice URL (key masked) with its parameters, the InboundXML as text, the time taken.
    const requests = page.locator('#requests li.request');
    await requests.nth(1).waitFor();
    const first = requests.nth(0);
    // The time taken as the page writes it: ms below a second, which a loaded machine can pass.
    assert.match(await first.locator('h3').textContent(), /^1\. Voice request200 OKthe flow took (?:\d+ ms|\d+\.\d s)$/);
    assert.equal(await first.locator('.url code').textContent(), `${flow.url}/voice?key=•••`);
    assert.match(await first.locator('pre').textContent(), /<Gather numDigits="1" action="\/gathered" timeout="60">\n {4}<Say>Welcome/);
    assert.match(await first.locator('summary').textContent(), /^Parameters sent \(\d+\)$/);
    assert.equal(await first.locator('td', { hasText: DEFAULT_PHONE_NUMBER }).count(), 1, 'From is the phone');
    assert.match(await requests.nth(1).locator('h3').textContent(), /^2\. Action200 OK/);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'the log fits too');
    assert.deepEqual(await axeViolations(), [], 'in a call');

    await page.keyboard.press('Escape');
    await status().getByText('Call ended: completed, you hung up.').waitFor();
    assert.equal(await page.locator('#recording').isHidden(), true);
    assert.equal(await active(), 'call', 'focus back on Call');
    assert.deepEqual(flow.received, ['POST /voice', 'POST /gathered']);
    await page.screenshot({ path: h.artifact('phone-call-ended-360.png'), fullPage: true });
  });

  it('rings when a call is made to its number through the REST API; Enter answers, the keypad sends 1, Hang up ends it', async () => {
    // Sound on (Space on the checkbox); what the page would speak is caught instead of spoken.
    await page.locator('#sound').focus();
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#sound').isChecked(), true);
    await page.evaluate(() => {
      window.spoken = [];
      window.speechSynthesis.speak = (utterance) => window.spoken.push(`${utterance.lang}: ${utterance.text}`);
    });
    const made = await makeCall(sim, DEFAULT_PHONE_NUMBER, `${flow.url}/voice`);
    await page.locator('#incoming:not([hidden])').waitFor();
    assert.equal(await page.locator('#incoming-from').textContent(), `From +15550100100 (Demo Line), to this phone (${DEFAULT_PHONE_NUMBER}).`);
    assert.equal(await active(), 'answer', 'focus moves to Answer');
    assert.equal(sim.getCall(made.sid).status, 'ringing');
    await page.screenshot({ path: h.artifact('phone-ringing-360.png'), fullPage: true });
    await page.keyboard.press('Enter');
    await heard().getByText(GREETING).waitFor();
    assert.equal(sim.getCall(made.sid).status, 'in-progress');
    await page.locator('#listening:not([hidden])').waitFor();
    await page.getByRole('button', { name: '1', exact: true }).click();
    await page.locator('#recording:not([hidden])').waitFor();
    assert.deepEqual(await page.evaluate(() => window.spoken), [`en: ${GREETING}`, 'en: Leave your message after the beep.']);
    const audio = heard().locator('audio');
    assert.equal(await audio.getAttribute('src'), `${flow.url}/beep.wav`, 'a relative Play URL resolved against its document');
    assert.equal(await audio.getAttribute('controls'), '');
    await page.waitForFunction(() => document.querySelector('#heard audio').currentTime > 0 || document.querySelector('#heard audio').ended);
    await page.screenshot({ path: h.artifact('phone-recording-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await status().getByText('Call ended: completed, you hung up.').waitFor();
    assert.equal(sim.getCall(made.sid).status, 'completed');
    await page.locator('#sound').uncheck();
  });

  it('lets Escape reject a call that rings (busy)', async () => {
    const made = await makeCall(sim, DEFAULT_PHONE_NUMBER, `${flow.url}/voice`);
    await page.locator('#incoming:not([hidden])').waitFor();
    await page.keyboard.press('Escape');
    await status().getByText('Call ended: you rejected it (busy).').waitFor();
    assert.equal(sim.getCall(made.sid).status, 'busy');
  });

  it('says plainly in the request log when the flow refused the request, could not be reached, or answered with the fallback', async () => {
    const callTo = async (url) => {
      await page.locator('#url').fill(url);
      await page.locator('#url').press('Enter');
      await status().getByText(/^Call ended/).waitFor();
    };
    await callTo(`${flow.url}/refuse?key=wrong`);
    await page.locator('#requests .verdict.refused', { hasText: 'Refused (403): the flow turned the request away' }).waitFor();
    await page.locator('#problem', { hasText: 'answered HTTP 403' }).waitFor();
    await callTo(`${flow.url}/nothing-here`);
    await page.locator('#requests .verdict.refused', { hasText: 'Refused (404): nothing answers at this path' }).waitFor();
    await callTo(`http://127.0.0.1:9/voice`);
    await page.locator('#requests .verdict.failed', { hasText: 'Failed: the flow could not be reached' }).waitFor();
    await page.locator('#url').fill('');
    await page.locator('#url').press('Enter');
    await page.locator('#url-error', { hasText: 'Enter the voice URL of the flow to call.' }).waitFor();
    assert.equal(await page.locator('#url').getAttribute('aria-invalid'), 'true');
    assert.equal(await active(), 'url');
    await callTo(`${flow.url}/late`);
    assert.equal(await page.locator('#url-error').isHidden(), true);
    await page.locator('#requests .verdict.fallback', { hasText: 'answered with the voice node’s fallback' }).waitFor();
    await status().getByText('Call ended: completed, the flow hung up (<Hangup>).').waitFor();
    await page.screenshot({ path: h.artifact('phone-fallback-360.png'), fullPage: true });
  });

  it('raised no console errors or warnings, page errors or failed requests', () => {
    assert.deepEqual(problems, []);
  });
});
