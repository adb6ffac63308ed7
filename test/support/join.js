'use strict';
// Shared by the join tests: feeding a joiner in pieces, and checking a JoinError.
const assert = require('node:assert/strict');
const { JoinError, createJoiner } = require('../../dist/telapi');

/**
 * Joins `segments` fed `size` bytes at a time, as a download to a file would: the pieces in order,
 * then the final header written over the start. `provisional` is the header as first output.
 */
function joinInPieces(segments, size) {
  const joiner = createJoiner();
  const out = [];
  for (const segment of segments) {
    joiner.startSegment();
    for (let at = 0; at < segment.length; at += size) out.push(...joiner.push(segment.subarray(at, at + size)));
    out.push(...joiner.endSegment());
  }
  const end = joiner.finish();
  const bytes = Buffer.concat([...out, ...end.output]);
  const provisional = end.header ? Buffer.from(bytes.subarray(0, end.header.length)) : undefined;
  end.header?.copy(bytes, 0);
  return { bytes, provisional, end };
}

/** `fn` throws a JoinError of `kind` (and, when given, exactly these params). */
function assertJoinError(fn, kind, params) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof JoinError, `expected a JoinError, got ${error}`);
    assert.equal(error.kind, kind);
    if (params) assert.deepEqual({ ...error.params }, params);
    return true;
  });
}

module.exports = { joinInPieces, assertJoinError };
