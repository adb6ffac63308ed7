import { TelApiError } from './errors';

export type TelApiObject = Record<string, unknown>;

/**
 * A record request answers with one Recording object (Zang), or, from TelAPI-era servers, a list
 * envelope {"recordings": [...], "page": …}: accept both and take the first item.
 */
export function parseRecordingResponse(body: TelApiObject, status: number): TelApiObject {
  const items = body.recordings;
  if (items === undefined) return body;
  const first: unknown = Array.isArray(items) ? items[0] : undefined;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) return first as TelApiObject;
  throw new TelApiError(`TelAPI ${status}: the answer is a recording list that holds no recording`, { kind: 'invalid-response', status });
}
