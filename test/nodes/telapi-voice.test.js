'use strict';
// telapi-voice receives TelAPI's voice requests (checked like callbacks, GET or POST) and hands them
// to the flow with msg.req / msg.res; telapi-inboundxml answers them. Driven through the captured
// RED.httpNode with supertest, as the callback node's tests are.
const assert = require('node:assert/strict');
const request = require('supertest');
const { helper, coreNode } = require('../support/red');
const { withCatalog } = require('../support/i18n');
const { captureHttpNode } = require('../support/http-node');
const { xsdErrors } = require('../support/xsd');
const { ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID } = require('../support/fixtures');
const { callbackToken, computeSignature, pathKey } = require('../../dist/telapi');

const accountNode = require('../../nodes/telapi-account.js');
const voiceNode = require('../../nodes/telapi-voice.js');
const inboundXmlNode = withCatalog(require('../../nodes/telapi-inboundxml.js'));

const PATH = '/telapi/voice';
/** docs/telapi-api.md's vector for this path. */
const PATH_KEY = '9zQ3tm__LgdQEzLLn2f8B5dYfCvT1YRgZ96SPvcsFu4';
const PUBLIC_URL = 'https://nr.example.com';
const VOICE = Object.freeze({
  AccountSid: ACCOUNT_SID, ApiVersion: 'v2', Direction: 'inbound', CallerName: 'Ada', To: '+15550100', From: '+15550111', CallSid: CALL_SID,
  CallStatus: 'ringing', UrlBase: 'https://api.zang.io/v2/',
});
const credentials = () => ({ acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
const settle = async (turns = 5) => { for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve)); };
const CONSENT = [{ verb: 'Gather', attributes: { numDigits: '1', action: '/telapi/consent' }, children: [{ verb: 'Say', text: 'Hello {{payload.CallerName}}, press 1 to have this call recorded.' }] }];

function flow({ security = 'token', timeout = 10, verbs = CONSENT, baseUrl = 'https://api.zang.io/v2', answer = 'ixml', extra = [] } = {}) {
  return [
    { id: 'acc', type: 'telapi-account', name: 'account', baseUrl, publicUrl: PUBLIC_URL },
    { id: 'voice', type: 'telapi-voice', account: 'acc', url: PATH, security, timeout, wires: [[answer, 'seen']] },
    { id: 'ixml', type: 'telapi-inboundxml', verbs, wires: [['answered']] },
    { id: 'seen', type: 'helper' },
    { id: 'answered', type: 'helper' },
    ...extra,
  ];
}

describe('telapi-voice and telapi-inboundxml nodes', function () {
  let capture;
  let seen;
  let answered;

  beforeEach(() => {
    capture = captureHttpNode(withCatalog(voiceNode));
    seen = [];
    answered = [];
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
  });

  async function load(options, nodes = []) {
    await helper.load([accountNode, capture.register, inboundXmlNode, ...nodes], flow(options), credentials());
    helper.getNode('seen').on('input', (msg) => seen.push(msg));
    helper.getNode('answered').on('input', (msg) => answered.push(msg));
  }
  const app = () => capture.captured.app;

  it('a POST with the path key becomes a message with the parameters, the CallSid, req and res; the inboundxml node answers it', async () => {
    await load();
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/xml/);
    assert.equal(res.text, '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" action="https://nr.example.com/telapi/consent?token=' + CALL_TOKEN
      + '" numDigits="1"><Say>Hello Ada, press 1 to have this call recorded.</Say></Gather></Response>');
    await settle();
    assert.equal(seen.length, 1);
    assert.deepEqual({ ...seen[0].payload }, VOICE);
    assert.equal(seen[0].callSid, CALL_SID);
    assert.ok(seen[0].req && seen[0].res && seen[0].res._res, 'msg.req and msg.res as http in sets them');
    assert.equal(answered[0].payload, res.text, 'the inboundxml node outputs what it answered');
    assert.deepEqual(await xsdErrors([res.text]), []);
  });

  it('with callback credentials, TelAPI gets them in the answer\'s URLs and the flow never sees the password', async () => {
    const password = 'CbPassw0rdSECRETzz';
    await helper.load([accountNode, capture.register, inboundXmlNode], flow(),
      { acc: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackUser: 'cbuser', callbackPassword: password } });
    helper.getNode('answered').on('input', (msg) => answered.push(msg));
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(`action="https://cbuser:${password}@nr.example.com/telapi/consent?token=${CALL_TOKEN}"`), res.text);
    await settle();
    assert.equal(answered.length, 1);
    assert.equal(answered[0].payload, res.text.replace(`//cbuser:${password}@`, '//…@'), 'what it answered, the URL credentials masked');
  });

  it('a GET with the parameters in the query, and a URL carrying the call\'s token, are taken too', async () => {
    await load();
    const query = new URLSearchParams({ ...VOICE, key: PATH_KEY }).toString();
    assert.equal((await request(app()).get(`${PATH}?${query}`)).status, 200);
    assert.equal((await request(app()).post(`${PATH}?token=${CALL_TOKEN}`).type('form').send(VOICE)).status, 200);
    await settle();
    assert.equal(seen.length, 2);
    assert.equal(seen[0].payload.key, undefined, 'our key is not a TelAPI parameter');
    assert.equal(seen[0].payload.From, VOICE.From);
  });

  it('forged requests get 403 or 400 and no message', async () => {
    await load();
    const otherPathKey = pathKey(AUTH_TOKEN, '/telapi/status');
    const forged = [
      [`${PATH}`, VOICE, 403, 'no key'],
      [`${PATH}?key=${otherPathKey}`, VOICE, 403, "another path's key"],
      [`${PATH}?key=${PATH_KEY}`, { ...VOICE, AccountSid: 'ACffffffffffffffffffffffffffffffff' }, 403, 'another account'],
      [`${PATH}?token=${callbackToken(AUTH_TOKEN, OTHER_CALL_SID)}`, VOICE, 403, "another call's token"],
      [`${PATH}?token=${CALL_TOKEN}&key=${PATH_KEY}`, VOICE, 400, 'token and key'],
      [`${PATH}?key=${PATH_KEY}&key=${PATH_KEY}`, VOICE, 400, 'the key twice'],
      [`${PATH}?key=${PATH_KEY}`, { ...VOICE, CallSid: 'CA1' }, 400, 'a malformed CallSid'],
    ];
    for (const [url, params, status, what] of forged) {
      assert.equal((await request(app()).post(url).type('form').send(params)).status, status, what);
    }
    await settle();
    assert.equal(seen.length, 0);
  });

  it('in signature mode takes a request signed over the public URL, and refuses one signed over other values', async () => {
    await load({ security: 'signature' });
    const signed = computeSignature(AUTH_TOKEN, `${PUBLIC_URL}${PATH}`, VOICE);
    assert.equal((await request(app()).post(PATH).set('X-TelAPI-Signature', signed).type('form').send(VOICE)).status, 200);
    assert.equal((await request(app()).post(PATH).set('X-TelAPI-Signature', signed).type('form').send({ ...VOICE, From: '+15550999' })).status, 403);
    await settle();
    assert.equal(seen.length, 1);
  });

  it('nothing a caller sends becomes markup: a From full of XML is escaped, and the document validates', async () => {
    const verbs = [{ verb: 'Say', text: 'You called from {{payload.From}}' }, { verb: 'Redirect', text: '/telapi/next?from={{payload.From}}' }];
    await load({ verbs });
    const From = '"/><Redirect>http://evil.example</Redirect><Say x="';
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send({ ...VOICE, From });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /<Redirect>http:\/\/evil/);
    assert.match(res.text, /<Say>You called from "\/&gt;&lt;Redirect&gt;http:\/\/evil\.example&lt;\/Redirect&gt;&lt;Say x="<\/Say>/);
    assert.match(res.text, /<Redirect>https:\/\/nr\.example\.com\/telapi\/next\?from=%22%2F%3E%3CRedirect%3Ehttp%3A%2F%2Fevil\.example%3C%2FRedirect%3E%3CSay\+x%3D%22&amp;token=/);
    assert.equal((res.text.match(/<Redirect>/g) ?? []).length, 1);
    assert.deepEqual(await xsdErrors([res.text]), []);
  });

  it('a placeholder whose property or any parent of it is missing is empty, as in core\'s template node', async () => {
    await load({ verbs: [{ verb: 'Say', text: 'Hello {{payload.CallerName}}{{nothing.here.at.all}}{{payload.nested.deeper}}!' }] });
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.match(res.text, /<Say>Hello Ada!<\/Say>/);
  });

  it('a flow that does not answer in time: the node answers its fallback and warns naming the CallSid', async () => {
    await load({ timeout: 1, answer: 'seen' });
    const warnings = [];
    helper.getNode('voice').on('call:warn', (call) => warnings.push(String(call.args[0])));
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.equal(res.text, '<?xml version="1.0" encoding="UTF-8"?><Response><Say>We are sorry, this call cannot be answered now.</Say><Hangup/></Response>');
    assert.deepEqual(warnings, [`The flow did not answer call ${CALL_SID} within 1 s: the caller heard the fallback`]);
  });

  it('a node stopped with a call still unanswered (a redeploy) answers it the fallback at once, and warns naming the CallSid', async () => {
    await load({ timeout: 60, answer: 'seen' });
    const warnings = [];
    helper.getNode('voice').on('call:warn', (call) => warnings.push(String(call.args[0])));
    const answer = request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE).then((res) => res);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await helper.clearFlows();
    const res = await answer;
    assert.equal(res.status, 200);
    assert.equal(res.text, '<?xml version="1.0" encoding="UTF-8"?><Response><Say>We are sorry, this call cannot be answered now.</Say><Hangup/></Response>');
    assert.deepEqual(warnings, [`The node was stopped before the flow answered call ${CALL_SID}: the caller heard the fallback`]);
  });

  it('a bad value in msg.inboundxml is an error at Catch, and the caller hears the fallback at once', async () => {
    await load({ verbs: [] }, [coreNode('common/25-catch.js')]);
    const errors = [];
    helper.getNode('ixml').on('call:error', (call) => errors.push(call.args[0]));
    helper.getNode('voice').on('input', () => undefined);
    const voice = helper.getNode('voice');
    // A function node would set msg.inboundxml; here the message is sent on with it.
    const original = voice.send.bind(voice);
    voice.send = (msg) => original({ ...msg, inboundxml: [{ verb: 'Pause', attributes: { length: 'long' } }] });
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.match(res.text, /We are sorry, this call cannot be answered now/);
    await settle();
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /^Invalid msg\.inboundxml\[0\]\.attributes\.length: /);
  });

  it('a core http response node can answer instead (msg.res as http in sets it)', async () => {
    const response = { id: 'resp', type: 'http response', statusCode: '200', headers: { 'content-type': 'application/xml' } };
    const template = { id: 'tpl', type: 'change', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '<Response><Hangup/></Response>', tot: 'str' }], wires: [['resp']] };
    await helper.load([accountNode, capture.register, inboundXmlNode, coreNode('network/21-httpin.js'), coreNode('function/15-change.js')],
      [...flow({ answer: 'tpl' }), template, response], credentials());
    const res = await request(app()).post(`${PATH}?key=${PATH_KEY}`).type('form').send(VOICE);
    assert.equal(res.status, 200);
    assert.equal(res.text, '<Response><Hangup/></Response>');
  });
});
