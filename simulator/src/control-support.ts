import type { ServerResponse } from 'node:http';
import { ApiError } from './api-errors';
import type { CallEvent, CallEventMatch } from './call-events';
import type { PlaceCallSpec } from './call-runner';
import type { CallbackDelivery } from './callbacks';
import { CALL_DIRECTIONS, type CallDirection, type CallSpec } from './constants';
import { snakeCaseJson } from './control-json';
import type { CalleeBehavior } from './engine-verbs';
import type { FaultMode, FaultOptions, FaultSettings } from './faults';
import { sendJson, type RequestParams } from './http-util';
import type { SimulatedCall, SimulatedRecording, SimulatedTranscription } from './model';
import type { RecordingSeed } from './options';
import type { MediaRequest, RecordedRequest } from './server';

/**
 * What the control API drives: the simulator's programmatic API, as far as tests in another process
 * (the CLI) need it.
 */
export interface SimulatorControl {
  calls(): SimulatedCall[];
  getCall(callSid: string): SimulatedCall | undefined;
  createCall(spec: CallSpec): SimulatedCall;
  placeCall(spec: PlaceCallSpec): SimulatedCall;
  hangUp(callSid: string): SimulatedCall;
  answerCall(callSid: string): SimulatedCall;
  rejectCall(callSid: string, status?: 'busy' | 'no-answer' | 'failed'): SimulatedCall;
  sendDigits(callSid: string, digits: string): void;
  callEvents(callSid: string, afterSequence?: number): CallEvent[];
  waitForCallEvent(match: CallEventMatch, timeoutMs?: number): Promise<CallEvent>;
  onCallEvent(listener: (event: CallEvent) => void): () => void;
  setCalleeBehavior(number: string, behavior: CalleeBehavior | undefined): void;
  calleeBehaviors(): Record<string, CalleeBehavior>;
  recordings(): SimulatedRecording[];
  seedRecordings(seed: RecordingSeed): SimulatedRecording[];
  transcriptions(): SimulatedTranscription[];
  deliveries(): CallbackDelivery[];
  requests(): RecordedRequest[];
  mediaRequests(): MediaRequest[];
  readonly faults: FaultSettings;
  replaceFaults(options: FaultOptions): FaultSettings;
  setFaults(options: FaultOptions): FaultSettings;
  failNext(count: number, fault: number | FaultMode): void;
  readonly queuedFaults: number;
  reset(): void;
}

export interface ControlRequest {
  method: string;
  path: string;
  params: RequestParams;
  /** Set for the phone page's session: only this account's calls exist for it. */
  accountSid?: string;
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

export function numberParam(params: RequestParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ApiError('invalidParameter', `${name} must be a number`);
  return parsed;
}

/** The simulator's own checks throw RangeError; over HTTP they are bad requests. */
export function asBadRequest<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RangeError) throw new ApiError('invalidParameter', error.message);
    throw error;
  }
}

export function sendControlJson(response: ServerResponse, body: unknown): void {
  sendJson(response, 200, snakeCaseJson(body));
}

/** The call parameters shared by a live call (`POST /calls`) and a placed one (`POST /calls/inbound`). */
export function callSpecFrom(params: RequestParams): CallSpec {
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

