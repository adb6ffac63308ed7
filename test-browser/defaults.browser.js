'use strict';
// One source for each rule: a fresh node of each type gets, in the real editor, the runtime's
// defaults; its dialog offers the runtime's option lists (the default first, the others in the
// runtime's order) and holds numbers and URLs to the runtime's limits and rules. The expected values
// are read here from dist/ (Node-RED runs on this same Node, so buffer limits agree), never restated.
const assert = require('node:assert/strict');
const h = require('./harness');
const telapi = require('../dist/telapi');
const { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_SECONDS } = require('../dist/nodes/shared/account');

/** The list as a dialog offers it: the default first, then the others in the runtime's order. */
const offered = (values, first) => [first, ...values.filter((v) => v !== first)];
const pick = (object, keys) => Object.fromEntries(keys.map((key) => [key, object[key]]));

/** Whether the runtime takes `value` for `key` (parse* throws on a value it refuses). */
function runtimeAccepts(parse, key, value) {
  try {
    parse({ [key]: value });
    return true;
  } catch {
    return false;
  }
}

/** Values on and around a range's bounds, and texts that are numbers only to a lax reader. */
const numberProbes = ({ min, max }) => [
  String(min - 1), String(min), ` ${min} `, String(max), String(max + 1), `0${min}`, `${'0'.repeat(16)}${min}`,
  '1e3', '0x10', '1.5', '-1', '', ' ', '12abc',
];
const URL_PROBES = [
  'http://example.com', 'https://a.example/b?c=d', 'HTTP://EXAMPLE.COM/x', 'http:/example.com', 'http://[::1]:1880/',
  'ftp://example.com', 'mailto:a@example.com', 'javascript:alert(1)', 'http://', 'example.com',
  // Hosts Chromium's URL keeps percent-encoded where Node's refuses them (or takes them as they are).
  'http://exa mple.com', 'http://a%20b.example', 'http://a*b.example', 'http://a%41.example',
];

describe('defaults, lists and limits in a real browser: the runtime\'s rules', function () {
  this.timeout(120_000);
  const editor = h.useEditor();
  let page;
  let pageErrors;
  before(() => { ({ page, errors: pageErrors } = editor); });

  /** A node's properties as the editor holds them. */
  const properties = (id, keys) => page.evaluate(({ nodeId, names }) => {
    const node = RED.nodes.node(nodeId);
    return Object.fromEntries(names.map((name) => [name, node[name]]));
  }, { nodeId: id, names: keys });

  /** The values a <select> of the open dialog offers; each has a label from the catalog. */
  async function options(selector) {
    const found = await page.locator(`${selector} option`).evaluateAll((els) => els.map((e) => ({ value: e.value, label: e.textContent.trim() })));
    for (const { value, label } of found) assert.ok(label !== '' && !/^telapi-/.test(label), `${selector} ${value}: label ${JSON.stringify(label)}`);
    return found.map((o) => o.value);
  }

  /** The open dialog's fields `#<prefix>-<key>`: a checkbox's state, else its value. */
  const fields = (keys, prefix = 'node-input') => page.evaluate(({ names, at }) => Object.fromEntries(names.map((name) => {
    const $field = $(`#${at}-${name}`);
    return [name, $field.is(':checkbox') ? $field.is(':checked') : $field.val()];
  })), { names: keys, at: prefix });

  /** For each value: whether the editor's validator of `type.property` takes it (on node `id`). */
  const editorAccepts = (type, property, id, values) => page.evaluate(({ t, p, nodeId, vs }) => {
    const validate = RED.nodes.getType(t).defaults[p].validate;
    return vs.map((v) => validate.call(RED.nodes.node(nodeId), v, {}) === true);
  }, { t: type, p: property, nodeId: id, vs: values });

  /** The editor and the runtime agree on every probe value. */
  async function assertSameVerdicts(type, property, id, parse, values) {
    const inEditor = await editorAccepts(type, property, id, values);
    const verdicts = values.map((value, i) => ({ value, editor: inEditor[i] }));
    assert.deepEqual(verdicts, values.map((value) => ({ value, editor: runtimeAccepts(parse, property, value) })), `${type}.${property}`);
  }

  const closeDialog = async () => {
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
  };

  it('telapi-record: a fresh node has DEFAULT_RECORDING_OPTIONS; its dialog lists RECORD_ACTIONS, RECORD_DIRECTIONS, FILE_FORMATS and TRANSCRIBE_QUALITIES', async () => {
    const defaults = telapi.DEFAULT_RECORDING_OPTIONS;
    const id = await h.dragFromPalette(page, 'telapi-record', 200, 100);
    assert.deepEqual(await properties(id, Object.keys(defaults)), { ...defaults });
    await h.openNodeDialog(page, id);
    assert.deepEqual(await options('#node-input-action'), offered(telapi.RECORD_ACTIONS, defaults.action));
    assert.deepEqual(await options('#node-input-direction'), offered(telapi.RECORD_DIRECTIONS, defaults.direction));
    assert.deepEqual(await options('#node-input-fileFormat'), offered(telapi.FILE_FORMATS, defaults.fileFormat));
    assert.deepEqual(await options('#node-input-transcribeQuality'), offered(telapi.TRANSCRIBE_QUALITIES, defaults.transcribeQuality));
    assert.deepEqual(await fields(Object.keys(defaults)), { ...defaults, timeLimit: String(defaults.timeLimit) });
    await closeDialog();
    await assertSameVerdicts('telapi-record', 'timeLimit', id, telapi.parseRecordingOptions, numberProbes({ min: 1, max: Number.MAX_SAFE_INTEGER }));
    // Absolute URLs only: a path also needs the account's public URL, which the editor checks at once.
    await assertSameVerdicts('telapi-record', 'callbackUrl', id, telapi.parseRecordingOptions, URL_PROBES);
  });

  it('telapi-recordings: a fresh node has DEFAULT_RECORDINGS_OPTIONS; its dialog lists RECORDINGS_OPERATIONS and TRANSCRIBE_QUALITIES, with MAX_RECORDINGS_LIMIT and MAX_DOWNLOAD_BYTES', async () => {
    const defaults = pick(telapi.DEFAULT_RECORDINGS_OPTIONS, ['operation', 'maxRecordings', 'maxBytes', 'transcribeQuality', 'transcribeCallback']);
    const id = await h.dragFromPalette(page, 'telapi-recordings', 200, 180);
    assert.deepEqual(await properties(id, Object.keys(defaults)), defaults);
    await h.openNodeDialog(page, id);
    assert.deepEqual(await options('#node-input-operation'), offered(telapi.RECORDINGS_OPERATIONS, defaults.operation));
    assert.deepEqual(await options('#node-input-transcribeQuality'), offered(telapi.TRANSCRIBE_QUALITIES, defaults.transcribeQuality));
    assert.deepEqual(await fields(Object.keys(defaults)), { ...defaults, maxRecordings: String(defaults.maxRecordings), maxBytes: String(defaults.maxBytes) });
    const spinner = await page.evaluate(() => ['min', 'max'].map((bound) => $('#node-input-maxRecordings').spinner('option', bound)));
    assert.deepEqual(spinner, [1, telapi.MAX_RECORDINGS_LIMIT]);
    await closeDialog();
    const parse = telapi.parseRecordingsOptions;
    await assertSameVerdicts('telapi-recordings', 'maxRecordings', id, parse, numberProbes({ min: 1, max: telapi.MAX_RECORDINGS_LIMIT }));
    await assertSameVerdicts('telapi-recordings', 'maxBytes', id, parse, numberProbes({ min: 1, max: telapi.MAX_DOWNLOAD_BYTES }));
    await assertSameVerdicts('telapi-recordings', 'transcribeCallback', id, parse, [...URL_PROBES, '', '/telapi/transcription', ' /x ']);
  });

  it('telapi-callback: a fresh node has DEFAULT_CALLBACK_SECURITY; its dialog lists CALLBACK_SECURITY_MODES', async () => {
    const id = await h.dragFromPalette(page, 'telapi-callback', 200, 260);
    assert.deepEqual(await properties(id, ['security']), { security: telapi.DEFAULT_CALLBACK_SECURITY });
    await h.openNodeDialog(page, id);
    assert.deepEqual(await options('#node-input-security'), offered(telapi.CALLBACK_SECURITY_MODES, telapi.DEFAULT_CALLBACK_SECURITY));
    assert.equal(await page.locator('#node-input-security').inputValue(), telapi.DEFAULT_CALLBACK_SECURITY);
    await closeDialog();
  });

  it('telapi-account: a fresh account has the runtime\'s DEFAULT_BASE_URL and DEFAULT_TIMEOUT_SECONDS', async () => {
    const id = await h.dragFromPalette(page, 'telapi-record', 200, 340);
    await h.openNodeDialog(page, id);
    await h.addConfigNode(page, 'account');
    await page.locator('#node-config-input-baseUrl').waitFor({ state: 'attached' });
    await h.waitForTrays(page, { opened: true });
    assert.deepEqual(await fields(['service', 'baseUrl', 'publicUrl', 'timeout'], 'node-config-input'),
      { service: 'telapi', baseUrl: DEFAULT_BASE_URL, publicUrl: '', timeout: String(DEFAULT_TIMEOUT_SECONDS) });
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await closeDialog();
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
