'use strict';
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const { JoinError, createJoiner, joinSegmentFrom, joinSegments } = require('../../dist/telapi');
const { parseFrameHeader } = require('../../dist/telapi/join/mpeg');
const a = require('../support/audio-files');
const { assertJoinError, joinInPieces } = require('../support/join');

describe('telapi/join: MP3', () => {
  describe('frame headers', () => {
    // [stream, padding, frame length, samples per frame]: the standard formulas worked by hand.
    const cases = [
      [{ version: 1, layer: 3, kbps: 128, sampleRate: 44100 }, 0, 417, 1152],
      [{ version: 1, layer: 3, kbps: 128, sampleRate: 44100 }, 1, 418, 1152],
      [{ version: 1, layer: 3, kbps: 320, sampleRate: 32000 }, 1, 1441, 1152],
      [{ version: 1, layer: 2, kbps: 192, sampleRate: 48000 }, 0, 576, 1152],
      [{ version: 1, layer: 1, kbps: 32, sampleRate: 32000 }, 1, 52, 384],
      [{ version: 1, layer: 1, kbps: 448, sampleRate: 44100 }, 0, 484, 384],
      [{ version: 2, layer: 3, kbps: 32, sampleRate: 16000 }, 0, 144, 576],
      [{ version: 2, layer: 2, kbps: 160, sampleRate: 22050 }, 1, 1045, 1152],
      [{ version: 2, layer: 1, kbps: 256, sampleRate: 24000 }, 0, 512, 384],
      [{ version: 2.5, layer: 3, kbps: 8, sampleRate: 8000 }, 0, 72, 576],
      [{ version: 2.5, layer: 3, kbps: 64, sampleRate: 11025 }, 1, 418, 576],
    ];
    for (const [stream, padding, length, samples] of cases) {
      it(`MPEG-${stream.version} Layer ${stream.layer} ${stream.kbps} kbit/s ${stream.sampleRate} Hz${padding ? ' padded' : ''}: ${length} bytes, ${samples} samples`, () => {
        const header = parseFrameHeader(a.frameHeader({ ...stream, mode: 'mono' }, padding));
        assert.equal(header.length, length);
        assert.equal(header.samplesPerFrame, samples);
        assert.equal(header.sampleRate, stream.sampleRate);
        assert.equal(header.bitrate, stream.kbps * 1000);
        assert.equal(header.version, String(stream.version));
        assert.equal(header.layer, stream.layer);
        assert.equal(header.channelMode, 'mono');
      });
    }

    it('is no header without the sync, with a reserved version, layer or sample rate, bitrate index 0 (free format) or 15, or emphasis 2', () => {
      const good = a.frameHeader({});
      assert.ok(parseFrameHeader(good));
      const broken = [
        [0, 0xfe],
        [1, (good[1] & ~0x18) | 0x08], // version 01
        [1, good[1] & ~0x06], // layer 00
        [2, good[2] & 0x0f], // bitrate index 0
        [2, good[2] | 0xf0], // bitrate index 15
        [2, good[2] | 0x0c], // sample rate index 3
        [3, (good[3] & ~3) | 2], // emphasis 10
      ];
      for (const [index, value] of broken) {
        const bytes = Buffer.from(good);
        bytes[index] = value;
        assert.equal(parseFrameHeader(bytes), undefined, `byte ${index} = ${value.toString(16)}`);
      }
    });
  });

  describe('joining', () => {
    const audio1 = a.frames(3, {}, 1);
    const audio2 = a.frames(2, {}, 10);
    const audio3 = a.frames(2, {}, 20);
    const segments = [
      Buffer.concat([a.id3v2({ major: 4, footer: true }), a.xingFrame({}, 'Xing'), ...audio1, a.id3v1()]),
      Buffer.concat([a.id3v2({ major: 3, bodyLength: 200 }), a.xingFrame({}, 'Info'), ...audio2, a.apeTag(), a.id3v1()]),
      Buffer.concat([a.vbriFrame({}), ...audio3]),
    ];
    const expected = Buffer.concat([...audio1, ...audio2, ...audio3]);

    it('keeps only the audio frames, in order: no ID3v2 (with its footer), Xing, Info, VBRI, APEv2 or ID3v1 of any segment', () => {
      const joined = joinSegments(segments, { labels: ['REa', 'REb', 'REc'] });
      assert.ok(joined.bytes.equals(expected));
      assert.equal(joined.format, 'mp3');
      assert.equal(joined.contentType, 'audio/mpeg');
      assert.equal(a.strictMp3Frames(joined.bytes).length, 7);
      assert.deepEqual(
        joined.segments.map((s) => [s.segment, s.label, s.frames, s.audioBytes, s.skippedBytes, s.droppedBytes]),
        [[1, 'REa', 3, 3 * 417, 0, 0], [2, 'REb', 2, 2 * 417, 0, 0], [3, 'REc', 2, 2 * 417, 0, 0]],
      );
      assert.deepEqual(joined.segments.map((s) => s.metadataBytes), segments.map((s, i) => s.length - [audio1, audio2, audio3][i].length * 417));
    });

    it('gives the duration: frames × samples per frame ÷ sample rate, summed over the segments', () => {
      const joined = joinSegments(segments);
      assert.equal(joined.durationSeconds, (7 * 1152) / 44100);
      assert.deepEqual(joined.segments.map((s) => s.durationSeconds), [(3 * 1152) / 44100, (2 * 1152) / 44100, (2 * 1152) / 44100]);
      assert.equal(a.mp3Seconds(joined.bytes), joined.durationSeconds);
    });

    for (const size of [1, 2, 3, 7, 64, 1000]) {
      it(`gives the same bytes when the segments arrive in pieces of ${size} byte(s)`, () => {
        assert.ok(joinInPieces(segments, size).bytes.equals(expected));
      });
    }

    it('joins from streams, writing each piece before reading on (joinSegmentFrom)', async () => {
      const joiner = createJoiner();
      const written = [];
      for (const segment of segments) {
        const source = Readable.from([segment.subarray(0, 100), segment.subarray(100, 333), segment.subarray(333)]);
        await joinSegmentFrom(joiner, source, async (piece) => {
          await new Promise((resolve) => setImmediate(resolve));
          written.push(piece);
        });
      }
      const end = joiner.finish();
      assert.equal(end.header, undefined);
      assert.ok(Buffer.concat([...written, ...end.output]).equals(expected));
      assert.equal(end.summary.byteLength, expected.length);
    });

    it('finds the Xing tag after a CRC, and leaves a Xing-like frame alone when it is not the first', () => {
      const crc = { crc: true };
      const afterCrc = a.xingFrame(crc, 'Info', true);
      const body = a.frames(2, crc, 30);
      assert.ok(joinSegments([Buffer.concat([afterCrc, ...body])]).bytes.equals(Buffer.concat(body)));
      const late = a.xingFrame({}, 'Xing');
      const audio = [a.frame({}, 5), late, a.frame({}, 6)];
      assert.ok(joinSegments([Buffer.concat(audio)]).bytes.equals(Buffer.concat(audio)));
    });

    it('finds Xing at the side information length of MPEG-2 mono and MPEG-1 mono', () => {
      for (const stream of [{ version: 2, kbps: 32, sampleRate: 16000, mode: 'mono' }, { mode: 'mono' }]) {
        const audio = a.frames(2, stream);
        assert.ok(joinSegments([Buffer.concat([a.xingFrame(stream), ...audio])]).bytes.equals(Buffer.concat(audio)), JSON.stringify(stream));
      }
    });

    it('joins stereo and joint stereo segments (both two channels; encoders switch between them per frame)', () => {
      const stereo = a.frames(2, { mode: 'stereo' });
      const joint = a.frames(2, { mode: 'joint stereo' });
      assert.ok(joinSegments([Buffer.concat(stereo), Buffer.concat(joint)]).bytes.equals(Buffer.concat([...stereo, ...joint])));
    });

    it('skips junk between frames and finds the next frame (a stray sync in the junk is not taken), counting what it skipped', () => {
      const before = a.frames(2, {}, 1);
      const after = a.frames(2, {}, 3);
      const junk = Buffer.concat([Buffer.from('junk junk '), a.frameHeader({}), Buffer.from([1, 2, 3, 0xff, 0x00, 0xff])]);
      const segment = Buffer.concat([...before, junk, ...after]);
      for (const size of [segment.length, 1, 5]) {
        const joined = joinInPieces([segment], size).bytes;
        assert.ok(joined.equals(Buffer.concat([...before, ...after])), `pieces of ${size}`);
      }
      assert.equal(joinSegments([segment]).segments[0].skippedBytes, junk.length);
    });

    it('skips junk in work that grows with its length, not its square: the bytes searched per junk byte stay bounded', () => {
      // A run of 0xFF bytes: a possible frame sync at every byte, none of them a frame. Each junk byte
      // was searched past by up to three tag searches over the whole 64 KiB chunk.
      const frames = a.frames(10);
      const scannedFor = (junkLength) => {
        const segment = Buffer.concat([...frames, Buffer.alloc(junkLength, 0xff), ...frames]);
        const original = Buffer.prototype.indexOf;
        let scanned = 0;
        Buffer.prototype.indexOf = function (value, byteOffset, ...rest) {
          const found = original.call(this, value, byteOffset, ...rest);
          const from = Math.max(0, Number(byteOffset) || 0);
          scanned += found === -1 ? Math.max(0, this.length - from) : found - from + 1;
          return found;
        };
        try {
          const joined = joinInPieces([segment], 65536);
          assert.ok(joined.bytes.equals(Buffer.concat([...frames, ...frames])));
        } finally {
          Buffer.prototype.indexOf = original;
        }
        return scanned;
      };
      const small = scannedFor(64 * 1024);
      const large = scannedFor(256 * 1024);
      assert.ok(large / (256 * 1024) <= 16, `${large} bytes searched for 256 KiB of junk (${small} for 64 KiB)`);
      assert.ok(large <= 4 * small + 4 * 65536, `${large} bytes searched for 256 KiB of junk, ${small} for 64 KiB`);
    });

    it('skips an APEv2 tag without a header: its items as unreadable bytes (the syncs in them are not taken), its footer by its size', () => {
      const audio = a.frames(3);
      const ape = a.apeTag({ header: false });
      for (const tail of [[ape], [ape, a.id3v1()]]) {
        const segment = Buffer.concat([...audio, ...tail]);
        for (const size of [segment.length, 1, 9]) assert.ok(joinInPieces([segment], size).bytes.equals(Buffer.concat(audio)), `pieces of ${size}`);
        const [summary] = joinSegments([segment]).segments;
        assert.equal(summary.skippedBytes + summary.metadataBytes, segment.length - 3 * 417);
        assert.equal(summary.metadataBytes - (tail.length - 1) * 128, 32, 'the footer is known');
      }
    });

    it('skips junk before the first frame of a segment (after its ID3v2 tag)', () => {
      const audio = a.frames(3);
      const joined = joinSegments([Buffer.concat([a.id3v2(), Buffer.alloc(50), ...audio])]);
      assert.ok(joined.bytes.equals(Buffer.concat(audio)));
      assert.equal(joined.segments[0].skippedBytes, 50);
    });

    it('leaves out a last frame cut short, so the next segment starts on a frame', () => {
      const first = a.frames(3, {}, 1);
      const cut = a.frame({}, 9).subarray(0, 200);
      const second = a.frames(2, {}, 20);
      const joined = joinSegments([Buffer.concat([...first, cut]), Buffer.concat(second)]);
      assert.ok(joined.bytes.equals(Buffer.concat([...first, ...second])));
      assert.equal(joined.segments[0].droppedBytes, 200);
      assert.equal(joined.durationSeconds, (5 * 1152) / 44100);
    });

    it('leaves out a frame cut short before an ID3v1 tag', () => {
      const audio = a.frames(2);
      const cut = a.frame({}, 9).subarray(0, 100);
      const joined = joinSegments([Buffer.concat([...audio, cut, a.id3v1()])]);
      // The cut frame's header promises 417 bytes; 100 + 128 are left: the frame cannot be confirmed.
      assert.ok(joined.bytes.equals(Buffer.concat(audio)));
    });

    const mismatches = [
      ['sample rate', { sampleRate: 48000 }, { property: 'sample-rate', expected: '44100 Hz', found: '48000 Hz' }],
      ['layer', { layer: 2 }, { property: 'mpeg-layer', expected: 'Layer III', found: 'Layer II' }],
      ['channel mode', { mode: 'mono' }, { property: 'channel-mode', expected: 'joint stereo', found: 'mono' }],
      ['version', { version: 2, kbps: 64, sampleRate: 22050 }, { property: 'mpeg-version', expected: 'MPEG-1', found: 'MPEG-2' }],
    ];
    for (const [what, stream, difference] of mismatches) {
      it(`refuses a segment of another ${what}, naming the segment and what differs`, () => {
        const first = Buffer.concat(a.frames(3));
        const other = Buffer.concat([a.id3v2(), ...a.frames(3, stream)]);
        assertJoinError(() => joinSegments([first, first, other], { labels: ['RE1', 'RE2', 'RE3'] }), 'mismatch', { ...difference, segment: 'RE3' });
        assert.throws(() => joinSegments([first, other]), (error) => error.segment === 2 && error.params.segment === '#2' && /^Segment #2 cannot be joined/.test(error.message));
      });
    }

    it('says which property differs in its message', () => {
      const first = Buffer.concat(a.frames(3));
      const other = Buffer.concat(a.frames(3, { sampleRate: 48000 }));
      assert.throws(() => joinSegments([first, other], { labels: ['REfirst', 'REsecond'] }), {
        name: 'JoinError',
        message: "Segment REsecond cannot be joined to the first: its sample rate is 48000 Hz, the first's is 44100 Hz",
      });
    });

    it('refuses a segment whose frames change stream in the middle', () => {
      const segment = Buffer.concat([...a.frames(2), ...a.frames(2, { sampleRate: 48000 })]);
      assertJoinError(() => joinSegments([segment]), 'mismatch', { segment: '#1', property: 'sample-rate', expected: '44100 Hz', found: '48000 Hz' });
    });

    it('refuses a segment with no audio frame (tags only, or frames of free format)', () => {
      const freeFormat = a.frameHeader({});
      freeFormat[2] &= 0x0f;
      const tagged = (...parts) => Buffer.concat([a.id3v2(), ...parts]);
      for (const segment of [tagged(a.id3v1()), tagged(freeFormat, Buffer.alloc(400), freeFormat, Buffer.alloc(400))]) {
        assertJoinError(() => joinSegments([Buffer.concat(a.frames(2)), segment]), 'no-audio', { segment: '#2' });
      }
    });

    it('takes a segment that is only a Xing frame as one of no length', () => {
      const audio = a.frames(2);
      const joined = joinSegments([Buffer.concat(audio), a.xingFrame()]);
      assert.ok(joined.bytes.equals(Buffer.concat(audio)));
      assert.equal(joined.segments[1].durationSeconds, 0);
    });
  });
});
