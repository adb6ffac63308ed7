/** Reserves the memory for `size` bytes of a body. */
export type Allocate = (size: number) => Buffer;

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
export class ArrivingBody {
  readonly #allocate: Allocate;
  #announced: number | undefined;
  #chunks: Buffer[] = [];
  #whole: Buffer | undefined;
  #received = 0;

  constructor(allocate: Allocate) {
    this.#allocate = allocate;
  }

  get received(): number {
    return this.#received;
  }

  get announced(): number | undefined {
    return this.#announced;
  }

  announce(announced: number): void {
    this.#announced = announced;
    this.#reserveWhenWarranted();
  }

  /** The caller keeps the total within the announced length. */
  add(chunk: Buffer): void {
    if (this.#whole !== undefined) chunk.copy(this.#whole, this.#received);
    else this.#chunks.push(chunk);
    this.#received += chunk.length;
    this.#reserveWhenWarranted();
  }

  take(): Buffer {
    return this.#whole ?? Buffer.concat(this.#chunks, this.#received);
  }

  release(): void {
    this.#chunks = [];
    this.#whole = undefined;
  }

  #reserveWhenWarranted(): void {
    const announced = this.#announced;
    if (this.#whole !== undefined || announced === undefined) return;
    if (announced > UPFRONT_BYTES && this.#received < announced * ARRIVED_SHARE_TO_RESERVE) return;
    const whole = this.#allocate(announced);
    let offset = 0;
    for (const chunk of this.#chunks) offset += chunk.copy(whole, offset);
    this.#chunks = [];
    this.#whole = whole;
  }
}
