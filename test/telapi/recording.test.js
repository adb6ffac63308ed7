'use strict';
const assert = require('node:assert/strict');
const {
  DEFAULT_RECORDING_OPTIONS,
  TelApiInputError,
  buildRecordForm,
  parseRecordingOptions,
  recordingFormParams,
  resolveCallbackUrl,
  callbackToken,
} = require('../../dist/telapi');
const { AUTH_TOKEN, CALL_SID, CALL_TOKEN } = require('../support/fixtures');

const tokenFor = (callSid) => callbackToken(AUTH_TOKEN, callSid);
const build = (options, publicUrl = '', ...callSid) =>
  buildRecordForm({ callSid: callSid.length ? callSid[0] : CALL_SID, options: parseRecordingOptions(options), publicUrl, tokenFor }).toString();

function assertInputError(fn, field, reason) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof TelApiInputError, `expected TelApiInputError, got ${error}`);
    assert.equal(error.field, field);
    assert.equal(error.reason, reason);
    assert.match(error.message, new RegExp(`Invalid ${field}`));
    return true;
  });
}

describe('telapi/recording: options -> TelAPI form parameters', () => {
  it('maps the golden example of docs/telapi-api.md exactly, in TelAPI\'s order', () => {
    const form = recordingFormParams({
      action: 'start', direction: 'out', timeLimit: 1337, callbackUrl: 'CallbackUrl', fileFormat: 'wav',
      trimSilence: true, transcribe: true, transcribeQuality: 'hybrid', transcribeCallback: 'TranscribeCallback',
    });
    assert.equal(form.toString(),
      'Record=true&Direction=out&TimeLimit=1337&CallbackUrl=CallbackUrl&FileFormat=wav&TrimSilence=true&Transcribe=true&TranscribeQuality=hybrid&TranscribeCallback=TranscribeCallback');
  });

  it('sends TelAPI\'s defaults explicitly and no empty URL', () => {
    assert.equal(build({}), 'Record=true&Direction=both&TimeLimit=60&FileFormat=mp3&TrimSilence=false&Transcribe=false');
  });

  it('a stop sends Record=false only', () => {
    assert.equal(build({ action: 'stop', direction: 'in', callbackUrl: 'https://x.example/cb' }), 'Record=false');
  });

  it('checks every URL field, also when this request would not send it', () => {
    assertInputError(() => build({ action: 'stop', callbackUrl: 'ftp://evil.example/x' }), 'callbackUrl', 'url');
    assertInputError(() => build({ transcribe: false, transcribeCallback: 'javascript:alert(1)' }), 'transcribeCallback', 'url');
  });

  it('sends transcription parameters only when transcribing', () => {
    assert.equal(build({ transcribeQuality: 'gold', transcribeCallback: 'https://x.example/t' }),
      'Record=true&Direction=both&TimeLimit=60&FileFormat=mp3&TrimSilence=false&Transcribe=false');
    const form = new URLSearchParams(build({ transcribe: true, transcribeQuality: 'platinum' }));
    assert.equal(form.get('TranscribeQuality'), 'platinum');
    assert.equal(form.has('TranscribeCallback'), false);
  });

  it('appends the call token to absolute callback URLs, keeping their query', () => {
    const form = new URLSearchParams(build({ callbackUrl: 'https://nr.example.com/telapi/recording?flow=a', transcribe: true, transcribeCallback: 'https://nr.example.com/t' }));
    assert.equal(form.get('CallbackUrl'), `https://nr.example.com/telapi/recording?flow=a&token=${CALL_TOKEN}`);
    assert.equal(form.get('TranscribeCallback'), `https://nr.example.com/t?token=${CALL_TOKEN}`);
  });

  it('replaces a token already in the configured URL', () => {
    const url = resolveCallbackUrl('callbackUrl', 'https://h.example/cb?token=forged', '', 'real');
    assert.equal(url, 'https://h.example/cb?token=real');
  });

  it('resolves a path against the account\'s public URL (with or without trailing slash)', () => {
    for (const publicUrl of ['https://nr.example.com/api', 'https://nr.example.com/api/']) {
      const form = new URLSearchParams(build({ callbackUrl: '/telapi/recording' }, publicUrl));
      assert.equal(form.get('CallbackUrl'), `https://nr.example.com/api/telapi/recording?token=${CALL_TOKEN}`);
    }
  });

  it('rejects a path when the account has no public URL', () => {
    assertInputError(() => build({ callbackUrl: '/telapi/recording' }), 'callbackUrl', 'relative-without-public-url');
    assertInputError(() => build({ transcribe: true, transcribeCallback: '/t' }), 'transcribeCallback', 'relative-without-public-url');
  });

  it('rejects URLs that are not http(s)', () => {
    for (const bad of ['ftp://x.example/a', 'not a url', 'javascript:alert(1)', 'telapi/recording']) {
      assertInputError(() => build({ callbackUrl: bad }), 'callbackUrl', 'url');
    }
  });

  it('enforces TelAPI\'s 200-character limit including the token', () => {
    const base = 'https://nr.example.com/';
    const fits = base + 'a'.repeat(200 - base.length - '?token='.length - CALL_TOKEN.length);
    assert.equal(new URLSearchParams(build({ callbackUrl: fits })).get('CallbackUrl').length, 200);
    assertInputError(() => build({ callbackUrl: fits + 'a' }), 'callbackUrl', 'url-too-long');
  });

  it('requires a well-formed msg.callSid', () => {
    assertInputError(() => build({}, '', undefined), 'callSid', 'required');
    assertInputError(() => build({}, '', ''), 'callSid', 'required');
    for (const bad of ['CA123', 'AC0123456789abcdef0123456789abcdef', `${CALL_SID}0`, 42, {}]) {
      assertInputError(() => build({}, '', bad), 'callSid', 'sid');
    }
  });
});

describe('telapi/recording: option parsing', () => {
  it('returns the defaults of the contract', () => {
    assert.deepEqual(parseRecordingOptions(undefined), {
      action: 'start', direction: 'both', timeLimit: 60, callbackUrl: '', fileFormat: 'mp3',
      trimSilence: false, transcribe: false, transcribeQuality: 'auto', transcribeCallback: '',
    });
    assert.deepEqual(parseRecordingOptions({}), { ...DEFAULT_RECORDING_OPTIONS });
  });

  it('overrides only the keys given, over a base', () => {
    const base = parseRecordingOptions({ direction: 'in', timeLimit: 30 });
    assert.deepEqual(parseRecordingOptions({ timeLimit: 5 }, base), { ...base, timeLimit: 5 });
  });

  it('coerces liberal values the way TelAPI accepts them', () => {
    const options = parseRecordingOptions({ timeLimit: '45', trimSilence: 'True', transcribe: 1 });
    assert.equal(options.timeLimit, 45);
    assert.equal(options.trimSilence, true);
    assert.equal(options.transcribe, true);
    assert.equal(parseRecordingOptions({ transcribe: 'false' }).transcribe, false);
  });

  it('rejects bad values naming the field', () => {
    assertInputError(() => parseRecordingOptions({ timeLimit: 0 }), 'timeLimit', 'integer');
    assertInputError(() => parseRecordingOptions({ timeLimit: 1.5 }), 'timeLimit', 'integer');
    assertInputError(() => parseRecordingOptions({ timeLimit: '10s' }), 'timeLimit', 'integer');
    assertInputError(() => parseRecordingOptions({ timeLimit: -1 }), 'timeLimit', 'integer');
    assertInputError(() => parseRecordingOptions({ action: 'halt' }), 'action', 'enum');
    assertInputError(() => parseRecordingOptions({ direction: 'up' }), 'direction', 'enum');
    assertInputError(() => parseRecordingOptions({ fileFormat: 'ogg' }), 'fileFormat', 'enum');
    assertInputError(() => parseRecordingOptions({ transcribeQuality: 'best' }), 'transcribeQuality', 'enum');
    assertInputError(() => parseRecordingOptions({ trimSilence: 'yes' }), 'trimSilence', 'boolean');
    assertInputError(() => parseRecordingOptions({ callbackUrl: 7 }), 'callbackUrl', 'type');
  });

  it('rejects a msg.recording that is not an object, and unknown keys', () => {
    assertInputError(() => parseRecordingOptions('stop'), 'recording', 'type');
    assertInputError(() => parseRecordingOptions([1]), 'recording', 'type');
    assertInputError(() => parseRecordingOptions({ timelimit: 5 }), 'timelimit', 'unknown-option');
  });
});
