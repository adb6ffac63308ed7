import type { Difference } from './segment';

/**
 * MPEG audio frame headers (ISO/IEC 11172-3 and 13818-3, and the MPEG-2.5 extension) and the tags
 * found around MP3 frames: ID3v2 before them, ID3v1 and APEv2 after, a Xing/Info or VBRI header in
 * the first frame. Only reading; nothing is decoded.
 */

export type MpegVersion = '1' | '2' | '2.5';
export type MpegLayer = 1 | 2 | 3;
export type ChannelMode = 'stereo' | 'joint stereo' | 'dual channel' | 'mono';

export interface FrameHeader {
  version: MpegVersion;
  layer: MpegLayer;
  /** Bits per second. */
  bitrate: number;
  sampleRate: number;
  channelMode: ChannelMode;
  /** A 16-bit CRC follows the header. */
  crc: boolean;
  samplesPerFrame: number;
  /** The whole frame, header included. */
  length: number;
}

/** The part of a header that must not change in one joined stream (and what follows from it). */
export interface StreamParams {
  version: MpegVersion;
  layer: MpegLayer;
  sampleRate: number;
  channelMode: ChannelMode;
  samplesPerFrame: number;
}

const VERSIONS: ReadonlyArray<MpegVersion | undefined> = ['2.5', undefined, '2', '1'];
const LAYERS: ReadonlyArray<MpegLayer | undefined> = [undefined, 3, 2, 1];
const CHANNEL_MODES: readonly ChannelMode[] = ['stereo', 'joint stereo', 'dual channel', 'mono'];
const SAMPLE_RATES: Readonly<Record<MpegVersion, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};
/** kbit/s by bitrate index 1..14 (0 is "free format", 15 is forbidden). */
const BITRATES: Readonly<Record<'1-1' | '1-2' | '1-3' | '2-1' | '2-23', readonly number[]>> = {
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-23': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

function bitrateTable(version: MpegVersion, layer: MpegLayer): readonly number[] {
  if (version === '1') return layer === 1 ? BITRATES['1-1'] : layer === 2 ? BITRATES['1-2'] : BITRATES['1-3'];
  return layer === 1 ? BITRATES['2-1'] : BITRATES['2-23'];
}

function samplesPerFrame(version: MpegVersion, layer: MpegLayer): number {
  if (layer === 1) return 384;
  return layer === 3 && version !== '1' ? 576 : 1152;
}

/**
 * The frame header in the 4 bytes given, or undefined when they are not one: no sync, a reserved
 * version, layer, sample rate or emphasis, or the bitrate index 0 ("free format", whose frame
 * length cannot be read from the header) or 15.
 */
export function parseFrameHeader(bytes: Uint8Array): FrameHeader | undefined {
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
  if (bytes.length < 4 || b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = VERSIONS[(b1 >> 3) & 3];
  const layer = LAYERS[(b1 >> 1) & 3];
  const bitrateIndex = b2 >> 4;
  const sampleRateIndex = (b2 >> 2) & 3;
  if (version === undefined || layer === undefined || bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3 || (b3 & 3) === 2) return undefined;
  const bitrate = (bitrateTable(version, layer)[bitrateIndex - 1] ?? 0) * 1000;
  const sampleRate = SAMPLE_RATES[version][sampleRateIndex] ?? 0;
  const padding = (b2 >> 1) & 1;
  const samples = samplesPerFrame(version, layer);
  // Layer I counts in 4-byte slots; II and III in bytes: samples / 8 * bitrate / sample rate.
  const length = layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4 : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  return {
    version,
    layer,
    bitrate,
    sampleRate,
    channelMode: CHANNEL_MODES[b3 >> 6] ?? 'stereo',
    crc: (b1 & 1) === 0,
    samplesPerFrame: samples,
    length,
  };
}

export function streamParams(header: FrameHeader): StreamParams {
  const { version, layer, sampleRate, channelMode, samplesPerFrame } = header;
  return { version, layer, sampleRate, channelMode, samplesPerFrame };
}

export const channelCount = (mode: ChannelMode): number => (mode === 'mono' ? 1 : 2);

/**
 * What makes `found` another stream than `expected`, else undefined. Channel modes count as the same
 * when they have as many channels: an encoder may switch between stereo and joint stereo from one
 * frame to the next, and every decoder follows; mono and two channels cannot be mixed.
 */
export function streamDifference(expected: StreamParams, found: StreamParams): Difference | undefined {
  if (expected.version !== found.version) return { property: 'mpeg-version', expected: `MPEG-${expected.version}`, found: `MPEG-${found.version}` };
  if (expected.layer !== found.layer) return { property: 'mpeg-layer', expected: layerName(expected.layer), found: layerName(found.layer) };
  if (expected.sampleRate !== found.sampleRate) return { property: 'sample-rate', expected: `${expected.sampleRate} Hz`, found: `${found.sampleRate} Hz` };
  if (channelCount(expected.channelMode) !== channelCount(found.channelMode)) return { property: 'channel-mode', expected: expected.channelMode, found: found.channelMode };
  return undefined;
}

const layerName = (layer: MpegLayer): string => `Layer ${['I', 'II', 'III'][layer - 1] ?? layer}`;

/** Layer III side information: MPEG-1 17 bytes mono, 32 otherwise; MPEG-2/2.5 9 and 17. */
function sideInfoLength(header: FrameHeader): number {
  const mono = header.channelMode === 'mono';
  if (header.version === '1') return mono ? 17 : 32;
  return mono ? 9 : 17;
}

const ascii = (bytes: Uint8Array, at: number, text: string): boolean => {
  for (let index = 0; index < text.length; index++) if (bytes[at + index] !== text.charCodeAt(index)) return false;
  return true;
};

/**
 * Whether a whole frame is a Xing/Info or VBRI header frame (an encoder's table of contents, which
 * decodes as silence and describes only its own file). Xing/Info stands right after the side
 * information (after the CRC too, where there is one: some encoders count it, some do not); VBRI
 * always 32 bytes after the header.
 */
export function isInfoFrame(frame: Uint8Array, header: FrameHeader): boolean {
  if (header.layer !== 3) return false;
  const xingAt = 4 + sideInfoLength(header);
  const candidates = header.crc ? [xingAt, xingAt + 2] : [xingAt];
  if (candidates.some((at) => ascii(frame, at, 'Xing') || ascii(frame, at, 'Info'))) return true;
  return ascii(frame, 36, 'VBRI');
}

/** The bytes an ID3v2 tag takes (header, body, and footer when its flag says so), from its 10-byte header; undefined if it is none. */
export function id3v2Length(header: Uint8Array): number | undefined {
  if (header.length < 10 || !ascii(header, 0, 'ID3')) return undefined;
  const [, , , major = 0xff, revision = 0xff, flags = 0, ...size] = header;
  if (major === 0xff || revision === 0xff || size.slice(0, 4).some((byte) => byte >= 0x80)) return undefined;
  const body = size.slice(0, 4).reduce((total, byte) => total * 128 + byte, 0);
  return 10 + body + (flags & 0x10 ? 10 : 0);
}

export const ID3V1_LENGTH = 128;
export const APE_HEADER_LENGTH = 32;

/**
 * The bytes an APEv2 tag takes from the 32-byte header or footer given: from a header, the whole
 * tag (its size counts the items and the footer, not the header); from a footer, only the footer
 * (its items came before it). Undefined when it is none.
 */
export function apeTagLength(headerOrFooter: Uint8Array): number | undefined {
  if (headerOrFooter.length < APE_HEADER_LENGTH || !ascii(headerOrFooter, 0, 'APETAGEX')) return undefined;
  const view = new DataView(headerOrFooter.buffer, headerOrFooter.byteOffset, APE_HEADER_LENGTH);
  const size = view.getUint32(12, true);
  const isHeader = (view.getUint32(20, true) & 0x2000_0000) !== 0;
  return isHeader ? APE_HEADER_LENGTH + size : APE_HEADER_LENGTH;
}
