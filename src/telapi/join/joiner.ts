import { constants as bufferConstants } from 'node:buffer';
import { AUDIO_CONTENT_TYPES, FORMAT_SIGNATURE_BYTES, detectAudioFormat, type AudioFormat } from './detect';
import { JoinError, segmentError, type JoinErrorKind, type JoinErrorParams } from './errors';
import { Mp3Reader } from './mp3-reader';
import type { JoinReference, SegmentContext, SegmentReader, SegmentStats } from './segment';
import type { StreamParams } from './mpeg';
import { WavReader, maxWavDataBytes, wavHeader, type WavFormat } from './wav';

export interface JoinerOptions {
  /** The joined file may be at most this many bytes (a WAV's header included); more is a JoinError `too-large`. */
  maxBytes?: number;
}

export interface SegmentSummary extends SegmentStats {
  /** Its place in the join, from 1. */
  segment: number;
  label: string | undefined;
}

export interface JoinSummary {
  format: AudioFormat;
  contentType: string;
  /** The joined file's length in bytes. */
  byteLength: number;
  /** MP3: frames × samples per frame ÷ sample rate; WAV: data bytes ÷ byte rate. */
  durationSeconds: number;
  segments: SegmentSummary[];
}

export interface JoinEnd {
  /** The last bytes of the file (WAV: the pad byte after an odd number of data bytes). */
  output: Buffer[];
  /**
   * WAV: the header with the sizes, to be written over the file's first `header.length` bytes (the
   * header output first said 0xFFFFFFFF, "size unknown", which players read as "to the end").
   * MP3: undefined.
   */
  header: Buffer | undefined;
  summary: JoinSummary;
}

/**
 * Joins segments into one file as their bytes arrive, keeping only what it needs (a header, a
 * frame, a partial sample block). Each call returns the output bytes it completes, in order; they
 * may share memory with the chunks pushed (no copy), so a chunk's memory must not be reused before
 * its output is written.
 */
export interface Joiner {
  /** The format of the join, known once the first segment's first bytes are read. */
  readonly format: AudioFormat | undefined;
  /** Begins the next segment (the one before must be ended); `label` names it in errors, e.g. its RecordingSid. */
  startSegment(label?: string): void;
  /** More of the current segment's bytes. */
  push(chunk: Uint8Array): Buffer[];
  /** The current segment is complete. */
  endSegment(): Buffer[];
  /** A whole segment: startSegment, push of each chunk, endSegment. */
  add(segment: Uint8Array | Iterable<Uint8Array>, label?: string): Buffer[];
  /** No more segments (an open one is ended first). */
  finish(): JoinEnd;
}

interface OpenSegment {
  index: number;
  label: string | undefined;
  /** The first bytes, until the format can be told. */
  head: Buffer[];
  reader: SegmentReader | undefined;
}

class StreamJoiner implements Joiner {
  readonly #maxBytes: number;
  readonly #mp3: JoinReference<StreamParams> = { value: undefined };
  readonly #wav: JoinReference<WavFormat> = { value: undefined };
  readonly #done: SegmentSummary[] = [];
  #format: AudioFormat | undefined;
  #open: OpenSegment | undefined;
  #output: Buffer[] = [];
  #written = 0;
  #limit: number;
  #failed: JoinError | undefined;
  #finished = false;

  constructor(options: JoinerOptions) {
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#limit = this.#maxBytes;
  }

  get format(): AudioFormat | undefined {
    return this.#format;
  }

  startSegment(label?: string): void {
    this.#usable();
    if (this.#open) throw new Error('The segment before is not ended');
    this.#open = { index: this.#done.length, label, head: [], reader: undefined };
  }

  push(chunk: Uint8Array): Buffer[] {
    return this.#run((segment) => {
      if (segment.reader) return segment.reader.push(chunk);
      segment.head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      if (segment.head.reduce((total, part) => total + part.length, 0) >= FORMAT_SIGNATURE_BYTES) this.#detect(segment);
    });
  }

  endSegment(): Buffer[] {
    return this.#run((segment) => {
      if (!segment.reader) this.#detect(segment);
      const reader = segment.reader;
      if (!reader) return;
      reader.end();
      this.#done.push({ ...reader.stats(), segment: segment.index + 1, label: segment.label });
      this.#open = undefined;
    });
  }

  add(segment: Uint8Array | Iterable<Uint8Array>, label?: string): Buffer[] {
    this.startSegment(label);
    const output: Buffer[] = [];
    for (const chunk of segment instanceof Uint8Array ? [segment] : segment) output.push(...this.push(chunk));
    output.push(...this.endSegment());
    return output;
  }

  finish(): JoinEnd {
    const output = this.#open ? this.endSegment() : [];
    this.#usable();
    const format = this.#format;
    if (format === undefined) throw this.#fail(new JoinError('no-segments'));
    this.#finished = true;
    let header: Buffer | undefined;
    const wavFormat = this.#wav.value;
    if (format === 'wav' && wavFormat) {
      const dataBytes = this.#done.reduce((total, segment) => total + segment.audioBytes, 0);
      if (dataBytes % 2 === 1) {
        try {
          this.#emit([Buffer.alloc(1)]);
        } catch (error) {
          throw error instanceof JoinError ? this.#fail(error) : error;
        }
        output.push(...this.#takeOutput());
      }
      header = wavHeader(wavFormat, dataBytes);
    }
    const durationSeconds = this.#duration();
    const summary = { format, contentType: AUDIO_CONTENT_TYPES[format], byteLength: this.#written, durationSeconds, segments: [...this.#done] };
    return { output, header, summary };
  }

  /** Of the whole, not a sum of the segments' (whose rounding would add up). */
  #duration(): number {
    const audioBytes = this.#done.reduce((total, segment) => total + segment.audioBytes, 0);
    const frames = this.#done.reduce((total, segment) => total + (segment.frames ?? 0), 0);
    const mp3 = this.#mp3.value;
    const wav = this.#wav.value;
    if (mp3) return (frames * mp3.samplesPerFrame) / mp3.sampleRate;
    return wav ? audioBytes / wav.byteRate : 0;
  }

  #usable(): void {
    if (this.#failed) throw this.#failed;
    if (this.#finished) throw new Error('The join is finished');
  }

  /** Runs a step on the open segment and returns its output; a JoinError ends the join for good. */
  #run(step: (segment: OpenSegment) => void): Buffer[] {
    this.#usable();
    const segment = this.#open;
    if (!segment) throw new Error('No segment is started');
    try {
      step(segment);
    } catch (error) {
      throw error instanceof JoinError ? this.#fail(error) : error;
    }
    return this.#takeOutput();
  }

  #fail(error: JoinError): JoinError {
    this.#failed = error;
    this.#output = [];
    return error;
  }

  #detect(segment: OpenSegment): void {
    const head = Buffer.concat(segment.head);
    const error = (kind: JoinErrorKind, params?: Omit<JoinErrorParams, 'segment'>): JoinError => segmentError(kind, segment.index, segment.label, params);
    if (head.length === 0) throw error('no-audio');
    const format = detectAudioFormat(head);
    if (format === undefined) throw error('unknown-format');
    if (this.#format !== undefined && format !== this.#format) throw error('mixed-formats', { expected: this.#format.toUpperCase(), found: format.toUpperCase() });
    this.#format = format;
    const context: SegmentContext = { emit: (parts) => this.#emit(parts), error };
    segment.reader = format === 'mp3' ? new Mp3Reader(context, this.#mp3) : new WavReader(context, this.#wav, (wavFormat) => this.#startWav(wavFormat));
    segment.head = [];
    segment.reader.push(head);
  }

  /** The join's first format description: the header goes out first, its sizes "unknown" until finish. */
  #startWav(format: WavFormat): void {
    const header = wavHeader(format, 0xffff_ffff);
    this.#limit = Math.min(this.#maxBytes, header.length + maxWavDataBytes(format));
    this.#emit([header]);
  }

  #emit(parts: readonly Buffer[]): void {
    for (const part of parts) {
      this.#written += part.length;
      if (this.#written > this.#limit) throw new JoinError('too-large', { maxBytes: this.#limit });
      const last = this.#output.at(-1);
      // Frames that lay side by side in one chunk go out as one piece.
      if (last && last.buffer === part.buffer && last.byteOffset + last.length === part.byteOffset) {
        this.#output[this.#output.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + part.length);
      } else {
        this.#output.push(part);
      }
    }
  }

  #takeOutput(): Buffer[] {
    const output = this.#output;
    this.#output = [];
    return output;
  }
}

export function createJoiner(options: JoinerOptions = {}): Joiner {
  return new StreamJoiner(options);
}

/**
 * Feeds one segment from a source of chunks (a download's body) and hands every output piece to
 * `write`, awaiting it before the next chunk is read, so a slow file or socket holds the source back.
 */
export async function joinSegmentFrom(
  joiner: Joiner,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  write: (piece: Buffer) => void | Promise<void>,
  label?: string,
): Promise<void> {
  joiner.startSegment(label);
  for await (const chunk of source) for (const piece of joiner.push(chunk)) await write(piece);
  for (const piece of joiner.endSegment()) await write(piece);
}

export interface JoinedAudio {
  bytes: Buffer;
  format: AudioFormat;
  contentType: string;
  durationSeconds: number;
  segments: SegmentSummary[];
}

export interface JoinOptions extends JoinerOptions {
  /** Each segment's name in errors, e.g. its RecordingSid. */
  labels?: ReadonlyArray<string | undefined>;
}

/** Joins whole segments, in the order given, into one Buffer (at most `maxBytes`, by default the largest Buffer). */
export function joinSegments(segments: ReadonlyArray<Uint8Array>, options: JoinOptions = {}): JoinedAudio {
  const joiner = createJoiner({ maxBytes: options.maxBytes ?? bufferConstants.MAX_LENGTH });
  const parts: Buffer[] = [];
  segments.forEach((segment, index) => parts.push(...joiner.add(segment, options.labels?.[index])));
  const end = joiner.finish();
  parts.push(...end.output);
  const bytes = Buffer.concat(parts, end.summary.byteLength);
  end.header?.copy(bytes, 0);
  const { format, contentType, durationSeconds, segments: summaries } = end.summary;
  return { bytes, format, contentType, durationSeconds, segments: summaries };
}
