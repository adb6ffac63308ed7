'use strict';
// The verb table (src/telapi/inboundxml/verbs.ts) against Zang's official schema and the verb
// documentation beside it in @avaya/cpaas: every verb, nesting, attribute and enumeration value of
// the table is in the schema, and everything of the schema is in the table or listed in
// INBOUNDXML_OMITTED with a reason.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { INBOUNDXML_OMITTED, INBOUNDXML_RESPONSE_ATTRIBUTES, INBOUNDXML_VERBS, TOP_LEVEL_VERBS } = require('../../dist/telapi');
const { XSD_PATH, xsdText } = require('../support/xsd');

/** The schema read with regular expressions: it is small, regular and has no namespaces but xsd:. */
function readSchema(text) {
  const source = text.replace(/<!--[\s\S]*?-->/g, '');
  const types = {};
  for (const [, name, body] of source.matchAll(/<xsd:simpleType\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/xsd:simpleType>/g)) {
    types[name] = {
      base: /<xsd:restriction base="([^"]+)"/.exec(body)?.[1],
      values: [...body.matchAll(/<xsd:enumeration value="([^"]*)"\s*\/>/g)].map((m) => m[1]),
      union: /<xsd:union memberTypes="([^"]+)"/.exec(body)?.[1].split(/\s+/),
    };
  }
  const elements = {};
  for (const [, name, body = ''] of source.matchAll(/<xsd:element name="([^"]+)"[^>]*?(?:\/>|>([\s\S]*?)<\/xsd:element>)/g)) {
    const attributes = {};
    for (const [tag] of body.matchAll(/<xsd:attribute\b[^>]*>/g)) {
      const attribute = (key) => new RegExp(`\\b${key}="([^"]*)"`).exec(tag)?.[1];
      attributes[attribute('name')] = { type: attribute('type'), required: attribute('use') === 'required' };
    }
    elements[name] = { attributes, children: [...body.matchAll(/<xsd:element\b[^>]*\bref="([^"]+)"/g)].map((m) => m[1]) };
  }
  return { types, elements };
}

const schema = readSchema(xsdText());
const sorted = (list) => [...list].sort();
const lower = (list) => sorted(new Set(list.map((value) => value.toLowerCase())));
const omitted = (key) => Object.hasOwn(INBOUNDXML_OMITTED, key);
const specsOf = (element) => (element === 'Response' ? INBOUNDXML_RESPONSE_ATTRIBUTES : INBOUNDXML_VERBS[element].attributes);

/** The table's kinds each schema type admits (booleans: any spelling of the schema's, emitted as true/false). */
const FITS = {
  'xsd:anyURI': ['url'],
  'xsd:string': ['text', 'enum', 'url', 'dtmf', 'boolean'],
  'xsd:integer': ['integer'],
  'xsd:int': ['integer'],
  positive_integer: ['integer'],
  booleans: ['boolean'],
  boolean_or_positive_integer: ['boolean'],
};

/** Whether a table kind fits the schema's type; an enumerated type's values must agree (any case, omissions aside). */
function kindProblem(element, name, spec, xsdType) {
  const type = schema.types[xsdType];
  if (!Object.hasOwn(FITS, xsdType) && type?.values.length > 0) {
    if (spec.kind !== 'enum') return `${element}.${name}: schema enumerates ${xsdType}, table says ${spec.kind}`;
    const schemaValues = lower(type.values.filter((value) => !omitted(`${element}.${name}=${value}`)));
    return lower(spec.values).join() === schemaValues.join() ? undefined : `${element}.${name}: table ${lower(spec.values)} vs schema ${schemaValues}`;
  }
  const fits = FITS[xsdType];
  if (fits === undefined) return `${element}.${name}: schema type ${xsdType} unknown to this test`;
  if (!fits.includes(spec.kind)) return `${element}.${name}: schema ${xsdType}, table ${spec.kind}`;
  if (xsdType === 'positive_integer' && spec.min < 1) return `${element}.${name}: schema wants > 0, table allows ${spec.min}`;
  return undefined;
}

describe('telapi/inboundxml: the verb table agrees with Zang\'s schema', () => {
  it('has the schema\'s verbs, and Response holds the table\'s top-level verbs', () => {
    assert.deepEqual(sorted(Object.keys(INBOUNDXML_VERBS)), sorted(Object.keys(schema.elements).filter((name) => name !== 'Response')));
    assert.deepEqual(sorted(TOP_LEVEL_VERBS), sorted(schema.elements.Response.children));
  });

  it('nests what the schema nests', () => {
    for (const [name, spec] of Object.entries(INBOUNDXML_VERBS)) {
      assert.deepEqual(sorted(spec.children), sorted(schema.elements[name].children), name);
    }
  });

  it('has every attribute of the schema but the omitted ones, and no other, required where the schema requires it', () => {
    for (const element of [...Object.keys(INBOUNDXML_VERBS), 'Response']) {
      const inSchema = schema.elements[element].attributes;
      const specs = specsOf(element);
      assert.deepEqual(sorted(Object.keys(specs)), sorted(Object.keys(inSchema).filter((name) => !omitted(`${element}.${name}`))), element);
      for (const [name, spec] of Object.entries(specs)) {
        assert.equal(spec.required === true, inSchema[name].required, `${element}.${name} required`);
      }
    }
  });

  it('gives each attribute a kind that fits the schema\'s type, enumerations with the schema\'s values', () => {
    const problems = [];
    for (const element of [...Object.keys(INBOUNDXML_VERBS), 'Response']) {
      for (const [name, spec] of Object.entries(specsOf(element))) {
        const problem = kindProblem(element, name, spec, schema.elements[element].attributes[name].type);
        if (problem) problems.push(problem);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('omits only what the schema has, each with a reason', () => {
    for (const [key, reason] of Object.entries(INBOUNDXML_OMITTED)) {
      const [, element, name, value] = /^(\w+)\.(\w+)(?:=(.*))?$/.exec(key);
      const attribute = schema.elements[element]?.attributes[name];
      assert.ok(attribute, `${key} is in the schema`);
      if (value !== undefined) assert.ok(schema.types[attribute.type].values.includes(value), `${key} is a value of ${attribute.type}`);
      assert.ok(reason.length > 5, `${key} has a reason`);
    }
  });

  it('has the defaults the verb documentation beside the schema states', () => {
    const dir = path.dirname(XSD_PATH);
    const compared = [];
    for (const [name, spec] of Object.entries(INBOUNDXML_VERBS)) {
      const file = path.join(dir, `${name.toLowerCase()}.js`);
      if (!fs.existsSync(file)) continue; // Answer has no builder of its own
      const documentation = fs.readFileSync(file, 'utf8');
      for (const [, attribute, documented] of documentation.matchAll(/\[params\.(\w+)=([^\]]+)\]/g)) {
        const ours = spec.attributes[attribute]?.default;
        if (ours === undefined) continue;
        assert.equal(ours.toLowerCase(), documented.toLowerCase(), `${name}.${attribute}`);
        compared.push(`${name}.${attribute}`);
      }
    }
    assert.ok(compared.length >= 30, `compared ${compared.length} defaults`);
  });

  it('is plain data with help for every verb, text and attribute, and defaults the kinds allow', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(INBOUNDXML_VERBS)), INBOUNDXML_VERBS);
    assert.ok(Object.isFrozen(INBOUNDXML_VERBS.Gather.attributes.input.values), 'frozen all the way down');
    for (const [name, spec] of Object.entries(INBOUNDXML_VERBS)) {
      assert.match(spec.help, /^[A-Z].{8,}\.$/, name);
      if (spec.text) assert.match(spec.text.help, /^[A-Z].{4,}\.$/, `${name} text`);
    }
    for (const element of [...Object.keys(INBOUNDXML_VERBS), 'Response']) {
      for (const [name, spec] of Object.entries(specsOf(element))) {
        const where = `${element}.${name}`;
        assert.match(spec.help, /^[A-Z].{8,}\.$/, where);
        for (const target of Object.values(spec.aliases ?? {})) assert.ok(spec.values.includes(target), `${where} alias`);
        if (spec.default === undefined) continue;
        if (spec.kind === 'enum') assert.ok(spec.values.includes(spec.default), where);
        if (spec.kind === 'boolean') assert.ok(['true', 'false'].includes(spec.default), where);
        if (spec.kind === 'integer') assert.ok(Number(spec.default) >= spec.min && !(Number(spec.default) > spec.max), where);
        if (spec.kind === 'dtmf') assert.ok([...spec.default].every((key) => spec.keys.includes(key)), where);
      }
    }
  });
});
