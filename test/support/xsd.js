'use strict';
// InboundXML documents checked against Zang's official schema (inboundxml.xsd, shipped by the npm
// package @avaya/cpaas, a devDependency of the simulator workspace) with libxml2's xmllint compiled
// to WebAssembly (xmllint-wasm): no system package needed. One xmllint run checks many documents.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { validateXML } = require('xmllint-wasm');

const XSD_PATH = path.join(path.dirname(require.resolve('@avaya/cpaas/package.json')), 'inboundxml', 'inboundxml.xsd');
let xsd;
/** The schema's text, read once. */
const xsdText = () => (xsd ??= fs.readFileSync(XSD_PATH, 'utf8'));

/**
 * Validates documents (strings, or { name, xml }) against the schema. Resolves to the invalid ones
 * only: [{ name, errors: [xmllint's messages] }], in the order given; [] when all are valid.
 */
async function xsdErrors(documents) {
  const list = documents.map((document, index) => (typeof document === 'string' ? { name: `document ${index}`, xml: document } : document));
  if (list.length === 0) return [];
  const fileName = (index) => `doc${index}.xml`;
  const result = await validateXML({
    xml: list.map(({ xml }, index) => ({ fileName: fileName(index), contents: xml })),
    schema: [xsdText()],
  });
  if (result.valid) return [];
  const byFile = new Map(list.map((_, index) => [fileName(index), []]));
  let last = [];
  for (const error of result.errors) {
    // A line without a file is xmllint's summary ("doc0.xml fails to validate") or the excerpt under
    // a parser error, which belongs to the error before it.
    if (error.loc) last = byFile.get(error.loc.fileName) ?? last;
    if (error.loc || !/^doc\d+\.xml fails to validate$/.test(error.message)) last.push(error.message);
  }
  const invalid = list.map(({ name }, index) => ({ name, errors: byFile.get(fileName(index)) })).filter(({ errors }) => errors.length > 0);
  // xmllint said invalid without naming a file: never let that pass as valid.
  if (invalid.length === 0) invalid.push({ name: '(no file named)', errors: result.errors.map((error) => error.message) });
  return invalid;
}

/** Asserts that every document validates; a failure lists each invalid document with xmllint's messages. */
async function assertValidInboundXml(documents) {
  assert.deepEqual(await xsdErrors(documents), []);
}

module.exports = { XSD_PATH, xsdText, xsdErrors, assertValidInboundXml };
