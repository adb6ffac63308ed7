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

  it('telapi-voice: a fresh node has the contract\'s defaults; its dialog lists CALLBACK_SECURITY_MODES and holds the timeout and fallback to the runtime\'s rules', async () => {
    const defaults = { security: telapi.DEFAULT_CALLBACK_SECURITY, timeout: telapi.DEFAULT_VOICE_TIMEOUT_SECONDS, fallback: telapi.DEFAULT_FALLBACK };
    const id = await h.dragFromPalette(page, 'telapi-voice', 200, 420);
    assert.deepEqual(await properties(id, Object.keys(defaults)), defaults);
    await h.openNodeDialog(page, id);
    assert.deepEqual(await options('#node-input-security'), offered(telapi.CALLBACK_SECURITY_MODES, defaults.security));
    assert.deepEqual(await fields(Object.keys(defaults)), { ...defaults, timeout: String(defaults.timeout) });
    const spinner = await page.evaluate(() => ['min', 'max'].map((bound) => $('#node-input-timeout').spinner('option', bound)));
    assert.deepEqual(spinner, [1, telapi.MAX_VOICE_TIMEOUT_SECONDS]);
    await closeDialog();
    const parse = (options) => {
      if ('timeout' in options && telapi.voiceTimeoutSeconds(options.timeout) === undefined) throw new Error('timeout');
      if ('fallback' in options && telapi.fallbackDocument(options.fallback) === undefined) throw new Error('fallback');
    };
    await assertSameVerdicts('telapi-voice', 'timeout', id, parse, numberProbes({ min: 1, max: telapi.MAX_VOICE_TIMEOUT_SECONDS }));
    await assertSameVerdicts('telapi-voice', 'fallback', id, parse, [
      '', '  ', telapi.DEFAULT_FALLBACK, '<Response/>', '<Response />', '<Response></Response>', ' <Response><Hangup/></Response> ',
      '<?xml version="1.0"?><Response><Hangup/></Response>', '<?xml version="1.0"?>\n<Response></Response>', '<Responses></Responses>',
      '<Response>', 'Hangup', '<Say>hi</Say>', '<response></response>', '<Response><Hangup/></Response>x', '<?xml <Response/>',
    ]);
  });

  it('telapi-inboundxml: a fresh node has no verbs; the dialog finds what the runtime\'s deploy check finds, first problem first, on every attribute of the verb table', async () => {
    const id = await h.dragFromPalette(page, 'telapi-inboundxml', 200, 500);
    assert.deepEqual(await properties(id, ['verbs']), { verbs: [] });
    const rules = await page.evaluate(() => RED.settings.telapiInboundxmlRules);
    const verbs = telapi.INBOUNDXML_VERBS;
    assert.deepEqual(rules.verbs, JSON.parse(JSON.stringify(verbs)), 'the editor has the runtime\'s verb table');
    const service = rules.checkService;
    const probes = [];
    // Each attribute of each verb, with values on and around what its kind takes.
    const values = (spec) => {
      switch (spec.kind) {
        case 'enum': return [...spec.values, spec.values[0].toUpperCase(), ...Object.keys(spec.aliases ?? {}), 'nope', ''];
        case 'integer': return [String(spec.min), String(spec.min - 1), `+${spec.min + 1}`, ` ${spec.min} `, '1.5', '0x1', 'abc', '1e3',
          ...(spec.max === undefined ? ['99999999999999999999'] : [String(spec.max), String(spec.max + 1)])];
        case 'boolean': return ['true', 'False', '1', '0', 'yes', ' TRUE '];
        case 'url': return ['/telapi/next', 'https://example.com/x?y=1', 'ftp://example.com', 'example.com', 'http://exa mple.com', ' /x '];
        case 'dtmf': return [spec.keys, `${spec.keys[0]}x`, ' '];
        default: return ['anything', '<&>'];
      }
    };
    const parentOf = (name) => Object.keys(verbs).find((parent) => verbs[parent].children.includes(name));
    const place = (item) => (verbs[item.verb].topLevel ? [item] : [{ verb: parentOf(item.verb), children: [item] }]);
    const base = (name) => {
      const item = { verb: name, attributes: {} };
      if (verbs[name].text?.required) item.text = verbs[name].text.kind === 'url' ? '/x' : 'text';
      for (const [attribute, spec] of Object.entries(verbs[name].attributes)) if (spec.required && spec.fill === undefined) item.attributes[attribute] = spec.kind === 'url' ? '/x' : 'x';
      return item;
    };
    for (const name of Object.keys(verbs)) {
      probes.push(place(base(name)));
      for (const [attribute, spec] of Object.entries(verbs[name].attributes)) {
        for (const value of [...values(spec), '{{payload.x}}', 7, true, { nested: 1 }]) {
          probes.push(place({ ...base(name), attributes: { ...base(name).attributes, [attribute]: value } }));
        }
      }
      if (verbs[name].text) for (const value of [...values(verbs[name].text), '{{payload.x}}']) probes.push(place({ ...base(name), text: value }));
      else probes.push(place({ ...base(name), text: 'no text here' }), place({ ...base(name), text: '' }));
    }
    // What the dialog cannot make but an imported flow can hold.
    probes.push(
      [{ verb: 'Shout' }], [{ verb: 'Number', text: '+1555' }], [{ verb: 'Say', text: 'hi', extra: 1 }], [{ verb: 'Say', attributes: { bogus: '1' } }],
      [{ verb: 'Say', attributes: [] }], [{ verb: 'Gather', children: [{ verb: 'Hangup' }] }], [{ verb: 'Hangup', children: [{ verb: 'Say' }] }],
      [{ verb: 'Gather', children: {} }], [{ verb: 'Sms', text: 'hi' }], [{ verb: 'Play' }], 'not a list', [null], [{ verb: 7 }], [],
      [{ verb: 'Dial', children: [{ verb: 'Number', text: '+1555', attributes: { sendDigits: '12w#' } }, { verb: 'Conference', text: 'room', attributes: { maxParticipants: '41' } }] }],
    );
    const runtime = probes.map((probe) => {
      try {
        telapi.checkInboundXmlVerbs(probe, service);
        return null;
      } catch (error) {
        return { field: error.field, reason: error.reason };
      }
    });
    const inEditor = await page.evaluate(({ list, nodeId }) => {
      const validate = RED.nodes.getType('telapi-inboundxml').defaults.verbs.validate;
      return list.map((probe) => {
        const first = window.telapiEditor.checkVerbs(probe, RED.settings.telapiInboundxmlRules.checkService)[0];
        const verdict = validate.call(RED.nodes.node(nodeId), probe, {});
        return { first: first ? { field: first.field, reason: first.reason } : null, valid: verdict === true, text: verdict };
      });
    }, { list: probes, nodeId: id });
    const disagreements = probes.map((probe, i) => ({ probe: JSON.stringify(probe), runtime: runtime[i], editor: inEditor[i].first }))
      .filter(({ runtime: r, editor: e }) => JSON.stringify(r) !== JSON.stringify(e));
    assert.deepEqual(disagreements, []);
    assert.ok(probes.length > 500 && runtime.filter(Boolean).length > 200, `${probes.length} probes, ${runtime.filter(Boolean).length} refused`);
    for (const [i, { valid, text }] of inEditor.entries()) {
      assert.equal(valid, runtime[i] === null, JSON.stringify(probes[i]));
      if (!valid) assert.match(text, new RegExp(`^Invalid ${runtime[i].field.replace(/[[\].]/g, '\\$&')}: `), 'the node\'s mark names the field as the runtime does');
    }
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

  it('telapi-account: the dialog judges a public URL\'s host by the runtime\'s isLocalOnlyHost and privatePublicHost', async () => {
    // Around each network's edges, IPv4 inside IPv6 (mapped, NAT64), the names, as the two URL parsers write them.
    const hosts = [
      '127.0.0.1', '126.255.255.255', '0.0.0.0', '10.0.0.1', '9.255.255.255', '11.0.0.0', '100.64.0.1', '100.127.255.255', '100.128.0.0',
      '169.254.169.254', '169.255.0.1', '172.16.0.1', '172.31.255.255', '172.15.255.255', '172.32.0.1', '192.168.1.20', '192.169.0.1',
      '192.0.2.1', '198.18.0.1', '198.20.0.1', '203.0.113.5', '224.0.0.1', '255.255.255.255', '8.8.8.8', '93.184.215.14',
      '0x7f.1', '017700000001', '2130706433', '[::1]', '[::]', '[::a00:1]', '[fc00::1]', '[fdff:ffff::1]', '[fe00::1]', '[fe80::1%25eth0]',
      '[fe80::1]', '[febf::1]', '[fec0::1]', '[ff02::1]', '[2001:db8::1]', '[2001:db9::1]', '[2606:4700::1111]', '[100::1]', '[100:0:0:1::1]',
      '[::ffff:127.0.0.1]', '[::ffff:8.8.8.8]', '[::ffff:0:8.8.8.8]', '[64:ff9b::10.1.2.3]', '[64:ff9b::8.8.8.8]', '[64:ff9b:1::1]', '[64:ff9b:2::1]',
      'localhost', 'LOCALHOST.', 'api.localhost', 'nr.local', 'local', 'x.home.arpa', 'home.arpa', 'pi.lan', 'svc.internal', 'x.intranet',
      'box.localdomain', 'raspberrypi', 'example.com', 'nr.example.com', 'localhost.example.com', 'lan.example.org', 'xn--bcher-kva.example',
    ];
    const urls = hosts.map((host) => `https://${host}:1880/api`);
    const bases = ['https://api.zang.io/v2', 'http://127.0.0.1:8089/v2', 'http://sim.local/v2', 'not a url'];
    const inEditor = await page.evaluate(({ list, apis }) => list.map((url) => {
      let host = null;
      try { host = new URL(url).hostname; } catch { /* as the runtime: no host */ }
      return { host, local: host === null ? null : window.telapiEditor.isLocalOnlyHost(host), private: apis.map((api) => window.telapiEditor.privatePublicHost(url, api)) };
    }), { list: urls, apis: bases });
    const inRuntime = urls.map((url) => {
      const host = telapi.parseHttpUrl(url)?.hostname ?? null;
      return { host, local: host === null ? null : telapi.isLocalOnlyHost(host), private: bases.map((api) => telapi.privatePublicHost(url, api) ?? null) };
    });
    assert.deepEqual(inEditor, inRuntime);
    assert.ok(inRuntime.filter((r) => r.local).length > 30 && inRuntime.filter((r) => r.local === false).length > 10, 'probes on both sides');
  });

  it('telapi-record: the dialog tells a URL signed elsewhere than the public URL by the runtime\'s signedElsewhere', async () => {
    const values = ['https://other.example.com/telapi/cb', 'https://nr.example.com/telapi/cb', 'HTTPS://NR.example.com:443/telapi/cb/', 'https://nr.example.com:8443/telapi/cb',
      'http://nr.example.com/telapi/cb', 'https://nr.example.com/nr/api/telapi/cb', 'https://u:p@nr.example.com/nr/api/Telapi/CB?token=x', 'https://h/x-telapi/cb',
      'https://other.example.com/telapi/other', '/telapi/cb', ' /x ', '', '${URL}', 'ftp://nr.example.com/telapi/cb', 'https://exa mple.com/telapi/cb', 'https://[::1]:1880/telapi/cb'];
    const publicUrls = ['https://nr.example.com', 'https://nr.example.com/nr/api/', 'HTTPS://NR.EXAMPLE.COM:443', '', 'not a url', 'https://[::1]:1880'];
    const paths = ['/telapi/cb', '/Telapi/CB/', '/', '/cb'];
    const cases = values.flatMap((value) => publicUrls.flatMap((publicUrl) => paths.map((path) => [value, publicUrl, path])));
    const inEditor = await page.evaluate((list) => list.map(([v, u, p]) => window.telapiEditor.signedElsewhere(v, u, p)), cases);
    const disagreements = cases.filter((c, i) => inEditor[i] !== telapi.signedElsewhere(...c));
    assert.deepEqual(disagreements, []);
    assert.ok(inEditor.filter(Boolean).length > 20 && inEditor.filter((v) => !v).length > 100, 'probes on both sides');
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
