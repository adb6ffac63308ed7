import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FileFormat, RecordDirection } from './spec';
import { SeededRandom } from './random';

/** What a recording sounds like; the same spec always gives the same bytes (so it can be cached). */
export interface AudioSpec {
  seconds: number;
  /** `in`: only the caller is heard, `out`: only the called party, `both`: the conversation. */
  direction: RecordDirection;
  /** Without trimming a recording starts with half a second of silence, as a real one does. */
  trimSilence: boolean;
}

/** Telephone-band PCM for WAV; MP3 uses 16 kHz because that is MPEG-2 (8 kHz would be the rarer MPEG-2.5). */
export const WAV_SAMPLE_RATE = 8000;
export const MP3_SAMPLE_RATE = 16000;
export const MP3_BITRATE_KBPS = 32;
const LEADING_SILENCE_SECONDS = 0.5;
/** Audio is produced in slices this long, yielding to the event loop between them. */
const SLICE_SECONDS = 2;
const VOICE_SEED = 0x7e1a91;

export const AUDIO_CONTENT_TYPES: Readonly<Record<FileFormat, string>> = { mp3: 'audio/mpeg', wav: 'audio/wav' };

type Speaker = 'in' | 'out';

interface Segment {
  kind: 'silence' | 'vowel' | 'noise';
  samples: number;
  speaker: Speaker;
  formants: readonly [number, number, number];
  f0Start: number;
  f0End: number;
  amplitude: number;
}

/** F1..F3 of a few vowels (Peterson & Barney averages), in Hz. */
const VOWEL_FORMANTS: ReadonlyArray<readonly [number, number, number]> = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
  [570, 840, 2410],
  [660, 1720, 2410],
];
const FORMANT_BANDWIDTHS = [80, 100, 140] as const;
const SPEAKER_PITCH: Readonly<Record<Speaker, number>> = { in: 118, out: 205 };

/** A two-pole resonator (Klatt), gain-normalised at 0 Hz. */
class Resonator {
  #a = 1;
  #b = 0;
  #c = 0;
  #y1 = 0;
  #y2 = 0;

  tune(frequency: number, bandwidth: number, sampleRate: number): void {
    const safeFrequency = Math.min(frequency, sampleRate * 0.45);
    this.#c = -Math.exp((-2 * Math.PI * bandwidth) / sampleRate);
    this.#b = 2 * Math.exp((-Math.PI * bandwidth) / sampleRate) * Math.cos((2 * Math.PI * safeFrequency) / sampleRate);
    this.#a = 1 - this.#b - this.#c;
  }

  process(input: number): number {
    const output = this.#a * input + this.#b * this.#y1 + this.#c * this.#y2;
    this.#y2 = this.#y1;
    this.#y1 = output;
    return output;
  }
}

/**
 * A speech-like signal: syllables of a buzzy source shaped by vowel formants, with consonant-like
 * noise bursts, word gaps and turns that alternate between the caller (low voice) and the called
 * party (higher voice). Not words, but it sounds like a conversation on a phone line.
 */
class SpeechLikeVoice {
  readonly #sampleRate: number;
  readonly #audible: (speaker: Speaker) => boolean;
  readonly #random = new SeededRandom(VOICE_SEED);
  readonly #resonators = [new Resonator(), new Resonator(), new Resonator()] as const;
  #queue: Segment[] = [];
  #segment: Segment | undefined;
  #position = 0;
  #phase = 0;
  #lastNoise = 0;
  #nextSpeaker: Speaker = 'in';

  constructor(sampleRate: number, spec: AudioSpec) {
    this.#sampleRate = sampleRate;
    this.#audible = (speaker) => spec.direction === 'both' || spec.direction === speaker;
    if (!spec.trimSilence) this.#queue.push(this.#silence(LEADING_SILENCE_SECONDS, 'in'));
  }

  fill(out: Int16Array): void {
    for (let index = 0; index < out.length; index++) {
      out[index] = Math.round(Math.tanh(this.#nextSample()) * 0.8 * 32767);
    }
  }

  #nextSample(): number {
    while (this.#segment === undefined || this.#position >= this.#segment.samples) this.#startNextSegment();
    const segment = this.#segment;
    const progress = this.#position / segment.samples;
    const envelope = this.#envelope(this.#position, segment.samples);
    this.#position++;
    if (segment.kind === 'silence' || !this.#audible(segment.speaker)) return 0;
    if (segment.kind === 'noise') {
      const noise = this.#random.next() * 2 - 1;
      const hiss = noise - this.#lastNoise;
      this.#lastNoise = noise;
      return hiss * envelope * segment.amplitude;
    }
    const f0 = segment.f0Start + (segment.f0End - segment.f0Start) * progress;
    this.#phase = (this.#phase + f0 / this.#sampleRate) % 1;
    let sample = this.#phase * 2 - 1;
    for (const resonator of this.#resonators) sample = resonator.process(sample);
    return sample * envelope * segment.amplitude;
  }

  /** Raised-cosine ramps avoid clicks at segment edges. */
  #envelope(position: number, length: number): number {
    const ramp = Math.min(Math.round(this.#sampleRate * 0.02), Math.floor(length / 2));
    if (ramp === 0) return 1;
    if (position < ramp) return 0.5 - 0.5 * Math.cos((Math.PI * position) / ramp);
    const fromEnd = length - 1 - position;
    if (fromEnd < ramp) return 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / ramp);
    return 1;
  }

  #startNextSegment(): void {
    if (this.#queue.length === 0) this.#planTurn();
    this.#segment = this.#queue.shift();
    this.#position = 0;
    if (this.#segment?.kind === 'vowel') {
      this.#segment.formants.forEach((frequency, index) => {
        this.#resonators[index]?.tune(frequency, FORMANT_BANDWIDTHS[index] ?? 120, this.#sampleRate);
      });
    }
  }

  #silence(seconds: number, speaker: Speaker): Segment {
    return { kind: 'silence', samples: Math.round(seconds * this.#sampleRate), speaker, formants: [0, 0, 0], f0Start: 0, f0End: 0, amplitude: 0 };
  }

  /** One speaker's phrase: words of syllables, a falling pitch, then a pause. */
  #planTurn(): void {
    const random = this.#random;
    const speaker = this.#nextSpeaker;
    this.#nextSpeaker = speaker === 'in' ? 'out' : 'in';
    const basePitch = SPEAKER_PITCH[speaker];
    const words = random.integerBetween(3, 7);
    for (let word = 0; word < words; word++) {
      const syllables = random.integerBetween(1, 3);
      for (let syllable = 0; syllable < syllables; syllable++) {
        if (random.next() < 0.5) {
          this.#queue.push({ ...this.#silence(random.between(0.03, 0.07), speaker), kind: 'noise', amplitude: 0.12 });
        }
        const declination = 1 - (0.15 * word) / words;
        const f0 = basePitch * declination * random.between(0.92, 1.1);
        this.#queue.push({
          kind: 'vowel',
          samples: Math.round(random.between(0.11, 0.23) * this.#sampleRate),
          speaker,
          formants: random.pick(VOWEL_FORMANTS),
          f0Start: f0,
          f0End: f0 * random.between(0.9, 1.05),
          amplitude: random.between(0.2, 0.34),
        });
        this.#queue.push(this.#silence(0.025, speaker));
      }
      this.#queue.push(this.#silence(random.between(0.09, 0.16), speaker));
    }
    this.#queue.push(this.#silence(random.between(0.35, 0.7), speaker));
  }
}

async function* pcmSlices(sampleRate: number, spec: AudioSpec): AsyncGenerator<Int16Array> {
  const voice = new SpeechLikeVoice(sampleRate, spec);
  let remaining = Math.max(0, Math.round(spec.seconds * sampleRate));
  while (remaining > 0) {
    const slice = new Int16Array(Math.min(remaining, SLICE_SECONDS * sampleRate));
    voice.fill(slice);
    remaining -= slice.length;
    yield slice;
    await yieldToEventLoop();
  }
}

export function wavByteLength(seconds: number): number {
  return 44 + Math.max(0, Math.round(seconds * WAV_SAMPLE_RATE)) * 2;
}

/** The canonical 44-byte RIFF/WAVE header for 16-bit mono PCM. */
function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(WAV_SAMPLE_RATE, 24);
  header.writeUInt32LE(WAV_SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

async function* wavChunks(spec: AudioSpec): AsyncGenerator<Buffer> {
  yield wavHeader(wavByteLength(spec.seconds) - 44);
  for await (const slice of pcmSlices(WAV_SAMPLE_RATE, spec)) {
    const bytes = Buffer.alloc(slice.length * 2);
    slice.forEach((sample, index) => bytes.writeInt16LE(sample, index * 2));
    yield bytes;
  }
}

type LameModule = typeof import('@breezystack/lamejs');
let lameModule: Promise<LameModule> | undefined;
/** lamejs is ESM-only and this package is CommonJS. */
const loadLame = (): Promise<LameModule> => (lameModule ??= import('@breezystack/lamejs'));

async function* mp3Chunks(spec: AudioSpec): AsyncGenerator<Buffer> {
  const { Mp3Encoder } = await loadLame();
  const encoder = new Mp3Encoder(1, MP3_SAMPLE_RATE, MP3_BITRATE_KBPS);
  for await (const slice of pcmSlices(MP3_SAMPLE_RATE, spec)) {
    const encoded = encoder.encodeBuffer(slice);
    // Buffer.from copies: the encoder reuses its output array.
    if (encoded.length > 0) yield Buffer.from(encoded);
  }
  const tail = encoder.flush();
  if (tail.length > 0) yield Buffer.from(tail);
}

export function audioChunks(format: FileFormat, spec: AudioSpec): AsyncGenerator<Buffer> {
  return format === 'wav' ? wavChunks(spec) : mp3Chunks(spec);
}

/** Close enough to size a cache; WAV is exact. */
export function estimatedAudioBytes(format: FileFormat, seconds: number): number {
  return format === 'wav' ? wavByteLength(seconds) : Math.ceil(((seconds + 0.2) * MP3_BITRATE_KBPS * 1000) / 8);
}

export interface AudioLibraryOptions {
  /** All cached files together. */
  maxCacheBytes?: number;
  /** Larger files are streamed as they are produced and not kept. */
  maxCachedFileBytes?: number;
}

/**
 * Produces recordings' media and keeps recent files (keyed by format, direction, trimming and
 * duration) so repeated downloads cost nothing; concurrent requests for one file share the work.
 */
export class AudioLibrary {
  readonly maxCacheBytes: number;
  readonly maxCachedFileBytes: number;
  readonly #cache = new Map<string, Buffer>();
  readonly #pending = new Map<string, Promise<Buffer>>();
  #cachedBytes = 0;

  constructor(options: AudioLibraryOptions = {}) {
    this.maxCacheBytes = options.maxCacheBytes ?? 64 * 1024 * 1024;
    this.maxCachedFileBytes = options.maxCachedFileBytes ?? 8 * 1024 * 1024;
  }

  /** Whether `file()` should be used (the whole file in memory) rather than `stream()`. */
  fitsInCache(format: FileFormat, spec: AudioSpec): boolean {
    return estimatedAudioBytes(format, spec.seconds) <= this.maxCachedFileBytes;
  }

  file(format: FileFormat, spec: AudioSpec): Promise<Buffer> {
    const key = `${format}:${spec.direction}:${spec.trimSilence ? 'trimmed' : 'untrimmed'}:${spec.seconds}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return Promise.resolve(cached);
    }
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const rendering = collect(audioChunks(format, spec)).then(
      (bytes) => {
        this.#pending.delete(key);
        this.#remember(key, bytes);
        return bytes;
      },
      (error: unknown) => {
        this.#pending.delete(key);
        throw error;
      },
    );
    this.#pending.set(key, rendering);
    return rendering;
  }

  stream(format: FileFormat, spec: AudioSpec): AsyncGenerator<Buffer> {
    return audioChunks(format, spec);
  }

  clear(): void {
    this.#cache.clear();
    this.#cachedBytes = 0;
  }

  #remember(key: string, bytes: Buffer): void {
    if (bytes.length > this.maxCachedFileBytes) return;
    this.#cache.set(key, bytes);
    this.#cachedBytes += bytes.length;
    for (const [oldestKey, oldest] of this.#cache) {
      if (this.#cachedBytes <= this.maxCacheBytes) break;
      this.#cache.delete(oldestKey);
      this.#cachedBytes -= oldest.length;
    }
  }
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
