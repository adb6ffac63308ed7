import type { ByteQueue } from './byte-queue';
import {
  APE_HEADER_LENGTH, ID3V1_LENGTH, apeTagLength, id3v2Length, isInfoFrame, parseFrameHeader, streamDifference, streamParams,
  type FrameHeader, type StreamParams,
} from './mpeg';
import { QueueReader, emptyStats, matchReference, type JoinReference, type SegmentContext, type SegmentStats } from './segment';

/** The first letters of the tags: 'A'PETAGEX, 'I'D3, 'T'AG. */
const TAG_LETTERS = [0x41, 0x49, 0x54];

/** Whether the bytes at `at` begin a tag that may follow the last frame (ID3v1, APEv2) or stand between frames (ID3v2). */
function tagStartsAt(queue: ByteQueue, at: number): boolean {
  return queue.startsWith('TAG', at) || queue.startsWith('APETAGEX', at) || queue.startsWith('ID3', at);
}

/**
 * Reads one MP3 segment and outputs its audio frames as they are confirmed, keeping at most one
 * frame and the next header.
 *
 * - Tags are skipped by their sizes: ID3v2 (its footer too) wherever a frame could start, APEv2 from
 *   its header (a footer-only APEv2 tag: its items as unreadable bytes, then its footer), ID3v1 when
 *   its 128 bytes end the segment. The first frame is left out when it is a Xing/Info or VBRI header.
 * - A frame is output when it directly follows an output frame, or when a header of the same stream
 *   (or a tag, or the segment's end) stands right after it. Bytes that are neither are skipped byte
 *   by byte until such a frame is found again (resynchronisation, as decoders do): a file with junk
 *   between frames still plays, and the check on the next header keeps a stray sync pattern in the
 *   junk from being taken for a frame.
 * - A frame header that follows a frame directly but belongs to another stream (version, layer,
 *   sample rate, channels) is an error: the segment itself changes format there.
 * - A last frame cut short is left out (counted as dropped), so that the next segment's first frame
 *   is not read as its missing end. A player would play all but its end; the loss is less than one
 *   frame (36 ms at 16 kHz), where an error would refuse a call whose recording was cut at hang-up.
 */
export class Mp3Reader extends QueueReader {
  readonly #reference: JoinReference<StreamParams>;
  /** Bytes still to skip (the rest of a tag). */
  #skip = 0;
  /** The queue starts right after an output frame. */
  #afterFrame = false;
  #params: StreamParams | undefined;

  constructor(context: SegmentContext, reference: JoinReference<StreamParams>) {
    super(context, { ...emptyStats(), frames: 0 });
    this.#reference = reference;
  }

  protected close(rest: number): void {
    this.counts.skippedBytes += rest;
    if (this.#params === undefined) throw this.context.error('no-audio');
  }

  stats(): SegmentStats {
    return { ...this.counts, durationSeconds: this.#params ? ((this.counts.frames ?? 0) * this.#params.samplesPerFrame) / this.#params.sampleRate : 0 };
  }

  protected read(): void {
    const queue = this.queue;
    for (;;) {
      if (this.#skip > 0) {
        const skipped = queue.skip(this.#skip);
        this.#skip -= skipped;
        this.counts.metadataBytes += skipped;
        if (this.#skip > 0) return;
      }
      if (queue.length < 4) return;
      const step = this.#tag() ?? this.#frame();
      if (step === 'wait') return;
    }
  }

  /** A tag at the start of the queue: skips it ('next'), needs more bytes ('wait'), or undefined when there is none. */
  #tag(): 'next' | 'wait' | undefined {
    const queue = this.queue;
    const ended = this.ended;
    if (queue.startsWith('ID3')) {
      if (queue.length < 10) return ended ? this.#garbage() : 'wait';
      const length = id3v2Length(queue.peek(10));
      if (length === undefined) return undefined;
      this.#afterFrame = false;
      this.#skip = length;
      return 'next';
    }
    if (queue.startsWith('TAG')) {
      // An ID3v1 tag is the segment's last 128 bytes: wait until that can be told.
      if (!ended && queue.length <= ID3V1_LENGTH) return 'wait';
      if (ended && queue.length === ID3V1_LENGTH) {
        this.#skip = ID3V1_LENGTH;
        return 'next';
      }
      return undefined;
    }
    if (queue.startsWith('APETAGEX')) {
      if (queue.length < APE_HEADER_LENGTH) return ended ? this.#garbage() : 'wait';
      const length = apeTagLength(queue.peek(APE_HEADER_LENGTH));
      if (length === undefined) return undefined;
      this.#afterFrame = false;
      this.#skip = length;
      return 'next';
    }
    return undefined;
  }

  #frame(): 'next' | 'wait' {
    const queue = this.queue;
    const header = parseFrameHeader(queue.peek(4));
    if (!header) return this.#garbage();
    if (this.#afterFrame && this.#params) {
      const difference = streamDifference(this.#params, streamParams(header));
      if (difference) throw this.context.error('mismatch', difference);
      if (queue.length < header.length) return this.ended ? this.#cutShort() : 'wait';
      return this.#output(header);
    }
    if (this.#params && streamDifference(this.#params, streamParams(header))) return this.#garbage();
    // Not after a frame: confirmed by what follows it.
    if (queue.length < header.length + 4) {
      if (!this.ended) return 'wait';
      if (queue.length === header.length) return this.#output(header);
      // A sync in unreadable bytes near the end: no frame could be whole there.
      if (queue.length < header.length) return this.#garbage();
    }
    const next = parseFrameHeader(queue.peek(4, header.length));
    const confirmed = next ? streamDifference(streamParams(header), streamParams(next)) === undefined : tagStartsAt(queue, header.length);
    return confirmed ? this.#output(header) : this.#garbage();
  }

  #output(header: FrameHeader): 'next' {
    const first = this.#params === undefined;
    if (first) this.#begin(header);
    this.#afterFrame = true;
    if (first && isInfoFrame(this.queue.peek(header.length), header)) {
      this.counts.metadataBytes += this.queue.skip(header.length);
      return 'next';
    }
    const frame = this.queue.take(header.length);
    this.context.emit(frame);
    this.counts.audioBytes += header.length;
    this.counts.frames = (this.counts.frames ?? 0) + 1;
    return 'next';
  }

  /** The segment's first frame: its stream must be the join's (the first segment's sets it). */
  #begin(header: FrameHeader): void {
    const params = streamParams(header);
    matchReference(this.#reference, params, streamDifference, this.context);
    this.#params = params;
  }

  #cutShort(): 'next' {
    this.counts.droppedBytes += this.queue.skip(this.queue.length);
    return 'next';
  }

  /**
   * Skips unreadable bytes: the first one, and those after it up to the next possible frame sync
   * (0xFF) or tag. Before the segment's end the last 7 bytes stay, as they may begin a tag
   * ("APETAGEX") whose rest has not arrived.
   */
  #garbage(): 'next' {
    const queue = this.queue;
    const sync = queue.indexOf(0xff, 1);
    let count = sync === -1 ? queue.length : sync;
    for (const letter of TAG_LETTERS) count = this.#tagBetween(letter, count);
    if (sync === -1 && !this.ended) count = Math.max(1, Math.min(count, queue.length - 7));
    this.counts.skippedBytes += queue.skip(count);
    this.#afterFrame = false;
    return 'next';
  }

  /** Where a tag starting with `letter` begins between 1 and `limit`, else `limit`: searched up to `limit` only. */
  #tagBetween(letter: number, limit: number): number {
    for (let at = this.queue.indexOf(letter, 1, limit); at !== -1; at = this.queue.indexOf(letter, at + 1, limit)) {
      if (tagStartsAt(this.queue, at)) return at;
    }
    return limit;
  }
}
