'use strict';
// The call nodes' dialogs in Debian's Chromium: the InboundXML node's verb list builds what the running
// Node-RED then answers a voice request with, marks what the verb table does not allow, and the voice
// node's dialog shows the URL to give TelAPI (with the key only the runtime can compute) and marks
// paths no node can receive at.
const assert = require('node:assert/strict');
const h = require('./harness');
const { pathKey } = require('../dist/telapi');
const { ACCOUNT_SID, AUTH_TOKEN, CALL_SID } = require('../test/support/fixtures');

const VOICE_PATH = '/telapi/voice';
const STATUS_PATH = '/telapi/status';
/** An imported node whose verbs the table refuses: an attribute Gather does not have, a loop that is no number. */
const IMPORTED = [{ verb: 'Gather', attributes: { numDigits: '1', bogus: 'x' }, children: [{ verb: 'Say', text: 'Hello {{payload.CallerName}}', attributes: { loop: 'abc' } }] }];

/** Tokens depend on the call, and the preview shows them as TOKEN. */
const withoutTokens = (xml) => xml.replace(/([?&](?:amp;)?token=)[^"&]*/g, '$1…');

describe('call dialogs in a real browser', function () {
  this.timeout(120_000);
  const editor = h.useEditor({
    async prepare(server) {
      await server.deploy([
        { id: 'calls', type: 'tab', label: 'Calls' },
        { id: 'acc', type: 'telapi-account', name: 'zang', baseUrl: 'https://api.zang.io/v2', publicUrl: server.url, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        { id: 'voice', type: 'telapi-voice', z: 'calls', name: '', account: 'acc', url: VOICE_PATH, security: 'token', timeout: 10, fallback: '', x: 140, y: 80, wires: [['answer']] },
        { id: 'answer', type: 'telapi-inboundxml', z: 'calls', name: '', verbs: [], x: 380, y: 80, wires: [[]] },
        { id: 'status', type: 'telapi-callback', z: 'calls', name: 'call status', account: 'acc', url: STATUS_PATH, security: 'token', x: 140, y: 160, wires: [[]] },
        { id: 'imported', type: 'telapi-inboundxml', z: 'calls', name: 'imported', verbs: IMPORTED, x: 380, y: 160, wires: [[]] },
        { id: 'dial', type: 'telapi-call', z: 'calls', name: '', account: 'acc', from: '+15550100100', to: '+15550100123', url: VOICE_PATH,
          statusCallback: '/telapi/nowhere', record: false, recordCallback: '', transcribe: false, transcribeCallback: '', timeout: 60, x: 140, y: 240, wires: [[]] },
      ]);
    },
  });
  let server;
  let page;
  let pageErrors;
  before(() => { ({ server, page, errors: pageErrors } = editor); });

  const closeDialog = async () => {
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
  };
  // Node-RED's editableList: a list's box holds its add button and a container with the <ol> of its items.
  const LIST = ':scope > .red-ui-editableList';
  const ITEMS = `${LIST} > .red-ui-editableList-container > ol > li > .red-ui-editableList-item-content`;
  /** The add button of the list directly in `box` (the verb list, a verb's attributes or nested verbs). */
  const addButton = (box) => box.locator(`${LIST} > .red-ui-editableList-addButton`);
  /** The verb rows of the list directly in `box`. */
  const verbRows = (box) => box.locator(`${ITEMS} > .telapi-ixml-verb`);
  /** A verb row's attribute rows, its attributes' box and its nested verbs' box. */
  const attributesOf = (verb) => verb.locator(':scope > .telapi-ixml-attributes-row');
  const attributeRows = (verb) => attributesOf(verb).locator(`${ITEMS} > .telapi-ixml-attribute`);
  const childrenOf = (verb) => verb.locator(':scope > .telapi-ixml-children-row');
  const verbSelect = (verb) => verb.locator(':scope > .telapi-ixml-line > select');
  const previewXml = () => page.locator('#telapi-inboundxml-preview').getAttribute('data-xml');

  async function setAttribute(verb, index, name, value) {
    await addButton(attributesOf(verb)).click();
    const row = attributeRows(verb).nth(index);
    await row.locator('select').selectOption(name);
    await row.locator('input').fill(value);
  }

  it('marks an attribute the table does not have and a wrong value, from an imported node and as typed; a placeholder is not checked', async () => {
    assert.equal(await page.evaluate(() => RED.nodes.node('imported').valid), false);
    await h.openNodeDialog(page, 'imported');
    const top = page.locator('#telapi-inboundxml-verbs');
    const gather = verbRows(top).nth(0);
    const bogus = attributeRows(gather).nth(1).locator('select');
    await page.locator('.telapi-ixml-invalid').nth(1).waitFor();
    assert.equal(await bogus.inputValue(), 'bogus');
    assert.match(await bogus.getAttribute('class'), /input-error/);
    assert.match(await bogus.getAttribute('title'), /not an attribute of <Gather>/);
    const say = verbRows(childrenOf(gather)).nth(0);
    const loop = attributeRows(say).nth(0).locator('input');
    assert.match(await loop.getAttribute('class'), /input-error/);
    assert.match(await loop.getAttribute('title'), /must be a whole number of at least 0/);
    // The preview comes from the runtime (an admin request): wait for it rather than read it at once.
    await page.locator('#telapi-inboundxml-preview', { hasText: 'bogus: not an attribute of <Gather>' }).waitFor();

    // A value typed: out of the table's range, then a placeholder (checked when a call comes), then right.
    const numDigits = attributeRows(gather).nth(0).locator('input');
    await numDigits.fill('0');
    await page.waitForFunction(() => $('.telapi-ixml-attr-value.input-error').length === 2);
    assert.match(await numDigits.getAttribute('title'), /must be a whole number of at least 1/);
    await numDigits.fill('{{payload.digits}}');
    await page.waitForFunction(() => $('.telapi-ixml-attr-value.input-error').length === 1);
    await loop.fill('2');
    await attributeRows(gather).nth(1).locator('xpath=ancestor::li[1]').locator(':scope > .red-ui-editableList-item-remove').click();
    await page.waitForFunction(() => $('.telapi-ixml-invalid').length === 0 && /<Say loop="2">/.test($('#telapi-inboundxml-preview').attr('data-xml') || ''));
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    // Mended, it no longer holds the deploy up.
    assert.equal(await page.evaluate(() => RED.nodes.node('imported').valid), true);
  });

  it('builds a Gather with a nested Say in the inboundxml dialog; the running Node-RED answers the voice URL with what the preview showed', async () => {
    await h.openNodeDialog(page, 'answer');
    const top = page.locator('#telapi-inboundxml-verbs');
    await addButton(top).click();
    const gather = verbRows(top).nth(0);
    await verbSelect(gather).selectOption('Gather');
    await setAttribute(gather, 0, 'numDigits', '1');
    await setAttribute(gather, 1, 'action', '/telapi/consent');
    // The verb's attributes come from the table, each with its help.
    const names = await attributeRows(gather).nth(0).locator('select option').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(names, ['input', 'hints', 'language', 'action', 'method', 'timeout', 'finishOnKey', 'numDigits']);
    assert.match(await attributeRows(gather).nth(1).locator('input').getAttribute('title'), /Requested with the collected Digits/);

    await addButton(childrenOf(gather)).click();
    const say = verbRows(childrenOf(gather)).nth(0);
    // A Gather holds what the table says it holds.
    assert.deepEqual(await verbSelect(say).locator('option').evaluateAll((els) => els.map((e) => e.value)), ['Say', 'Play', 'PlayLastRecording', 'Pause']);
    assert.equal(await verbSelect(say).inputValue(), 'Say');
    await say.locator(':scope > .telapi-ixml-text-row > input').fill('Press 1 to have this call recorded & kept.');
    await setAttribute(say, 0, 'voice', 'male');

    await page.waitForFunction(() => /<Say voice="male">/.test($('#telapi-inboundxml-preview').attr('data-xml') || ''));
    const shown = await previewXml();
    assert.match(shown, /<Gather input="dtmf" action="http:\/\/127\.0\.0\.1:\d+\/telapi\/consent\?token=TOKEN" numDigits="1">/, 'Zang: input="dtmf", the /path under the public URL');
    assert.equal(await page.locator('.telapi-ixml-invalid').count(), 0);

    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await h.deploy(page);
    const deployed = (await server.adminRequest('GET', '/flows')).flows.find((n) => n.id === 'answer');
    assert.deepEqual(deployed.verbs, [{
      verb: 'Gather',
      attributes: { numDigits: '1', action: '/telapi/consent' },
      children: [{ verb: 'Say', attributes: { voice: 'male' }, text: 'Press 1 to have this call recorded & kept.' }],
    }]);

    // TelAPI asks the voice URL, with the path key the dialog of the voice node shows.
    const response = await fetch(`${server.url}${VOICE_PATH}?key=${pathKey(AUTH_TOKEN, VOICE_PATH)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ AccountSid: ACCOUNT_SID, CallSid: CALL_SID, From: '+15550111', To: '+15550100', Direction: 'inbound', CallStatus: 'ringing' }).toString(),
    });
    assert.equal(response.status, 200);
    const served = await response.text();
    assert.match(served, /token=[A-Za-z0-9_-]{43}"/, 'the served action carries the call\'s token');
    assert.equal(withoutTokens(served), withoutTokens(shown));
  });

  it('shows the voice URL with its key and copies it; marks an admin path and a path another node uses', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await h.openNodeDialog(page, 'voice');
    const url = page.locator('#telapi-voice-url');
    await page.locator('#telapi-voice-url-row').waitFor({ state: 'visible' });
    const expected = `${server.url}${VOICE_PATH}?key=${pathKey(AUTH_TOKEN, VOICE_PATH)}`;
    await page.waitForFunction((want) => $('#telapi-voice-url').val() === want, expected);
    assert.equal(await url.getAttribute('data-keyed'), 'true');
    await page.locator('#telapi-voice-copy').click();
    await page.locator('#telapi-voice-copy-result', { hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);

    const path = page.locator('#node-input-url');
    await path.fill('');
    await path.pressSequentially('/flows');
    await page.locator('#node-input-url.input-error').waitFor();
    await h.tooltipOf(page, path, 'admin API');
    // The reason, where the URL would be: no URL to give TelAPI.
    await page.locator('#telapi-voice-url-note', { hasText: 'belongs to Node-RED\'s admin API' }).waitFor();
    assert.equal(await page.locator('#telapi-voice-url-row').isVisible(), false);
    await path.fill('');
    await path.pressSequentially(STATUS_PATH);
    await page.locator('#node-input-url.input-error').waitFor();
    await h.tooltipOf(page, path, 'another TelAPI callback or voice node (call status) already receives at this path');
    await path.fill('');
    await path.pressSequentially('/telapi/../voice');
    await h.tooltipOf(page, path, 'a path such as /telapi/voice');
    await path.fill('');
    await path.pressSequentially(VOICE_PATH);
    await page.locator('#node-input-url:not(.input-error)').waitFor();
    await page.waitForFunction((want) => $('#telapi-voice-url').val() === want, expected);
  });

  it('shows the URL without its key to an editor that may not change voice nodes, and warns about security none', async () => {
    await page.route('**/telapi-voice/url?*', (route) => route.fulfill({ status: 403, contentType: 'application/json', body: '{"error":"unauthorized"}' }));
    try {
      await page.locator('#node-input-url').press('End');
      await page.locator('#node-input-url').press('Space');
      await page.locator('#node-input-url').press('Backspace');
      await page.waitForFunction((want) => $('#telapi-voice-url').val() === want, `${server.url}${VOICE_PATH}`);
      assert.equal(await page.locator('#telapi-voice-url').getAttribute('data-keyed'), 'false');
      await page.locator('#telapi-voice-url-note', { hasText: 'without its key' }).waitFor();
    } finally {
      await page.unroute('**/telapi-voice/url?*');
    }
    await page.locator('#node-input-security').selectOption('none');
    await page.locator('.telapi-voice-tip-none').waitFor({ state: 'visible' });
    await page.locator('#telapi-voice-url-note', { hasText: 'no key' }).waitFor();
    await page.locator('#node-input-security').selectOption('token');
    await page.locator('.telapi-voice-tip-none').waitFor({ state: 'hidden' });
  });

  it('tests reachability from the voice dialog: it arrives, and the dialog says a local public URL is no use to TelAPI on the internet', async () => {
    await page.locator('#telapi-voice-test').click();
    const result = page.locator('#telapi-voice-test-result[data-cause]');
    await result.waitFor();
    // The account names Zang's public API, the public URL this machine: it arrives, but only from here.
    assert.equal(await result.getAttribute('data-cause'), 'arrivedLocalOnly', await result.textContent());
    assert.match(await result.textContent(), /^Arrived at this node, but only from here: 127\.0\.0\.1 is a local or private address, and TelAPI on the internet cannot reach it\./);
    await closeDialog();
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors.map(String), []);
  });

  it('the call node\'s dialog offers the workspace\'s voice and callback paths, and warns about a path no node listens on', async () => {
    await h.openNodeDialog(page, 'dial');
    const offered = async (list) => page.locator(`#telapi-call-paths-${list} option`).evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(await offered('telapi-voice'), [VOICE_PATH]);
    assert.deepEqual(await offered('telapi-callback'), [STATUS_PATH]);
    assert.equal(await page.locator('#node-input-url').getAttribute('list'), 'telapi-call-paths-telapi-voice');
    assert.equal(await page.locator('#telapi-call-warning-url').isVisible(), false, 'the voice path names a voice node');
    const warning = page.locator('#telapi-call-warning-statusCallback');
    assert.equal(await warning.isVisible(), true);
    assert.match(await warning.textContent(), /No TelAPI callback node of this workspace listens on \/telapi\/nowhere/);
    await page.locator('#node-input-statusCallback').fill(STATUS_PATH);
    await page.locator('#node-input-statusCallback').dispatchEvent('input');
    assert.equal(await warning.isVisible(), false);
    // A voice path given as a callback path is no callback node's.
    await page.locator('#node-input-statusCallback').fill(VOICE_PATH);
    await page.locator('#node-input-statusCallback').dispatchEvent('input');
    assert.equal(await warning.isVisible(), true);
    // Marked as the runtime refuses them: a path that climbs out of the public URL's, a To too long.
    const markedAs = async (field, typed, reason) => {
      const input = page.locator(`#node-input-${field}`);
      await input.fill(typed);
      await input.dispatchEvent('keyup');
      await page.locator(`#node-input-${field}.input-error`).waitFor();
      await h.tooltipOf(page, input, reason);
    };
    await markedAs('statusCallback', '/telapi/../status', 'an http(s) URL or a path starting with / (no . or .. segment, no control character)');
    await markedAs('to', `sip:${'a'.repeat(253)}`, 'at most 256 characters');
    await page.locator('#node-input-to').fill(`sip:${'a'.repeat(252)}`);
    await page.locator('#node-input-to').dispatchEvent('keyup');
    await page.locator('#node-input-to:not(.input-error)').waitFor();
    await closeDialog();
    assert.deepEqual(pageErrors, []);
  });
});
