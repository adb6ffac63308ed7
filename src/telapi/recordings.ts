import { TelApiError, TelApiInputError } from './errors';
import type { CallbackCredentials } from './public-url';
import { constants as bufferConstants } from 'node:buffer';
import { integerIn, oneOf, ownOptions, urlOrPath } from './options';
import { isHttpUrl } from './public-url';
import { TRANSCRIBE_QUALITIES, resolveCallbackUrl, type TranscribeQuality } from './recording';
import type { Delivery, TelApiRequest, TelApiResult } from './client';
import { MAX_ANSWER_BYTES } from './answers';
import type { TelApiObject } from './response';
import { isCallSid, isRecordingSid } from './sids';

export const RECORDINGS_OPERATIONS = ['list', 'get', 'download', 'delete', 'transcribe', 'join'] as const;
export type RecordingsOperation = (typeof RECORDINGS_OPERATIONS)[number];

export const MAX_RECORDINGS_LIMIT = 100_000;
/** A download is held in one Buffer: no larger file can be taken (4 GiB on Node 20). */
export const MAX_DOWNLOAD_BYTES = bufferConstants.MAX_LENGTH;
/** TelAPI's default page size (docs/telapi-api.md): servers that cap PageSize cap it no lower. */
export const LIST_PAGE_SIZE = 50;
/**
 * What a list may read, all its pages together, per recording it asks for (maxRecordings): a
 * Recording is about 800 characters (a page of 50 is some 40 kB). Each page is bounded on its own
 * (MAX_ANSWER_BYTES); without this, a server sending one new recording of nearly that size per page
 * made a list of 1000 hold gigabytes (3.3 GB peak RSS).
 */
export const LIST_CHARACTERS_PER_RECORDING = 4096;

/** The contract's settings of one message (docs/design.md, "telapi-recordings node (contract)"). */
export interface RecordingsOptions {
  operation: RecordingsOperation;
  callSid: string;
  dateFrom: string;
  dateTo: string;
  maxRecordings: number;
  maxBytes: number;
  transcribeQuality: TranscribeQuality;
  transcribeCallback: string;
}

export const DEFAULT_RECORDINGS_OPTIONS: Readonly<RecordingsOptions> = Object.freeze({
  operation: 'list',
  callSid: '',
  dateFrom: '',
  dateTo: '',
  maxRecordings: 1000,
  maxBytes: 52_428_800,
  transcribeQuality: 'auto',
  transcribeCallback: '',
});

export const RECORDINGS_OPTION_KEYS = Object.keys(DEFAULT_RECORDINGS_OPTIONS) as ReadonlyArray<keyof RecordingsOptions>;

/** A calendar date YYYY-MM-DD that exists (2024-02-30 does not); "" means no bound. */
function date(field: string, value: unknown): string {
  if (value === '' || value === null) return '';
  if (typeof value === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const parsed = new Date(Date.UTC(year, month - 1, day));
      if (parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day) return value.trim();
    }
  }
  throw new TelApiInputError(field, 'date');
}

function callSidFilter(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (!isCallSid(value)) throw new TelApiInputError('callSid', 'sid', { prefix: 'CA' });
  return value;
}

/**
 * Validates msg.recordings (or the node's properties): every key optional, unknown keys rejected,
 * values checked before any request.
 */
export function parseRecordingsOptions(input: unknown, base: Readonly<RecordingsOptions> = DEFAULT_RECORDINGS_OPTIONS): RecordingsOptions {
  if (input === undefined || input === null) return { ...base };
  const given = ownOptions('recordings', input, RECORDINGS_OPTION_KEYS);
  const has = (key: keyof RecordingsOptions): boolean => given[key] !== undefined;
  return {
    operation: has('operation') ? oneOf('operation', RECORDINGS_OPERATIONS, given.operation) : base.operation,
    callSid: has('callSid') ? callSidFilter(given.callSid) : base.callSid,
    dateFrom: has('dateFrom') ? date('dateFrom', given.dateFrom) : base.dateFrom,
    dateTo: has('dateTo') ? date('dateTo', given.dateTo) : base.dateTo,
    maxRecordings: has('maxRecordings') ? integerIn('maxRecordings', given.maxRecordings, 1, MAX_RECORDINGS_LIMIT) : base.maxRecordings,
    maxBytes: has('maxBytes') ? integerIn('maxBytes', given.maxBytes, 1, MAX_DOWNLOAD_BYTES) : base.maxBytes,
    transcribeQuality: has('transcribeQuality') ? oneOf('transcribeQuality', TRANSCRIBE_QUALITIES, given.transcribeQuality) : base.transcribeQuality,
    transcribeCallback: has('transcribeCallback') ? urlOrPath('transcribeCallback', given.transcribeCallback) : base.transcribeCallback,
  };
}

/**
 * The options of one message: the node's, then msg.callSid as the list filter, then msg.recordings
 * (which wins over msg.callSid, docs/design.md).
 */
export function messageOptions(defaults: Readonly<RecordingsOptions>, msgCallSid: unknown, overrides: unknown): RecordingsOptions {
  const withCall = msgCallSid === undefined || msgCallSid === null || msgCallSid === ''
    ? defaults
    : { ...defaults, callSid: callSidFilter(msgCallSid) };
  return parseRecordingsOptions(overrides, withCall);
}

export function validateRecordingSid(value: unknown): string {
  if (value === undefined || value === null || value === '') throw new TelApiInputError('recordingSid', 'required');
  if (!isRecordingSid(value)) throw new TelApiInputError('recordingSid', 'sid', { prefix: 'RE' });
  return value;
}

/** Path of one Recording below {base}/Accounts/{AccountSid}. */
export function recordingPath(recordingSid: string, suffix = '.json'): string {
  return `/Recordings/${encodeURIComponent(recordingSid)}${suffix}`;
}

/** The query of the list's first page (TelAPI's names; the comparison is part of the name). */
export function listQuery(options: Pick<RecordingsOptions, 'callSid' | 'dateFrom' | 'dateTo' | 'maxRecordings'>, page = 0): URLSearchParams {
  const query = new URLSearchParams();
  if (options.callSid) query.set('CallSid', options.callSid);
  if (options.dateFrom) query.set('DateCreated>', options.dateFrom);
  if (options.dateTo) query.set('DateCreated<', options.dateTo);
  query.set('Page', String(page));
  query.set('PageSize', String(Math.min(LIST_PAGE_SIZE, options.maxRecordings)));
  return query;
}

/** `""`, null and absent all mean "no such page". */
function link(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function count(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

export interface ListPage {
  recordings: TelApiObject[];
  total: number | undefined;
  /** Where the next page is: a path-and-query relative to the API origin, or a page number. */
  next: { uri: string } | { page: number } | undefined;
}

/** Reads one list envelope; a body without a `recordings` array is not a list. */
export function parseListPage(body: TelApiObject, status: number, query: URLSearchParams): ListPage {
  if (!Array.isArray(body.recordings)) {
    throw new TelApiError(`TelAPI ${status}: the answer is not a recording list`, { kind: 'invalid-response', status });
  }
  const recordings = body.recordings.filter((item): item is TelApiObject => typeof item === 'object' && item !== null && !Array.isArray(item));
  const total = count(body.total);
  const nextUri = link(body.next_page_uri);
  if (nextUri) return { recordings, total, next: { uri: nextUri } };
  const page = count(body.page) ?? Number(query.get('Page') ?? 0);
  const pages = count(body.num_pages);
  // Without a next link, page/num_pages decide; an empty page ends the list whatever they say.
  const more = pages !== undefined && page + 1 < pages && recordings.length > 0;
  return { recordings, total, next: more ? { page: page + 1 } : undefined };
}

/**
 * A next_page_uri as a path below the API origin. It is relative to the origin (it starts with the
 * version prefix); an absolute one is accepted only on the API's own origin, so that credentials are
 * never sent elsewhere.
 */
export function nextPageUrl(baseUrl: string, uri: string): string {
  const origin = new URL(baseUrl).origin;
  let url: URL;
  try {
    url = new URL(uri, origin);
  } catch {
    throw new TelApiError('TelAPI\'s next_page_uri is not a URL; the list was not followed', { kind: 'invalid-response' });
  }
  if (url.origin !== origin) {
    throw new TelApiError('TelAPI\'s next_page_uri points to another host; the list was not followed there', { kind: 'invalid-response' });
  }
  return url.href;
}

/** Adds a page's items, skipping sids already seen (pages shift while they are read). */
export class RecordingCollector {
  readonly items: TelApiObject[] = [];
  readonly #seen = new Set<string>();
  readonly max: number;
  total: number | undefined;

  constructor(max: number) {
    this.max = max;
  }

  /** Returns how many new items were taken. */
  add(page: ListPage): number {
    if (page.total !== undefined && this.total === undefined) this.total = page.total;
    let added = 0;
    for (const item of page.recordings) {
      if (this.full) break;
      const sid = typeof item.sid === 'string' ? item.sid : undefined;
      if (sid !== undefined) {
        if (this.#seen.has(sid)) continue;
        this.#seen.add(sid);
      }
      this.items.push(item);
      added += 1;
    }
    return added;
  }

  get full(): boolean {
    return this.items.length >= this.max;
  }
}

/** The form of POST …/Recordings/{sid}/Transcriptions.json; the callback carries the call's token. */
export function transcribeForm(options: Pick<RecordingsOptions, 'transcribeQuality'>, transcribeCallback: string): URLSearchParams {
  const form = new URLSearchParams();
  form.set('Quality', options.transcribeQuality);
  if (transcribeCallback) form.set('TranscribeCallback', transcribeCallback);
  return form;
}

/**
 * The TranscribeCallback sent for a recording: resolved and tokened exactly as the record node does
 * for the call the recording belongs to (its `call_sid`), so a callback node in token mode accepts it.
 */
export function transcribeCallbackFor(
  recording: TelApiObject,
  transcribeCallback: string,
  publicUrl: string,
  tokenFor: (callSid: string) => string,
  credentials?: CallbackCredentials,
): string {
  if (transcribeCallback === '') return '';
  const callSid = recording.call_sid;
  if (!isCallSid(callSid)) {
    throw new TelApiError('TelAPI\'s Recording has no call_sid to bind the transcription callback to', { kind: 'invalid-response' });
  }
  return resolveCallbackUrl('transcribeCallback', transcribeCallback, publicUrl, tokenFor(callSid), credentials);
}

/** `{RecordingSid}.wav` when the media URL ends in .wav, else `.mp3` (docs/design.md). */
export function recordingFilename(recordingSid: string, recordingUrl: string): string {
  let path = recordingUrl;
  try {
    path = new URL(recordingUrl).pathname;
  } catch {
    // not a URL: judge the text itself
  }
  return `${recordingSid}${/\.wav$/i.test(path) ? '.wav' : '.mp3'}`;
}

/** The Recording's media URL, only http(s). */
export function recordingUrlOf(recording: TelApiObject): string {
  const url = recording.recording_url;
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    throw new TelApiError('TelAPI\'s Recording has no http(s) recording_url', { kind: 'invalid-response' });
  }
  return url;
}

/** What the operations need of a client (TelApiClient has it): tests can pass a stand-in. */
export interface RecordingsClient {
  readonly baseUrl: string;
  request(request: TelApiRequest): Promise<TelApiResult>;
}

export interface ListResult {
  recordings: TelApiObject[];
  /** The list's `total` as TelAPI gave it on the first page, else how many were collected. */
  total: number;
  pages: number;
}

/** What a list of `maxRecordings` may read in all: LIST_CHARACTERS_PER_RECORDING each, and one whole page at least. */
export function listReadLimit(maxRecordings: number): number {
  return Math.max(MAX_ANSWER_BYTES, maxRecordings * LIST_CHARACTERS_PER_RECORDING);
}

/**
 * Follows the pages (next_page_uri, else page/num_pages) until maxRecordings, de-duplicating by sid.
 * A page that adds nothing new ends the walk, so a server repeating a page cannot keep it going, and
 * the pages together may not pass listReadLimit, so pages of one new but huge recording cannot either.
 */
export async function listRecordings(client: RecordingsClient, options: RecordingsOptions, signal?: AbortSignal): Promise<ListResult> {
  const collector = new RecordingCollector(options.maxRecordings);
  const limit = listReadLimit(options.maxRecordings);
  let query = listQuery(options, 0);
  let request: TelApiRequest = { method: 'GET', path: '/Recordings.json', query, ...(signal ? { signal } : {}) };
  let pages = 0;
  let read = 0;
  for (;;) {
    const result = await client.request(request);
    pages += 1;
    read += result.size ?? 0;
    if (read > limit) {
      throw new TelApiError(
        `TelAPI's recording list came to more than ${limit} characters in ${pages} pages, for ${collector.items.length} recordings before the last page; the list was not read further`,
        { kind: 'invalid-response' },
      );
    }
    const page = parseListPage(result.body, result.statusCode, query);
    const added = collector.add(page);
    if (collector.full || page.next === undefined || added === 0) break;
    if ('uri' in page.next) {
      const url = nextPageUrl(client.baseUrl, page.next.uri);
      query = new URL(url).searchParams;
      request = { method: 'GET', path: '/Recordings.json', url, ...(signal ? { signal } : {}) };
    } else {
      query = listQuery(options, page.next.page);
      request = { method: 'GET', path: '/Recordings.json', query, ...(signal ? { signal } : {}) };
    }
  }
  return { recordings: collector.items, total: collector.total ?? collector.items.length, pages };
}

function objectBody(result: TelApiResult): TelApiObject {
  return result.body;
}

export async function getRecording(client: RecordingsClient, recordingSid: string, signal?: AbortSignal): Promise<TelApiObject> {
  return objectBody(await client.request({ method: 'GET', path: recordingPath(recordingSid), ...(signal ? { signal } : {}) }));
}

export async function deleteRecording(client: RecordingsClient, recordingSid: string, signal?: AbortSignal, delivery: Delivery = {}): Promise<TelApiObject> {
  return objectBody(await client.request({ method: 'DELETE', path: recordingPath(recordingSid), ...(signal ? { signal } : {}), ...delivery }));
}

export async function transcribeRecording(
  client: RecordingsClient,
  recordingSid: string,
  form: URLSearchParams,
  signal?: AbortSignal,
  delivery: Delivery = {},
): Promise<TelApiObject> {
  return objectBody(await client.request({ method: 'POST', path: recordingPath(recordingSid, '/Transcriptions.json'), form, ...(signal ? { signal } : {}), ...delivery }));
}
