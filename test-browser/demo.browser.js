'use strict';
// `npm start` in Debian's Chromium, as a newcomer meets it: the editor opens on the debug sidebar;
// the phone page (360 px wide) calls the demo line, hears the greeting, presses 1 on the keypad, sees
// the recording start and hangs up, and the recording callback appears in the editor's debug sidebar;
// the editor's "ring the phone page" button rings the phone, and answering it runs the same flow.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./harness');
const { startDemo } = require('../test/support/demo');

describe('npm start in a real browser: the phone calls the demo line', function () {
  this.timeout(180_000);
  let demo;
  let demoDir;
  let browser;
  let editor;
  let phone;
  const problems = [];

  before(async function () {
    // `npm start` runs the devDependency Node-RED whatever the leg: the other legs would repeat it.
    if (process.env.TELAPI_TEST_NODE_RED) this.skip();
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-demo-browser-'));
    demo = startDemo({ PORT: '0', SIMULATOR_PORT: '0', TELAPI_DEMO_DIR: demoDir });
    await demo.waitForOutput(/Ctrl-C stops both/, 90_000);
    browser = await h.launchBrowser();
    ({ page: editor } = await h.openEditor(browser.context, `${demo.bannerUrl('Node-RED editor')}/`));
    editor.on('pageerror', (error) => problems.push(`editor: ${error.message}`));
    phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 360, height: 780 });
    phone.on('console', (message) => { if (message.type() === 'error') problems.push(`phone console: ${message.text()}`); });
    phone.on('pageerror', (error) => problems.push(`phone: ${error.message}`));
    await phone.goto(`${demo.bannerUrl('Phone')}/phone`);
  });
  afterEach(async function () {
    if (editor) await h.screenshotOnFailure(this, editor, '-editor');
    if (phone) await h.screenshotOnFailure(this, phone, '-phone');
  });
  after(async () => {
    if (browser) await browser.close();
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
    if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
  });

  const heard = () => phone.locator('#heard');
  const debugMessage = (name) => editor.locator('.red-ui-debug-msg', { has: editor.locator('.red-ui-debug-msg-name', { hasText: name }) });

  it('opens the editor on the debug sidebar, with the demo tab naming the phone page', async () => {
    await editor.locator('#red-ui-tab-debug.active').waitFor();
    await editor.locator('.red-ui-debug-content-list').waitFor({ state: 'visible' });
    await editor.locator('.red-ui-flow-node-label', { hasText: 'Call it from the phone page' }).waitFor();
    await editor.screenshot({ path: h.artifact('demo-editor.png') });
    // Each node on the demo tab says what it does: no two share a label (an inject and its record node did).
    const labels = await editor.locator('.red-ui-workspace-chart .red-ui-flow-node-label').allTextContents();
    assert.equal(new Set(labels).size, labels.length, labels.join(' | '));
  });

  it('calls the demo line from the phone: the greeting, 1 on the keypad, the recording, hang up; the callback reaches the debug sidebar', async () => {
    assert.match(await phone.locator('#url').inputValue(), /\/telapi\/demo\/voice\?key=[\w-]{43}$/, 'the demo line is preset');
    await phone.getByRole('button', { name: 'Call', exact: true }).click();
    await heard().getByText('Welcome to the TelAPI demo. Press 1 to have this call recorded').waitFor();
    await phone.locator('#listening:not([hidden])').waitFor();
    await phone.getByRole('button', { name: '1', exact: true }).click();
    await phone.locator('#recording:not([hidden])').waitFor();
    await heard().getByText('Thank you. This call is now recorded.').waitFor();
    await debugMessage('recording started').first().waitFor();
    // What the record node knows, not a state it cannot see: when it started which call, and for how long at most.
    const recordStatus = editor.locator('.red-ui-flow-node-group[id="telapi-demo-record-call"] .red-ui-flow-node-status-label');
    await editor.waitForFunction((el) => /^started CA[0-9a-f]{4}… at \d\d:\d\d:\d\d \(up to 300 s\)$/.test(el.textContent), await recordStatus.elementHandle());
    await phone.screenshot({ path: h.artifact('demo-phone-recording-360.png') });
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling at 360 px');
    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.locator('#status').getByText('Call ended: completed, you hung up.').waitFor();

    await debugMessage('recording callback').first().waitFor({ timeout: 20_000 });
    await debugMessage('MP3 filed').first().waitFor({ timeout: 20_000 });
    const filed = fs.readdirSync(path.join(demoDir, 'recordings')).filter((name) => /^CA[0-9a-f]{32}\.mp3$/.test(name));
    assert.equal(filed.length, 1);
    assert.ok(fs.statSync(path.join(demoDir, 'recordings', filed[0])).size > 1000, 'a playable file, not an empty one');
    await editor.screenshot({ path: h.artifact('demo-editor-recording-callback.png') });
    assert.equal(await debugMessage('demo error').count(), 0);
  });

  it('rings the phone from the editor\'s "ring the phone page" button; answering runs the demo flow', async () => {
    await editor.locator('.red-ui-flow-node-group[id="telapi-demo-ring"] .red-ui-flow-node-button').click();
    await phone.locator('#incoming:not([hidden])').waitFor({ timeout: 20_000 });
    assert.match(await phone.locator('#incoming-from').textContent(), /^From \+15550100100/);
    await debugMessage('call placed').first().waitFor();
    await phone.getByRole('button', { name: 'Answer' }).click();
    await heard().getByText('Welcome to the TelAPI demo. Press 1 to have this call recorded').waitFor();
    await phone.locator('#listening:not([hidden])').waitFor();
    await phone.keyboard.press('2');
    await heard().getByText('This call is not recorded. Goodbye.').waitFor();
    await phone.locator('#status').getByText(/^Call ended: completed/).waitFor();
    assert.equal(await debugMessage('demo error').count(), 0);
  });

  it('raised no errors in the editor or the phone page', () => {
    assert.deepEqual(problems, []);
  });
});
