/**
 * Why a join failed, machine-readable, so the node layer can translate it (docs/design.md, the
 * `join` operation). The texts here are the library's own English; the node catalogs carry each
 * kind as `errors.join.<kind>` with the same __placeholders__.
 */
export const JOIN_ERROR_KINDS = ['no-segments', 'undated', 'unknown-format', 'mixed-formats', 'mismatch', 'no-audio', 'invalid-wav', 'too-large'] as const;

export type JoinErrorKind = (typeof JOIN_ERROR_KINDS)[number];

/**
 * What differs between a segment and the first one (a `mismatch`'s `property`); the node catalogs
 * name each as `errors.join.property.<property>`.
 */
export const JOIN_MISMATCH_PROPERTIES = [
  'mpeg-version', 'mpeg-layer', 'sample-rate', 'channel-mode', 'wav-format', 'channels', 'byte-rate', 'block-align', 'bits-per-sample', 'wav-extension',
] as const;

export type JoinMismatchProperty = (typeof JOIN_MISMATCH_PROPERTIES)[number];

const PROPERTY_TEXT: Record<JoinMismatchProperty, string> = {
  'mpeg-version': 'MPEG version',
  'mpeg-layer': 'MPEG layer',
  'sample-rate': 'sample rate',
  'channel-mode': 'channel mode',
  'wav-format': 'WAV format code',
  channels: 'number of channels',
  'byte-rate': 'byte rate',
  'block-align': 'block size',
  'bits-per-sample': 'bits per sample',
  'wav-extension': 'format extension',
};

/**
 * `segment` is how the segment is named: the label the caller gave it (e.g. its RecordingSid), else
 * `#` and its place in the join (from 1).
 */
export interface JoinErrorParams {
  segment?: string;
  /** `mixed-formats`, `mismatch`: the first segment's value, and this one's. */
  expected?: string;
  found?: string;
  property?: JoinMismatchProperty;
  maxBytes?: number;
}

const TEXT: Record<JoinErrorKind, (p: JoinErrorParams) => string> = {
  'no-segments': () => 'There are no recordings to join',
  undated: (p) => `Segment ${p.segment} has no date_created that reads as a time, so the order of the segments is not known`,
  'unknown-format': (p) => `Segment ${p.segment} is neither MP3 nor WAV`,
  'mixed-formats': (p) => `Segment ${p.segment} is ${p.found}, the first is ${p.expected}: segments of different formats cannot be joined`,
  mismatch: (p) => `Segment ${p.segment} cannot be joined to the first: its ${p.property ? PROPERTY_TEXT[p.property] : '?'} is ${p.found}, the first's is ${p.expected}`,
  'no-audio': (p) => `Segment ${p.segment} holds no audio`,
  'invalid-wav': (p) => `Segment ${p.segment} is not a WAV file that can be joined: it has no valid fmt chunk before its data`,
  'too-large': (p) => `The joined file would be larger than ${p.maxBytes} bytes`,
};

/** A join that cannot be done; nothing it output so far is a usable file. */
export class JoinError extends Error {
  readonly kind: JoinErrorKind;
  /** The segment's place in the join, from 1 (`undated`: its place in the list given). */
  readonly segment: number | undefined;
  readonly params: Readonly<JoinErrorParams>;

  constructor(kind: JoinErrorKind, params: JoinErrorParams = {}, segment?: number) {
    super(TEXT[kind](params));
    this.name = 'JoinError';
    this.kind = kind;
    this.segment = segment;
    this.params = Object.freeze({ ...params });
  }
}

/** How a segment is named in errors: its label, else `#` and its place from 1. */
export function segmentName(index: number, label: string | undefined): string {
  return label !== undefined && label !== '' ? label : `#${index + 1}`;
}

/** The JoinError of segment `index` (from 0). */
export function segmentError(kind: JoinErrorKind, index: number, label: string | undefined, params: Omit<JoinErrorParams, 'segment'> = {}): JoinError {
  return new JoinError(kind, { ...params, segment: segmentName(index, label) }, index + 1);
}
