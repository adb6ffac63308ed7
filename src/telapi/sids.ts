/** TelAPI resource identifiers: a two-letter prefix and 32 hex digits (docs/telapi-api.md, "Bases and auth"). */
export type SidPrefix = 'AC' | 'CA' | 'RE' | 'TR';

const SID_PATTERNS: Record<SidPrefix, RegExp> = {
  AC: /^AC[0-9a-fA-F]{32}$/,
  CA: /^CA[0-9a-fA-F]{32}$/,
  RE: /^RE[0-9a-fA-F]{32}$/,
  TR: /^TR[0-9a-fA-F]{32}$/,
};

/** The pattern of a SID, as source text (the editor reads it from the node settings). */
export function sidPattern(prefix: SidPrefix): string {
  return SID_PATTERNS[prefix].source;
}

export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string' && SID_PATTERNS[prefix].test(value);
}

export const isAccountSid = (value: unknown): value is string => isSid('AC', value);
export const isCallSid = (value: unknown): value is string => isSid('CA', value);
export const isRecordingSid = (value: unknown): value is string => isSid('RE', value);

/** "CA1a2b3c…" style short form for status badges and labels. */
export function shortSid(sid: string, visible = 6): string {
  return sid.length > visible + 1 ? `${sid.slice(0, visible)}…` : sid;
}
