'use strict';
// What a newcomer sees before deploying (issue 21), in Debian's Chromium: the account dialog warns
// of a public URL TelAPI on the internet cannot reach as it is typed; the callback dialog marks a
// path no node can receive at, with the reason (the voice dialog's marks: calls.browser.js); each
// node has one name in the palette, its dialog's title, the help and the README; a record node's
// absolute callback URL that a signature-mode callback node would refuse is warned about in its
// dialog and named by that node's reachability test.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./harness');
const { ACCOUNT_SID, AUTH_TOKEN } = require('../test/support/fixtures');

const ZANG = 'https://api.zang.io/v2';
const SIGNED_PATH = '/telapi/signed';
/** The signature-mode node's path on another host than the account's public URL. */
const ELSEWHERE = `https://other.example.com${SIGNED_PATH}`;
const SIGNED_VOICE_PATH = '/telapi/signed-voice';
const TYPES = Object.keys(require('../package.json')['node-red'].nodes);

describe('before deploy: what the dialogs say', function () {
  this.timeout(120_000);
  const editor = h.useEditor({
    async prepare(server) {
      await server.deploy([
        { id: 'flow', type: 'tab', label: 'Newcomer' },
        { id: 'acc', type: 'telapi-account', name: 'zang', baseUrl: ZANG, publicUrl: 'https://nr.example.com', credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        { id: 'rec', type: 'telapi-record', z: 'flow', name: '', account: 'acc', action: 'start', direction: 'both', timeLimit: 60, callbackUrl: '/telapi/recording',
          fileFormat: 'mp3', trimSilence: false, transcribe: false, transcribeQuality: 'auto', transcribeCallback: '', x: 160, y: 80, wires: [[]] },
        { id: 'status', type: 'telapi-callback', z: 'flow', name: 'call status', account: 'acc', url: '/telapi/status', security: 'token', x: 160, y: 160, wires: [[]] },
        { id: 'voice', type: 'telapi-voice', z: 'flow', name: '', account: 'acc', url: '/telapi/voice', security: 'token', timeout: 10, fallback: '', x: 160, y: 240, wires: [[]] },
        // A TelAPI on this machine (the simulator) and this Node-RED as the public URL: the test callback arrives.
        { id: 'loc', type: 'telapi-account', name: 'local', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: server.url, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        { id: 'sig', type: 'telapi-callback', z: 'flow', name: 'signed', account: 'loc', url: SIGNED_PATH, security: 'signature', x: 160, y: 320, wires: [[]] },
        { id: 'sigvoice', type: 'telapi-voice', z: 'flow', name: 'signed voice', account: 'loc', url: SIGNED_VOICE_PATH, security: 'signature', timeout: 10, fallback: '', x: 400, y: 320, wires: [[]] },
        { id: 'farcall', type: 'telapi-call', z: 'flow', name: 'call elsewhere', account: 'loc', from: '+15550100100', to: '+15550100200',
          url: `https://other.example.com${SIGNED_VOICE_PATH}`, statusCallback: ELSEWHERE, record: false, recordCallback: '', transcribe: false, transcribeCallback: '', timeout: 60,
          x: 400, y: 400, wires: [[]] },
        { id: 'fartx', type: 'telapi-recordings', z: 'flow', name: 'transcribe elsewhere', account: 'loc', operation: 'transcribe', maxRecordings: 1000, maxBytes: 52428800,
          transcribeQuality: 'auto', transcribeCallback: ELSEWHERE, folder: '', x: 400, y: 480, wires: [[]] },
        { id: 'far', type: 'telapi-record', z: 'flow', name: 'record elsewhere', account: 'loc', action: 'start', direction: 'both', timeLimit: 60, callbackUrl: ELSEWHERE,
          fileFormat: 'mp3', trimSilence: false, transcribe: false, transcribeQuality: 'auto', transcribeCallback: '', x: 160, y: 400, wires: [[]] },
      ]);
    },
  });
  let server;
  let page;
  let pageErrors;
  before(() => { ({ server, page, errors: pageErrors } = editor); });

  /** What a dialog says of an absolute URL of the signature-mode callback node's path on another host. */
  const signedCallbackWarning = () =>
    `The callback node signed (signature mode) receives at ${SIGNED_PATH} and checks signatures against ${server.url}${SIGNED_PATH}: TelAPI signs the URL it calls, so callbacks sent to this other address would get 403. Give the path ${SIGNED_PATH} instead.`;

  async function closeDialog() {
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
  }
  async function closeConfigDialog() {
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
  }

  it('the account dialog warns as a private public URL is typed, unless the API is on this machine too (the simulator)', async () => {
    await h.openNodeDialog(page, 'rec');
    await h.editConfigNode(page, 'account');
    const publicUrl = page.locator('#node-config-input-publicUrl');
    await publicUrl.waitFor();
    await h.waitForTrays(page, { opened: true });
    const warning = page.locator('#telapi-account-warn-localOnly');
    assert.equal(await warning.isVisible(), false, 'https://nr.example.com is public');

    // The demo's public URL with Zang's API: the newcomer's mistake.
    await publicUrl.fill('');
    await publicUrl.pressSequentially('http://127.0.0.1:1895');
    await warning.waitFor({ state: 'visible' });
    assert.equal((await warning.innerText()).trim(),
      '127.0.0.1 is a local or private address: TelAPI on the internet cannot reach it, so its callbacks and voice requests would never arrive. Use a tunnel or a public address as the public URL.');
    await h.screenshotTray(page, h.artifact('account-private-url.png'), warning);

    for (const [typed, host] of [['https://nodered.local:1880', 'nodered.local'], ['http://192.168.1.20/api', '192.168.1.20'], ['http://[fe80::1]:1880', '[fe80::1]'], ['https://raspberrypi', 'raspberrypi']]) {
      await publicUrl.fill(typed);
      await page.locator('#telapi-account-warn-localOnly span', { hasText: `${host} is a local or private address` }).waitFor();
    }
    // The simulator on this machine calls back to this machine: right there.
    await page.locator('#node-config-input-service').selectOption('custom');
    const baseUrl = page.locator('#node-config-input-baseUrl');
    await baseUrl.fill('');
    await baseUrl.pressSequentially('http://127.0.0.1:8089/v2');
    await warning.waitFor({ state: 'hidden' });
    await page.locator('#node-config-input-service').selectOption('zang');
    await warning.waitFor({ state: 'visible' });
    await publicUrl.fill('');
    await publicUrl.pressSequentially('https://nr.example.com');
    await warning.waitFor({ state: 'hidden' });
    await closeConfigDialog();
    await closeDialog();
  });

  it('the callback dialog marks, before deploy, an admin path, a path another callback or voice node has, and a malformed path, each with its reason', async () => {
    const id = await h.dragFromPalette(page, 'telapi-callback', 420, 160);
    await h.openNodeDialog(page, id);
    await page.locator('#node-input-account').selectOption('acc');
    const url = page.locator('#node-input-url');
    // Marked as the time limit is, the reason in its tooltip and where the URL would be previewed.
    const marked = async (typed, reason) => {
      await url.fill('');
      await url.pressSequentially(typed);
      await page.locator('#node-input-url.input-error').waitFor();
      await page.locator('#telapi-callback-path-problem', { hasText: reason }).waitFor();
      assert.equal(await page.locator('#telapi-callback-preview-row').isVisible(), false, `no URL is previewed for ${typed}`);
      await h.tooltipOf(page, url, reason);
    };
    await marked('/telapi/status', 'another TelAPI callback or voice node (call status) already receives at this path');
    await marked('/Telapi/Voice/', 'another TelAPI callback or voice node (/telapi/voice) already receives at this path');
    await marked('/telapi/../recording', 'a path such as /telapi/recording');
    await marked('/telapi/:sid', 'a path such as /telapi/recording');
    // The example: the editor's own /flows, once previewed as a callback URL.
    await marked('/flows', 'this path belongs to Node-RED\'s admin API, which would answer TelAPI instead of this node');
    await page.waitForFunction(() => $('.red-ui-popover:visible').length === 0);
    await h.screenshotTray(page, h.artifact('callback-bad-path.png'), page.locator('#telapi-callback-path-problem'));
    await url.fill('');
    await url.pressSequentially('/telapi/recording');
    await page.locator('#node-input-url:not(.input-error)').waitFor();
    await page.locator('#telapi-callback-path-problem').waitFor({ state: 'hidden' });
    await page.locator('#telapi-callback-preview-row').waitFor({ state: 'visible' });
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    assert.equal(await page.evaluate((nodeId) => RED.nodes.node(nodeId).valid, id), true);
    // The node dropped on the other node's path is marked in the workspace too, until it moves away.
    await h.openNodeDialog(page, id);
    await url.fill('/telapi/status');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await page.waitForFunction((nodeId) => RED.nodes.node(nodeId).valid === false && RED.nodes.node('status').valid === false, id);
    await page.evaluate((nodeId) => {
      RED.nodes.remove(nodeId);
      RED.editor.validateNode(RED.nodes.node('status'));
    }, id);
  });

  it('names each node one way: palette, dialog title, help tree and help title, README; the account too', async () => {
    const catalog = Object.fromEntries(TYPES.map((type) => [type, require(`../nodes/locales/en-US/${type}.json`)[type].paletteLabel]));
    const labels = await page.evaluate((types) => Object.fromEntries(types.map((type) => {
      const def = RED.nodes.getType(type);
      return [type, typeof def.paletteLabel === 'function' ? def.paletteLabel.call(def) : def.paletteLabel];
    })), TYPES);
    assert.deepEqual(labels, catalog);
    assert.equal(labels['telapi-account'], 'TelAPI account');
    for (const type of TYPES.filter((t) => t !== 'telapi-account')) {
      const shown = await page.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`).innerText();
      assert.equal(shown.replace(/\s+/g, ' ').trim(), labels[type], `${type} in the palette`);
    }
    const readme = fs.readFileSync(path.join(h.ROOT, 'README.md'), 'utf8');
    const rows = Object.fromEntries([...readme.matchAll(/^\| \*\*([^*]+)\*\* \(`(telapi-[a-z]+)`/gm)].map((m) => [m[2], m[1]]));
    const headings = Object.fromEntries([...readme.matchAll(/^### (.+) \(`(telapi-[a-z]+)`\)$/gm)].map((m) => [m[2], m[1]]));
    assert.deepEqual({ rows, headings }, { rows: labels, headings: labels }, 'the README\'s table of nodes and its reference headings');

    await page.evaluate(() => RED.sidebar.help.show('telapi-account'));
    const toc = page.locator('.red-ui-sidebar-help-toc');
    await toc.locator('.red-ui-treeList-label.selected', { hasText: 'TelAPI account' }).waitFor();
    const tree = await toc.locator('.red-ui-node-list-item .red-ui-node-label').allInnerTexts();
    for (const type of TYPES) assert.ok(tree.map((t) => t.trim()).includes(labels[type]), `${labels[type]} in the help tree: ${tree.join(', ')}`);
    assert.ok(!tree.some((t) => /^telapi-/.test(t.trim())), `no raw type in the help tree: ${tree.join(', ')}`);
    await page.locator('.red-ui-help-title', { hasText: 'TelAPI account' }).waitFor();

    await h.openNodeDialog(page, 'rec');
    await h.editConfigNode(page, 'account');
    await page.locator('#node-config-input-publicUrl').waitFor();
    await h.waitForTrays(page, { opened: true });
    const title = (await page.locator('.red-ui-tray').last().locator('.red-ui-tray-titlebar').innerText()).replace(/\s+/g, ' ').trim();
    assert.match(title, /Edit TelAPI account node$/);
    assert.doesNotMatch(title, /telapi-/);
    await closeConfigDialog();
    await closeDialog();
    await page.evaluate(() => RED.sidebar.show('info'));
  });

  it('a call node\'s absolute URLs of signature-mode voice and callback nodes\' paths on another host: warned in its dialog', async () => {
    await h.openNodeDialog(page, 'farcall');
    const voiceWarning = page.locator('#telapi-call-warning-url');
    await voiceWarning.waitFor({ state: 'visible' });
    assert.equal((await voiceWarning.innerText()).trim(),
      `The voice node signed voice (signature mode) receives at ${SIGNED_VOICE_PATH} and checks signatures against ${server.url}${SIGNED_VOICE_PATH}: TelAPI signs the URL it calls, so requests sent to this other address would get 403. Give the path ${SIGNED_VOICE_PATH} instead.`);
    const statusWarning = page.locator('#telapi-call-warning-statusCallback');
    assert.equal((await statusWarning.innerText()).trim(), signedCallbackWarning());
    // The public URL itself is no other address; the path is what the node offers.
    await page.locator('#node-input-url').fill(`${server.url}${SIGNED_VOICE_PATH}`);
    await voiceWarning.waitFor({ state: 'hidden' });
    await page.locator('#node-input-statusCallback').fill(SIGNED_PATH);
    await statusWarning.waitFor({ state: 'hidden' });
    await closeDialog();
  });

  it('a recordings node\'s absolute transcription callback URL of a signature-mode callback node\'s path on another host: warned in its dialog', async () => {
    await h.openNodeDialog(page, 'fartx');
    const warning = page.locator('#telapi-recordings-warn-transcribeCallback');
    await warning.waitFor({ state: 'visible' });
    assert.equal((await warning.innerText()).trim(), signedCallbackWarning());
    await page.locator('#node-input-transcribeCallback').fill(SIGNED_PATH);
    await warning.waitFor({ state: 'hidden' });
    await closeDialog();
  });

  it('a record node\'s absolute callback URL of a signature-mode callback node\'s path on another host: warned in its dialog, named by that node\'s test', async () => {
    await h.openNodeDialog(page, 'far');
    const warning = page.locator('#telapi-record-warn-callbackUrl');
    await warning.waitFor({ state: 'visible' });
    assert.equal((await warning.innerText()).trim(), signedCallbackWarning());
    await h.screenshotTray(page, h.artifact('record-signed-elsewhere.png'), warning);
    const callbackUrl = page.locator('#node-input-callbackUrl');
    await callbackUrl.fill(SIGNED_PATH);
    await warning.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#telapi-record-preview-callbackUrl code').textContent(), `${server.url}${SIGNED_PATH}?token=…`);
    // The public URL itself, written otherwise, is no other address.
    await callbackUrl.fill(`${server.url.toUpperCase().replace('HTTP://', 'http://')}${SIGNED_PATH}/`);
    assert.equal(await warning.isVisible(), false);
    await closeDialog();

    // Deployed as it was: the callback node's test arrives, and names what would still fail.
    await h.deploy(page);
    await h.openNodeDialog(page, 'sig');
    assert.equal(await page.locator('#telapi-callback-preview').textContent(), `${server.url}${SIGNED_PATH}?token=…`, 'signature mode: the token the record node sends');
    await page.locator('#telapi-callback-test').click();
    const result = page.locator('#telapi-callback-test-result[data-cause]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-cause'), 'arrived', await result.textContent());
    assert.equal(await result.getAttribute('data-elsewhere'), '3', 'the record, call and recordings nodes');
    assert.match(await result.textContent(), new RegExp(`record elsewhere gives TelAPI ${ELSEWHERE.replace(/[.]/g, '\\.')}, another address than the one this node checks signatures against .*so those callbacks would get 403`));
    assert.match(await result.textContent(), /call elsewhere gives TelAPI/);
    assert.match(await result.textContent(), /transcribe elsewhere gives TelAPI/);
    await closeDialog();
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors.map(String), []);
  });
});
