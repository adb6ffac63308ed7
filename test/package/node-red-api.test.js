'use strict';
// The package declares `"node-red": { "version": ">=3.1.0" }`. The compat legs run everything on
// 3.1, 4.1 and 5.0; these checks keep the code from reaching for an API that some supported release
// lacks without anyone noticing (a new RED.* member must be looked up in Node-RED 3.1.0 and added
// here).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.join(__dirname, '..', '..');
const NODES = path.join(ROOT, 'src', 'nodes');
/** What the editor loads: each node type's .html (nodes/) and the script they share (resources/). */
const EDITOR_NODES = path.join(ROOT, 'nodes');
const SHARED_SCRIPT = 'resources/telapi-editor.js';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const editorFiles = fs.readdirSync(EDITOR_NODES).filter((f) => f.endsWith('.html')).sort();
const runtimeFiles = fs.readdirSync(NODES, { recursive: true }).filter((f) => f.endsWith('.ts')).sort();
const editorRules = require(path.join(ROOT, 'dist', 'nodes', 'shared', 'editor-rules'));

// Each of these is in Node-RED 3.1.0 with the behaviour the code relies on (read in 3.1.0's
// @node-red/editor-client red.js and @node-red/runtime / registry).
const EDITOR_API = new Set([
  'RED._', // the editor's catalog (named in comments: the nodes use their type's own translator)
  'RED.nodes.registerType', // definitions with defaults/credentials validators of the form (v, opt): 3.1.0
  'RED.nodes.getType', // a definition's own translator `_`
  'RED.nodes.node', // a config node by id
  'RED.nodes.eachNode', // the workspace's flow nodes: another callback or voice node on the same path
  'RED.nodes.eachConfig', // the accounts an InboundXML preview can be built for
  'RED.nodes.filterLinks', // the wires into an InboundXML node: the voice node before it, whose account its preview uses
  'RED.editor.validateNode', // a callback or voice node's path marks checked again after another changed (as core's function node does)
  'RED.view.redraw', // the marks shown again
  'RED.settings', // httpNodeRoot, and the node settings registerType exports (`settings`, exportable: the rules)
]);
const RUNTIME_API = new Set([
  'RED._',
  'RED.nodes.createNode',
  'RED.nodes.getNode',
  'RED.nodes.registerType', // with the `credentials` and `settings` (exportable node settings) options
  'RED.settings', // httpNodeRoot, httpNodeMiddleware (function or array), httpNodeCors
  'RED.httpNode',
  'RED.httpAdmin', // to tell whether a path belongs to the editor's admin API, and the callback test route
  'RED.auth', // RED.auth.needsPermission for that route, as 3.1's own inject node uses it
  'RED.auth.needsPermission',
  'RED.util', // RED.util.cloneMessage: whether a message can be handed to Catch
  'RED.util.cloneMessage',
  'RED.nodes.eachNode', // the flows' node definitions, to warn about a core http in node on a callback node's path
]);

/** The RED.x or RED.x.y member chains a source uses (comments and strings included: better too many). */
function redMembers(source) {
  return new Set([...source.matchAll(/\bRED((?:\.[A-Za-z_$][\w$]*){1,2})/g)].map((m) => {
    const chain = `RED${m[1]}`;
    // RED.nodes.x and RED.x: keep two levels for namespaces, one for plain members (RED._, RED.settings).
    return /^RED\.(nodes|editor|validators|utils|view|popover|tabs|tray|notify|i18n)\./.test(chain) ? chain : `RED.${m[1].split('.')[1]}`;
  }));
}

/**
 * The definitions an editor .html registers, evaluated as the editor loads them: its shared script
 * first, then its own, with a stub RED that holds the runtime's rules as settings (only registerType
 * runs at load).
 */
function editorDefinitions(file) {
  const html = fs.readFileSync(path.join(EDITOR_NODES, file), 'utf8');
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  if (html.includes(`<script src="resources/${pkg.name}/${path.basename(SHARED_SCRIPT)}"></script>`)) {
    scripts.unshift(fs.readFileSync(path.join(ROOT, SHARED_SCRIPT), 'utf8'));
  }
  const definitions = {};
  const settings = {
    telapiAccountRules: editorRules.accountRules({}),
    telapiRecordRules: editorRules.recordRules(),
    telapiRecordingsRules: editorRules.recordingsRules(),
    telapiCallbackRules: editorRules.callbackRules({}),
    telapiVoiceRules: editorRules.voiceRules({}),
    telapiInboundxmlRules: editorRules.inboundxmlRules('zang'),
    telapiCallRules: editorRules.callRules(),
  };
  const sandbox = { RED: { settings, nodes: { registerType: (type, def) => { definitions[type] = def; } } } };
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  for (const script of scripts) vm.runInContext(script, sandbox);
  return definitions;
}

describe('Node-RED API: only what Node-RED 3.1 offers', () => {
  it('the package declares Node-RED >=3.1.0', () => {
    assert.equal(pkg['node-red'].version, '>=3.1.0');
  });

  for (const file of editorFiles) {
    it(`${file}: every validator has the form (v, opt), so that Node-RED 3.1+ shows its reason`, () => {
      const definitions = editorDefinitions(file);
      assert.ok(Object.keys(definitions).length > 0, `${file} registers a type`);
      for (const [type, def] of Object.entries(definitions)) {
        for (const group of ['defaults', 'credentials']) {
          for (const [property, spec] of Object.entries(def[group] ?? {})) {
            if (spec.validate === undefined) continue;
            // A one-argument validator's string counts as "valid" on every release.
            assert.equal(spec.validate.length, 2, `${type}.${group}.${property}: validate(v, opt)`);
          }
        }
      }
    });

  }

  for (const file of [...editorFiles.map((f) => `nodes/${f}`), SHARED_SCRIPT]) {
    it(`${file}: uses only editor APIs that Node-RED 3.1.0 has`, () => {
      const used = [...redMembers(fs.readFileSync(path.join(ROOT, file), 'utf8'))].filter((m) => !EDITOR_API.has(m));
      assert.deepEqual(used, [], 'check these in Node-RED 3.1.0 and add them to EDITOR_API');
    });
  }

  for (const file of runtimeFiles) {
    it(`${file}: uses only runtime APIs that Node-RED 3.1.0 has`, () => {
      const used = [...redMembers(fs.readFileSync(path.join(NODES, file), 'utf8'))].filter((m) => !RUNTIME_API.has(m));
      assert.deepEqual(used, [], 'check these in Node-RED 3.1.0 and add them to RUNTIME_API');
    });
  }
});
