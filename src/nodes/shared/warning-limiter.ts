/**
 * Rejection warnings, rate-limited: the first is logged at once; further ones within the window are
 * counted and logged as one summary when the window ends (or when the node closes).
 */
export class WarningLimiter {
  #timer: NodeJS.Timeout | undefined;
  #suppressed = 0;
  #last: Record<string, string> | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly first: (details: Record<string, string>) => void,
    private readonly summary: (count: number, last: Record<string, string>) => void,
  ) {}

  report(details: Record<string, string>): void {
    if (this.#timer === undefined) {
      this.first(details);
      this.#startWindow();
    } else {
      this.#suppressed += 1;
      this.#last = details;
    }
  }

  #startWindow(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.flush()) this.#startWindow();
    }, this.windowMs);
    this.#timer.unref();
  }

  /** Logs the summary of what was suppressed, if anything; true if it did. */
  flush(): boolean {
    if (this.#suppressed === 0 || !this.#last) return false;
    this.summary(this.#suppressed, this.#last);
    this.#suppressed = 0;
    this.#last = undefined;
    return true;
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
}
