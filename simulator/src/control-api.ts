import type { ServerResponse } from 'node:http';
import { ApiError } from './api-errors';
import { handleCallControl } from './control-calls';
import { snakeCase, snakeCaseJson } from './control-json';
import { asBadRequest, numberParam, sendControlJson, type ControlRequest, type SimulatorControl } from './control-support';
import type { FaultMode, FaultOptions } from './faults';
import type { RequestParams } from './http-util';
import type { SimulatedRecording } from './model';
import type { RecordingSeed } from './options';
import { FILE_FORMATS } from './spec';

/**
 * The simulator-only control API under /_simulator, for tests that run the simulator in another
 * process (the CLI). It mirrors the programmatic API; parameters may come as a form, a JSON object
 * or a query string; answers are snake_case JSON. The caller has already checked the credentials
 * (any configured account).
 */
const CONTROL_PREFIX = '/_simulator';

export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

const FAULT_FIELDS = ['latencyMs', 'rate429', 'rate500', 'rate503', 'rateDrop', 'rateMalformedJson', 'rateHtml', 'retryAfterSeconds', 'seed'] as const;

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

/** Fault settings by their programmatic names (`rate500`) or the snake_case the answers use (`latency_ms`). */
function faultOptionsFrom(params: RequestParams): FaultOptions {
  const options: FaultOptions = {};
  for (const name of FAULT_FIELDS) {
    const value = numberParam(params, name) ?? numberParam(params, snakeCase(name));
    if (value !== undefined) options[name] = value;
  }
  return options;
}

/** A recording's `params` are the simulator's own settings, not wire parameters: they are snake_case too. */
function controlRecording(recording: SimulatedRecording): unknown {
  return { ...recording, params: snakeCaseJson(recording.params) };
}

export async function handleControlRequest(simulator: SimulatorControl, request: ControlRequest, response: ServerResponse): Promise<void> {
  const { method, params } = request;
  const path = request.path.slice(CONTROL_PREFIX.length);
  if (await handleCallControl(simulator, { ...request, path }, response)) return;
  const resource = path.toLowerCase();
  if (method === 'GET' && resource === '/recordings') return sendControlJson(response, { recordings: simulator.recordings().map(controlRecording) });
  if (method === 'POST' && resource === '/recordings') {
    return sendControlJson(response, { recordings: asBadRequest(() => simulator.seedRecordings(recordingSeedFrom(params))).map(controlRecording) });
  }
  if (method === 'GET' && resource === '/transcriptions') return sendControlJson(response, { transcriptions: simulator.transcriptions() });
  if (method === 'GET' && resource === '/deliveries') return sendControlJson(response, { deliveries: simulator.deliveries() });
  if (method === 'GET' && resource === '/requests') return sendControlJson(response, { requests: simulator.requests() });
  if (method === 'GET' && resource === '/media-requests') return sendControlJson(response, { mediaRequests: simulator.mediaRequests() });
  if (method === 'GET' && resource === '/faults') return sendControlJson(response, simulator.faults);
  // PUT replaces the settings, POST changes only the ones given.
  if (method === 'PUT' && resource === '/faults') return sendControlJson(response, asBadRequest(() => simulator.replaceFaults(faultOptionsFrom(params))));
  if (method === 'POST' && resource === '/faults') return sendControlJson(response, asBadRequest(() => simulator.setFaults(faultOptionsFrom(params))));
  if (method === 'POST' && resource === '/fail-next') {
    const fault = numberParam(params, 'status') ?? (params.get('mode') as FaultMode | undefined);
    if (fault === undefined) throw new ApiError('missingParameter', 'status or mode is required');
    asBadRequest(() => simulator.failNext(numberParam(params, 'count') ?? 1, fault));
    return sendControlJson(response, { queued: simulator.queuedFaults });
  }
  if (method === 'POST' && resource === '/reset') {
    simulator.reset();
    response.writeHead(204);
    response.end();
    return;
  }
  throw new ApiError('resourceNotFound', `No simulator control endpoint ${method} ${request.path}`);
}
