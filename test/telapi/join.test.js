'use strict';
const assert = require('node:assert/strict');
const {
  AUDIO_CONTENT_TYPES, JOIN_ERROR_KINDS, JOIN_MISMATCH_PROPERTIES, JoinError, createJoiner, detectAudioFormat, joinSegments, orderSegments, parseRfc2822Date,
} = require('../../dist/telapi');
const a = require('../support/audio-files');
const { assertJoinError } = require('../support/join');

const mp3 = Buffer.concat(a.frames(3));
const wav = a.riff([a.chunk('fmt ', a.fmtBody()), a.chunk('data', a.samples(100))]);

describe('telapi/join: formats, errors, order', () => {
  describe('detectAudioFormat', () => {
    it('reads the format from the bytes: RIFF/WAVE is wav, an ID3v2 tag or an MPEG audio frame header is mp3', () => {
      assert.equal(detectAudioFormat(wav), 'wav');
      assert.equal(detectAudioFormat(mp3), 'mp3');
      assert.equal(detectAudioFormat(Buffer.concat([a.id3v2(), mp3])), 'mp3');
      assert.equal(detectAudioFormat(a.frameHeader({ version: 2.5, layer: 3, kbps: 8, sampleRate: 8000 })), 'mp3');
      assert.equal(detectAudioFormat(new Uint8Array(wav)), 'wav');
    });

    it('knows nothing else: Ogg, FLAC, RIFX, RF64, AVI, free-format MPEG, text, nothing', () => {
      const riffOf = (id, form) => Buffer.concat([Buffer.from(id), Buffer.alloc(4), Buffer.from(form)]);
      const freeFormat = a.frameHeader({});
      freeFormat[2] &= 0x0f;
      for (const bytes of [Buffer.from('OggS\0\x02'), Buffer.from('fLaC\0\0\0\x22'), riffOf('RIFX', 'WAVE'), riffOf('RF64', 'WAVE'), riffOf('RIFF', 'AVI '), freeFormat, Buffer.from('<html>'), Buffer.alloc(0), Buffer.from('ID3')]) {
        assert.equal(detectAudioFormat(bytes), undefined, bytes.toString('latin1'));
      }
    });

    it('gives each format its content type', () => {
      assert.deepEqual({ ...AUDIO_CONTENT_TYPES }, { mp3: 'audio/mpeg', wav: 'audio/wav' });
    });
  });

  describe('errors', () => {
    it('refuses an empty list of segments', () => {
      assertJoinError(() => joinSegments([]), 'no-segments', {});
      assert.throws(() => createJoiner().finish(), { message: 'There are no recordings to join' });
    });

    it('refuses mixed formats, naming the segment and both formats', () => {
      assertJoinError(() => joinSegments([mp3, mp3, wav], { labels: ['RE1', 'RE2', 'RE3'] }), 'mixed-formats', { segment: 'RE3', expected: 'MP3', found: 'WAV' });
      assert.throws(() => joinSegments([wav, mp3]), { message: 'Segment #2 is MP3, the first is WAV: segments of different formats cannot be joined' });
    });

    it('refuses a segment that is neither format, and an empty one', () => {
      assertJoinError(() => joinSegments([mp3, Buffer.from('<html>not found</html>')]), 'unknown-format', { segment: '#2' });
      assertJoinError(() => joinSegments([mp3, Buffer.alloc(0)]), 'no-audio', { segment: '#2' });
      assert.throws(() => joinSegments([Buffer.from('OggS')], { labels: ['REx'] }), { message: 'Segment REx is neither MP3 nor WAV' });
    });

    it('waits for the signature\'s bytes before it reads a segment, and reads a shorter one at its end', () => {
      const tiny = a.frame({ version: 2.5, layer: 3, kbps: 8, sampleRate: 8000, mode: 'mono' });
      assert.equal(tiny.length, 72);
      const joiner = createJoiner();
      joiner.startSegment();
      assert.deepEqual(joiner.push(tiny.subarray(0, 5)), []);
      assert.equal(joiner.format, undefined);
      const rest = joiner.push(tiny.subarray(5, 11));
      assert.deepEqual(Buffer.concat([...rest, ...joiner.push(tiny.subarray(11)), ...joiner.endSegment()]), tiny);
      assert.equal(joiner.format, 'mp3');
      assertJoinError(() => joinSegments([a.frameHeader({})]), 'no-audio', { segment: '#1' });
    });

    it('stays failed after a JoinError, and refuses calls out of order', () => {
      const joiner = createJoiner();
      assert.throws(() => joiner.push(mp3), { message: 'No segment is started' });
      joiner.add(mp3);
      let failure;
      assert.throws(() => joiner.add(wav), (error) => (failure = error) instanceof JoinError);
      assert.throws(() => joiner.add(mp3), (error) => error === failure);
      assert.throws(() => joiner.finish(), (error) => error === failure);
      const other = createJoiner();
      other.startSegment();
      assert.throws(() => other.startSegment(), { message: 'The segment before is not ended' });
      other.push(mp3);
      assert.equal(other.finish().summary.segments.length, 1, 'finish ends the open segment');
      assert.throws(() => other.startSegment(), { message: 'The join is finished' });
    });

    it('has an English message for every kind and every mismatch property', () => {
      assert.deepEqual([...JOIN_ERROR_KINDS], ['no-segments', 'undated', 'unknown-format', 'mixed-formats', 'mismatch', 'no-audio', 'invalid-wav', 'too-large']);
      for (const kind of JOIN_ERROR_KINDS) {
        const error = new JoinError(kind, { segment: 'REx', expected: 'A', found: 'B', property: 'sample-rate', maxBytes: 10 });
        assert.ok(error.message.length > 10 && !/undefined/.test(error.message), `${kind}: ${error.message}`);
        assert.equal(error.name, 'JoinError');
      }
      for (const property of JOIN_MISMATCH_PROPERTIES) {
        assert.doesNotMatch(new JoinError('mismatch', { segment: '#2', expected: 'A', found: 'B', property }).message, /\?|undefined/);
      }
    });
  });

  describe('orderSegments and parseRfc2822Date', () => {
    it('reads RFC 2822 dates as TelAPI sends them, and their variants', () => {
      const at = Date.UTC(2017, 2, 24, 16, 6, 32);
      assert.equal(parseRfc2822Date('Fri, 24 Mar 2017 16:06:32 -0000'), at);
      assert.equal(parseRfc2822Date('Fri, 24 Mar 2017 16:06:32 +0000'), at);
      assert.equal(parseRfc2822Date('24 Mar 2017 18:06:32 +0200'), at);
      assert.equal(parseRfc2822Date('Fri, 24 Mar 2017 11:06:32 EST'), at);
      assert.equal(parseRfc2822Date('fri, 24 mar 2017 16:06:32 GMT'), at);
      assert.equal(parseRfc2822Date('Fri, 24 Mar 17 16:06:32 UT'), at);
      assert.equal(parseRfc2822Date('Fri, 24 Mar 2017 16:06 -0000'), Date.UTC(2017, 2, 24, 16, 6, 0));
      assert.equal(parseRfc2822Date('Fri, 4 Mar 99 16:06:32 -0000'), Date.UTC(1999, 2, 4, 16, 6, 32));
      assert.equal(parseRfc2822Date('Sat, 31 Dec 2016 23:59:60 +0000'), Date.UTC(2016, 11, 31, 23, 59, 59));
    });

    it('reads no other text as a date', () => {
      for (const text of ['', '2017-03-24T16:06:32Z', 'Fri, 31 Apr 2017 16:06:32 -0000', 'Fri, 24 Mar 2017 24:00:00 -0000', 'Fri, 24 Mar 2017 16:60:00 -0000',
        'Fri, 24 Mar 2017 16:06:32 +0260', 'Fri, 24 Mar 2017 16:06:32', 'Fri, 24 Mars 2017 16:06:32 -0000', 1490371592000, undefined, null]) {
        assert.equal(parseRfc2822Date(text), undefined, String(text));
      }
    });

    it('orders by date_created as a time, oldest first; the same time keeps the list\'s order; the input is not changed', () => {
      const recordings = [
        { sid: 'RE3', date_created: 'Fri, 24 Mar 2017 16:10:00 -0000' },
        { sid: 'RE2b', date_created: 'Fri, 24 Mar 2017 16:08:00 -0000' },
        { sid: 'RE1', date_created: 'Fri, 24 Mar 2017 18:07:00 +0200' },
        { sid: 'RE2a', date_created: 'Fri, 24 Mar 2017 12:08:00 -0400' },
        { sid: 'RE4', date_created: 'Sat, 25 Mar 2017 00:00:00 -0000' },
      ];
      const copy = structuredClone(recordings);
      assert.deepEqual(orderSegments(recordings).map((r) => r.sid), ['RE1', 'RE2b', 'RE2a', 'RE3', 'RE4']);
      assert.deepEqual(recordings, copy);
    });

    it('refuses to guess the place of a recording whose date cannot be read; one recording alone needs no order', () => {
      const recordings = [{ sid: 'RE1', date_created: 'Fri, 24 Mar 2017 16:10:00 -0000' }, { sid: 'RE2', date_created: 'yesterday' }];
      assertJoinError(() => orderSegments(recordings), 'undated', { segment: 'RE2' });
      assert.throws(() => orderSegments([recordings[0], {}]), { message: 'Segment #2 has no date_created that reads as a time, so the order of the segments is not known' });
      assert.deepEqual(orderSegments([recordings[1]]), [recordings[1]]);
      assert.deepEqual(orderSegments([]), []);
    });
  });
});
