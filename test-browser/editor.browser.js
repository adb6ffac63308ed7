'use strict';
// The editor as a user sees it, in Debian's Chromium (playwright-core): the package npm-packed and
// installed into a fresh Node-RED user dir, Node-RED on 127.0.0.1. Run with `npm run test:browser`
// (after `npm run build`; Chromium from .ci/browser-setup.sh).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./harness');

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'Zq8wX3vB6nM1kL4jH7gF0dS2aP5oI9uY';
const PACKAGE = require('../package.json').name;
const RED_CONFIG_TYPES = ['telapi-account'];

/** The example to import: TELAPI_EXAMPLE, or the first flow in examples/ at run time. */
function exampleToImport() {
  const dir = path.join(h.ROOT, 'examples');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  if (files.length === 0) {
    throw new Error('examples/ has no flow (.json): there is nothing to import under Import > Examples. Add an example flow to examples/.');
  }
  const name = process.env.TELAPI_EXAMPLE || files[0];
  assert.ok(files.includes(name), `${name} is not one of ${files.join(', ')}`);
  return { name: name.replace(/\.json$/, ''), flow: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) };
}

describe('editor in a real browser', function () {
  this.timeout(120_000);
  const editor = h.useEditor();
  let server;
  let page;
  let pageErrors;
  let recordId;
  let accountId;
  before(() => { ({ server, page, errors: pageErrors } = editor); });

  it('shows the TelAPI nodes under the TelAPI palette category, each with its own icon', async () => {
    const category = page.locator('#red-ui-palette-container-TelAPI');
    await category.waitFor();
    assert.equal((await category.locator('.red-ui-palette-header').innerText()).trim(), 'TelAPI');
    const types = await category.locator('.red-ui-palette-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-palette-type')));
    assert.deepEqual(types.sort(), ['telapi-call', 'telapi-callback', 'telapi-inboundxml', 'telapi-record', 'telapi-recordings', 'telapi-voice']);
    const label = (type) => category.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`).innerText();
    assert.equal((await label('telapi-record')).replace(/\s+/g, ' ').trim(), 'record call');
    assert.equal((await label('telapi-callback')).replace(/\s+/g, ' ').trim(), 'callback');
    assert.equal((await label('telapi-voice')).replace(/\s+/g, ' ').trim(), 'voice');
    assert.equal((await label('telapi-inboundxml')).replace(/\s+/g, ' ').trim(), 'inboundxml');
    // Each palette node shows its own icon, served from the package's icons/ directory.
    for (const type of types) {
      const icon = await category.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-icon`).evaluate((e) => getComputedStyle(e).backgroundImage);
      assert.match(icon, new RegExp(`icons/${PACKAGE.replace('/', '\\/')}/${type}\\.svg`), `${type} icon`);
    }
    // A config node never appears in the palette; it is registered for the editor all the same.
    const categoryOfAccount = await page.evaluate(() => RED.nodes.getType('telapi-account').category);
    assert.equal(categoryOfAccount, 'config');
  });

  it('drops a record call node into the workspace, labelled with what it does', async () => {
    recordId = await h.dragFromPalette(page, 'telapi-record', 320, 180);
    const label = h.nodeShape(page, recordId).locator('xpath=..').locator('.red-ui-flow-node-label');
    assert.equal((await label.textContent()).trim(), 'start recording');
    // Invalid until it has an account: Node-RED marks it with the red triangle.
    await page.waitForFunction((id) => RED.nodes.node(id).valid === false, recordId);
  });

  it('opens the record dialog and creates an account, marking an invalid AccountSid', async () => {
    await h.openNodeDialog(page, recordId);
    await page.locator('#node-input-account').waitFor();
    assert.equal(await page.locator('#node-input-account').inputValue(), '_ADD_');
    await h.addConfigNode(page, 'account');
    const sid = page.locator('#node-config-input-accountSid');
    await sid.waitFor();
    await h.waitForTrays(page, { opened: true });
    await page.locator('#node-config-input-name').fill('test account');
    await sid.pressSequentially('AC123');
    await page.locator('#node-config-input-accountSid.input-error').waitFor();
    await h.tooltipOf(page, sid, '"AC" followed by 32 hex digits');
    await sid.fill('');
    await sid.pressSequentially(ACCOUNT_SID);
    await page.locator('#node-config-input-accountSid:not(.input-error)').waitFor();
    await page.locator('#node-config-input-authToken').pressSequentially(AUTH_TOKEN);
    assert.equal(await page.locator('#node-config-input-authToken').getAttribute('type'), 'password');
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-input-accountSid').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await page.waitForFunction(() => $('#node-input-account').val() && $('#node-input-account').val() !== '_ADD_');
    accountId = await page.locator('#node-input-account').inputValue();
    await page.locator('#node-input-account:not(.input-error)').waitFor();
  });

  it('marks an invalid time limit, and a callback path while the account has no public URL', async () => {
    const timeLimit = page.locator('#node-input-timeLimit');
    await timeLimit.fill('');
    await timeLimit.pressSequentially('0');
    await page.locator('#node-input-timeLimit.input-error').waitFor();
    // The reason, from the catalog (not a bare message key), as a tooltip on the field.
    await h.tooltipOf(page, timeLimit, 'a whole number of seconds greater than 0');
    await timeLimit.fill('');
    await timeLimit.pressSequentially('1.5');
    await page.locator('#node-input-timeLimit.input-error').waitFor();
    await timeLimit.fill('');
    await timeLimit.pressSequentially('45');
    await page.locator('#node-input-timeLimit:not(.input-error)').waitFor();

    const callback = page.locator('#node-input-callbackUrl');
    await callback.pressSequentially('/telapi/recording');
    await page.locator('#node-input-callbackUrl.input-error').waitFor();
    await h.tooltipOf(page, callback, 'a path needs the account\'s public URL');
    await callback.fill('');
    await callback.pressSequentially('ftp://example.com/x');
    await page.locator('#node-input-callbackUrl.input-error').waitFor();
    await callback.fill('');
    await callback.pressSequentially('https://hooks.example.com/telapi/recording');
    await page.locator('#node-input-callbackUrl:not(.input-error)').waitFor();

    await page.locator('#node-input-direction').selectOption('out');
    await page.locator('#node-input-fileFormat').selectOption('wav');
    await page.locator('#node-input-transcribe').check();
    await page.locator('#node-input-transcribeQuality').waitFor({ state: 'visible' });
    await page.locator('#node-input-transcribeQuality').selectOption('hybrid');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await page.waitForFunction((id) => RED.nodes.node(id).valid === true, recordId);
  });

  it('deploys; the Admin API shows the record node with the entered values and no AuthToken', async () => {
    await h.deploy(page);
    const flows = await server.adminRequest('GET', '/flows');
    const nodes = flows.flows;
    const record = nodes.find((n) => n.id === recordId);
    assert.ok(record, 'the record node is deployed');
    assert.deepEqual(
      {
        type: record.type, account: record.account, action: record.action, direction: record.direction,
        timeLimit: Number(record.timeLimit), callbackUrl: record.callbackUrl, fileFormat: record.fileFormat,
        trimSilence: record.trimSilence, transcribe: record.transcribe, transcribeQuality: record.transcribeQuality,
        transcribeCallback: record.transcribeCallback,
      },
      {
        type: 'telapi-record', account: accountId, action: 'start', direction: 'out', timeLimit: 45,
        callbackUrl: 'https://hooks.example.com/telapi/recording', fileFormat: 'wav', trimSilence: false, transcribe: true,
        transcribeQuality: 'hybrid', transcribeCallback: '',
      },
    );
    const account = nodes.find((n) => n.id === accountId);
    assert.equal(account.type, 'telapi-account');
    assert.equal(account.name, 'test account');
    assert.equal(account.credentials, undefined);
    assert.ok(!JSON.stringify(flows).includes(AUTH_TOKEN), 'GET /flows has no AuthToken');
    assert.ok(!fs.readFileSync(path.join(server.userDir, 'flows.json'), 'utf8').includes(AUTH_TOKEN), 'flows.json has no AuthToken');
    // What the editor gets back for the account: the AccountSid, and only whether a token is set.
    const credentials = await server.adminRequest('GET', `/credentials/telapi-account/${accountId}`);
    assert.deepEqual(credentials, { accountSid: ACCOUNT_SID, has_authToken: true, callbackUser: '', has_callbackPassword: false });
    // The runtime accepted the node: no error status or log line about the record node.
    assert.ok(!/\[telapi-record[^\]]*\][^\n]*(error|Error)/.test(server.log), server.log);
  });

  it('never echoes the AuthToken into the account dialog, and says that one is stored', async () => {
    await h.openNodeDialog(page, recordId);
    await h.editConfigNode(page, 'account');
    const token = page.locator('#node-config-input-authToken');
    await token.waitFor();
    await h.waitForTrays(page, { opened: true });
    assert.equal(await token.inputValue(), '__PWRD__');
    await page.locator('#telapi-account-token-set').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#node-config-input-accountSid').inputValue(), ACCOUNT_SID);
    assert.ok(!(await page.content()).includes(AUTH_TOKEN));
    await page.locator('#node-config-dialog-cancel').click();
    await token.waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });

  it('offers the core http proxy config node as the account\'s proxy, with Node-RED\'s own picker', async () => {
    await h.openNodeDialog(page, recordId);
    await h.editConfigNode(page, 'account');
    const proxy = page.locator('#node-config-input-proxy');
    await proxy.waitFor();
    await h.waitForTrays(page, { opened: true });
    assert.equal(await proxy.evaluate((el) => el.tagName), 'SELECT');
    assert.equal(await proxy.inputValue(), '_ADD_');
    // Node-RED 4 and 5 show an add button beside the picker, 3.1 its one lookup button.
    await page.locator('#node-config-input-btn-proxy-add, #node-config-input-lookup-proxy').first().waitFor({ state: 'visible' });
    assert.match(await page.locator('label[for="node-config-input-proxy"]').innerText(), /Proxy/);
    await page.locator('#node-config-dialog-cancel').click();
    await proxy.waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });

  it('accepts a callback path once the account has a public URL, previews the URL, and keeps the token', async () => {
    await h.openNodeDialog(page, recordId);
    const transcribeCallback = page.locator('#node-input-transcribeCallback');
    await transcribeCallback.pressSequentially('/telapi/transcription');
    await page.locator('#node-input-transcribeCallback.input-error').waitFor();
    await h.editConfigNode(page, 'account');
    await page.locator('#node-config-input-publicUrl').waitFor();
    await h.waitForTrays(page, { opened: true });
    await page.locator('#node-config-input-publicUrl').pressSequentially('https://nr.example.com/?x');
    await page.locator('#node-config-input-publicUrl.input-error').waitFor();
    await page.locator('#node-config-input-publicUrl').fill('');
    await page.locator('#node-config-input-publicUrl').pressSequentially('https://nr.example.com');
    await page.locator('#node-config-input-publicUrl:not(.input-error)').waitFor();
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-input-publicUrl').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    // The account decides whether a path is valid: the field is checked again without being touched.
    await page.locator('#node-input-transcribeCallback:not(.input-error)').waitFor();
    await transcribeCallback.press('End');
    const preview = page.locator('#telapi-record-preview-transcribeCallback code');
    await preview.waitFor({ state: 'visible' });
    assert.equal(await preview.textContent(), 'https://nr.example.com/telapi/transcription?token=…');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.deploy(page);
    const nodes = (await server.adminRequest('GET', '/flows')).flows;
    assert.equal(nodes.find((n) => n.id === recordId).transcribeCallback, '/telapi/transcription');
    assert.equal(nodes.find((n) => n.id === accountId).publicUrl, 'https://nr.example.com');
    // Saving the account with the token field untouched kept the stored token.
    assert.deepEqual(await server.adminRequest('GET', `/credentials/telapi-account/${accountId}`), { accountSid: ACCOUNT_SID, has_authToken: true, callbackUser: '', has_callbackPassword: false });
  });

  it('edits a callback node: marks a bad path, shows the URL TelAPI calls, warns about security none', async () => {
    const id = await h.dragFromPalette(page, 'telapi-callback', 320, 280);
    await h.openNodeDialog(page, id);
    const url = page.locator('#node-input-url');
    await url.pressSequentially('/telapi/../recording');
    await page.locator('#node-input-url.input-error').waitFor();
    await url.fill('');
    await url.pressSequentially('/telapi/recording');
    await page.locator('#node-input-url:not(.input-error)').waitFor();
    await page.locator('#node-input-account').selectOption(accountId);
    await page.locator('#node-input-account:not(.input-error)').waitFor();
    // The URL TelAPI is to call, from the account's public URL.
    await page.locator('#telapi-callback-preview').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#telapi-callback-preview').textContent(), 'https://nr.example.com/telapi/recording?token=…');
    await page.locator('#node-input-security').selectOption('none');
    await page.locator('.telapi-callback-tip-none').waitFor({ state: 'visible' });
    await page.locator('#node-input-security').selectOption('token');
    await page.locator('.telapi-callback-tip-none').waitFor({ state: 'hidden' });
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    // Node-RED redraws the node's label in an animation frame after the dialog has gone.
    const label = h.nodeShape(page, id).locator('xpath=..').locator('.red-ui-flow-node-label');
    await h.eventually(async () => (await label.textContent()).trim(), '/telapi/recording');
  });

  it('imports an example from Import > Examples', async () => {
    const example = exampleToImport();
    const before = await page.evaluate(() => RED.nodes.filterNodes({}).length);
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-import').click();
    await page.locator('a[href="#red-ui-clipboard-dialog-import-tab-examples"]').click();
    const tab = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await tab.locator('.red-ui-treeList-label', { hasText: PACKAGE }).click();
    await tab.locator('.red-ui-treeList-label', { hasText: example.name }).click();
    await page.locator('#red-ui-clipboard-dialog-ok:not(.disabled):not([disabled])').click();
    await page.locator('#red-ui-clipboard-dialog-ok').waitFor({ state: 'hidden' });
    // Imported nodes may hang on the mouse until placed: click into the workspace to drop them.
    if (await page.evaluate(() => RED.view.state() !== RED.state.DEFAULT)) {
      await page.locator('#red-ui-workspace-chart').click({ position: { x: 200, y: 200 } });
    }
    // Flow nodes (config nodes and the tab are not counted by filterNodes).
    const expected = example.flow.filter((n) => n.type !== 'tab' && RED_CONFIG_TYPES.indexOf(n.type) === -1 && n.x !== undefined).length;
    await page.waitForFunction(({ count, want }) => RED.nodes.filterNodes({}).length >= count + want, { count: before, want: expected });
    const importedTypes = await page.evaluate(() => RED.nodes.filterNodes({}).map((n) => n.type));
    for (const type of new Set(example.flow.map((n) => n.type).filter((t) => t !== 'tab' && t !== 'telapi-account'))) {
      assert.ok(importedTypes.includes(type), `${type} of "${example.name}" was imported`);
    }
    const tabLabel = example.flow.find((n) => n.type === 'tab')?.label;
    if (tabLabel) await page.locator('#red-ui-workspace-tabs .red-ui-tab-label', { hasText: tabLabel }).first().waitFor();
  });

  it('raised no JavaScript error in the editor', () => {
    assert.deepEqual(pageErrors.map(String), []);
  });
});

describe('editor in German', function () {
  this.timeout(120_000);
  const editor = h.useEditor({ locale: 'de-DE' });
  let page;
  before(() => { ({ page } = editor); });

  it('labels the palette, the node and its dialog in German, with German help', async () => {
    const label = page.locator('#red-ui-palette-container-TelAPI .red-ui-palette-node[data-palette-type="telapi-record"] .red-ui-palette-label');
    await label.waitFor();
    assert.equal((await label.innerText()).replace(/\s+/g, ' ').trim(), 'Anruf aufnehmen');
    const id = await h.dragFromPalette(page, 'telapi-record', 320, 180);
    const nodeLabel = h.nodeShape(page, id).locator('xpath=..').locator('.red-ui-flow-node-label');
    assert.equal((await nodeLabel.textContent()).trim(), 'Aufnahme starten');
    await h.openNodeDialog(page, id);
    assert.equal((await page.locator('label[for="node-input-timeLimit"]').innerText()).trim(), 'Höchstdauer');
    const timeLimit = page.locator('#node-input-timeLimit');
    await timeLimit.fill('');
    await timeLimit.pressSequentially('0');
    await page.locator('#node-input-timeLimit.input-error').waitFor();
    await h.tooltipOf(page, timeLimit, 'eine ganze Zahl von Sekunden größer als 0');
    const help = await page.evaluate(() => $('script[data-help-name="telapi-record"]').html());
    assert.match(help, /Startet oder beendet die Aufnahme/);
  });
});
