import { TelApiInputError } from './errors';
import { isUnsafePath, isHttpUrl } from './public-url';

/**
 * Reading option values that come from messages (msg.recording, msg.recordings) or node properties:
 * each checked before anything is sent, and named in the error when wrong.
 */

/** A value as an error text may show it: short, and quoted when it is text. */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * The own enumerable options of an override object, every key one of `allowed`. Only a plain object
 * is taken (its prototype is an Object.prototype, or null): once Node-RED's clone has turned an own "__proto__" key into the prototype, the values it
 * holds would otherwise be read as if they were options (a "list" node sending a DELETE).
 */
export function ownOptions(field: string, input: unknown, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TelApiInputError(field, 'type', { expected: 'object' });
  // Object.prototype of any realm (a function node's sandbox has its own), or none.
  const prototype: unknown = Object.getPrototypeOf(input);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) throw new TelApiInputError(field, 'type', { expected: 'object' });
  const options: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw new TelApiInputError(key, 'unknown-option', { allowed: allowed.join(', ') });
    const value: unknown = (input as Record<string, unknown>)[key];
    if (value !== undefined) options[key] = value;
  }
  return options;
}

export function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TelApiInputError(field, 'enum', { allowed: allowed.join(', ') });
}

/** Liberal like TelAPI itself: true/false, "true"/"false" (any case), 1/0. */
export function parseBoolean(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
  }
  throw new TelApiInputError(field, 'boolean');
}

/** A whole number: a safe integer, or text of decimal digits only ("0x10", "1e3" and " " are not numbers here). */
export function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,16}\s*$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : undefined;
  }
  return undefined;
}

export function positiveInteger(field: string, value: unknown): number {
  const number = wholeNumber(value);
  if (number !== undefined && number > 0) return number;
  throw new TelApiInputError(field, 'integer', { value: shownValue(value) });
}

export function integerIn(field: string, value: unknown, min: number, max: number): number {
  const number = wholeNumber(value);
  if (number !== undefined && number >= min && number <= max) return number;
  throw new TelApiInputError(field, 'range', { min, max, value: shownValue(value) });
}

/** Any URL field must be well-formed even when this request will not send it (e.g. on a stop). */
export function urlOrPath(field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new TelApiInputError(field, 'type', { expected: 'string' });
  const trimmed = value.trim();
  if (trimmed.startsWith('/') ? isUnsafePath(trimmed) : trimmed !== '' && !isHttpUrl(trimmed)) throw new TelApiInputError(field, 'url');
  return trimmed;
}
