import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { TelApiInputError } from '../../telapi';

/**
 * Where the recordings node writes a download or a join in file mode: a file under a temporary
 * name, renamed to its own only once it is complete and counted, so a cut-off or oversize download
 * leaves no file behind. Memory does not grow with the file: each chunk is written before the next
 * is read.
 */
export class FileOutput {
  readonly #temporary: string;
  readonly #file: FileHandle;
  #bytes = 0;

  private constructor(temporary: string, file: FileHandle) {
    this.#temporary = temporary;
    this.#file = file;
  }

  /** A file in `folder` (created if need be), under a temporary name until commit. */
  static async create(folder: string): Promise<FileOutput> {
    await mkdir(folder, { recursive: true });
    const temporary = path.join(folder, `.telapi-${randomBytes(6).toString('hex')}.part`);
    return new FileOutput(temporary, await open(temporary, 'wx'));
  }

  get bytes(): number {
    return this.#bytes;
  }

  async write(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      await this.#file.write(chunk);
      this.#bytes += chunk.length;
    }
  }

  /** The file is complete: `header` (a WAV's final sizes) written over its start, then renamed to `target`. */
  async commit(target: string, header?: Buffer): Promise<void> {
    if (header) await this.#file.write(header, 0, header.length, 0);
    await this.#file.close();
    await mkdir(path.dirname(target), { recursive: true });
    await rename(this.#temporary, target);
  }

  /** Nothing is left behind. */
  async discard(): Promise<void> {
    await this.#file.close().catch(() => undefined);
    await unlink(this.#temporary).catch(() => undefined);
  }
}

/** What a join or download becomes in Buffer mode: the chunks, kept. */
export class BufferOutput {
  readonly #chunks: Buffer[] = [];

  write(chunks: readonly Buffer[]): void {
    // The joiner's chunks may share memory with a download's: copies, since they are kept.
    for (const chunk of chunks) if (chunk.length > 0) this.#chunks.push(Buffer.from(chunk));
  }

  /** The file, `header` written over its start. */
  take(header?: Buffer): Buffer {
    const whole = Buffer.concat(this.#chunks);
    if (header) header.copy(whole, 0);
    return whole;
  }
}

/**
 * The file a download or a join is written to: `name` (msg.filename, or the recording's or call's
 * own name) below `folder`, which is relative to `base` (Node-RED's fileWorkingDirectory, as the
 * core file node takes it). A name may hold sub-folders but may not lead out of the folder.
 */
export function outputPath(base: string, folder: string, name: string): string {
  const root = path.resolve(base, folder);
  const target = path.resolve(root, name);
  if (name === '.') return root;
  // By name, then on disk: a symbolic link inside the folder may lead out of it.
  if (name.trim() === '' || !isInside(root, target) || !isInside(onDisk(root), onDisk(target))) {
    throw new TelApiInputError('filename', 'file-name', { folder });
  }
  return target;
}

/** Whether `target` is below `root` (not `root` itself). */
function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** `file` with the symbolic links of its deepest existing folder (or itself) resolved; the rest as named. */
function onDisk(file: string): string {
  let existing = file;
  const missing: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...missing);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return file;
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
}
