import type { MediaSink } from './arriving-body';
import type { DownloadOptions, DownloadResult } from './download';
import { createJoiner, orderSegments, parseRfc2822Date, type JoinEnd } from './join';
import { recordingUrlOf } from './recordings';
import type { TelApiObject } from './response';

/**
 * The `join` operation of the recordings node (docs/design.md, "`telapi-recordings` node
 * (contract)"): a call's recordings (a paused and resumed call has one per stretch) downloaded one
 * after the other, oldest first, and joined into one file as their bytes arrive.
 */

/** What joining needs of a client (TelApiClient has it). */
export interface DownloadingClient {
  download(url: string, options: DownloadOptions): Promise<DownloadResult>;
}

/** Where the joined file's bytes go: in order, each write finished before the next. */
export interface JoinOutput {
  write(chunks: Buffer[]): void | Promise<void>;
}

/**
 * The recordings of one call in the order they were made. `date_created` counts whole seconds: a
 * pause and a resume within one second have equal dates, and then the order TelAPI listed them
 * decides. TelAPI lists newest first, so a list whose dates fall is read from its end; one whose
 * dates rise (or never differ) as it is.
 */
export function callSegments(recordings: readonly TelApiObject[]): TelApiObject[] {
  const known = recordings.map((recording) => parseRfc2822Date(recording.date_created)).filter((time): time is number => time !== undefined);
  const newestFirst = known.length > 1 && (known[0] as number) > (known.at(-1) as number);
  return orderSegments(newestFirst ? [...recordings].reverse() : [...recordings]);
}

/**
 * Downloads `segments` (already in order) into `output` through one joiner: each segment's bytes as
 * they arrive, never a whole segment and the result at once. `maxBytes` bounds the joined file.
 */
export async function joinRecordings(
  client: DownloadingClient,
  segments: readonly TelApiObject[],
  download: Omit<DownloadOptions, 'sink'>,
  output: JoinOutput,
): Promise<JoinEnd> {
  const joiner = createJoiner({ maxBytes: download.maxBytes });
  for (const recording of segments) {
    const url = recordingUrlOf(recording);
    joiner.startSegment(typeof recording.sid === 'string' ? recording.sid : undefined);
    const sink: MediaSink = { write: (chunk) => output.write(joiner.push(chunk)) };
    await client.download(url, { ...download, sink });
    await output.write(joiner.endSegment());
  }
  const end = joiner.finish();
  await output.write(end.output);
  return end;
}
