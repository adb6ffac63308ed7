import { closedClientError } from './failures';

/**
 * A client's requests and downloads under way, and whether it was closed. A closed client refuses
 * new ones and frees its resources (`release`) once those under way have settled: a redeploy closes
 * the account while a record node may still wait for TelAPI's answers.
 */
export class InFlight {
  readonly #release: () => void;
  #active = 0;
  #closed = false;

  constructor(release: () => void) {
    this.#release = release;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs one request or download, counted as under way until it settles (`work` may also throw); refused once closed. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw closedClientError();
    this.#active += 1;
    try {
      return await work();
    } finally {
      this.#active -= 1;
      if (this.#closed && this.#active === 0) this.#release();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#active === 0) this.#release();
  }
}
