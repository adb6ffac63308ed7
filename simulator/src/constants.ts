/**
 * Fixed values shared by the simulator, its CLI, the offline demo and the tests. The demo credentials
 * are public on purpose: they only ever unlock this simulator.
 */

export const DEMO_ACCOUNT_SID = 'ACfeedfacecafebeeffeedfacecafebeef';
export const DEMO_AUTH_TOKEN = 'telapi-simulator-demo-auth-token';

export interface SimulatorAccount {
  accountSid: string;
  authToken: string;
}

export const DEMO_ACCOUNT: Readonly<SimulatorAccount> = Object.freeze({
  accountSid: DEMO_ACCOUNT_SID,
  authToken: DEMO_AUTH_TOKEN,
});

/** TelAPI's call directions (docs/telapi-api.md, "Default voice request parameters"). */
export const CALL_DIRECTIONS = ['inbound', 'outbound', 'outbound-api'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export interface CallSpec {
  /** Generated (CA + 32 hex) when omitted. */
  callSid?: string;
  /** Defaults to the first configured account. */
  accountSid?: string;
  from?: string;
  to?: string;
  callerName?: string;
  direction?: CallDirection;
  /** The voice URL TelAPI would request; kept for the Call object only. */
  url?: string;
  forwardedFrom?: string;
}

export const DEMO_CALL_SIDS = Object.freeze({
  inbound: 'CA00000000000000000000000000000001',
  outbound: 'CA00000000000000000000000000000002',
  support: 'CA00000000000000000000000000000003',
} as const);

/** Live calls every simulator starts with (unless `demoCalls: false`), on the first account. */
export const DEMO_CALLS: ReadonlyArray<Readonly<CallSpec>> = Object.freeze([
  Object.freeze({
    callSid: DEMO_CALL_SIDS.inbound,
    from: '+15550100001',
    to: '+15550100100',
    callerName: 'Ada Lovelace',
    direction: 'inbound',
  } as const),
  Object.freeze({
    callSid: DEMO_CALL_SIDS.outbound,
    from: '+15550100100',
    to: '+15550100002',
    callerName: 'Demo Line',
    direction: 'outbound-api',
  } as const),
  Object.freeze({
    callSid: DEMO_CALL_SIDS.support,
    from: '+15550100003',
    to: '+15550100199',
    callerName: 'Grace Hopper',
    direction: 'inbound',
  } as const),
]);

/** Path prefix -> the `api_version` / `ApiVersion` the simulator reports for it. */
export const API_VERSIONS = ['v1', '2011-07-01', 'v2'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** docs/telapi-api.md, "Limits". */
export const MAX_RECORDINGS_PER_CALL = 5;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export const DEFAULT_PORT = 8089;
export const DEFAULT_HOST = '127.0.0.1';
