import type { ServerResponse } from 'node:http';
import { ApiError } from './api-errors';
import type { PlaceCallSpec } from './call-runner';
import { API_VERSIONS, CALL_DIRECTIONS } from './constants';
import { asBadRequest, callSpecFrom, numberParam, sendControlJson, type ControlRequest, type SimulatorControl } from './control-support';
import { CALLEE_BEHAVIORS, type CalleeBehavior } from './engine-verbs';
import type { RequestParams } from './http-util';
import { CALL_STATUSES, type SimulatedCall } from './model';
import { isAbsoluteHttpUrl } from './spec';
import { numberFilter } from './wire';

/** The longest a `GET …/events?wait_ms=` waits for a new event. */
const MAX_EVENT_WAIT_MS = 30_000;

const CALL_PATH = /^\/calls\/([^/]+)(?:\/(events|digits|hangup|answer|reject))?$/i;

function required(params: RequestParams, name: string): string {
  const value = params.get(name)?.trim();
  if (!value) throw new ApiError('missingParameter', `${name} is required`);
  return value;
}

function oneOf<T extends string>(params: RequestParams, name: string, allowed: readonly T[]): T | undefined {
  const value = params.get(name)?.trim();
  if (!value) return undefined;
  const known = allowed.find((candidate) => candidate === value.toLowerCase() || candidate === value);
  if (known === undefined) throw new ApiError('invalidParameter', `${name} must be one of ${allowed.join(', ')}`);
  return known;
}

/** `POST /calls/inbound`: From, To, Url (required), Method, AccountSid, CallerName, ForwardedFrom, CallSid, ApiVersion. */
function placeCallSpecFrom(params: RequestParams): PlaceCallSpec {
  const { direction: _ignored, url: _url, ...spec } = callSpecFrom(params);
  const url = required(params, 'Url');
  if (!isAbsoluteHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
  const method = oneOf(params, 'Method', ['POST', 'GET'] as const);
  const apiVersion = oneOf(params, 'ApiVersion', API_VERSIONS);
  return { ...spec, url, ...(method ? { method } : {}), ...(apiVersion ? { apiVersion } : {}) };
}

/** The call, if it exists for the request (the phone's session sees its own account's calls only). */
function requireCall(simulator: SimulatorControl, callSid: string, accountSid?: string): SimulatedCall {
  const call = simulator.getCall(callSid);
  if (!call || (accountSid !== undefined && call.accountSid !== accountSid)) throw new ApiError('callNotFound', `Call ${callSid} was not found`);
  return call;
}

/** `wait_ms` (or `WaitMs`), at most MAX_EVENT_WAIT_MS. */
function waitMsParam(params: RequestParams): number {
  return Math.min(MAX_EVENT_WAIT_MS, Math.max(0, numberParam(params, 'wait_ms') ?? numberParam(params, 'WaitMs') ?? 0));
}

/** `GET /calls` filters: `To`, `From`, `Status`, `Direction` (each optional), and the session's account. */
function callFilterFrom(params: RequestParams, accountSid: string | undefined): (call: SimulatedCall) => boolean {
  const to = numberFilter(params, 'To');
  const from = numberFilter(params, 'From');
  const status = oneOf(params, 'Status', CALL_STATUSES);
  const direction = oneOf(params, 'Direction', CALL_DIRECTIONS);
  return (call) =>
    (accountSid === undefined || call.accountSid === accountSid) &&
    (to === undefined || call.to === to) &&
    (from === undefined || call.from === from) &&
    (status === undefined || call.status === status) &&
    (direction === undefined || call.direction === direction);
}

/**
 * The calls that match the filters, newest first; with `wait_ms` and none matching yet, waits until
 * a call event leaves one matching (a phone page waiting for a call to ring), or the time is up.
 */
function callsMatching(simulator: SimulatorControl, params: RequestParams, accountSid: string | undefined): Promise<SimulatedCall[]> {
  const matches = callFilterFrom(params, accountSid);
  const list = (): SimulatedCall[] => simulator.calls().filter(matches);
  const found = list();
  const waitMs = waitMsParam(params);
  if (found.length > 0 || waitMs === 0) return Promise.resolve(found);
  return new Promise((resolve) => {
    const finish = (calls: SimulatedCall[]): void => {
      clearTimeout(timer);
      stop();
      resolve(calls);
    };
    const timer = setTimeout(() => finish([]), waitMs);
    timer.unref();
    const stop = simulator.onCallEvent(() => {
      const now = list();
      if (now.length > 0) finish(now);
    });
  });
}

/** Long polling for a page that follows a call: answers at once when there is news, else waits up to `wait_ms`. */
async function eventsAfter(simulator: SimulatorControl, callSid: string, params: RequestParams): Promise<unknown> {
  const after = numberParam(params, 'after') ?? numberParam(params, 'After') ?? 0;
  const waitMs = waitMsParam(params);
  if (simulator.callEvents(callSid, after).length === 0 && waitMs > 0) {
    await simulator.waitForCallEvent({ callSid, afterSequence: after }, waitMs).catch(() => undefined);
  }
  const call = requireCall(simulator, callSid);
  return { callSid, status: call.status, events: simulator.callEvents(callSid, after) };
}

/** The call routes of the control API; false when the path is not one of them. */
export async function handleCallControl(simulator: SimulatorControl, request: ControlRequest, response: ServerResponse): Promise<boolean> {
  const { method, path, params, accountSid } = request;
  const resource = path.toLowerCase();
  if (resource === '/calls') {
    if (method === 'GET') sendControlJson(response, { calls: await callsMatching(simulator, params, accountSid) });
    else if (method === 'POST') sendControlJson(response, asBadRequest(() => simulator.createCall(callSpecFrom(params))));
    else return false;
    return true;
  }
  if (resource === '/calls/inbound' && method === 'POST') {
    const spec = placeCallSpecFrom(params);
    if (accountSid !== undefined) {
      if (spec.accountSid !== undefined && spec.accountSid !== accountSid) throw new ApiError('accountMismatch', `The phone session places calls on ${accountSid} only`);
      spec.accountSid = accountSid;
    }
    sendControlJson(response, asBadRequest(() => simulator.placeCall(spec)));
    return true;
  }
  if (resource === '/numbers') {
    if (method === 'POST') {
      const number = required(params, 'Number');
      const behavior: CalleeBehavior = oneOf(params, 'Behavior', CALLEE_BEHAVIORS) ?? 'answer';
      simulator.setCalleeBehavior(number, behavior);
    } else if (method !== 'GET') return false;
    sendControlJson(response, { numbers: Object.entries(simulator.calleeBehaviors()).map(([number, behavior]) => ({ number, behavior })) });
    return true;
  }
  const match = CALL_PATH.exec(path);
  const callSid = match?.[1];
  if (!match || callSid === undefined) return false;
  const action = match[2]?.toLowerCase();
  if (accountSid !== undefined) requireCall(simulator, callSid, accountSid);
  if (method === 'GET' && action === undefined) {
    sendControlJson(response, { ...requireCall(simulator, callSid), events: simulator.callEvents(callSid) });
  } else if (method === 'GET' && action === 'events') {
    requireCall(simulator, callSid);
    sendControlJson(response, await eventsAfter(simulator, callSid, params));
  } else if (method === 'POST' && action === 'digits') {
    const digits = required(params, 'Digits');
    simulator.sendDigits(callSid, digits);
    sendControlJson(response, { callSid, digits });
  } else if (method === 'POST' && action === 'hangup') sendControlJson(response, simulator.hangUp(callSid));
  else if (method === 'POST' && action === 'answer') sendControlJson(response, simulator.answerCall(callSid));
  else if (method === 'POST' && action === 'reject') {
    sendControlJson(response, simulator.rejectCall(callSid, oneOf(params, 'Status', ['busy', 'no-answer', 'failed'] as const)));
  } else return false;
  return true;
}
