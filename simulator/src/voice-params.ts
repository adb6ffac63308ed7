import type { ApiVersion } from './constants';
import type { SimulatedCall } from './model';
import { reportedVersion } from './wire';

/** Request parameters in the order sent; a name may repeat only where TelAPI repeats it (never here). */
export type Params = Array<[string, string]>;

/** The directory of the call's voice URL, against which TelAPI resolves relative URLs; the simulator's root without one. */
export function urlBaseOf(call: SimulatedCall, publicUrl: string): string {
  return call.url ? new URL('.', call.url).href : `${publicUrl}/`;
}

/**
 * TelAPI's default voice request parameters in their documented order (docs/telapi-api.md,
 * "Callbacks TelAPI sends"), `ForwardedFrom` only when the call was forwarded.
 */
export function voiceParams(call: SimulatedCall, apiVersion: ApiVersion, publicUrl: string): Params {
  const params: Params = [
    ['AccountSid', call.accountSid],
    ['ApiVersion', reportedVersion(apiVersion)],
    ['Direction', call.direction],
    ['CallerName', call.callerName],
    ['To', call.to],
    ['From', call.from],
    ['CallSid', call.sid],
    ['CallStatus', call.status],
    ['UrlBase', urlBaseOf(call, publicUrl)],
  ];
  if (call.forwardedFrom) params.push(['ForwardedFrom', call.forwardedFrom]);
  return params;
}
