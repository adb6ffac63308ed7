/**
 * The bytes of a segment that have arrived and are not used yet, as the chunks they came in (no copy
 * until a caller needs bytes that span two chunks). The readers keep in it only what they still
 * need: a header, a frame, a partial block.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  /** How much of the first chunk is used up already. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#length += chunk.length;
  }

  /** The byte at `index` from the start; the caller checks `index < length`. */
  byteAt(index: number): number {
    let position = index + this.#offset;
    for (const chunk of this.#chunks) {
      if (position < chunk.length) return chunk[position] ?? 0;
      position -= chunk.length;
    }
    throw new RangeError(`byte ${index} of ${this.#length}`);
  }

  /** `count` bytes from `start` (fewer at the end), copied only when they span chunks. */
  peek(count: number, start = 0): Buffer {
    const end = Math.min(this.#length, start + count);
    if (end <= start) return Buffer.alloc(0);
    const first = this.#chunks[0];
    if (first && this.#offset + end <= first.length) return first.subarray(this.#offset + start, this.#offset + end);
    const out = Buffer.alloc(end - start);
    let written = 0;
    let position = start + this.#offset;
    for (const chunk of this.#chunks) {
      if (written === out.length) break;
      if (position >= chunk.length) {
        position -= chunk.length;
        continue;
      }
      written += chunk.copy(out, written, position, Math.min(chunk.length, position + out.length - written));
      position = 0;
    }
    return out;
  }

  /** Whether the bytes at `start` are `text` (ASCII). */
  startsWith(text: string, start = 0): boolean {
    if (start + text.length > this.#length) return false;
    for (let index = 0; index < text.length; index++) if (this.byteAt(start + index) !== text.charCodeAt(index)) return false;
    return true;
  }

  /** The index of the next `value` at or after `from` and before `end` (default: all), else -1. */
  indexOf(value: number, from: number, end = this.#length): number {
    let base = -this.#offset;
    for (const chunk of this.#chunks) {
      if (base >= end) break;
      const local = Math.max(0, from - base);
      const stop = Math.min(chunk.length, end - base);
      if (local < stop) {
        const found = (stop === chunk.length ? chunk : chunk.subarray(0, stop)).indexOf(value, local);
        if (found !== -1) return base + found;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** Removes the first `count` bytes and gives them as slices of the chunks they came in. */
  take(count: number): Buffer[] {
    const parts: Buffer[] = [];
    this.#remove(count, (part) => parts.push(part));
    return parts;
  }

  /** Removes the first `count` bytes (at most all) and tells how many it removed; no slices are made. */
  skip(count: number): number {
    return this.#remove(count);
  }

  /** Removes the first `count` bytes (at most all), handing each chunk's part to `keep` if given; how many it removed. */
  #remove(count: number, keep?: (part: Buffer) => void): number {
    const removed = Math.min(count, this.#length);
    this.#length -= removed;
    let left = removed;
    while (left > 0) {
      const chunk = this.#chunks[0];
      if (!chunk) break;
      const available = chunk.length - this.#offset;
      const used = Math.min(available, left);
      keep?.(chunk.subarray(this.#offset, this.#offset + used));
      left -= used;
      if (used === available) {
        this.#chunks.shift();
        this.#offset = 0;
      } else {
        this.#offset += used;
      }
    }
    return removed;
  }
}
