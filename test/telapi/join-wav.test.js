'use strict';
const assert = require('node:assert/strict');
const { JoinError, joinSegments } = require('../../dist/telapi');
const { chunk, fmtBody, riff, samples, strictWav } = require('../support/audio-files');
const { assertJoinError, joinInPieces } = require('../support/join');

const list = () => chunk('LIST', Buffer.concat([Buffer.from('INFO'), chunk('INAM', Buffer.from('odd name\0', 'latin1'))]));

describe('telapi/join: WAV', () => {
  const fmt = fmtBody();
  const data1 = samples(1000, 1);
  const data2 = samples(1600, 2);
  const data3 = samples(402, 3);
  const segments = [
    // LIST before and after the data, an odd-sized chunk with its pad byte, fmt of 18 bytes (cbSize 0).
    riff([list(), chunk('fmt ', fmtBody({ cbSize: true })), chunk('junk', Buffer.alloc(3)), chunk('data', data1), list()]),
    riff([chunk('fmt ', fmt), chunk('fact', Buffer.alloc(4)), chunk('data', data2)]),
    riff([chunk('fmt ', fmt), chunk('data', data3), chunk('id3 ', Buffer.alloc(11))]),
  ];

  it('puts the data of every segment under one RIFF header with one fmt and one data chunk; other chunks are left out', () => {
    const joined = joinSegments(segments);
    assert.equal(joined.format, 'wav');
    assert.equal(joined.contentType, 'audio/wav');
    const read = strictWav(joined.bytes);
    assert.ok(read.fmt.equals(fmtBody({ cbSize: true })), 'the first segment\'s fmt as it was');
    assert.ok(read.data.equals(Buffer.concat([data1, data2, data3])));
    assert.equal(joined.bytes.length, 12 + 8 + 18 + 8 + 3002);
    assert.deepEqual(joined.segments.map((s) => [s.audioBytes, s.skippedBytes, s.droppedBytes, s.frames]), [[1000, 0, 0, undefined], [1600, 0, 0, undefined], [402, 0, 0, undefined]]);
    assert.deepEqual(joined.segments.map((s) => s.metadataBytes), segments.map((s, i) => s.length - [1000, 1600, 402][i]));
  });

  it('gives the duration as data bytes ÷ byte rate, and each segment\'s', () => {
    const joined = joinSegments(segments);
    assert.equal(joined.durationSeconds, 3002 / 16000);
    assert.deepEqual(joined.segments.map((s) => s.durationSeconds), [1000 / 16000, 1600 / 16000, 402 / 16000]);
  });

  for (const size of [1, 3, 8, 13, 100000]) {
    it(`gives the same file when the segments arrive in pieces of ${size} byte(s); the header first says "size unknown"`, () => {
      const { bytes, provisional, end } = joinInPieces(segments, size);
      assert.ok(bytes.equals(joinSegments(segments).bytes));
      assert.equal(provisional.readUInt32LE(4), 0xffffffff);
      assert.equal(provisional.readUInt32LE(provisional.length - 4), 0xffffffff);
      assert.equal(end.header.readUInt32LE(end.header.length - 4), 3002);
      assert.equal(end.summary.byteLength, bytes.length);
    });
  }

  it('adds the pad byte after an odd number of data bytes, and counts it in the RIFF size', () => {
    const fmt8 = fmtBody({ bitsPerSample: 8 });
    const odd = [riff([chunk('fmt ', fmt8), chunk('data', samples(5, 1))]), riff([chunk('fmt ', fmt8), chunk('data', samples(2, 9)), chunk('LIST', Buffer.alloc(4))])];
    const joined = joinSegments(odd);
    const read = strictWav(joined.bytes);
    assert.equal(read.data.length, 7);
    assert.equal(joined.bytes.at(-1), 0);
    assert.equal(joined.bytes.length, 12 + 8 + 16 + 8 + 7 + 1);
    assert.equal(joined.durationSeconds, 7 / 8000);
  });

  it('reads a streaming WAV (RIFF and data sizes 0xFFFFFFFF): its data runs to the end', () => {
    const streamed = riff([chunk('fmt ', fmt), chunk('data', data2, { size: 0xffffffff })], { riffSize: 0xffffffff });
    const joined = joinSegments([segments[1], streamed]);
    assert.ok(strictWav(joined.bytes).data.equals(Buffer.concat([data2, data2])));
  });

  it('takes a data size larger than the file as "to the end", and leaves out a sample block cut short', () => {
    const short = riff([chunk('fmt ', fmt), chunk('data', samples(801, 4), { size: 5000, pad: false })]);
    const joined = joinSegments([short, segments[1]]);
    assert.ok(strictWav(joined.bytes).data.equals(Buffer.concat([samples(800, 4), data2])));
    assert.equal(joined.segments[0].droppedBytes, 1);
  });

  it('leaves out a partial sample block at the end of a data chunk, so the next segment stays aligned', () => {
    const ragged = riff([chunk('fmt ', fmt), chunk('data', samples(7, 5)), chunk('LIST', Buffer.alloc(2))]);
    const joined = joinSegments([ragged, segments[1]]);
    assert.ok(strictWav(joined.bytes).data.equals(Buffer.concat([samples(6, 5), data2])));
    assert.equal(joined.segments[0].droppedBytes, 1);
  });

  const mismatches = [
    ['sample rate', { sampleRate: 16000 }, { property: 'sample-rate', expected: '8000 Hz', found: '16000 Hz' }],
    ['channel count', { channels: 2 }, { property: 'channels', expected: '1', found: '2' }],
    ['sample size', { bitsPerSample: 8 }, { property: 'bits-per-sample', expected: '16', found: '8' }],
    ['format code', { formatTag: 7, bitsPerSample: 16 }, { property: 'wav-format', expected: '1', found: '7' }],
    ['extension', { formatTag: 1, extension: Buffer.from([16, 0, 4, 0, 0, 0]) }, { property: 'wav-extension', expected: '', found: '100004000000' }],
  ];
  for (const [what, change, difference] of mismatches) {
    it(`refuses a segment whose fmt has another ${what}, naming the segment`, () => {
      const other = riff([chunk('fmt ', fmtBody(change)), chunk('data', data1)]);
      assertJoinError(() => joinSegments([segments[0], other], { labels: ['REone', 'REtwo'] }), 'mismatch', { ...difference, segment: 'REtwo' });
    });
  }

  it('refuses a WAV whose data comes before its fmt, that has no fmt, or a fmt that is too short or describes nothing', () => {
    const broken = [
      riff([chunk('data', data1), chunk('fmt ', fmt)]),
      riff([chunk('LIST', Buffer.alloc(4))]),
      riff([chunk('fmt ', fmt.subarray(0, 14)), chunk('data', data1)]),
      riff([chunk('fmt ', fmtBody({ channels: 0 })), chunk('data', data1)]),
      riff([chunk('fmt ', fmt), chunk('fmt ', fmt), chunk('data', data1)]),
    ];
    for (const [index, segment] of broken.entries()) {
      assert.throws(() => joinSegments([segment]), (error) => error instanceof JoinError && error.kind === 'invalid-wav' && error.params.segment === '#1', `case ${index}`);
    }
  });

  it('refuses a WAV with a fmt but no data chunk as one that holds no audio; a data chunk of 0 bytes is fine', () => {
    assertJoinError(() => joinSegments([riff([chunk('fmt ', fmt), chunk('LIST', Buffer.alloc(4))])]), 'no-audio', { segment: '#1' });
    const empty = riff([chunk('fmt ', fmt), chunk('data', Buffer.alloc(0))]);
    assert.equal(strictWav(joinSegments([empty, segments[1]]).bytes).data.length, 1600);
  });

  it('keeps the joined file within maxBytes', () => {
    const limit = 12 + 8 + 18 + 8 + 2000;
    assertJoinError(() => joinSegments(segments, { maxBytes: limit }), 'too-large', { maxBytes: limit });
    assert.equal(joinSegments(segments, { maxBytes: 12 + 8 + 18 + 8 + 3002 }).bytes.length, 3048);
  });
});
