'use strict';
// A process run under valgrind's callgrind whose instructions are counted in windows: it starts with
// instrumentation off (start-up and warm-up run about twice as fast and are never counted), then
// `instrument()` turns it on, and each `window(work)` zeroes the counters, runs `work` (requests from
// another, uncounted process) and dumps them: the instructions of every thread of the process (the
// main thread, V8's compiler and GC threads, libuv's pool) during that work. callgrind_control talks
// to the process through vgdb, so nothing in the counted process has to cooperate.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');

const run = promisify(execFile);

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
  constructor(outDir, name) {
    this.file = path.join(outDir, `${name}.callgrind`);
    this.dumps = 0;
    this.pid = undefined;
  }

  /** The command that runs Node under callgrind (before node's own arguments). */
  wrapper() {
    return ['valgrind', '--quiet', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${this.file}`];
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

/** The `totals:` line of a callgrind dump (events: Ir). */
function totalsOf(file) {
  const match = /^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
  if (!match) throw new Error(`callgrind: no totals in ${file}`);
  return Number(match[1]);
}

module.exports = { CountedProcess, callgrindAvailable, totalsOf };
