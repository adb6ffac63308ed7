/** Reserves the memory for `size` bytes of a body. */
export type Allocate = (size: number) => Buffer;

/**
 * Where a download's bytes go as they arrive: into one Buffer (ArrivingBody), or on to a sink (a
 * file, a join). The download counts and checks them; a receiver only keeps them.
 */
export interface Receiver {
  readonly received: number;
  readonly announced: number | undefined;
  announce(announced: number): void;
  /** One chunk; a promise holds the download until the chunk is taken. */
  add(chunk: Buffer): void | Promise<void>;
  /** The whole body, when the receiver kept it. */
  take(): Buffer | undefined;
  release(): void;
}

/**
 * Where a download may send its bytes instead of a Buffer (a file, a join): each chunk in order,
 * nothing held. A promise holds the download (the media stream is paused) until it settles; a
 * rejection ends the download with that error.
 */
export interface MediaSink {
  write(chunk: Buffer): void | Promise<void>;
}

/** What every receiver keeps of a body: how much arrived, and how much was announced. */
abstract class CountingReceiver {
  protected announcedBytes: number | undefined;
  protected receivedBytes = 0;

  get received(): number {
    return this.receivedBytes;
  }

  get announced(): number | undefined {
    return this.announcedBytes;
  }

  announce(announced: number): void {
    this.announcedBytes = announced;
  }
}

/** The bytes handed on to a sink, counted; nothing is kept. */
export class SinkReceiver extends CountingReceiver implements Receiver {
  readonly #sink: MediaSink;

  constructor(sink: MediaSink) {
    super();
    this.#sink = sink;
  }

  add(chunk: Buffer): void | Promise<void> {
    this.receivedBytes += chunk.length;
    return this.#sink.write(chunk);
  }

  take(): undefined {
    return undefined;
  }

  release(): void {
    // Nothing is kept here: the sink owns what it took.
  }
}

/** Up to this size, an announced file's buffer is reserved as soon as its headers arrive. */
const UPFRONT_BYTES = 1024 * 1024;
/**
 * A larger one once this share of it has arrived. The bytes before that are held twice while they
 * are moved into it: a quarter keeps the peak of a normal download near that of reserving the
 * file at once, where a half (or growing the buffer by doubling) measurably raised it.
 */
const ARRIVED_SHARE_TO_RESERVE = 1 / 4;

/**
 * The bytes of one answer. Its one buffer of the announced length is reserved only once the bytes
 * that arrived warrant it, so an answer that announces much and sends little reserves little; the
 * chunks before that are moved into it. Without an announced length the chunks are joined at the end.
 */
export class ArrivingBody extends CountingReceiver implements Receiver {
  readonly #allocate: Allocate;
  #chunks: Buffer[] = [];
  #whole: Buffer | undefined;

  constructor(allocate: Allocate) {
    super();
    this.#allocate = allocate;
  }

  override announce(announced: number): void {
    super.announce(announced);
    this.#reserveWhenWarranted();
  }

  /** The caller keeps the total within the announced length. */
  add(chunk: Buffer): void {
    if (this.#whole !== undefined) chunk.copy(this.#whole, this.receivedBytes);
    else this.#chunks.push(chunk);
    this.receivedBytes += chunk.length;
    this.#reserveWhenWarranted();
  }

  take(): Buffer {
    return this.#whole ?? Buffer.concat(this.#chunks, this.receivedBytes);
  }

  release(): void {
    this.#chunks = [];
    this.#whole = undefined;
  }

  #reserveWhenWarranted(): void {
    const announced = this.announcedBytes;
    if (this.#whole !== undefined || announced === undefined) return;
    if (announced > UPFRONT_BYTES && this.receivedBytes < announced * ARRIVED_SHARE_TO_RESERVE) return;
    const whole = this.#allocate(announced);
    let offset = 0;
    for (const chunk of this.#chunks) offset += chunk.copy(whole, offset);
    this.#chunks = [];
    this.#whole = whole;
  }
}
