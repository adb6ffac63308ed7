'use strict';
// A process run under valgrind's callgrind whose instructions are counted in windows: it starts with
// instrumentation off (start-up and warm-up run two to four times faster and are never counted), then
// `instrument()` turns it on, and each `window(work)` zeroes the counters, runs `work` (requests from
// another, uncounted process) and dumps them: the instructions of every thread of the process during
// that work. callgrind_control talks to the process through vgdb, so nothing in the counted process has
// to cooperate.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');

const run = promisify(execFile);

/**
 * Node options of every counted process, so that the same messages cost the same instructions in
 * every run: V8's background threads (compilation, GC) do their work on the main thread instead,
 * whatever the scheduler did; hash tables and Math.random are seeded; the young generation has a fixed
 * size (the 16 MiB V8 grows it to under load) and the old generation room enough that no major GC
 * falls into a window (its cost is the whole heap's, not a message's, and it throws away optimised
 * code, which V8 then compiles again), nor one of the memory reducer's.
 */
const COUNTED_NODE_OPTIONS = [
  '--single-threaded',
  '--hash-seed=1',
  '--random-seed=1',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--initial-old-space-size=4096',
  '--no-memory-reducer',
];

/** Whether valgrind and callgrind_control are installed (Debian: apt-get install valgrind). */
async function callgrindAvailable() {
  try {
    await run('valgrind', ['--version']);
    await run('callgrind_control', ['-h']);
    return true;
  } catch {
    return false;
  }
}

class CountedProcess {
  /**
   * @param {string} outDir where the dumps go
   * @param {string} name the file name's stem
   */
  constructor(outDir, name, { withoutGc = false } = {}) {
    this.file = path.join(outDir, `${name}.callgrind`);
    this.dumps = 0;
    this.pid = undefined;
    this.withoutGc = withoutGc;
  }

  /**
   * The command that runs Node under callgrind (before node's own arguments). `withoutGc` leaves out
   * what V8's collector executes (Heap::CollectGarbage: scavenges and full collections alike).
   */
  wrapper() {
    return ['valgrind', '--quiet', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${this.file}`,
      ...(this.withoutGc ? ['--toggle-collect=v8::internal::Heap::CollectGarbage(*'] : [])];
  }

  async #control(...args) {
    if (this.pid === undefined) throw new Error('callgrind: no process attached');
    await run('callgrind_control', [...args, String(this.pid)]);
  }

  /** Counting from now on (the windows' counters start at zero anyway). */
  instrument() {
    return this.#control('-i', 'on');
  }

  /** Instructions of the process while `work` runs; `work`'s result as `result`. */
  async window(work) {
    await this.#control('-z');
    const result = await work();
    await this.#control('-d');
    this.dumps += 1;
    const file = `${this.file}.${this.dumps}`;
    return { instructions: totalsOf(file), result, file };
  }
}

/**
 * Instructions per message of a warmed-up process: a settling window (not used: V8 still optimises
 * what the first instrumented messages run), then a small and a large window;
 * (large − small) / (large − small messages) leaves out what a window costs by itself.
 * `before()` runs ahead of each window, uncounted; `send(count)` sends `count` messages.
 */
async function perMessage(counted, { settle, small, large }, send, before = async () => {}) {
  const windowOf = async (count) => {
    await before();
    return (await counted.window(() => send(count))).instructions;
  };
  await counted.instrument();
  if (settle) await windowOf(settle);
  const windows = [await windowOf(small), await windowOf(large)];
  return { perMessage: Math.round((windows[1] - windows[0]) / (large - small)), windows };
}

/** The `totals:` line of a callgrind dump (events: Ir). */
function totalsOf(file) {
  const match = /^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
  if (!match) throw new Error(`callgrind: no totals in ${file}`);
  return Number(match[1]);
}

module.exports = { CountedProcess, callgrindAvailable, perMessage, totalsOf, COUNTED_NODE_OPTIONS };
