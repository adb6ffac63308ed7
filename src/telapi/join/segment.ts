import { ByteQueue } from './byte-queue';
import type { JoinError, JoinErrorKind, JoinErrorParams, JoinMismatchProperty } from './errors';

/** What a reader tells about the segment it read. */
export interface SegmentStats {
  /** Audio bytes output: MP3 frames, or WAV sample data. */
  audioBytes: number;
  durationSeconds: number;
  /** MP3: audio frames output (a Xing/Info/VBRI frame not counted). */
  frames: number | undefined;
  /** Tags, a Xing/Info/VBRI frame, WAV chunks other than fmt and data, the WAV header: left out as they should be. */
  metadataBytes: number;
  /** Bytes that were none of the above, skipped to find the next frame (MP3), or after the last chunk (WAV). */
  skippedBytes: number;
  /** Audio cut short at the end: a last MP3 frame or WAV sample block that is not whole, left out. */
  droppedBytes: number;
}

/** The reader of one segment's bytes, fed as they arrive. */
export interface SegmentReader {
  push(chunk: Uint8Array): void;
  /** No more bytes; throws when what arrived is no audio that can be joined. */
  end(): void;
  stats(): SegmentStats;
}

/** What a reader is given by the joiner. */
export interface SegmentContext {
  /** Audio bytes to output, in order. */
  emit(parts: readonly Buffer[]): void;
  /** This segment's JoinError. */
  error(kind: JoinErrorKind, params?: Omit<JoinErrorParams, 'segment'>): JoinError;
}

export function emptyStats(): SegmentStats {
  return { audioBytes: 0, durationSeconds: 0, frames: undefined, metadataBytes: 0, skippedBytes: 0, droppedBytes: 0 };
}

/** A reader that keeps what it has not used in a ByteQueue and reads on whenever bytes arrive. */
export abstract class QueueReader implements SegmentReader {
  protected readonly context: SegmentContext;
  protected readonly queue = new ByteQueue();
  protected readonly counts: SegmentStats;
  /** No more bytes will come: what the queue holds is all there is. */
  protected ended = false;

  protected constructor(context: SegmentContext, counts: SegmentStats) {
    this.context = context;
    this.counts = counts;
  }

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.read();
  }

  end(): void {
    this.ended = true;
    this.read();
    this.close(this.queue.skip(this.queue.length));
  }

  abstract stats(): SegmentStats;

  /** Uses what it can of the queue. */
  protected abstract read(): void;

  /** The segment has ended with `rest` bytes unread: counts them, and throws when the segment held no audio. */
  protected abstract close(rest: number): void;
}

/** What the first segment of a join set (its MPEG stream, its WAV format): every later one must match it. */
export interface JoinReference<T> {
  value: T | undefined;
}

export interface Difference {
  property: JoinMismatchProperty;
  expected: string;
  found: string;
}

/**
 * Sets the join's reference from the first segment (true), or checks a later segment's `found`
 * against it (false): a difference is this segment's JoinError `mismatch`.
 */
export function matchReference<T>(reference: JoinReference<T>, found: T, differ: (expected: T, found: T) => Difference | undefined, context: SegmentContext): boolean {
  if (reference.value === undefined) {
    reference.value = found;
    return true;
  }
  const difference = differ(reference.value, found);
  if (difference) throw context.error('mismatch', difference);
  return false;
}
