'use strict';
// The repository carries its own specification in docs/ (docs/README.md), and a comment cites only
// documents the repository contains. These checks read the comments of every source file (and the
// text of every Markdown file) and find each `*.md` document they name:
// - the document exists in the repository, relative to the repository root, to docs/, or to the
//   citing file's own folder (a Markdown link);
// - a cited section, as in `docs/<name>.md, "Section"`, `docs/<name>.md ("Section")` or
//   `docs/<name>.md's "Section"`, is a heading of that document. A citation may shorten a heading to
//   its first words ("Be liberal" for "Be liberal in what you accept (the simulator and any
//   parser)"); backticks and the [C]/[I] markers of a heading are not part of its name.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const FOLDERS = ['src', 'nodes', 'resources', 'test', 'test-browser', 'simulator', 'bench', 'demo', 'scripts', 'docs'];
const TOP_FILES = ['README.md', 'DEVELOPERS.md', 'CHANGELOG.md'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);
const CODE = /\.(?:[cm]?js|ts)$/;

/** The files to read: sources and Markdown in FOLDERS (not node_modules or dist), and the top-level documents. */
function sourceFiles() {
  const found = TOP_FILES.map((name) => path.join(ROOT, name)).filter((file) => fs.existsSync(file));
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (CODE.test(entry.name) || /\.(?:html|md)$/.test(entry.name)) {
        found.push(path.join(dir, entry.name));
      }
    }
  };
  for (const folder of FOLDERS) if (fs.existsSync(path.join(ROOT, folder))) walk(path.join(ROOT, folder));
  return found.sort();
}

/**
 * The comments of JavaScript or TypeScript source, each one as a line of text (a block comment's
 * leading `*`s and a run of `//` lines joined). Strings, template literals and regular expression
 * literals are skipped, so a `//` or `/*` inside them does not start a comment.
 */
function jsComments(source) {
  const comments = [];
  let lineRun = null; // consecutive `//` comments, joined
  let lastLineEnd = -1;
  let previous = ''; // the last significant code character, to tell a regex from a division
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
      const text = source.slice(i + 2, end).trim();
      const between = lineRun === null ? 'x' : source.slice(lastLineEnd, i);
      if (/^[ \t]*\n[ \t]*$/.test(between)) lineRun.push(text); // the next line of the same comment
      else comments.push((lineRun = [text]));
      lastLineEnd = end;
      i = end;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2) === -1 ? source.length : source.indexOf('*/', i + 2);
      comments.push([source.slice(i + 2, end).split('\n').map((line) => line.replace(/^\s*\*+\s?/, '').trim()).join(' ')]);
      lineRun = null;
      i = end + 2;
    } else if (c === '\'' || c === '"' || c === '`') {
      i += 1;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\') i += 1;
        else if (c !== '`' && source[i] === '\n') break; // an unterminated string: stop at its line
        i += 1;
      }
      i += 1;
      previous = 'a';
    } else if (c === '/' && (previous === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(previous))) {
      let inClass = false;
      i += 1;
      while (i < source.length && source[i] !== '\n' && (source[i] !== '/' || inClass)) {
        if (source[i] === '\\') i += 1;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i += 1;
      }
      i += 1;
      previous = 'a';
    } else {
      if (!/\s/.test(c)) previous = c;
      i += 1;
    }
  }
  return comments.map((run) => run.join(' '));
}

/** What a file says in prose: a Markdown file's whole text, an editor .html's comments and script comments, a source's comments. */
function proseOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.md')) return [text.replace(/\s*\n\s*/g, ' ')];
  if (file.endsWith('.html')) {
    const htmlComments = [...text.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1].replace(/\s*\n\s*/g, ' '));
    const scripts = [...text.matchAll(/<script\b[^>]*type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]);
    return [...htmlComments, ...scripts.flatMap(jsComments)];
  }
  return jsComments(text);
}

/** A cited `*.md`, with the sections named right after it. */
const DOCUMENT = /(?<![\w./-])((?:\/|\.{1,2}\/)*[\w-][\w./-]*\.md)\b/g;
const SECTIONS = /^[`)\]]*(?:'s)?\s*[,(]?\s*("[^"]+"(?:\s*(?:,|and|or)\s*"[^"]+")*)/;

/** Every citation in the prose of the repository's files: { file, document, sections }. */
function citations() {
  const found = [];
  for (const file of sourceFiles()) {
    for (const prose of proseOf(file)) {
      for (const match of prose.matchAll(DOCUMENT)) {
        const before = prose.slice(0, match.index);
        if (/[a-z][\w+.-]*:\/*[^\s"'`()<>]*$/i.test(before)) continue; // part of a URL: a public source, not ours
        const after = prose.slice(match.index + match[0].length);
        const named = SECTIONS.exec(after);
        const sections = named ? [...named[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
        found.push({ file: path.relative(ROOT, file), document: match[1], sections });
      }
    }
  }
  return found;
}

/** The file in the repository a citation names, or null. */
function resolveDocument(citingFile, document) {
  const candidates = [path.join(ROOT, document), path.join(ROOT, 'docs', document), path.join(ROOT, path.dirname(citingFile), document)];
  return candidates.find((candidate) => {
    const relative = path.relative(ROOT, candidate);
    if (relative.startsWith('..') || relative.split(path.sep).some((part) => SKIPPED_DIRS.has(part))) return false;
    return fs.existsSync(candidate) && fs.statSync(candidate).isFile();
  }) || null;
}

/** A heading or a cited section, as compared: no backticks, no [C]/[I] markers, single spaces. */
const sectionName = (text) => text.replace(/`/g, '').replace(/\s*\[[CI]\]/g, '').replace(/\s+/g, ' ').trim();

/** The headings of a Markdown document (outside fenced code). */
function headings(file) {
  const names = [];
  let fenced = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced && /^#{1,6}\s/.test(line)) names.push(sectionName(line.replace(/^#+\s+/, '')));
  }
  return names;
}

/** Whether a cited section names a heading: the heading itself, or its first words. */
const namesHeading = (section, heading) => heading === section || (heading.startsWith(section) && /^\W/.test(heading.slice(section.length)));

describe('package: documents cited in comments are in the repository', function () {
  const all = citations();

  it('finds the citations (the scanner reads comments at all)', function () {
    assert.ok(all.some((c) => c.file === path.join('src', 'telapi', 'callback.ts') && c.document === 'docs/telapi-api.md' && c.sections.includes('Callback authenticity')),
      'src/telapi/callback.ts cites docs/telapi-api.md, "Callback authenticity"');
    assert.ok(all.some((c) => c.file.startsWith('simulator') && c.document === 'docs/telapi-api.md'), 'the simulator cites docs/telapi-api.md');
    assert.ok(all.filter((c) => c.sections.length > 0).length >= 10, 'at least ten citations name a section');
  });

  it('reads comments, not code: a .md in a string or a URL is no citation', function () {
    const comments = jsComments([
      "const a = 'x.md'; // cites docs/design.md",
      'const re = /[\\w./-]+\\.md/g; /* and docs/telapi-api.md, "Bases and auth" */',
      'const u = `https://example.com/${a}/*.md`;',
    ].join('\n'));
    assert.deepEqual(comments, ['cites docs/design.md', 'and docs/telapi-api.md, "Bases and auth"']);
  });

  it('finds every cited document in the repository', function () {
    const missing = all.filter((c) => !resolveDocument(c.file, c.document)).map((c) => `${c.file}: ${c.document}`);
    assert.deepEqual([...new Set(missing)], [], 'cited documents that are not in the repository (a document outside it belongs in docs/)');
  });

  it('finds every cited section as a heading of its document', function () {
    const wrong = [];
    for (const { file, document, sections } of all) {
      const target = resolveDocument(file, document);
      if (!target || sections.length === 0) continue;
      const names = headings(target);
      for (const section of sections) {
        if (!names.some((heading) => namesHeading(sectionName(section), heading))) wrong.push(`${file}: ${document}, "${section}"`);
      }
    }
    assert.deepEqual([...new Set(wrong)], [], 'cited sections that are no heading of the cited document');
  });

  it('has docs/telapi-api.md and docs/design.md, with the headings the code cites', function () {
    for (const name of ['telapi-api.md', 'design.md', 'README.md']) assert.ok(fs.existsSync(path.join(ROOT, 'docs', name)), `docs/${name}`);
    const api = headings(path.join(ROOT, 'docs', 'telapi-api.md'));
    for (const heading of ['Bases and auth', 'Start or stop a recording', 'Callbacks TelAPI sends', 'Callback authenticity', 'Answering calls: voice requests and InboundXML']) {
      assert.ok(api.includes(heading), `docs/telapi-api.md has "${heading}"`);
    }
    const design = headings(path.join(ROOT, 'docs', 'design.md'));
    for (const heading of ['telapi-record node (contract)', 'telapi-callback node (contract)', 'Calls: telapi-voice, telapi-inboundxml, telapi-call (contract)']) {
      assert.ok(design.includes(heading), `docs/design.md has "${heading}"`);
    }
  });
});
