'use strict';
// Request building, validation and paging of the recordings operations, against a client stand-in
// that records each request and answers from a script (no network).
const assert = require('node:assert/strict');
const {
  TelApiInputError, TelApiError, DEFAULT_RECORDINGS_OPTIONS, parseRecordingsOptions, messageOptions, validateRecordingSid,
  listQuery, parseListPage, nextPageUrl, listRecordings, getRecording, deleteRecording, transcribeRecording, transcribeForm,
  transcribeCallbackFor, recordingFilename, recordingUrlOf, callbackToken, resolveCallbackUrl,
} = require('../../dist/telapi');

const RE = 'RE0123456789abcdef0123456789abcdef';
const CA = 'CAfedcba9876543210fedcba9876543210';
const BASE = 'https://api.example.com/v2';

function rec(n) {
  return { sid: `RE${String(n).padStart(32, '0')}`, call_sid: CA };
}

/** A client whose request() answers from `pages` (a function of the request) and records requests. */
function fakeClient(answer) {
  const requests = [];
  return {
    baseUrl: BASE,
    requests,
    async request(request) {
      requests.push(request);
      return { statusCode: 200, body: answer(request, requests.length - 1), attempts: 1 };
    },
  };
}

function rejectsInput(fn, field, reason) {
  assert.throws(fn, (error) => error instanceof TelApiInputError && error.field === field && error.reason === reason);
}

describe('telapi/recordings: options', () => {
  it('defaults are the contract\'s', () => {
    assert.deepEqual(parseRecordingsOptions(undefined), {
      operation: 'list', callSid: '', dateFrom: '', dateTo: '', maxRecordings: 1000, maxBytes: 52428800, transcribeQuality: 'auto', transcribeCallback: '',
    });
  });

  it('accepts every key with valid values, numbers given as text too', () => {
    const options = parseRecordingsOptions({
      operation: 'download', callSid: CA, dateFrom: '2024-01-31', dateTo: '2024-02-29', maxRecordings: '100000', maxBytes: 10,
      transcribeQuality: 'platinum', transcribeCallback: '/telapi/transcription',
    });
    assert.equal(options.operation, 'download');
    assert.equal(options.maxRecordings, 100000);
    assert.equal(options.dateTo, '2024-02-29');
  });

  it('rejects unknown keys and bad values before any request', () => {
    rejectsInput(() => parseRecordingsOptions({ maxrecordings: 5 }), 'maxrecordings', 'unknown-option');
    rejectsInput(() => parseRecordingsOptions({ operation: 'purge' }), 'operation', 'enum');
    rejectsInput(() => parseRecordingsOptions({ maxRecordings: 0 }), 'maxRecordings', 'range');
    rejectsInput(() => parseRecordingsOptions({ maxRecordings: 100001 }), 'maxRecordings', 'range');
    rejectsInput(() => parseRecordingsOptions({ maxRecordings: 1.5 }), 'maxRecordings', 'range');
    rejectsInput(() => parseRecordingsOptions({ maxBytes: 0 }), 'maxBytes', 'range');
    rejectsInput(() => parseRecordingsOptions({ maxBytes: -1 }), 'maxBytes', 'range');
    rejectsInput(() => parseRecordingsOptions({ maxBytes: require('node:buffer').constants.MAX_LENGTH + 1 }), 'maxBytes', 'range');
    rejectsInput(() => parseRecordingsOptions({ dateFrom: '2024-1-31' }), 'dateFrom', 'date');
    rejectsInput(() => parseRecordingsOptions({ dateTo: '2023-02-29' }), 'dateTo', 'date');
    rejectsInput(() => parseRecordingsOptions({ dateTo: 20240101 }), 'dateTo', 'date');
    rejectsInput(() => parseRecordingsOptions({ callSid: 'CA123' }), 'callSid', 'sid');
    rejectsInput(() => parseRecordingsOptions({ transcribeQuality: 'best' }), 'transcribeQuality', 'enum');
    rejectsInput(() => parseRecordingsOptions({ transcribeCallback: 'ftp://x' }), 'transcribeCallback', 'url');
    rejectsInput(() => parseRecordingsOptions('list'), 'recordings', 'type');
    rejectsInput(() => parseRecordingsOptions([]), 'recordings', 'type');
  });

  it('msg.recordings wins over msg.callSid, which wins over the node', () => {
    const other = 'CA00000000000000000000000000000001';
    assert.equal(messageOptions(DEFAULT_RECORDINGS_OPTIONS, CA, undefined).callSid, CA);
    assert.equal(messageOptions(DEFAULT_RECORDINGS_OPTIONS, CA, { callSid: other }).callSid, other);
    assert.equal(messageOptions(DEFAULT_RECORDINGS_OPTIONS, CA, { callSid: '' }).callSid, '');
    rejectsInput(() => messageOptions(DEFAULT_RECORDINGS_OPTIONS, 'nope', undefined), 'callSid', 'sid');
  });

  it('recordingSid is RE + 32 hex and required', () => {
    assert.equal(validateRecordingSid(RE), RE);
    rejectsInput(() => validateRecordingSid(undefined), 'recordingSid', 'required');
    rejectsInput(() => validateRecordingSid(''), 'recordingSid', 'required');
    rejectsInput(() => validateRecordingSid('RE123'), 'recordingSid', 'sid');
    rejectsInput(() => validateRecordingSid(CA), 'recordingSid', 'sid');
    rejectsInput(() => validateRecordingSid(`${RE}/../x`), 'recordingSid', 'sid');
  });
});

describe('telapi/recordings: request building', () => {
  it('lists with TelAPI\'s names, the comparison in the name, dates as given', () => {
    const query = listQuery({ callSid: CA, dateFrom: '2024-01-31', dateTo: '2024-02-02', maxRecordings: 1000 }, 2);
    assert.equal(query.toString(), `CallSid=${CA}&DateCreated%3E=2024-01-31&DateCreated%3C=2024-02-02&Page=2&PageSize=50`);
    assert.equal(listQuery({ callSid: '', dateFrom: '', dateTo: '', maxRecordings: 7 }).toString(), 'Page=0&PageSize=7');
  });

  it('get, delete and transcribe address the recording', async () => {
    const client = fakeClient(() => rec(1));
    await getRecording(client, RE);
    await deleteRecording(client, RE);
    await transcribeRecording(client, RE, transcribeForm({ transcribeQuality: 'hybrid' }, 'https://nr.example.com/t?token=x'));
    assert.deepEqual(client.requests.map((r) => [r.method, r.path]), [
      ['GET', `/Recordings/${RE}.json`], ['DELETE', `/Recordings/${RE}.json`], ['POST', `/Recordings/${RE}/Transcriptions.json`],
    ]);
    assert.equal(client.requests[2].form.toString(), 'Quality=hybrid&TranscribeCallback=https%3A%2F%2Fnr.example.com%2Ft%3Ftoken%3Dx');
  });

  it('transcribe sends Quality always and no empty TranscribeCallback', () => {
    assert.equal(transcribeForm({ transcribeQuality: 'auto' }, '').toString(), 'Quality=auto');
  });

  it('binds the TranscribeCallback token to the recording\'s call_sid, through the record node\'s resolution', () => {
    const token = (callSid) => callbackToken('0123456789abcdef0123456789abcdef', callSid);
    const url = transcribeCallbackFor({ sid: RE, call_sid: CA }, '/telapi/transcription', 'https://nr.example.com/', token);
    assert.equal(url, resolveCallbackUrl('transcribeCallback', '/telapi/transcription', 'https://nr.example.com/', token(CA)));
    assert.equal(new URL(url).searchParams.get('token'), 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk');
    assert.equal(transcribeCallbackFor({ sid: RE }, '', '', token), '');
    assert.throws(() => transcribeCallbackFor({ sid: RE }, '/t', 'https://nr.example.com', token), TelApiError);
    rejectsInput(() => transcribeCallbackFor({ call_sid: CA }, '/t', '', token), 'transcribeCallback', 'relative-without-public-url');
  });

  it('puts the account\'s callback credentials (httpNodeAuth) into the TranscribeCallback, as the record node does', () => {
    const token = (callSid) => callbackToken('0123456789abcdef0123456789abcdef', callSid);
    const credentials = { user: 'telapi', password: 's3cret' };
    const url = new URL(transcribeCallbackFor({ sid: RE, call_sid: CA }, '/telapi/transcription', 'https://nr.example.com', token, credentials));
    assert.equal(url.username, 'telapi');
    assert.equal(url.password, 's3cret');
    assert.equal(url.searchParams.get('token'), 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk');
  });

  it('names the file after the recording, .wav only for a .wav URL', () => {
    assert.equal(recordingFilename(RE, 'https://m.example.com/a/RE1.wav'), `${RE}.wav`);
    assert.equal(recordingFilename(RE, 'https://m.example.com/a/RE1.WAV?x=1'), `${RE}.wav`);
    assert.equal(recordingFilename(RE, 'https://m.example.com/a/RE1.mp3'), `${RE}.mp3`);
    assert.equal(recordingFilename(RE, 'https://m.example.com/a/RE1?f=.wav'), `${RE}.mp3`);
  });

  it('takes only an http(s) recording_url', () => {
    assert.equal(recordingUrlOf({ recording_url: 'https://m.example.com/x.mp3' }), 'https://m.example.com/x.mp3');
    for (const bad of [undefined, '', 'file:///etc/passwd', 'ftp://m.example.com/x.mp3', 42]) {
      assert.throws(() => recordingUrlOf({ recording_url: bad }), TelApiError);
    }
  });
});

describe('telapi/recordings: paging', () => {
  function envelope(items, extra) {
    return { recordings: items, total: 120, page_size: 50, ...extra };
  }

  it('follows next_page_uri, relative to the API origin, until it is "" or null', async () => {
    for (const none of ['', null]) {
      const client = fakeClient((request, index) => {
        const items = Array.from({ length: index < 2 ? 50 : 20 }, (_, i) => rec(index * 50 + i));
        return envelope(items, { page: index, num_pages: 3, next_page_uri: index < 2 ? `/v2/Accounts/AC1/Recordings.json?Page=${index + 1}&PageSize=50` : none });
      });
      const result = await listRecordings(client, { ...DEFAULT_RECORDINGS_OPTIONS });
      assert.equal(result.recordings.length, 120);
      assert.equal(result.total, 120);
      assert.equal(new Set(result.recordings.map((r) => r.sid)).size, 120);
      assert.deepEqual(client.requests.map((r) => r.url), [undefined, `https://api.example.com/v2/Accounts/AC1/Recordings.json?Page=1&PageSize=50`, `https://api.example.com/v2/Accounts/AC1/Recordings.json?Page=2&PageSize=50`]);
    }
  });

  it('counts page up to num_pages - 1 without next_page_uri', async () => {
    const client = fakeClient((request) => {
      const page = Number(request.query.get('Page'));
      return envelope(Array.from({ length: page < 2 ? 50 : 20 }, (_, i) => rec(page * 50 + i)), { page, num_pages: 3 });
    });
    const result = await listRecordings(client, { ...DEFAULT_RECORDINGS_OPTIONS, maxRecordings: 1000 });
    assert.equal(result.recordings.length, 120);
    assert.deepEqual(client.requests.map((r) => r.query.get('Page')), ['0', '1', '2']);
  });

  it('stops at maxRecordings, and asks for no larger a page than that', async () => {
    const client = fakeClient((request) => {
      const page = Number(request.query.get('Page'));
      const size = Number(request.query.get('PageSize'));
      return envelope(Array.from({ length: size }, (_, i) => rec(page * size + i)), { page, num_pages: 100 });
    });
    const result = await listRecordings(client, { ...DEFAULT_RECORDINGS_OPTIONS, maxRecordings: 250 });
    assert.equal(result.recordings.length, 250);
    assert.equal(client.requests.length, 5);
    assert.equal(client.requests[0].query.get('PageSize'), '50');
  });

  it('de-duplicates by sid when pages shift, and a page with nothing new ends the walk', async () => {
    const client = fakeClient((request) => {
      const page = Number(request.query.get('Page'));
      // A recording added while reading shifts page 1 by one: its first item was page 0's last.
      const start = page === 0 ? 0 : 49;
      return envelope(Array.from({ length: 50 }, (_, i) => rec(start + i)), { page, num_pages: page === 0 ? 2 : 1000 });
    });
    const result = await listRecordings(client, { ...DEFAULT_RECORDINGS_OPTIONS });
    assert.equal(result.recordings.length, 99);
    assert.equal(new Set(result.recordings.map((r) => r.sid)).size, 99);
    const repeating = fakeClient(() => envelope([rec(1), rec(2)], { page: 0, next_page_uri: '/v2/Accounts/AC1/Recordings.json?Page=0' }));
    assert.equal((await listRecordings(repeating, { ...DEFAULT_RECORDINGS_OPTIONS })).recordings.length, 2);
    assert.equal(repeating.requests.length, 2);
  });

  it('never follows a next_page_uri to another origin', () => {
    assert.equal(nextPageUrl(BASE, '/v2/Accounts/AC1/Recordings.json?Page=1'), 'https://api.example.com/v2/Accounts/AC1/Recordings.json?Page=1');
    assert.throws(() => nextPageUrl(BASE, 'https://evil.example.net/v2/x'), TelApiError);
    assert.throws(() => nextPageUrl(BASE, '//evil.example.net/v2/x'), TelApiError);
  });

  it('refuses an answer that is not a list', () => {
    assert.throws(() => parseListPage({ sid: RE }, 200, new URLSearchParams()), (e) => e instanceof TelApiError && e.kind === 'invalid-response');
    const page = parseListPage({ recordings: [], page: '0', num_pages: '3', total: '0', next_page_uri: null }, 200, new URLSearchParams());
    assert.equal(page.next, undefined);
  });
});
