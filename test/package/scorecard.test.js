'use strict';
// The Flow Library scorecard, offline: the checks of `node-red-dev validate`
// (github.com/node-red/node-red-dev-cli, src/libs/checkpackage.js, checknodes.js, checkdeps.js and
// docs/*.md) that need no network, implemented from their source, plus what `npm pack` ships.
//
//   P01 license                      P05 `node-red` keyword           N02 an example for every node
//   P03 repository or bugs           P06 node-red.version, satisfied  D01 at most 6 dependencies
//   P04 scoped name (new packages)       by current Node-RED releases D02 no known-bad package in the
//                                    P07 engines.node, satisfied by       production dependency tree
//                                        the latest Node-RED's minimum
//   and the node definitions the tool parses (registerType with inline defaults, icon, color, …).
// Not checked here because they need the network: P02 (disabled in the tool), P08 and N01 (the
// catalogue at catalogue.nodered.org), D03 (latest versions on npm).
const assert = require('node:assert/strict');
const { packedFiles } = require('../support/npm');
const { nodeRedPath } = require('../support/red');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const nodeRedDir = path.dirname(require.resolve('node-red/package.json'));
const fromNodeRed = (name) => require(require.resolve(name, { paths: [nodeRedDir, ROOT] }));
const semver = fromNodeRed('semver');

/** Node-RED releases the suite runs against: the devDependency (4.x) and the installed compat/<leg> folders. */
function installedNodeReds() {
  const found = [];
  const compat = path.join(ROOT, 'compat');
  const legs = fs.existsSync(compat) ? fs.readdirSync(compat).map((leg) => path.join(compat, leg, 'node_modules', 'node-red')) : [];
  for (const dir of [nodeRedDir, ...legs]) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const { version, engines } = JSON.parse(fs.readFileSync(file, 'utf8'));
      found.push({ version, node: engines.node, where: path.relative(ROOT, dir) });
    }
  }
  return found;
}
// npm's dist-tags of node-red when this test was written (`npm view node-red dist-tags engines`):
// P06/P07 compare against the `latest` and `*maintenance*` tags. Installed copies are added at run time.
const REGISTRY_SNAPSHOT = [{ version: '5.0.7', node: '>=22.9', where: 'npm latest (snapshot)' }];

/** Node definitions of one editor .html, as checknodes.js getNodeDefinitions reads them. */
function nodeDefinitions(file) {
  const acorn = fromNodeRed('acorn');
  const walk = fromNodeRed('acorn-walk');
  const content = fs.readFileSync(file, 'utf8');
  const parts = [...content.matchAll(/<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi)].map((m) => m[1]);
  assert.ok(parts.length > 0, `${file}: no <script> sections found`);
  const defs = {};
  const errors = [];
  for (const part of parts) {
    walk.simple(acorn.parse(part, { ecmaVersion: 'latest' }), {
      CallExpression(node) {
        if (!node.callee.property || node.callee.property.name !== 'registerType') return;
        const [typeNode, defNode] = node.arguments;
        if (typeNode.type !== 'Literal') return errors.push('non-literal type');
        if (defNode.type !== 'ObjectExpression') return errors.push(`${typeNode.value}: non-objectexpression`);
        const def = (defs[typeNode.value] = {});
        for (const property of defNode.properties) {
          const key = property.key.name;
          if (key === 'defaults' || key === 'credentials') {
            if (!property.value.properties) errors.push(`${typeNode.value}: ${key}-not-inline`);
            else def[key] = property.value.properties.map((p) => p.key.name);
          } else if (['icon', 'color', 'inputs', 'outputs', 'category'].includes(key)) {
            if (property.value.type === 'Literal') def[key] = property.value.value;
            else errors.push(`${typeNode.value}: ${key}-not-inline`);
          }
        }
        return undefined;
      },
    });
  }
  return { defs, errors };
}

function examplesFiles(dir = path.join(ROOT, 'examples')) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? examplesFiles(full) : [full];
  });
}

/**
 * Node types of the core nodes of the Node-RED this leg runs (test/support/red.js): what an example
 * may use besides this package's nodes, down to the oldest supported release.
 */
function coreTypes() {
  const types = new Set(['tab', 'group', 'junction', 'subflow']);
  const coreDir = path.join(path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [nodeRedPath] })), 'core');
  for (const category of fs.readdirSync(coreDir)) {
    for (const file of fs.readdirSync(path.join(coreDir, category))) {
      if (!file.endsWith('.html')) continue;
      for (const m of fs.readFileSync(path.join(coreDir, category, file), 'utf8').matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]);
    }
  }
  return types;
}

describe('Flow Library scorecard (offline checks of node-red-dev validate)', function () {
  this.timeout(60_000);

  describe('package.json', () => {
    it('P01: declares a license, and ships its text', () => {
      assert.equal(typeof pkg.license, 'string');
      assert.ok(pkg.license.length > 0);
      assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')));
    });

    it('P03: links a repository (or a bugs URL/e-mail)', () => {
      assert.ok(pkg.repository || pkg.bugs, 'repository or bugs');
      const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository.url;
      // checkpackage.js isGitUrl
      assert.match(url, /(?:git|ssh|https?|git@[-\w.]+):(\/\/)?(.*?)(\/?|#[-\d\w._]+?)$/);
    });

    it('P04: uses a scoped name, as packages first published after 1 Feb 2022 must', () => {
      assert.match(pkg.name, /^@[a-z\d][\w-.]+\/[a-z\d][\w-.]*$/);
    });

    it('P05: has the node-red keyword (the Flow Library indexes only such packages)', () => {
      assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes('node-red'));
    });

    it('P06: declares the minimum Node-RED version, satisfied by current releases and the ones tested against', () => {
      const range = pkg['node-red'] && pkg['node-red'].version;
      assert.ok(range && semver.validRange(range), `node-red.version ${range} is a semver range`);
      for (const release of [...REGISTRY_SNAPSHOT, ...installedNodeReds()]) {
        assert.ok(semver.satisfies(release.version, range), `Node-RED ${release.version} (${release.where}) satisfies ${range}`);
      }
    });

    it('declares as minimum Node-RED the minor release the oldest compat/ leg tests', () => {
      const compat = path.join(ROOT, 'compat');
      const declared = fs.readdirSync(compat)
        .filter((leg) => fs.existsSync(path.join(compat, leg, 'package.json')))
        .map((leg) => semver.minVersion(JSON.parse(fs.readFileSync(path.join(compat, leg, 'package.json'), 'utf8')).dependencies['node-red']));
      const oldest = declared.reduce((a, b) => (semver.lt(b, a) ? b : a));
      const minimum = semver.minVersion(pkg['node-red'].version);
      assert.equal(`${minimum.major}.${minimum.minor}`, `${oldest.major}.${oldest.minor}`,
        `node-red.version ${pkg['node-red'].version} vs the oldest leg's Node-RED ${oldest}`);
    });

    it('P07: declares engines.node, satisfied by the minimum Node of the latest Node-RED', () => {
      const range = pkg.engines && pkg.engines.node;
      assert.ok(range && semver.validRange(range), `engines.node ${range} is a semver range`);
      const releases = [...REGISTRY_SNAPSHOT, ...installedNodeReds()];
      const latest = releases.reduce((a, b) => (semver.gt(b.version, a.version) ? b : a));
      const minimum = semver.minVersion(latest.node);
      assert.ok(semver.satisfies(minimum, range), `Node ${minimum} (minimum of Node-RED ${latest.version}) satisfies ${range}`);
      assert.ok(semver.satisfies(process.version, range), `this Node ${process.version} satisfies ${range}`);
    });

    it('declares every node file, and each exists with its editor .html beside it (as checknodes.js loads them)', () => {
      const nodes = pkg['node-red'].nodes;
      assert.deepEqual(Object.keys(nodes).sort(), ['telapi-account', 'telapi-call', 'telapi-callback', 'telapi-inboundxml', 'telapi-record', 'telapi-recordings', 'telapi-voice']);
      for (const file of Object.values(nodes)) {
        assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} (run npm run build)`);
        assert.ok(fs.existsSync(path.join(ROOT, file.replace('.js', '.html'))), file.replace('.js', '.html'));
      }
    });
  });

  describe('nodes', () => {
    const definitions = () => {
      const all = {};
      for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
        const { defs, errors } = nodeDefinitions(path.join(ROOT, file.replace('.js', '.html')));
        assert.deepEqual(errors, [], `${file}: the tool reads every property inline`);
        assert.ok(defs[type], `${file} registers ${type}`);
        Object.assign(all, defs);
      }
      return all;
    };

    it('define their type, category, color, icon, inputs, outputs and defaults inline', () => {
      const defs = definitions();
      assert.equal(defs['telapi-account'].category, 'config');
      assert.deepEqual(defs['telapi-account'].credentials, ['accountSid', 'authToken', 'callbackUser', 'callbackPassword']);
      for (const type of Object.keys(pkg['node-red'].nodes).filter((t) => t !== 'telapi-account')) {
        const def = defs[type];
        assert.equal(def.category, 'TelAPI', `${type} category`);
        assert.match(def.color, /^#[0-9A-Fa-f]{6}$/, `${type} color`);
        assert.equal(typeof def.inputs, 'number');
        assert.equal(typeof def.outputs, 'number');
        assert.ok(fs.existsSync(path.join(ROOT, 'nodes', 'icons', def.icon)), `${type} icon ${def.icon} exists`);
      }
    });

    it('have palette icons that are white glyphs on a 40x60 viewBox', () => {
      for (const file of fs.readdirSync(path.join(ROOT, 'nodes', 'icons'))) {
        const svg = fs.readFileSync(path.join(ROOT, 'nodes', 'icons', file), 'utf8');
        assert.match(svg, /viewBox="0 0 40 60"/, file);
        const fills = [...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1].toLowerCase());
        assert.ok(fills.length > 0 && fills.every((f) => ['#fff', '#ffffff', 'white', 'none'].includes(f)), `${file} fills: ${fills}`);
      }
    });

    it('N02: examples/ holds importable flows that use every (non-config) node, and only core nodes besides', () => {
      const files = examplesFiles();
      assert.ok(files.length > 0, 'examples/ has no flows: the Flow Library shows none, and N02 fails');
      const defs = definitions();
      const ours = Object.keys(defs);
      const core = coreTypes();
      const used = new Set();
      for (const file of files) {
        assert.match(file, /\.json$/, `${path.relative(ROOT, file)}: examples/ holds only .json flows`);
        const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
        assert.ok(Array.isArray(flow) && flow.length > 0, `${file} is a flow (an array of nodes)`);
        for (const node of flow) {
          used.add(node.type);
          assert.ok(ours.includes(node.type) || core.has(node.type) || node.type.startsWith('subflow:'),
            `${path.basename(file)}: ${node.type} is neither a core node nor one of this package`);
          if (node.type === 'telapi-account') assert.equal(node.credentials, undefined, `${path.basename(file)}: no credentials in an example`);
        }
      }
      const missing = ours.filter((type) => defs[type].category !== 'config' && !used.has(type));
      assert.deepEqual(missing, [], 'every node appears in an example');
    });
  });

  describe('dependencies', () => {
    it('D01: has at most 6 dependencies, and not node-red itself', () => {
      const deps = Object.keys(pkg.dependencies || {});
      assert.ok(deps.length <= 6, `${deps.length} dependencies: ${deps}`);
      assert.ok(!deps.includes('node-red') && !Object.keys(pkg.peerDependencies || {}).includes('node-red'));
    });

    it('D02: has no known-incompatible package (badpackages.json: agent-base <6) in its production tree', () => {
      const BAD = { 'agent-base': '<6.0.0' };
      const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
      const bad = [];
      for (const [where, entry] of Object.entries(lock.packages || {})) {
        if (!where || entry.dev || entry.devOptional) continue; // only what a user installs
        const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
        if (BAD[name] && semver.satisfies(entry.version, BAD[name])) bad.push(`${name}@${entry.version}`);
      }
      assert.deepEqual(bad, []);
    });
  });

  describe('npm pack', () => {
    let files;
    before(() => { files = packedFiles(); });

    it('ships each node\'s JS, editor file, catalogs and help in en-US and de, and icons', () => {
      for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
        const expected = [file, file.replace('.js', '.html')];
        for (const lang of ['en-US', 'de']) expected.push(`nodes/locales/${lang}/${type}.json`, `nodes/locales/${lang}/${type}.html`);
        for (const f of expected) assert.ok(files.includes(f), `${f} is packed`);
      }
      for (const icon of fs.readdirSync(path.join(ROOT, 'nodes', 'icons'))) {
        assert.ok(files.includes(`nodes/icons/${icon}`), `icon ${icon} is packed`);
      }
    });

    it('ships every file the packed JavaScript requires, and the bin', () => {
      const missing = [];
      for (const file of files.filter((f) => f.endsWith('.js'))) {
        const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
        for (const m of source.matchAll(/require\(["'](\.{1,2}\/[^"']+)["']\)/g)) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
          const candidates = [target, `${target}.js`, `${target}.json`, `${target}/index.js`];
          if (!candidates.some((c) => files.includes(c))) missing.push(`${file} requires ${m[1]}`);
        }
      }
      assert.deepEqual(missing, []);
      for (const bin of Object.values(pkg.bin || {})) assert.ok(files.includes(bin), `bin ${bin} is packed`);
      for (const dep of Object.keys(pkg.dependencies || {})) assert.ok(!files.some((f) => f.startsWith(`node_modules/${dep}/`)), `${dep} is not bundled`);
    });

    it('ships the examples, README, LICENSE and CHANGELOG (if any)', () => {
      for (const file of examplesFiles()) assert.ok(files.includes(path.relative(ROOT, file).split(path.sep).join('/')), `${file} is packed`);
      for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
        if (file !== 'CHANGELOG.md' || fs.existsSync(path.join(ROOT, file))) assert.ok(files.includes(file), `${file} is packed`);
      }
    });

    it('ships no sources, tests, scripts, maps or development files', () => {
      const unwanted = files.filter((f) =>
        /^(src|test|test-browser|scripts|compat|docs|\.ci|\.tmp|node_modules)\//.test(f) ||
        /\.(map|ts|tgz)$/.test(f) && !f.endsWith('.d.ts') ||
        /(^|\/)(\.mocharc|tsconfig)/.test(f));
      assert.deepEqual(unwanted, []);
      const allowedTop = ['nodes', 'resources', 'dist', 'examples', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
      assert.deepEqual(files.filter((f) => !allowedTop.includes(f.split('/')[0])), []);
    });
  });
});
