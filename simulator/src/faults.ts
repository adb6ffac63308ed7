import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { API_ERRORS, ApiError, moreInfoUrl, type ApiErrorBody } from './api-errors';
import { sendJson, sendText } from './http-util';
import { SeededRandom } from './random';

/** Faults that are not an HTTP status with TelAPI's error JSON. */
export const FAULT_MODES = ['drop', 'malformed-json', 'html'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** What one request gets instead of its real answer. */
export type InjectedFault = { kind: 'status'; status: number } | { kind: FaultMode };

/** Off by default; every share is a probability in 0..1 and together they may not exceed 1. */
export interface FaultOptions {
  /** Added before every API answer, faulted or not. */
  latencyMs?: number;
  rate429?: number;
  rate500?: number;
  rate503?: number;
  /** The socket is destroyed without an answer. */
  rateDrop?: number;
  /** HTTP 200 labelled JSON whose body is cut off mid-object. */
  rateMalformedJson?: number;
  /** HTTP 502 with a proxy's HTML error page. */
  rateHtml?: number;
  /** Retry-After on 429 and 503 answers. */
  retryAfterSeconds?: number;
  /** Same seed, same sequence of faults. */
  seed?: number;
}

export type FaultSettings = Required<FaultOptions>;

const DEFAULT_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  rate429: 0,
  rate500: 0,
  rate503: 0,
  rateDrop: 0,
  rateMalformedJson: 0,
  rateHtml: 0,
  retryAfterSeconds: 1,
  seed: 1,
});

/** Draw order: a request's single random number falls into one of these bands, or none. */
const RATE_BANDS: ReadonlyArray<readonly [keyof FaultSettings, InjectedFault]> = [
  ['rate429', { kind: 'status', status: 429 }],
  ['rate500', { kind: 'status', status: 500 }],
  ['rate503', { kind: 'status', status: 503 }],
  ['rateDrop', { kind: 'drop' }],
  ['rateMalformedJson', { kind: 'malformed-json' }],
  ['rateHtml', { kind: 'html' }],
];

export interface FaultDecision {
  latencyMs: number;
  fault: InjectedFault | undefined;
}

function validated(settings: FaultSettings): FaultSettings {
  let total = 0;
  for (const [name] of RATE_BANDS) {
    const rate = settings[name];
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`${name} must be between 0 and 1`);
    total += rate;
  }
  if (total > 1 + 1e-9) throw new RangeError('The fault rates together may not exceed 1');
  if (!Number.isFinite(settings.latencyMs) || settings.latencyMs < 0) throw new RangeError('latencyMs must be 0 or more');
  if (!Number.isInteger(settings.retryAfterSeconds) || settings.retryAfterSeconds < 0) {
    throw new RangeError('retryAfterSeconds must be a whole number, 0 or more');
  }
  if (!Number.isFinite(settings.seed)) throw new RangeError('seed must be a number');
  return settings;
}

export function toInjectedFault(fault: number | FaultMode | InjectedFault): InjectedFault {
  if (typeof fault === 'number') {
    if (!Number.isInteger(fault) || fault < 400 || fault > 599) throw new RangeError('An injected status must be 400..599');
    return { kind: 'status', status: fault };
  }
  if (typeof fault === 'string') {
    if (!(FAULT_MODES as readonly string[]).includes(fault)) throw new RangeError(`Unknown fault mode ${fault}`);
    return { kind: fault };
  }
  return fault.kind === 'status' ? toInjectedFault(fault.status) : toInjectedFault(fault.kind);
}

/**
 * Decides, per API request, whether to delay it and what fault (if any) to answer with. Queued
 * "fail the next N" faults come first; then one seeded draw per request picks a band.
 */
export class FaultInjector {
  #settings: FaultSettings;
  #random: SeededRandom;
  readonly #queue: InjectedFault[] = [];

  constructor(options: FaultOptions = {}) {
    this.#settings = validated({ ...DEFAULT_FAULTS, ...definedOnly(options) });
    this.#random = new SeededRandom(this.#settings.seed);
  }

  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  get queuedFaults(): number {
    return this.#queue.length;
  }

  /** Changes the given settings and keeps the others; a given seed restarts the sequence. */
  update(options: FaultOptions): FaultSettings {
    this.#settings = validated({ ...this.#settings, ...definedOnly(options) });
    if (options.seed !== undefined) this.#random = new SeededRandom(this.#settings.seed);
    return this.settings;
  }

  /** Back to no faults at all, the queue emptied, the sequence restarted. */
  reset(options: FaultOptions = {}): FaultSettings {
    this.#settings = validated({ ...DEFAULT_FAULTS, ...definedOnly(options) });
    this.#random = new SeededRandom(this.#settings.seed);
    this.#queue.length = 0;
    return this.settings;
  }

  failNext(count: number, fault: number | FaultMode | InjectedFault): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number, 0 or more');
    const injected = toInjectedFault(fault);
    for (let index = 0; index < count; index++) this.#queue.push(injected);
  }

  decide(): FaultDecision {
    const latencyMs = this.#settings.latencyMs;
    const queued = this.#queue.shift();
    if (queued) return { latencyMs, fault: queued };
    const draw = this.#random.next();
    let upper = 0;
    for (const [name, fault] of RATE_BANDS) {
      upper += this.#settings[name];
      if (draw < upper) return { latencyMs, fault };
    }
    return { latencyMs, fault: undefined };
  }
}

function definedOnly(options: FaultOptions): FaultOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as FaultOptions;
}

const MALFORMED_JSON = '{"sid": "RE4288908463cd614b41084509ad8893a7", "account_sid": "AC';
const HTML_ERROR_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Status codes the error table already describes with a general message. */
const GENERAL_ERROR_BY_STATUS: Readonly<Record<number, keyof typeof API_ERRORS>> = {
  401: 'invalidCredentials',
  404: 'resourceNotFound',
  405: 'methodNotAllowed',
  413: 'bodyTooLarge',
  429: 'tooManyRequests',
  500: 'internalError',
  503: 'serviceUnavailable',
};

/** Other statuses follow the table's pattern for general errors: code 10000 + status. */
function injectedErrorBody(status: number): ApiErrorBody {
  const name = GENERAL_ERROR_BY_STATUS[status];
  if (name) return new ApiError(name).toBody();
  const code = 10000 + status;
  return { status, message: http.STATUS_CODES[status] ?? 'Error', code, more_info: moreInfoUrl(code) };
}

export function describeFault(fault: InjectedFault): string {
  return fault.kind === 'status' ? `status ${fault.status}` : fault.kind;
}

/** Answers (or, for `drop`, does not answer) a request with the injected fault. */
export function writeFaultAnswer(request: IncomingMessage, response: ServerResponse, fault: InjectedFault, retryAfterSeconds: number): void {
  switch (fault.kind) {
    case 'drop':
      request.socket.destroy();
      return;
    case 'malformed-json':
      sendText(response, 200, 'application/json; charset=utf-8', MALFORMED_JSON);
      return;
    case 'html':
      sendText(response, 502, 'text/html', HTML_ERROR_PAGE);
      return;
    case 'status': {
      const headers: Record<string, string> = {};
      if (fault.status === 429 || fault.status === 503) headers['retry-after'] = String(retryAfterSeconds);
      sendJson(response, fault.status, injectedErrorBody(fault.status), headers);
    }
  }
}
