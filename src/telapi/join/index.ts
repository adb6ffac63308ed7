export { JOIN_ERROR_KINDS, JOIN_MISMATCH_PROPERTIES, JoinError, type JoinErrorKind, type JoinErrorParams, type JoinMismatchProperty } from './errors';
export { AUDIO_CONTENT_TYPES, AUDIO_FORMATS, detectAudioFormat, type AudioFormat } from './detect';
export {
  createJoiner, joinSegmentFrom, joinSegments,
  type JoinEnd, type JoinOptions, type JoinSummary, type JoinedAudio, type Joiner, type JoinerOptions, type SegmentSummary,
} from './joiner';
export type { SegmentStats } from './segment';
export { orderSegments, parseRfc2822Date } from './order';
