/**
 * The control API answers in TelAPI's JSON style: snake_case names. Wire parameters (a delivery's,
 * a request's or a call event's `params`, HTTP `headers`) keep the names they had on the wire.
 */
const KEPT_AS_SENT = new Set(['params', 'headers']);

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** A copy of `value` with every object's names in snake_case; dates become ISO 8601 strings. */
export function snakeCaseJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(snakeCaseJson);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    result[snakeCase(name)] = KEPT_AS_SENT.has(name) ? item : snakeCaseJson(item);
  }
  return result;
}
