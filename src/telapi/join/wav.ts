import type { JoinMismatchProperty } from './errors';
import { QueueReader, emptyStats, matchReference, type Difference, type JoinReference, type SegmentContext, type SegmentStats } from './segment';

/** A `fmt ` chunk: its fields, and its body as it was (written again as the joined file's). */
export interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** What follows the 16 bytes of fields after cbSize (WAVE_FORMAT_EXTENSIBLE: valid bits, channel mask, sub-format). */
  extension: Buffer;
  body: Buffer;
}

/** A `fmt ` body longer than this is no format description (WAVE_FORMAT_EXTENSIBLE's is 40 bytes). */
const MAX_FMT_BYTES = 1024;
/** A RIFF size field can count to this; a streaming writer puts it where the size is not known. */
const UNKNOWN_SIZE = 0xffff_ffff;
const CHUNK_HEADER_LENGTH = 8;
const RIFF_HEADER_LENGTH = 12;

function parseFormat(body: Buffer): WavFormat | undefined {
  if (body.length < 16) return undefined;
  const format: WavFormat = {
    formatTag: body.readUInt16LE(0),
    channels: body.readUInt16LE(2),
    sampleRate: body.readUInt32LE(4),
    byteRate: body.readUInt32LE(8),
    blockAlign: body.readUInt16LE(12),
    bitsPerSample: body.readUInt16LE(14),
    extension: body.length >= 18 ? body.subarray(18, 18 + body.readUInt16LE(16)) : Buffer.alloc(0),
    body: Buffer.from(body),
  };
  const usable = format.channels > 0 && format.sampleRate > 0 && format.byteRate > 0 && format.blockAlign > 0;
  return usable ? format : undefined;
}

/** The first field in which `found` differs from `expected` (a 16-byte and an 18-byte fmt with cbSize 0 are the same). */
export function formatDifference(expected: WavFormat, found: WavFormat): Difference | undefined {
  const fields: ReadonlyArray<[JoinMismatchProperty, keyof WavFormat, string]> = [
    ['wav-format', 'formatTag', ''],
    ['channels', 'channels', ''],
    ['sample-rate', 'sampleRate', ' Hz'],
    ['bits-per-sample', 'bitsPerSample', ''],
    ['block-align', 'blockAlign', ''],
    ['byte-rate', 'byteRate', ''],
  ];
  for (const [property, field, unit] of fields) {
    if (expected[field] !== found[field]) return { property, expected: `${String(expected[field])}${unit}`, found: `${String(found[field])}${unit}` };
  }
  if (!expected.extension.equals(found.extension)) return { property: 'wav-extension', expected: expected.extension.toString('hex'), found: found.extension.toString('hex') };
  return undefined;
}

/** A RIFF/WAVE header with one `fmt ` (the format's body as it was) and one `data` chunk of `dataBytes`. */
export function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const fmtPad = format.body.length % 2;
  const header = Buffer.alloc(RIFF_HEADER_LENGTH + CHUNK_HEADER_LENGTH + format.body.length + fmtPad + CHUNK_HEADER_LENGTH);
  const riffSize = dataBytes === UNKNOWN_SIZE ? UNKNOWN_SIZE : header.length - 8 + dataBytes + (dataBytes % 2);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(riffSize, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(format.body.length, 16);
  format.body.copy(header, 20);
  const dataAt = 20 + format.body.length + fmtPad;
  header.write('data', dataAt, 'ascii');
  header.writeUInt32LE(dataBytes, dataAt + 4);
  return header;
}

/** The most sample data one joined WAV can hold: its RIFF size counts the header and the data in 32 bits. */
export function maxWavDataBytes(format: WavFormat): number {
  return UNKNOWN_SIZE - (wavHeader(format, 0).length - 8) - 1;
}

type Phase = 'riff' | 'chunk' | 'fmt' | 'data' | 'skip';

/**
 * Reads one WAV segment: the RIFF header, then chunk after chunk. The `fmt ` chunk must come before
 * the data and, after the first segment, equal the first one's. `data` is output in whole sample
 * blocks as it arrives; every other chunk (LIST, fact, cue, …) is skipped by its size, a pad byte
 * after an odd size included.
 *
 * The RIFF size is not read: streaming writers leave it wrong. A `data` size of 0xFFFFFFFF, or one
 * larger than what follows, means "to the end of the file": the data runs to the end (or the
 * declared size). A last sample block cut short is left out, so that the next segment's samples stay
 * aligned (a shifted byte would turn the rest into noise).
 */
export class WavReader extends QueueReader {
  readonly #reference: JoinReference<WavFormat>;
  /** Called once with the join's format, before the first data is output (the joiner writes the header). */
  readonly #onFirstFormat: (format: WavFormat) => void;
  #phase: Phase = 'riff';
  /** Bytes of the current chunk still to read (data, fmt) or skip, its pad byte included. */
  #left = 0;
  #pad = 0;
  #format: WavFormat | undefined;
  #sawData = false;

  constructor(context: SegmentContext, reference: JoinReference<WavFormat>, onFirstFormat: (format: WavFormat) => void) {
    super(context, emptyStats());
    this.#reference = reference;
    this.#onFirstFormat = onFirstFormat;
  }

  protected close(rest: number): void {
    if (this.#phase === 'data') this.counts.droppedBytes += rest;
    else if (this.#phase === 'skip' || this.#phase === 'riff') this.counts.metadataBytes += rest;
    else this.counts.skippedBytes += rest;
    if (!this.#format) throw this.context.error('invalid-wav');
    if (!this.#sawData) throw this.context.error('no-audio');
  }

  stats(): SegmentStats {
    return { ...this.counts, durationSeconds: this.#format ? this.counts.audioBytes / this.#format.byteRate : 0 };
  }

  protected read(): void {
    for (;;) {
      const progressed =
        this.#phase === 'riff' ? this.#riff() : this.#phase === 'chunk' ? this.#chunk() : this.#phase === 'fmt' ? this.#fmt() : this.#phase === 'data' ? this.#data() : this.#skipChunk();
      if (!progressed) return;
    }
  }

  #riff(): boolean {
    if (this.queue.length < RIFF_HEADER_LENGTH) return false;
    // detectAudioFormat found "RIFF" and "WAVE" here.
    this.counts.metadataBytes += this.queue.skip(RIFF_HEADER_LENGTH);
    this.#phase = 'chunk';
    return true;
  }

  #chunk(): boolean {
    const queue = this.queue;
    if (queue.length < CHUNK_HEADER_LENGTH) return false;
    const header = queue.peek(CHUNK_HEADER_LENGTH);
    const id = header.toString('latin1', 0, 4);
    const size = header.readUInt32LE(4);
    this.#pad = size === UNKNOWN_SIZE ? 0 : size % 2;
    this.#left = size === UNKNOWN_SIZE ? Infinity : size;
    if (id === 'fmt ') {
      if (this.#format || size < 16 || size > MAX_FMT_BYTES) throw this.context.error('invalid-wav');
      this.#phase = 'fmt';
    } else if (id === 'data') {
      if (!this.#format) throw this.context.error('invalid-wav');
      this.#sawData = true;
      this.#phase = 'data';
    } else {
      this.#left += this.#pad;
      this.#phase = 'skip';
    }
    this.counts.metadataBytes += queue.skip(CHUNK_HEADER_LENGTH);
    return true;
  }

  #fmt(): boolean {
    if (this.queue.length < this.#left + this.#pad) return false;
    const format = parseFormat(this.queue.peek(this.#left));
    if (!format) throw this.context.error('invalid-wav');
    if (matchReference(this.#reference, format, formatDifference, this.context)) this.#onFirstFormat(format);
    this.#format = format;
    this.counts.metadataBytes += this.queue.skip(this.#left + this.#pad);
    this.#phase = 'chunk';
    return true;
  }

  /** Outputs whole sample blocks; at the chunk's end drops a partial one and its pad byte. */
  #data(): boolean {
    const queue = this.queue;
    const blockAlign = this.#format?.blockAlign ?? 1;
    const available = Math.min(queue.length, this.#left);
    const whole = available - (available % blockAlign);
    if (whole > 0) {
      this.context.emit(queue.take(whole));
      this.counts.audioBytes += whole;
      this.#left -= whole;
    }
    if (this.#left >= blockAlign) return false;
    // Less than one block left in the chunk: it and the pad byte are not audio.
    if (queue.length < this.#left + this.#pad) return false;
    this.counts.droppedBytes += queue.skip(this.#left);
    this.counts.metadataBytes += queue.skip(this.#pad);
    this.#phase = 'chunk';
    return true;
  }

  #skipChunk(): boolean {
    const skipped = this.queue.skip(this.#left);
    this.#left -= skipped;
    this.counts.metadataBytes += skipped;
    if (this.#left > 0) return false;
    this.#phase = 'chunk';
    return true;
  }
}
