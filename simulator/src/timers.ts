/** setTimeout fires at once for longer delays; nothing the simulator waits for is realistically longer (24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Timers that can all be cancelled at once, so closing the simulator leaves nothing scheduled. */
export class TimerSet {
  readonly #timers = new Set<NodeJS.Timeout>();
  #disposed = false;

  /** After `dispose()` nothing is scheduled any more. */
  after(ms: number, action: () => void): NodeJS.Timeout | undefined {
    if (this.#disposed) return undefined;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    this.#timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  dispose(): void {
    this.#disposed = true;
    this.cancelAll();
  }
}
