import { ApiError } from './api-errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ApiVersion } from './constants';
import type { RequestParams } from './http-util';
import { CALL_STATUSES, type SimulatedCall, type SimulatedCallStatus, type SimulatedRecording, type SimulatedTranscription, type TranscriptionStatus } from './model';
import { TRANSCRIPTION_STATUSES, ZANG_QUALITIES, type TranscribeQuality } from './spec';

/** RFC 2822 in UTC the way TelAPI writes it: "Fri, 24 Mar 2017 16:06:32 -0000". */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/ GMT$/, ' -0000');
}

/** TelAPI-era data carries durations as strings, Zang (v2) data as numbers (docs/telapi-api.md). */
function wireDuration(seconds: number, version: ApiVersion): number | string {
  return version === 'v2' ? seconds : String(seconds);
}

/** `api_version` is `v1` under both TelAPI prefixes (/v1 and /2011-07-01), `v2` under Zang's. */
export function reportedVersion(version: ApiVersion): 'v1' | 'v2' {
  return version === 'v2' ? 'v2' : 'v1';
}

/** A resource's `uri` under the prefix it was asked for; TelAPI-era uris end in `.json`, Zang's do not. */
function resourceUri(version: ApiVersion, accountSid: string, rest: string): string {
  return `/${version}/Accounts/${accountSid}${rest}${version === 'v2' ? '' : '.json'}`;
}

/** Exactly the Recording shape of docs/telapi-api.md; `api_version` and `uri` follow the request's prefix. */
export function recordingJson(recording: SimulatedRecording, version: ApiVersion): Record<string, unknown> {
  return {
    sid: recording.sid,
    account_sid: recording.accountSid,
    call_sid: recording.callSid,
    duration: wireDuration(recording.duration, version),
    price: '0.00',
    recording_url: recording.recordingUrl,
    date_created: rfc2822(recording.dateCreated),
    date_updated: rfc2822(recording.dateUpdated),
    api_version: reportedVersion(version),
    uri: resourceUri(version, recording.accountSid, `/Recordings/${recording.sid}`),
  };
}

/** A call's `start_time`: when it was answered, or when it was made for a call never answered. */
function startTime(call: SimulatedCall): Date {
  return call.answeredAt ?? call.dateCreated;
}

/**
 * The Call object as TelAPI's data has it: absent links and numbers are
 * "" and `answered_by` is a string ("tbd": the simulator does no answering-machine detection);
 * `duration` counts from the answer, `start_time` is the answer (the creation for calls never answered).
 */
export function callJson(call: SimulatedCall, version: ApiVersion): Record<string, unknown> {
  const base = `/Calls/${call.sid}`;
  return {
    sid: call.sid,
    parent_call_sid: '',
    date_created: rfc2822(call.dateCreated),
    date_updated: rfc2822(call.dateUpdated),
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    phone_number_sid: '',
    status: call.status,
    start_time: rfc2822(startTime(call)),
    end_time: call.endTime ? rfc2822(call.endTime) : null,
    duration: wireDuration(call.duration, version),
    price: '0.00',
    direction: call.direction,
    answered_by: 'tbd',
    caller_id_blocked: 'false',
    forwarded_from: call.forwardedFrom ?? '',
    caller_name: call.callerName,
    recordings_count: call.recordingSids.length,
    api_version: reportedVersion(version),
    uri: resourceUri(version, call.accountSid, base),
    subresource_uris: { recordings: resourceUri(version, call.accountSid, `${base}/Recordings`) },
  };
}

/**
 * A transcription's `type` is the quality asked for, but under /v2 always one of Zang's (`auto`,
 * `hybrid`, `keywords`; docs/telapi-api.md, "Start or stop a recording"): a transcription asked for
 * under a TelAPI prefix with one of TelAPI v1's human-reviewed qualities (`silver`, `gold`,
 * `platinum`) reads `hybrid`, Zang's human-reviewed quality, so a Zang client reading the account
 * meets no quality it does not know.
 */
function wireQuality(quality: TranscribeQuality, version: ApiVersion): TranscribeQuality {
  return version === 'v2' && !ZANG_QUALITIES.includes(quality) ? 'hybrid' : quality;
}

export function transcriptionJson(transcription: SimulatedTranscription, version: ApiVersion): Record<string, unknown> {
  return {
    sid: transcription.sid,
    account_sid: transcription.accountSid,
    call_sid: transcription.callSid ?? '',
    recording_sid: transcription.recordingSid ?? '',
    status: transcription.status,
    type: wireQuality(transcription.quality, version),
    audio_url: transcription.audioUrl,
    duration: wireDuration(transcription.duration, version),
    price: '0.00',
    transcription_text: transcription.text,
    transcribe_callback: transcription.callbackUrl ?? '',
    callback_method: transcription.callbackMethod,
    date_created: rfc2822(transcription.dateCreated),
    date_updated: rfc2822(transcription.dateUpdated),
    api_version: reportedVersion(version),
    uri: resourceUri(version, transcription.accountSid, `/Transcriptions/${transcription.sid}`),
  };
}

export interface PageRequest {
  page: number;
  pageSize: number;
}

function wholeNumberParam(params: RequestParams, name: string, fallback: number, min: number, max: number): number {
  const value = params.get(name)?.trim();
  if (value === undefined || value === '') return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ApiError('invalidParameter', `${name} must be a whole number from ${min} to ${max}`);
  }
  return number;
}

export function parsePageRequest(params: RequestParams): PageRequest {
  return {
    page: wholeNumberParam(params, 'Page', 0, 0, Number.MAX_SAFE_INTEGER),
    pageSize: wholeNumberParam(params, 'PageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
  };
}

/** The paging parameters are replaced; every other query parameter (the filters) is kept. */
function pageUri(path: string, query: URLSearchParams, page: number, pageSize: number): string {
  const kept = new URLSearchParams([...query].filter(([name]) => name !== 'Page' && name !== 'PageSize'));
  kept.set('Page', String(page));
  kept.set('PageSize', String(pageSize));
  return `${path}?${kept.toString()}`;
}

/**
 * TelAPI's list envelope: `page` is 0-based, `uri` is the path without the query, and a page link
 * that does not exist is "" (as Zang's data). `start` and `end` are indexes over the whole list:
 * `start` = page × page_size and `end` = start + items - 1, as TelAPI's lists have them.
 * A page without items, which that data never shows, keeps `start` = page × page_size and an `end`
 * that never falls below `start` (an empty list: 0 and 0; Page=999 beyond the end: both 999 × page_size).
 */
export function listEnvelope<T>(
  itemsKey: string,
  allItems: readonly T[],
  paging: PageRequest,
  request: { path: string; query: URLSearchParams },
  render: (item: T) => Record<string, unknown>,
): Record<string, unknown> {
  const { page, pageSize } = paging;
  const total = allItems.length;
  const numPages = Math.ceil(total / pageSize);
  const lastPage = Math.max(0, numPages - 1);
  const start = page * pageSize;
  const items = allItems.slice(start, start + pageSize);
  return {
    page,
    num_pages: numPages,
    page_size: pageSize,
    total,
    start,
    end: start + Math.max(0, items.length - 1),
    uri: request.path,
    first_page_uri: pageUri(request.path, request.query, 0, pageSize),
    previous_page_uri: page > 0 ? pageUri(request.path, request.query, Math.min(page - 1, lastPage), pageSize) : '',
    next_page_uri: page < lastPage ? pageUri(request.path, request.query, page + 1, pageSize) : '',
    last_page_uri: pageUri(request.path, request.query, lastPage, pageSize),
    [itemsKey]: items.map(render),
  };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD, checked to be a real calendar date. */
function parseDay(name: string, value: string): string {
  const match = DAY.exec(value.trim());
  const date = match ? new Date(`${value.trim()}T00:00:00Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.trim()) {
    throw new ApiError('invalidParameter', `${name} must be a date written YYYY-MM-DD`);
  }
  return value.trim();
}

/** UTC calendar days, YYYY-MM-DD; both bounds include the day named. */
export interface DayRange {
  on?: string;
  onOrAfter?: string;
  onOrBefore?: string;
}

/**
 * `{Name}>` and `{Name}<` carry the comparison in their names, so a URL reads
 * `DateCreated>=2017-03-24` ("on or after") and `DateCreated<=2017-03-24` ("on or before").
 */
function parseDayRange(params: RequestParams, name: string): DayRange {
  const range: DayRange = {};
  const on = params.get(name);
  if (on) range.on = parseDay(name, on);
  const after = params.get(`${name}>`);
  if (after) range.onOrAfter = parseDay(`${name}>`, after);
  const before = params.get(`${name}<`);
  if (before) range.onOrBefore = parseDay(`${name}<`, before);
  return range;
}

function inDayRange(date: Date, range: DayRange): boolean {
  const day = date.toISOString().slice(0, 10);
  if (range.on !== undefined && day !== range.on) return false;
  if (range.onOrAfter !== undefined && day < range.onOrAfter) return false;
  if (range.onOrBefore !== undefined && day > range.onOrBefore) return false;
  return true;
}

/** A number given in a query string with its `+` unencoded arrives as a space: taken as the `+` meant. */
export function numberFilter(params: RequestParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === undefined || value.trim() === '') return undefined;
  return /^ \d/.test(value) ? `+${value.trim()}` : value.trim();
}

/** A status filter: one of `allowed`, in any case; another value is a 400. */
function statusFilter<T extends string>(params: RequestParams, allowed: readonly T[]): T | undefined {
  const given = params.get('Status')?.trim().toLowerCase();
  if (!given) return undefined;
  const status = allowed.find((candidate) => candidate === given);
  if (status === undefined) throw new ApiError('invalidParameter', `Status must be one of ${allowed.join(', ')}`);
  return status;
}

export interface RecordingFilter {
  callSid: string | undefined;
  created: DayRange;
}

export function parseRecordingFilter(params: RequestParams): RecordingFilter {
  return { callSid: params.get('CallSid')?.trim() || undefined, created: parseDayRange(params, 'DateCreated') };
}

export function matchesRecordingFilter(recording: SimulatedRecording, filter: RecordingFilter): boolean {
  return (filter.callSid === undefined || recording.callSid === filter.callSid) && inDayRange(recording.dateCreated, filter.created);
}

export interface TranscriptionFilter {
  status: TranscriptionStatus | undefined;
  transcribed: DayRange;
}

/** The day a transcription was asked for counts as its `DateTranscribed`. */
export function parseTranscriptionFilter(params: RequestParams): TranscriptionFilter {
  return { status: statusFilter(params, TRANSCRIPTION_STATUSES), transcribed: parseDayRange(params, 'DateTranscribed') };
}

export function matchesTranscriptionFilter(transcription: SimulatedTranscription, filter: TranscriptionFilter): boolean {
  return (filter.status === undefined || transcription.status === filter.status) && inDayRange(transcription.dateCreated, filter.transcribed);
}

export interface CallFilter {
  to: string | undefined;
  from: string | undefined;
  status: SimulatedCallStatus | undefined;
  started: DayRange;
}

/**
 * `GET /Calls.json`'s filters (docs/telapi-api.md, "Answering calls: voice requests and InboundXML"):
 * `To`, `From`, `Status`, and `StartTime>` / `StartTime<` on the day of the call's `start_time`.
 */
export function parseCallFilter(params: RequestParams): CallFilter {
  return {
    to: numberFilter(params, 'To'),
    from: numberFilter(params, 'From'),
    status: statusFilter(params, CALL_STATUSES),
    started: parseDayRange(params, 'StartTime'),
  };
}

export function matchesCallFilter(call: SimulatedCall, filter: CallFilter): boolean {
  return (
    (filter.to === undefined || call.to === filter.to) &&
    (filter.from === undefined || call.from === filter.from) &&
    (filter.status === undefined || call.status === filter.status) &&
    inDayRange(startTime(call), filter.started)
  );
}
