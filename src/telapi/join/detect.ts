import { id3v2Length, parseFrameHeader } from './mpeg';

export const AUDIO_FORMATS = ['mp3', 'wav'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

export const AUDIO_CONTENT_TYPES: Readonly<Record<AudioFormat, string>> = Object.freeze({ mp3: 'audio/mpeg', wav: 'audio/wav' });

/** How many bytes of a file's start detectAudioFormat reads (fewer are enough for a short file). */
export const FORMAT_SIGNATURE_BYTES = 12;

const startsWith = (bytes: Uint8Array, text: string, at = 0): boolean =>
  bytes.length >= at + text.length && [...text].every((char, index) => bytes[at + index] === char.charCodeAt(0));

/**
 * The audio format of a file, from its first bytes (the URL or a Content-Type may say otherwise):
 * `wav` for RIFF/WAVE, `mp3` for an ID3v2 tag or an MPEG audio frame header at the start, else
 * undefined (among others: RIFX, RF64, Ogg, FLAC, AAC in ADTS).
 */
export function detectAudioFormat(bytes: Uint8Array): AudioFormat | undefined {
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WAVE', 8)) return 'wav';
  if (id3v2Length(bytes.subarray(0, 10)) !== undefined) return 'mp3';
  if (parseFrameHeader(bytes.subarray(0, 4))) return 'mp3';
  return undefined;
}
