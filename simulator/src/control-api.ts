import type { ServerResponse } from 'node:http';
import { ApiError } from './api-errors';
import { CALL_DIRECTIONS, type CallDirection, type CallSpec } from './constants';
import type { FaultMode, FaultOptions } from './faults';
import { sendJson, type RequestParams } from './http-util';
import type { RecordingSeed, TelApiSimulator } from './simulator';
import { FILE_FORMATS } from './spec';

/**
 * The simulator-only control API under /_simulator, for tests that run the simulator in another
 * process (the CLI). It mirrors the programmatic API; parameters may come as a form, a JSON object
 * or a query string. The caller has already checked the credentials (any configured account).
 */
const CONTROL_PREFIX = '/_simulator';

export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

export interface ControlRequest {
  method: string;
  path: string;
  params: RequestParams;
}

const CALL_FIELDS: ReadonlyArray<readonly [Exclude<keyof CallSpec, 'direction'>, string]> = [
  ['callSid', 'CallSid'],
  ['accountSid', 'AccountSid'],
  ['from', 'From'],
  ['to', 'To'],
  ['callerName', 'CallerName'],
  ['url', 'Url'],
  ['forwardedFrom', 'ForwardedFrom'],
];

const FAULT_FIELDS = ['latencyMs', 'rate429', 'rate500', 'rate503', 'rateDrop', 'rateMalformedJson', 'rateHtml', 'retryAfterSeconds', 'seed'] as const;

function numberParam(params: RequestParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ApiError('invalidParameter', `${name} must be a number`);
  return parsed;
}

/** The simulator's own checks throw RangeError; over HTTP they are bad requests. */
function asBadRequest<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RangeError) throw new ApiError('invalidParameter', error.message);
    throw error;
  }
}

function callSpecFrom(params: RequestParams): CallSpec {
  const spec: CallSpec = {};
  for (const [key, name] of CALL_FIELDS) {
    const value = params.get(name)?.trim();
    if (value) spec[key] = value;
  }
  const direction = params.get('Direction')?.trim();
  if (direction) {
    const known = CALL_DIRECTIONS.find((candidate): candidate is CallDirection => candidate === direction);
    if (!known) throw new ApiError('invalidParameter', `Direction must be one of ${CALL_DIRECTIONS.join(', ')}`);
    spec.direction = known;
  }
  return spec;
}

function dateParam(params: RequestParams, name: string): Date | undefined {
  const value = params.get(name)?.trim();
  if (!value) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new ApiError('invalidParameter', `${name} must be a date (YYYY-MM-DD or ISO 8601)`);
  return date;
}

/** A bare day means noon UTC that day, so that the day filters see it on the day named. */
function recordingSeedFrom(params: RequestParams): RecordingSeed {
  const count = numberParam(params, 'Count');
  if (count === undefined) throw new ApiError('missingParameter', 'Count is required');
  const seed: RecordingSeed = { count };
  const accountSid = params.get('AccountSid')?.trim();
  if (accountSid) seed.accountSid = accountSid;
  const callSid = params.get('CallSid')?.trim();
  if (callSid) seed.callSid = callSid;
  const from = dateParam(params, 'DateFrom');
  if (from) seed.from = from;
  const to = dateParam(params, 'DateTo');
  if (to) seed.to = to;
  const duration = numberParam(params, 'Duration');
  if (duration !== undefined) seed.duration = duration;
  const format = params.get('FileFormat')?.trim().toLowerCase();
  if (format) {
    const known = FILE_FORMATS.find((candidate) => candidate === format);
    if (!known) throw new ApiError('invalidParameter', `FileFormat must be one of ${FILE_FORMATS.join(', ')}`);
    seed.fileFormat = known;
  }
  return seed;
}

function faultOptionsFrom(params: RequestParams): FaultOptions {
  const options: FaultOptions = {};
  for (const name of FAULT_FIELDS) {
    const value = numberParam(params, name);
    if (value !== undefined) options[name] = value;
  }
  return options;
}

export function handleControlRequest(simulator: TelApiSimulator, request: ControlRequest, response: ServerResponse): void {
  const { method, params } = request;
  const path = request.path.slice(CONTROL_PREFIX.length);
  const hangUp = /^\/calls\/([^/]+)\/hangup$/.exec(path);

  if (method === 'GET' && path === '/calls') return sendJson(response, 200, { calls: simulator.calls() });
  if (method === 'POST' && path === '/calls') return sendJson(response, 200, asBadRequest(() => simulator.createCall(callSpecFrom(params))));
  if (method === 'POST' && hangUp?.[1]) return sendJson(response, 200, simulator.hangUp(hangUp[1]));
  if (method === 'GET' && path === '/recordings') return sendJson(response, 200, { recordings: simulator.recordings() });
  if (method === 'POST' && path === '/recordings') {
    return sendJson(response, 200, { recordings: asBadRequest(() => simulator.seedRecordings(recordingSeedFrom(params))) });
  }
  if (method === 'GET' && path === '/transcriptions') return sendJson(response, 200, { transcriptions: simulator.transcriptions() });
  if (method === 'GET' && path === '/deliveries') return sendJson(response, 200, { deliveries: simulator.deliveries() });
  if (method === 'GET' && path === '/requests') return sendJson(response, 200, { requests: simulator.requests() });
  if (method === 'GET' && path === '/media-requests') return sendJson(response, 200, { mediaRequests: simulator.mediaRequests() });
  if (method === 'GET' && path === '/faults') return sendJson(response, 200, simulator.faults);
  // PUT replaces the settings, POST changes only the ones given.
  if (method === 'PUT' && path === '/faults') return sendJson(response, 200, asBadRequest(() => simulator.replaceFaults(faultOptionsFrom(params))));
  if (method === 'POST' && path === '/faults') return sendJson(response, 200, asBadRequest(() => simulator.setFaults(faultOptionsFrom(params))));
  if (method === 'POST' && path === '/fail-next') {
    const fault = numberParam(params, 'status') ?? (params.get('mode') as FaultMode | undefined);
    if (fault === undefined) throw new ApiError('missingParameter', 'status or mode is required');
    asBadRequest(() => simulator.failNext(numberParam(params, 'count') ?? 1, fault));
    return sendJson(response, 200, { queued: simulator.queuedFaults });
  }
  if (method === 'POST' && path === '/reset') {
    simulator.reset();
    response.writeHead(204);
    response.end();
    return;
  }
  throw new ApiError('resourceNotFound', `No simulator control endpoint ${method} ${request.path}`);
}
