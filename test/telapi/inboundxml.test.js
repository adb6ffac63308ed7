'use strict';
// Building InboundXML from the node's verbs and msg.inboundxml (docs/design.md "Calls",
// telapi-inboundxml): what TelAPI receives, what a flow's author reads when a verb is wrong, and
// that every document made for Zang validates against Zang's official schema.
const assert = require('node:assert/strict');
const { CallbackAuthenticator, TelApiInputError, buildInboundXml, checkInboundXmlVerbs, inboundXmlService } = require('../../dist/telapi');
const { ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CALL_TOKEN, OTHER_CALL_SID, STATUS_PATH_KEY, VOICE_PATH_KEY } = require('../support/fixtures');
const { assertValidInboundXml, xsdErrors } = require('../support/xsd');

const PUBLIC_URL = 'https://nr.example.com';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const EVIL = '"/><Redirect>http://evil</Redirect><Say x="';
const account = { publicUrl: PUBLIC_URL, authenticator: new CallbackAuthenticator(ACCOUNT_SID, AUTH_TOKEN) };
/** A resolver like the node's: a msg property by its dotted path. */
const fromMsg = (msg) => (expression) => expression.split('.').reduce((value, key) => (value == null ? undefined : value[key]), msg);
const MSG = { callSid: CALL_SID, payload: { From: '+15550100', To: '+15550199', CallSid: CALL_SID, Digits: '1' } };

/** Every document built for Zang in this file, checked against the schema at the end. */
const zangDocuments = [];
function build(input, context = {}) {
  const full = { service: 'zang', account, callSid: CALL_SID, resolve: fromMsg(MSG), ...context };
  const xml = buildInboundXml(Array.isArray(input) ? { verbs: input } : input, full);
  if (full.service === 'zang') zangDocuments.push({ name: JSON.stringify(input).slice(0, 120), xml });
  return xml;
}
/** The error a build throws, checked to be a TelApiInputError. */
function failure(input, context) {
  try {
    build(input, context);
  } catch (error) {
    assert.ok(error instanceof TelApiInputError, String(error));
    return { field: error.field, reason: error.reason, message: error.message };
  }
  assert.fail('no error');
}
const decode = (text) => text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('telapi/inboundxml: building the answer to a voice request', () => {
  describe('documents', () => {
    it('answers the consent example: Gather with a nested Say, its action under the public URL with the call\'s token', () => {
      const xml = build([{
        verb: 'Gather', attributes: { numDigits: '1', action: '/telapi/consent' }, text: '',
        children: [{ verb: 'Say', text: 'Press 1 to have this call recorded.' }],
      }]);
      assert.equal(xml, `${DECLARATION}<Response><Gather input="dtmf" action="${PUBLIC_URL}/telapi/consent?token=${CALL_TOKEN}" numDigits="1">`
        + '<Say>Press 1 to have this call recorded.</Say></Gather></Response>');
    });

    it('appends msg.inboundxml after the node\'s verbs; no verbs at all is an empty Response', () => {
      const xml = build({ verbs: [{ verb: 'Say', text: 'Hello.' }], extra: [{ verb: 'Pause', attributes: { length: 2 } }, { verb: 'Hangup' }] });
      assert.equal(xml, `${DECLARATION}<Response><Say>Hello.</Say><Pause length="2"/><Hangup/></Response>`);
      assert.equal(build({}), `${DECLARATION}<Response></Response>`);
      assert.equal(build({ verbs: [], extra: [] }), `${DECLARATION}<Response></Response>`);
    });

    it('writes attributes in the table\'s order, leaves unset and empty ones out, and spells values as TelAPI does', () => {
      const xml = build([{ verb: 'Record', attributes: { trimSilence: 'True', fileFormat: 'WAV', maxLength: 60, playBeep: true, method: 'get', direction: '', transcribe: null } }]);
      assert.equal(xml, `${DECLARATION}<Response><Record method="GET" maxLength="60" playBeep="true" fileFormat="wav" trimSilence="true"/></Response>`);
    });

    it('dials nested targets, and Zang\'s verbs on Zang', () => {
      const xml = build([
        { verb: 'Answer' },
        { verb: 'Dial', attributes: { callerId: '{{payload.To}}', record: 'true', recordCallbackUrl: '/telapi/recording' },
          children: [{ verb: 'Number', text: '+15550123', attributes: { sendDigits: 'ww1234#' } }, { verb: 'Sip', text: 'sip:desk@pbx.example.com' }, { verb: 'Conference', text: 'room 1', attributes: { maxParticipants: 10 } }] },
        { verb: 'PlayLastRecording' },
        { verb: 'Ping', text: '/telapi/ping' },
        { verb: 'GetSpeech', attributes: { grammar: 'https://media.example.com/yesno.grxml', action: '/telapi/speech' }, children: [{ verb: 'Say', text: 'Yes or no?' }] },
        { verb: 'Gather', attributes: { input: 'dtmf speech', language: 'de-de', hints: 'ja, nein' } },
        { verb: 'Sms', attributes: { to: '{{payload.From}}', from: '{{payload.To}}' }, text: 'Thanks for calling.' },
        { verb: 'Mms', attributes: { to: '{{payload.From}}', from: '{{payload.To}}', mediaUrl: 'https://media.example.com/logo.png' } },
        { verb: 'Reject', attributes: { reason: 'busy' } },
      ]);
      assert.match(xml, /<Dial callerId="\+15550199" record="true" recordCallbackUrl="https:\/\/nr\.example\.com\/telapi\/recording\?token=[\w-]{43}">/);
      assert.match(xml, /<Number sendDigits="ww1234#">\+15550123<\/Number><Sip>sip:desk@pbx\.example\.com<\/Sip><Conference maxParticipants="10">room 1<\/Conference><\/Dial>/);
      assert.match(xml, /<Gather input="speech dtmf" hints="ja, nein" language="de-DE"\/>/);
      assert.match(xml, /<Sms to="\+15550100" from="\+15550199">Thanks for calling\.<\/Sms>/);
      assert.match(xml, new RegExp(`<Ping>${PUBLIC_URL}/telapi/ping\\?token=${CALL_TOKEN}</Ping>`));
    });

    it('sets Response\'s own attributes', () => {
      const xml = build({ verbs: [{ verb: 'Hangup' }], response: { statusCallback: '/telapi/status', statusMethod: 'post' } });
      assert.equal(xml, `${DECLARATION}<Response statusCallback="${PUBLIC_URL}/telapi/status?token=${CALL_TOKEN}" statusMethod="POST"><Hangup/></Response>`);
    });
  });

  describe('nothing a caller sends becomes markup', () => {
    const caller = { ...MSG, payload: { ...MSG.payload, From: EVIL, CallerName: 'A & B <b>\n"x"\t\'y\'' } };

    it('escapes text and attribute values from placeholders, and the document keeps its verbs', () => {
      const xml = build([
        { verb: 'Say', text: 'Caller {{payload.From}} ({{payload.CallerName}})' },
        { verb: 'Dial', attributes: { callerId: '{{payload.From}}', callerName: '{{payload.CallerName}}' }, text: '+15550123' },
        { verb: 'Sms', attributes: { to: '{{payload.From}}', from: '+15550199' }, text: '{{payload.From}}' },
      ], { resolve: fromMsg(caller) });
      assert.equal((xml.match(/<[A-Za-z]/g) ?? []).length, 4, xml); // Response, Say, Dial, Sms: no Redirect, no second Say
      assert.ok(!xml.includes('<Redirect'), xml);
      const say = /<Say>([^<]*)<\/Say>/.exec(xml)[1];
      assert.equal(decode(say), `Caller ${EVIL} (${caller.payload.CallerName})`);
      assert.match(xml, /callerId="&quot;\/&gt;&lt;Redirect&gt;http:\/\/evil&lt;\/Redirect&gt;&lt;Say x=&quot;"/);
      assert.match(xml, /callerName="A &amp; B &lt;b&gt;&#10;&quot;x&quot;&#9;&apos;y&apos;"/);
    });

    it('percent-encodes a value placed in a URL\'s query, so it adds no parameters and keeps a "+"', () => {
      const xml = build([{ verb: 'Redirect', text: '/telapi/next?from={{payload.From}}&n={{payload.Digits}}' }], { resolve: fromMsg(caller) });
      const url = new URL(decode(/<Redirect>([^<]*)<\/Redirect>/.exec(xml)[1]));
      assert.deepEqual([...url.searchParams], [['from', EVIL], ['n', '1'], ['token', CALL_TOKEN]]);
      const plus = build([{ verb: 'Redirect', text: '/telapi/next?from={{payload.From}}&token=forged' }]);
      assert.deepEqual([...new URL(decode(/<Redirect>([^<]*)</.exec(plus)[1])).searchParams], [['from', '+15550100'], ['token', CALL_TOKEN]]);
    });

    it('replaces characters XML cannot carry, and fills a placeholder\'s value only once', () => {
      const xml = build([{ verb: 'Say', text: '{{payload.From}}' }], { resolve: fromMsg({ payload: { From: 'a\u0000b\u001bc\uD800d {{payload.secret}}', secret: 'S' } }) });
      assert.equal(xml, `${DECLARATION}<Response><Say>a\uFFFDb\uFFFDc\uFFFDd {{payload.secret}}</Say></Response>`);
    });
  });

  describe('placeholders', () => {
    it('are filled before the value is checked: a number from msg, a missing value left out', () => {
      const msg = { payload: { digits: 4, secs: '3', flag: true, obj: { a: 1 } } };
      const xml = build([{ verb: 'Gather', attributes: { numDigits: '{{payload.digits}}', timeout: '{{ payload.secs }}', finishOnKey: '{{payload.none}}' }, children: [{ verb: 'Say', text: '{{{payload.obj}}} {{payload.flag}}' }] }], { resolve: fromMsg(msg) });
      assert.equal(xml, `${DECLARATION}<Response><Gather input="dtmf" timeout="3" numDigits="4"><Say>{"a":1} true</Say></Gather></Response>`);
      assert.deepEqual(failure([{ verb: 'Gather', attributes: { numDigits: '{{payload.Digits}}x' } }]),
        { field: 'verbs[0].attributes.numDigits', reason: 'at-least', message: 'Invalid verbs[0].attributes.numDigits: must be a whole number of at least 1' });
      assert.deepEqual(failure([{ verb: 'Redirect', text: '{{payload.next}}' }]),
        { field: 'verbs[0].text', reason: 'required', message: 'Invalid verbs[0].text: is required' });
    });

    it('a "{{" with a long run of spaces and no closing braces is text, found in one pass (a caller\'s speech put into a verb; the dialog\'s check uses the same pattern)', () => {
      // Three quantifiers over the spaces made every failed match try every split of them: 3,000
      // spaces took seconds, 8,000 two minutes, this would not end.
      const text = `{{${' '.repeat(200_000)}x`;
      const xml = build([{ verb: 'Say', text }], { resolve: () => 'never' });
      assert.equal(xml, `${DECLARATION}<Response><Say>${text}</Say></Response>`);
      assert.deepEqual(checkInboundXmlVerbs([{ verb: 'Say', text: `x{{${' '.repeat(200_000)}}` }], inboundXmlService('https://api.zang.io/v2')), undefined);
    });

    it('trims the expression between the braces, in all three spellings', () => {
      const msg = { payload: { a: 'A' } };
      assert.equal(build([{ verb: 'Say', text: '{{payload.a}}{{ payload.a }}{{{\tpayload.a\n}}}{{ }}' }], { resolve: fromMsg(msg) }), `${DECLARATION}<Response><Say>AAA</Say></Response>`);
    });

    it('are empty without a resolver', () => {
      assert.equal(build([{ verb: 'Say', text: 'Hi {{payload.From}}.' }], { resolve: undefined }), `${DECLARATION}<Response><Say>Hi .</Say></Response>`);
    });
  });

  describe('URLs', () => {
    it('give a /path the call\'s token, a dialled leg\'s URL its path key, and a media path nothing', () => {
      const xml = build([
        { verb: 'Play', text: '/media/hello.mp3' },
        { verb: 'Dial', attributes: { action: '/telapi/after-dial', callbackUrl: '/telapi/voice/' }, children: [{ verb: 'Number', text: '+15550123', attributes: { url: '/telapi/voice?whisper=1' } }] },
      ]);
      assert.match(xml, new RegExp(`<Play>${PUBLIC_URL}/media/hello.mp3</Play>`));
      assert.ok(xml.includes(`action="${PUBLIC_URL}/telapi/after-dial?token=${CALL_TOKEN}"`), xml);
      assert.ok(xml.includes(`callbackUrl="${PUBLIC_URL}/telapi/voice/?key=${VOICE_PATH_KEY}"`), xml);
      assert.ok(xml.includes(`url="${PUBLIC_URL}/telapi/voice?whisper=1&amp;key=${VOICE_PATH_KEY}"`), xml);
    });

    it('percent-encode a placeholder\'s lone surrogate in a query as U+FFFD (encodeURIComponent throws on it)', () => {
      const xml = build([{ verb: 'Gather', attributes: { action: '/telapi/next?from={{payload.From}}' } }], { resolve: fromMsg({ payload: { From: 'a\uD800b' } }) });
      assert.ok(xml.includes(`action="${PUBLIC_URL}/telapi/next?from=a%EF%BF%BDb&amp;token=${CALL_TOKEN}"`), xml);
    });

    it('give a conference\'s callback and record callback paths the path key: every participant\'s events go there', () => {
      const xml = build([{ verb: 'Dial', children: [{ verb: 'Conference', text: 'room', attributes: {
        callbackUrl: '/telapi/status', recordCallbackUrl: '/telapi/status', waitUrl: '/telapi/wait', record: 'true' } }] }]);
      assert.ok(xml.includes(`callbackUrl="${PUBLIC_URL}/telapi/status?key=${STATUS_PATH_KEY}"`), xml);
      assert.ok(xml.includes(`recordCallbackUrl="${PUBLIC_URL}/telapi/status?key=${STATUS_PATH_KEY}"`), xml);
      assert.ok(xml.includes(`waitUrl="${PUBLIC_URL}/telapi/wait?token=${CALL_TOKEN}"`), 'the waiting participant\'s own call');
    });

    it('take absolute URLs as they are: no token leaves for another host, none is added under the public URL either', () => {
      const xml = build([{ verb: 'Redirect', text: 'https://other.example/next?a=1' }, { verb: 'Gather', attributes: { action: `${PUBLIC_URL}/telapi/consent` } }]);
      assert.ok(xml.includes('<Redirect>https://other.example/next?a=1</Redirect>'), xml);
      assert.ok(xml.includes(`action="${PUBLIC_URL}/telapi/consent"`), xml);
    });

    it('bind the token to the call being answered', () => {
      const xml = build([{ verb: 'Redirect', text: '/telapi/voice' }], { callSid: OTHER_CALL_SID });
      assert.ok(!xml.includes(CALL_TOKEN));
      assert.ok(xml.includes(`token=${account.authenticator.tokenFor(OTHER_CALL_SID)}`));
    });

    it('carry the callback credentials only under the public URL', () => {
      const withCredentials = { ...account, callbackCredentials: { user: 'telapi', password: 'p@ss' } };
      const xml = build([{ verb: 'Redirect', text: '/telapi/voice' }, { verb: 'Play', text: 'https://media.example.com/a.mp3' }], { account: withCredentials });
      assert.ok(xml.includes(`<Redirect>https://telapi:p%40ss@nr.example.com/telapi/voice?token=${CALL_TOKEN}</Redirect>`), xml);
      assert.ok(xml.includes('<Play>https://media.example.com/a.mp3</Play>'), xml);
    });

    it('refuse a /path without a public URL or without a call, a URL that is not http(s), and one over 200 characters', () => {
      const relative = 'Invalid verbs[0].attributes.action: is a path, but the account has no public URL to put in front of it';
      for (const context of [{ account: undefined }, { account: { ...account, publicUrl: '' } }]) {
        assert.deepEqual(failure([{ verb: 'Gather', attributes: { action: '/telapi/consent' } }], context),
          { field: 'verbs[0].attributes.action', reason: 'relative-without-public-url', message: relative });
      }
      assert.equal(build([{ verb: 'Redirect', text: 'https://other.example/next' }], { account: undefined }), `${DECLARATION}<Response><Redirect>https://other.example/next</Redirect></Response>`);
      assert.equal(failure([{ verb: 'Redirect', text: '/telapi/voice' }], { callSid: undefined }).message, 'Invalid callSid: is required');
      assert.deepEqual(failure([{ verb: 'Play', text: 'ftp://media.example.com/a.mp3' }]),
        { field: 'verbs[0].text', reason: 'url', message: 'Invalid verbs[0].text: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)' });
      const long = failure([{ verb: 'Redirect', text: `/telapi/${'x'.repeat(150)}` }]);
      assert.equal(long.reason, 'url-too-long');
      assert.match(long.message, /^Invalid verbs\[0\]\.text: is 2\d\d characters with its token; TelAPI accepts at most 200$/);
      // Media URLs are fetched, not callback parameters: a long signed link passes.
      assert.ok(build([{ verb: 'Play', text: `https://media.example.com/a.mp3?sig=${'x'.repeat(400)}` }]).includes('sig=xxx'));
    });
  });

  describe('what a flow\'s author reads for a wrong verb', () => {
    const cases = [
      [[{ verb: 'Say', text: 'Hi' }, { verb: 'Speak', text: 'x' }], 'verbs[1].verb', 'unknown-verb', /^Invalid verbs\[1\]\.verb: is not an InboundXML verb; expected one of Say, Play, Gather, /],
      [[{ verb: 'Gather', attributes: { numdigits: '1' } }], 'verbs[0].attributes.numdigits', 'unknown-attribute', /^Invalid verbs\[0\]\.attributes\.numdigits: is not an attribute of <Gather>; expected one of input, hints, language, action, method, timeout, finishOnKey, numDigits$/],
      [[{ verb: 'Answer', attributes: { loop: '1' } }], 'verbs[0].attributes.loop', 'unknown-attribute', /is not an attribute of <Answer>; expected one of -$/],
      [[{ verb: 'Say', attrs: {} }], 'verbs[0].attrs', 'unknown-property', /^Invalid verbs\[0\]\.attrs: is not a property of a verb; expected one of verb, attributes, text, children$/],
      [[{ verb: 'Gather', children: [{ verb: 'Dial', text: '+15550123' }] }], 'verbs[0].children[0]', 'nesting', /^Invalid verbs\[0\]\.children\[0\]: <Dial> cannot stand in <Gather>, which holds Say, Play, PlayLastRecording, Pause$/],
      [[{ verb: 'Number', text: '+15550123' }], 'verbs[0]', 'nesting', /^Invalid verbs\[0\]: <Number> cannot stand in <Response>, which holds Say, /],
      [[{ verb: 'Say', text: 'x', children: [{ verb: 'Pause' }] }], 'verbs[0].children', 'no-children', /^Invalid verbs\[0\]\.children: <Say> holds no other verbs$/],
      [[{ verb: 'Pause', text: '3' }], 'verbs[0].text', 'no-text', /^Invalid verbs\[0\]\.text: <Pause> takes no text$/],
      [[{ verb: 'Say', text: 'x', attributes: { voice: 'robot' } }], 'verbs[0].attributes.voice', 'enum', /^Invalid verbs\[0\]\.attributes\.voice: must be one of female, male$/],
      [[{ verb: 'Pause', attributes: { length: '100000' } }], 'verbs[0].attributes.length', 'range', /^Invalid verbs\[0\]\.attributes\.length: must be a whole number from 1 to 99998, not "100000"$/],
      [[{ verb: 'Say', text: 'x', attributes: { loop: '-1' } }], 'verbs[0].attributes.loop', 'at-least', /must be a whole number of at least 0$/],
      [[{ verb: 'Record', attributes: { playBeep: 'yes' } }], 'verbs[0].attributes.playBeep', 'boolean', /^Invalid verbs\[0\]\.attributes\.playBeep: must be true or false$/],
      [[{ verb: 'Gather', attributes: { finishOnKey: 'x' } }], 'verbs[0].attributes.finishOnKey', 'dtmf', /^Invalid verbs\[0\]\.attributes\.finishOnKey: may only hold the keys 0 1 2 3 4 5 6 7 8 9 # \*$/],
      [[{ verb: 'Sms', text: 'Hi', attributes: { from: '+15550199' } }], 'verbs[0].attributes.to', 'required', /^Invalid verbs\[0\]\.attributes\.to: is required$/],
      [[{ verb: 'Play' }], 'verbs[0].text', 'required', /is required$/],
      [[{ verb: 'Say', text: 'x', attributes: { loop: { n: 1 } } }], 'verbs[0].attributes.loop', 'type', /must be of type string$/],
      [[{ verb: 'Dial', children: {} }], 'verbs[0].children', 'type', /must be of type array$/],
      [['Say'], 'verbs[0]', 'type', /must be of type object$/],
    ];
    for (const [verbs, field, reason, message] of cases) {
      it(`${reason}: ${field}`, () => {
        const error = failure(verbs);
        assert.deepEqual({ field: error.field, reason: error.reason }, { field, reason });
        assert.match(error.message, message);
      });
    }

    it('names msg.inboundxml\'s verbs as such, and refuses a msg.inboundxml that is no list', () => {
      assert.equal(failure({ verbs: [{ verb: 'Say', text: 'x' }], extra: [{ verb: 'Hangup', attributes: { schedule: 'soon' } }] }).field, 'msg.inboundxml[0].attributes.schedule');
      assert.deepEqual(failure({ extra: { verb: 'Hangup' } }), { field: 'msg.inboundxml', reason: 'type', message: 'Invalid msg.inboundxml: must be of type array' });
    });
  });

  describe('checking a node\'s verbs at deploy, before any request', () => {
    it('passes placeholders and /paths, and finds what no request can mend', () => {
      const verbs = [
        { verb: 'Gather', attributes: { numDigits: '{{payload.n}}', action: '/telapi/consent' }, children: [{ verb: 'Say', text: 'Hello {{payload.From}}' }] },
        { verb: 'Redirect', text: '{{payload.next}}' },
      ];
      assert.doesNotThrow(() => checkInboundXmlVerbs(verbs, 'zang'));
      assert.throws(() => checkInboundXmlVerbs([{ verb: 'Gather', attributes: { numDigits: 'one' } }], 'zang'),
        { name: 'TelApiInputError', message: 'Invalid verbs[0].attributes.numDigits: must be a whole number of at least 1' });
      assert.throws(() => checkInboundXmlVerbs([{ verb: 'Gather', attributes: { action: 'telapi/consent' } }], 'zang'),
        { name: 'TelApiInputError', message: 'Invalid verbs[0].attributes.action: must be an http(s) URL or a path starting with / (no . or .. segment, no control character)' });
      assert.throws(() => checkInboundXmlVerbs([{ verb: 'Answer' }], 'telapi'), { name: 'TelApiInputError', reason: 'service-verb' });
      assert.throws(() => checkInboundXmlVerbs([{ verb: 'Sms', text: 'Hi' }], 'zang'), { name: 'TelApiInputError', field: 'verbs[0].attributes.to' });
    });
  });

  describe('per service', () => {
    it('derives the service from the base URL', () => {
      for (const zang of ['https://api.zang.io/v2', 'https://API.Zang.io/v2/', 'http://127.0.0.1:8089/v2', 'https://zang.io/x']) assert.equal(inboundXmlService(zang), 'zang', zang);
      for (const telapi of ['https://api.telapi.com/v1', 'https://api.telapi.com/2011-07-01', 'http://127.0.0.1:8089/', 'not a url', '']) assert.equal(inboundXmlService(telapi), 'telapi', telapi);
    });

    it('TelAPI: no Gather input unless given, Sms without to and from, and no Zang verbs', () => {
      const telapi = { service: 'telapi' };
      assert.equal(build([{ verb: 'Gather', attributes: { numDigits: 1 } }, { verb: 'Sms', text: 'Hi' }], telapi),
        `${DECLARATION}<Response><Gather numDigits="1"/><Sms>Hi</Sms></Response>`);
      assert.equal(build([{ verb: 'Gather', attributes: { input: 'DTMF' } }], telapi), `${DECLARATION}<Response><Gather input="dtmf"/></Response>`);
      for (const verb of ['Answer', 'PlayLastRecording', 'Ping', 'Mms', 'GetSpeech']) {
        assert.deepEqual(failure([{ verb }], telapi), { field: 'verbs[0].verb', reason: 'service-verb', message: `Invalid verbs[0].verb: <${verb}> is a Zang verb, which TelAPI v1 does not have` });
      }
      assert.equal(failure([{ verb: 'Dial', children: [{ verb: 'User', text: 'alice' }] }], telapi).field, 'verbs[0].children[0].verb');
    });

    it('Zang: Gather input="dtmf" when unset, to and from required on Sms and Mms, grammar on GetSpeech', () => {
      assert.equal(build([{ verb: 'Gather' }]), `${DECLARATION}<Response><Gather input="dtmf"/></Response>`);
      assert.equal(failure([{ verb: 'Mms', attributes: { to: '1', from: '2' } }]).field, 'verbs[0].attributes.mediaUrl');
      assert.equal(failure([{ verb: 'GetSpeech' }]).field, 'verbs[0].attributes.grammar');
    });
  });

  describe('Zang\'s schema', () => {
    it('the schema check itself finds a document Zang refuses', async () => {
      const errors = await xsdErrors([{ name: 'no input', xml: `${DECLARATION}<Response><Gather/><Foo/></Response>` }]);
      assert.deepEqual(errors.map(({ name }) => name), ['no input']);
      assert.match(errors[0].errors.join('\n'), /attribute 'input' is required/);
      assert.match(errors[0].errors.join('\n'), /Element 'Foo': This element is not expected/);
    });

    it('validates every document built for Zang above', async function () {
      this.timeout(20000);
      assert.ok(zangDocuments.length >= 20, `${zangDocuments.length} documents`);
      await assertValidInboundXml(zangDocuments);
    });
  });
});
