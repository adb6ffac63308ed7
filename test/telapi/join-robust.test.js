'use strict';
// Whatever the bytes, a join ends in a JoinError or in a file the strict readers accept, and the
// same bytes give the same file however they are cut into chunks.
const assert = require('node:assert/strict');
const { JoinError, joinSegments } = require('../../dist/telapi');
const a = require('../support/audio-files');
const { joinInPieces } = require('../support/join');

/** A small seeded generator (mulberry32), so that a failure can be repeated. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The join of `segments`, or the JoinError; anything else thrown fails the test. */
function attempt(segments) {
  try {
    return joinSegments(segments);
  } catch (error) {
    if (error instanceof JoinError) return error;
    throw error;
  }
}

function assertSameInPieces(segments, joined, next) {
  const size = 1 + Math.floor(next() * 50);
  assert.ok(joinInPieces(segments, size).bytes.equals(joined.bytes), `pieces of ${size}`);
}

describe('telapi/join: any bytes', () => {
  const mp3 = Buffer.concat([a.id3v2({ footer: true }), a.xingFrame(), ...a.frames(4), a.apeTag(), a.id3v1()]);
  const wav = a.riff([a.chunk('LIST', Buffer.alloc(5)), a.chunk('fmt ', a.fmtBody()), a.chunk('data', a.samples(301)), a.chunk('LIST', Buffer.alloc(7))]);

  for (const [format, segment, check] of [['MP3', mp3, (bytes) => a.strictMp3Frames(bytes)], ['WAV', wav, (bytes) => a.strictWav(bytes)]]) {
    it(`${format}: a segment cut at any byte joins to a valid file or fails with a JoinError`, () => {
      const next = random(7);
      for (let cut = 0; cut <= segment.length; cut++) {
        const result = attempt([segment, segment.subarray(0, cut)]);
        if (result instanceof JoinError) continue;
        check(result.bytes);
        if (cut % 37 === 0) assertSameInPieces([segment, segment.subarray(0, cut)], result, next);
      }
    });

    it(`${format}: a segment with bytes changed at random joins to a valid file or fails with a JoinError`, () => {
      const next = random(11);
      for (let round = 0; round < 300; round++) {
        const changed = Buffer.from(segment);
        const count = 1 + Math.floor(next() * 8);
        for (let index = 0; index < count; index++) changed[Math.floor(next() * changed.length)] = Math.floor(next() * 256);
        const result = attempt([segment, changed]);
        if (result instanceof JoinError) continue;
        check(result.bytes);
        if (round % 10 === 0) assertSameInPieces([segment, changed], result, next);
      }
    });
  }

  it('random bytes are no audio, or fail with a JoinError', () => {
    const next = random(3);
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * 256)));
      const result = attempt([bytes]);
      if (!(result instanceof JoinError)) a.strictMp3Frames(result.bytes);
    }
  });
});
