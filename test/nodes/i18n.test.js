'use strict';
// Every user-visible string comes from a message catalog, and every catalog exists in every language:
// - en-US and de have the same keys for every node, with the same __placeholders__ in each message;
// - every key the editor files (data-i18n, RED._, this._, helpers) and the runtimes (RED._, helpers,
//   template keys built from error kinds and reasons) use exists in the catalogs;
// - every node has a help file in every language.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const NODES_DIR = path.join(ROOT, 'nodes');
const SOURCES_DIR = path.join(ROOT, 'src', 'nodes');
/** Editor files live in nodes/, runtime sources in src/nodes/. */
const fileOf = (file) => path.join(file.endsWith('.ts') ? SOURCES_DIR : NODES_DIR, file);
const LOCALES_DIR = path.join(NODES_DIR, 'locales');
const LANGUAGES = ['en-US', 'de'];
const TYPES = Object.keys(require(path.join(ROOT, 'package.json'))['node-red'].nodes);
/** Every node type with a catalog: the registered ones, and any whose runtime is built before its editor. */
const CATALOG_TYPES = [...new Set([...TYPES, ...fs.readdirSync(path.join(ROOT, 'nodes', 'locales', 'en-US')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))])];
const telapi = require(path.join(ROOT, 'dist', 'telapi'));
const callbackCore = require(path.join(ROOT, 'dist', 'nodes', 'shared', 'body'));

// ---------------------------------------------------------------------------------------------
// Catalog helpers

function catalog(lang, type) {
  return JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, `${type}.json`), 'utf8'));
}

/** { 'telapi-record.errors.http': 'TelAPI __status__: __message__', … } */
function flatten(object, prefix = '', into = {}) {
  for (const [key, value] of Object.entries(object)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, name, into);
    else into[name] = value;
  }
  return into;
}

const catalogs = {};
for (const lang of LANGUAGES) {
  catalogs[lang] = {};
  for (const type of CATALOG_TYPES) {
    const file = path.join(LOCALES_DIR, lang, `${type}.json`);
    catalogs[lang][type] = fs.existsSync(file) ? flatten(catalog(lang, type)) : undefined;
  }
}
const allKeys = new Set(CATALOG_TYPES.flatMap((type) => Object.keys(catalogs['en-US'][type] ?? {})));

const placeholders = (text) => [...String(text).matchAll(/__([A-Za-z0-9]+)__/g)].map((m) => m[1]).sort();

// ---------------------------------------------------------------------------------------------
// Source scanning: the first argument of every translating call, as source text.

/** Reads one JS/TS argument starting at `start` (just after "(" or ","); returns its text and end. */
function readArgument(source, start) {
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === "'" || c === '"' || c === '`') {
      const quote = c;
      i++;
      while (i < source.length && source[i] !== quote) {
        if (source[i] === '\\') i++;
        else if (quote === '`' && source[i] === '$' && source[i + 1] === '{') {
          // Skip ${ … } inside a template (no nested templates in these files).
          let braces = 1;
          i += 2;
          while (i < source.length && braces > 0) {
            if (source[i] === '{') braces++;
            else if (source[i] === '}') braces--;
            if (braces > 0) i++;
          }
        }
        i++;
      }
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
    i++;
  }
  return source.slice(start, i).trim();
}

/** Each call `name(` in `source` (name a regex source, e.g. "RED\\._"), with its first argument. */
function calls(source, name) {
  const found = [];
  const re = new RegExp(`(?<![\\w$.])${name}\\(`, 'g');
  for (const match of source.matchAll(re)) {
    if (/function\s+$/.test(source.slice(Math.max(0, match.index - 12), match.index))) continue; // a definition
    const line = source.slice(0, match.index).split('\n').length;
    found.push({ line, argument: readArgument(source, match.index + match[0].length) });
  }
  return found;
}

const STRING = /^'([^'\\]*)'$|^"([^"\\]*)"$|^`([^`$\\]*)`$/;
const literal = (text) => {
  const m = STRING.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
};

/** `cond ? 'a' : 'b'` (nested too) -> ['a', 'b']; undefined if anything but literals is returned. */
function ternaryLiterals(text) {
  const parts = text.split(/\s*[?:]\s*/);
  if (parts.length < 3 || parts.length % 2 === 0) return undefined;
  const results = parts.filter((_, index) => index > 0 && (index % 2 === 0 || index === parts.length - 1));
  const values = [...new Set([parts[1], ...results].map(literal))];
  return values.every((v) => v !== undefined) ? values : undefined;
}

/**
 * String-literal union types of the sources: `type X = 'a' | 'b' | Y;` resolved through other such
 * types, so that the test follows the code's own lists of problems and reasons.
 */
function unionTypes() {
  const definitions = {};
  const files = [];
  for (const dir of ['nodes', 'telapi']) {
    for (const file of fs.readdirSync(path.join(ROOT, 'src', dir), { recursive: true })) {
      if (file.endsWith('.ts')) files.push(path.join(ROOT, 'src', dir, file));
    }
  }
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|\n)\s*(?:export\s+)?type\s+(\w+)\s*=\s*([^;]+);/g)) {
      definitions[m[1]] = m[2].replace(/\/\/[^\n]*/g, '');
    }
  }
  const resolve = (name, seen = new Set()) => {
    if (seen.has(name)) throw new Error(`type ${name} refers to itself`);
    const body = definitions[name];
    if (body === undefined) throw new Error(`type ${name} not found in src/nodes or src/telapi`);
    return body.split('|').map((s) => s.trim()).filter(Boolean).flatMap((member) => {
      const value = literal(member);
      if (value !== undefined) return [value];
      if (/^\w+$/.test(member)) return resolve(member, new Set([...seen, name]));
      throw new Error(`type ${name}: member ${member} is not a string literal or a type name`);
    });
  };
  return resolve;
}
const union = unionTypes();

// ---------------------------------------------------------------------------------------------
// What each source file may use. A helper is a local function that prefixes a node's namespace;
// a template is a key built at run time, with the list of values it can take.

const prefixAll = (prefix, values) => values.map((v) => `${prefix}${v}`);
/** What resources/telapi-editor.js receiverPathProblem finds wrong with a receiving node's path. */
const PATH_PROBLEMS = ['badUrl', 'adminUrl', 'duplicateUrl'];

const SOURCES = {
  // tr(key) = RED.nodes.getType(type)._(key): the type's translator, which knows the module's catalog.
  'telapi-account.html': { calls: ['this\\._', 'node\\._', 'tr'] },
  'telapi-record.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    // The option lists come from the runtime's rules (src/nodes/shared/editor-rules.ts): a label for every value.
    templates: {
      'telapi-record.action.${action}': () => prefixAll('telapi-record.action.', telapi.RECORD_ACTIONS),
      'telapi-record.direction.${direction}': () => prefixAll('telapi-record.direction.', telapi.RECORD_DIRECTIONS),
      'telapi-record.fileFormat.${format}': () => prefixAll('telapi-record.fileFormat.', telapi.FILE_FORMATS),
      'telapi-record.quality.${quality}': () => prefixAll('telapi-record.quality.', telapi.TRANSCRIBE_QUALITIES),
      'telapi-record.nodeLabel.${action}': () => prefixAll('telapi-record.nodeLabel.', telapi.RECORD_ACTIONS),
    },
  },
  'telapi-call.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    // A path that names no node of the field's kind: a voice node for the Voice URL, a callback node for the others.
    templates: {
      'telapi-call.warn.noNode.${TARGETS[field]}': () => prefixAll('telapi-call.warn.noNode.', ['telapi-voice', 'telapi-callback']),
      'telapi-call.warn.signedElsewhere.${TARGETS[field]}': () => prefixAll('telapi-call.warn.signedElsewhere.', ['telapi-voice', 'telapi-callback']),
    },
  },
  'telapi-callback.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    helpers: { translate: { prefix: 'telapi-callback.', argument: 1, definition: "node._('telapi-callback.' + key, params)" } },
    helperBodies: ["'telapi-callback.' + key"],
    templates: {
      'security.${mode}': () => prefixAll('telapi-callback.security.', telapi.CALLBACK_SECURITY_MODES),
      'validation.${found.problem}': () => prefixAll('telapi-callback.validation.', PATH_PROBLEMS),
    },
  },
  'telapi-voice.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    templates: {
      'telapi-voice.security.${mode}': () => prefixAll('telapi-voice.security.', telapi.CALLBACK_SECURITY_MODES),
      'telapi-voice.validation.${found.problem}': () => prefixAll('telapi-voice.validation.', PATH_PROBLEMS),
      // The problems of GET telapi-voice/url (src/nodes/voice/voice-url.ts).
      'telapi-voice.url.${answer.problem}': () => prefixAll('telapi-voice.url.', ['noAccount', 'noPublicUrl', 'badPath']),
    },
  },
  'telapi-inboundxml.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    templates: {
      // resources/telapi-editor.js checkVerbs: the reasons of the runtime's TelApiInputError.
      'telapi-inboundxml.errors.input.${problem.reason}': () => prefixAll('telapi-inboundxml.errors.input.', telapi.INPUT_ERROR_REASONS),
    },
  },
  'account/telapi-account.ts': { calls: ['RED\\._'] },
  // The record and recordings nodes' errors and close logs come from the request-node base: see below.
  'record/telapi-record.ts': { calls: ['RED\\._'] },
  'telapi-recordings.html': {
    calls: ['this\\._', 'node\\._', 'tr'],
    templates: {
      'telapi-recordings.operation.${operation}': () => prefixAll('telapi-recordings.operation.', telapi.RECORDINGS_OPERATIONS),
      'telapi-recordings.nodeLabel.${operation}': () => prefixAll('telapi-recordings.nodeLabel.', telapi.RECORDINGS_OPERATIONS),
      'telapi-recordings.quality.${quality}': () => prefixAll('telapi-recordings.quality.', telapi.TRANSCRIBE_QUALITIES),
      // wholeNumber(name): the limits the runtime exports (recordingsRules in src/nodes/shared/editor-rules.ts).
      'telapi-recordings.validation.${name}': () => prefixAll('telapi-recordings.validation.', ['maxRecordings', 'maxBytes']),
    },
  },
  'recordings/telapi-recordings.ts': {
    calls: ['RED\\._'],
    templates: {
      'telapi-recordings.operation.${operation}': () => prefixAll('telapi-recordings.operation.', telapi.RECORDINGS_OPERATIONS),
    },
  },
  // The callback node's texts come from the receiver-node base: see below.
  'callback/telapi-callback.ts': { calls: ['RED\\._'] },
  'voice/telapi-voice.ts': { calls: ['RED\\._'] },
  'inboundxml/telapi-inboundxml.ts': { calls: ['RED\\._'] },
  'call/telapi-call.ts': { calls: ['RED\\._'] },
};

/** Every key a source file uses, with where; throws on a translating call the test cannot follow. */
function usedKeys(file) {
  const source = fs.readFileSync(fileOf(file), 'utf8');
  const spec = SOURCES[file];
  const used = [];
  const problems = [];
  const add = (keys, line, how) => keys.forEach((key) => used.push({ key, where: `${file}:${line} (${how})` }));

  if (file.endsWith('.html')) {
    for (const m of source.matchAll(/data-i18n="([^"]+)"/g)) {
      const line = source.slice(0, m.index).split('\n').length;
      // data-i18n="[placeholder]a.b;[html]c.d"
      add(m[1].split(';').map((k) => k.replace(/^\[[^\]]+\]/, '').trim()).filter(Boolean), line, 'data-i18n');
    }
  }
  const check = (argument, line, prefix, how) => {
    const value = literal(argument);
    if (value !== undefined) return add([prefix + value], line, how);
    const choices = ternaryLiterals(argument);
    if (choices) return add(choices.map((c) => prefix + c), line, how);
    const template = /^`([^`]*)`$/.exec(argument);
    if (template && spec.templates && Object.hasOwn(spec.templates, template[1])) {
      return add(spec.templates[template[1]](), line, `${how} ${argument}`);
    }
    if ((spec.helperBodies ?? []).includes(argument)) return undefined; // a helper's own body
    problems.push(`${file}:${line}: ${how}(${argument}) builds a key this test cannot follow; use a literal key, or list the template in SOURCES of test/nodes/i18n.test.js`);
    return undefined;
  };
  if (file.endsWith('.html')) {
    // In the editor, RED._ is the editor's own translator: it cannot see a node module's catalog
    // and would show the bare key (e.g. as a validation tooltip).
    for (const { line, argument } of calls(source, 'RED\\._')) {
      if (/^['"`]telapi-/.test(argument)) problems.push(`${file}:${line}: RED._(${argument}) shows the bare key in the editor; use this._ or the type's _`);
    }
  }
  for (const name of spec.calls) {
    for (const { line, argument } of calls(source, name)) check(argument, line, '', name.replace(/\\/g, ''));
  }
  for (const [name, helper] of Object.entries(spec.helpers ?? {})) {
    if (!source.includes(helper.definition)) {
      problems.push(`${file}: helper ${name} is no longer defined as ${helper.definition}; update SOURCES in test/nodes/i18n.test.js`);
      continue;
    }
    for (const m of source.matchAll(new RegExp(`(?<![\\w$.])${name}\\(`, 'g'))) {
      const line = source.slice(0, m.index).split('\n').length;
      let at = m.index + m[0].length;
      let argument = readArgument(source, at);
      for (let n = 0; n < helper.argument; n++) {
        at = source.indexOf(',', at + argument.length) + 1;
        argument = readArgument(source, at);
      }
      if (/function\s+$/.test(source.slice(Math.max(0, m.index - 12), m.index))) continue; // its definition
      check(argument, line, helper.prefix, name);
    }
  }
  return { used, problems };
}

// ---------------------------------------------------------------------------------------------

describe('i18n: message catalogs and help in en-US and de', () => {
  it('has a catalog and a help file for every node in every language', () => {
    const missing = [];
    for (const lang of LANGUAGES) {
      for (const type of TYPES) {
        for (const ext of ['json', 'html']) {
          const file = path.join(LOCALES_DIR, lang, `${type}.${ext}`);
          if (!fs.existsSync(file)) missing.push(path.relative(ROOT, file));
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('has help that documents its own node type, in every language', () => {
    for (const lang of LANGUAGES) {
      for (const type of TYPES) {
        const help = fs.readFileSync(path.join(LOCALES_DIR, lang, `${type}.html`), 'utf8');
        assert.match(help, new RegExp(`<script type="text/html" data-help-name="${type}">`), `${lang}/${type}.html`);
        assert.ok(help.replace(/<[^>]+>/g, '').trim().length > 200, `${lang}/${type}.html has real content`);
      }
    }
  });

  it('uses only the node\'s own namespace in each catalog', () => {
    for (const lang of LANGUAGES) {
      for (const type of CATALOG_TYPES) assert.deepEqual(Object.keys(catalog(lang, type)), [type], `${lang}/${type}.json`);
    }
  });

  for (const type of CATALOG_TYPES) {
    it(`${type}: en-US and de have the same keys`, () => {
      const en = Object.keys(catalogs['en-US'][type]);
      const de = Object.keys(catalogs.de[type]);
      assert.deepEqual({ missingInDe: en.filter((k) => !de.includes(k)), missingInEnUS: de.filter((k) => !en.includes(k)) },
        { missingInDe: [], missingInEnUS: [] });
    });

    it(`${type}: every message is a non-empty string with the same __placeholders__ in both languages`, () => {
      const problems = [];
      for (const [key, en] of Object.entries(catalogs['en-US'][type])) {
        const de = catalogs.de[type][key];
        for (const [lang, text] of [['en-US', en], ['de', de]]) {
          if (typeof text !== 'string' || text.trim() === '') problems.push(`${lang} ${key}: ${JSON.stringify(text)}`);
        }
        if (typeof de === 'string' && placeholders(en).join() !== placeholders(de).join()) {
          problems.push(`${key}: en-US has ${placeholders(en)}, de has ${placeholders(de)}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('the reason and kind lists exported by dist/telapi are complete (compile-checked) and non-empty', () => {
    assert.ok(telapi.INPUT_ERROR_REASONS.length >= 10);
    assert.ok(telapi.TELAPI_ERROR_KINDS.includes('http'));
    assert.ok(Object.keys(callbackCore.REJECTION_STATUS).length > 0);
  });

  for (const file of Object.keys(SOURCES)) {
    it(`${file}: every message key it uses exists in the catalogs`, function () {
      if (!fs.existsSync(fileOf(file))) this.skip();
      const { used, problems } = usedKeys(file);
      if (file.endsWith('.html')) assert.ok(used.length > 0, `${file} uses message keys`);
      const missing = used.filter(({ key }) => !allKeys.has(key)).map(({ key, where }) => `${key} at ${where}`);
      assert.deepEqual({ unfollowable: problems, missing }, { unfollowable: [], missing: [] });
    });
  }

  // The request-node base (src/nodes/shared/request-node.ts) reads these keys of each type's catalog,
  // and each type names its requests (`describe`) by the keys listed here.
  // Its errors (src/nodes/shared/errors.ts): every input reason, every kind of TelApiError, and of
  // DownloadError and JoinError (with the names of what may differ) for the node that downloads.
  const REQUEST_NODE_KEYS = ['errors.noAccount', 'errors.missingCredentials', 'errors.invalidAccountSid', 'errors.invalidBaseUrl',
    'warn.closed.done', 'warn.closed.failed', 'warn.closed.refused', 'warn.closed.cancelled',
    ...prefixAll('errors.input.', telapi.INPUT_ERROR_REASONS),
    ...prefixAll('errors.', [...telapi.TELAPI_ERROR_KINDS, 'httpWithCode', 'invalidContent'])];
  const DESCRIBED = {
    'telapi-record': ['describe.start', 'describe.stop', 'result'],
    'telapi-recordings': ['describe.list', 'describe.recording', 'describe.join', ...prefixAll('errors.join.', telapi.JOIN_ERROR_KINDS), ...prefixAll('errors.download.', [...telapi.DOWNLOAD_ERROR_KINDS, 'deadline']),
      ...prefixAll('errors.join.', telapi.JOIN_ERROR_KINDS), ...prefixAll('errors.join.property.', telapi.JOIN_MISMATCH_PROPERTIES)],
    'telapi-call': ['describe.call', 'result'],
  };
  for (const [type, own] of Object.entries(DESCRIBED)) {
    it(`${type}: has every key the request-node base reads`, () => {
      const missing = [...REQUEST_NODE_KEYS, ...own].filter((key) => !allKeys.has(`${type}.${key}`));
      assert.deepEqual(missing, []);
    });
  }

  // The receiver-node base (src/nodes/shared/receiver-node.ts, reachability.ts) reads these keys of
  // each receiving type's catalog.
  const RECEIVER_NODE_KEYS = [
    ...prefixAll('errors.', [...union('ConfigProblem'), 'duplicateUrl', 'internal']),
    ...prefixAll('status.', [...union('ConfigProblem'), 'duplicateUrl', 'rejected', 'received']),
    ...prefixAll('reason.', [...Object.keys(callbackCore.REJECTION_STATUS), ...union('Refusal')]),
    ...prefixAll('warn.', ['rejected', 'rejectedSummary', 'middleware', 'middlewareSummary', 'httpNodeAuth', 'shadowsHttpIn']),
    'log.promoted', 'log.reachable', 'warn.unreachable', 'http.notAllowed',
    // The dialog's validators of account, url and security (resources/telapi-editor.js receiverProperties),
    ...prefixAll('validation.', ['account', 'security', ...PATH_PROBLEMS]),
    // Its label and warnings (receiverProperties, receiverTips).
    'paletteLabel', 'tip.noNodeRoot',
    // The reachability test of the dialog (resources/telapi-editor.js reachabilityTest).
    ...prefixAll('test.', ['button', 'hint', 'running', 'sentTo', 'failed', 'signedElsewhere']),
    // The deploy-time check logs the finding in the dialog's words.
    ...prefixAll('test.cause.', [...union('Cause'), 'noPublicUrl', 'notDeployed', 'misconfigured']),
  ];
  for (const type of ['telapi-callback', 'telapi-voice']) {
    it(`${type}: has every key the receiver-node base reads`, () => {
      const missing = RECEIVER_NODE_KEYS.filter((key) => !allKeys.has(`${type}.${key}`));
      assert.deepEqual(missing, []);
    });
  }

  it('scans every editor and runtime file of the nodes', () => {
    const files = [...fs.readdirSync(NODES_DIR), ...fs.readdirSync(SOURCES_DIR, { recursive: true })].filter((f) => /^telapi-.*\.(html|ts)$/.test(path.basename(f)));
    assert.ok(files.filter((f) => f.endsWith('.ts')).length >= 4, 'the runtime files were found');
    assert.deepEqual(files.filter((f) => !SOURCES[f]), [], 'add new node files to SOURCES');
  });

  it('each <select> option and each label of the editor has a message in the catalog (no hard-coded text)', () => {
    const problems = [];
    for (const type of TYPES) {
      const html = fs.readFileSync(path.join(NODES_DIR, `${type}.html`), 'utf8');
      const template = (/<script type="text\/html" data-template-name="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '')
        .replace(/<style>[\s\S]*?<\/style>/g, '');
      // Text between tags, other than whitespace and &nbsp;, means a hard-coded string.
      for (const m of template.matchAll(/>([^<]+)</g)) {
        const text = m[1].replace(/&nbsp;/g, '').trim();
        if (text) problems.push(`${type}.html: hard-coded text ${JSON.stringify(text)}`);
      }
      for (const m of template.matchAll(/<option\b[^>]*>/g)) {
        if (!/data-i18n=/.test(m[0])) problems.push(`${type}.html: option without data-i18n: ${m[0]}`);
      }
      for (const m of template.matchAll(/\splaceholder="([^"]*)"/g)) problems.push(`${type}.html: hard-coded placeholder ${m[1]}`);
    }
    assert.deepEqual(problems, []);
  });
});
