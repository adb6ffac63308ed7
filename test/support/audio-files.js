'use strict';
// Builds MP3 and WAV files byte by byte for the join tests (frames, tags, chunks), and reads a
// joined file's duration a second way: a strict walk that knows nothing of tags or junk, so a
// joined file that still held any would fail it.

/** Frame lengths come from the tables of ISO/IEC 11172-3 / 13818-3, written out here again. */
const VERSION_BITS = { 1: 3, 2: 2, 2.5: 0 };
const LAYER_BITS = { 1: 3, 2: 2, 3: 1 };
const MODE_BITS = { stereo: 0, 'joint stereo': 1, 'dual channel': 2, mono: 3 };
const RATES = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };
const KBPS = {
  '1/1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1/2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1/3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'lsf/1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'lsf/23': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const kbpsTable = (version, layer) => KBPS[String(version) === '1' ? `1/${layer}` : layer === 1 ? 'lsf/1' : 'lsf/23'];

const DEFAULT_STREAM = { version: 1, layer: 3, kbps: 128, sampleRate: 44100, mode: 'joint stereo', crc: false };

function samplesPerFrame({ version, layer }) {
  if (layer === 1) return 384;
  return layer === 3 && String(version) !== '1' ? 576 : 1152;
}

function frameLength({ version, layer, kbps, sampleRate }, padding = 0) {
  const bitrate = kbps * 1000;
  if (layer === 1) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  return Math.floor(((samplesPerFrame({ version, layer }) / 8) * bitrate) / sampleRate) + padding;
}

function frameHeader(stream, padding = 0) {
  const s = { ...DEFAULT_STREAM, ...stream };
  const bitrateIndex = kbpsTable(s.version, s.layer).indexOf(s.kbps);
  const rateIndex = RATES[s.version].indexOf(s.sampleRate);
  if (bitrateIndex < 1 || rateIndex < 0) throw new Error(`no such stream ${JSON.stringify(s)}`);
  return Buffer.from([
    0xff,
    0xe0 | (VERSION_BITS[s.version] << 3) | (LAYER_BITS[s.layer] << 1) | (s.crc ? 0 : 1),
    (bitrateIndex << 4) | (rateIndex << 2) | (padding << 1),
    MODE_BITS[s.mode] << 6,
  ]);
}

/** One audio frame whose body is `fill` (0x00–0x7f, so it holds no frame sync) over and over. */
function frame(stream = {}, fill = 0x11, padding = 0) {
  const s = { ...DEFAULT_STREAM, ...stream };
  const bytes = Buffer.alloc(frameLength(s, padding), fill & 0x7f);
  frameHeader(s, padding).copy(bytes, 0);
  return bytes;
}

/** `count` frames numbered from `first` (each a different fill). */
function frames(count, stream = {}, first = 1) {
  return Array.from({ length: count }, (_, index) => frame(stream, first + index));
}

/** A Xing/Info frame: the tag right after the side information (and the CRC when `crcInOffset`). */
function xingFrame(stream = {}, tag = 'Xing', crcInOffset = false) {
  const s = { ...DEFAULT_STREAM, ...stream };
  const bytes = frame(s, 0);
  const mono = s.mode === 'mono';
  const sideInfo = String(s.version) === '1' ? (mono ? 17 : 32) : mono ? 9 : 17;
  const at = 4 + sideInfo + (crcInOffset ? 2 : 0);
  bytes.write(tag, at, 'ascii');
  bytes.writeUInt32BE(0x0f, at + 4);
  return bytes;
}

/** A VBRI frame (Fraunhofer): the tag 32 bytes after the header. */
function vbriFrame(stream = {}) {
  const bytes = frame(stream, 0);
  bytes.write('VBRI', 36, 'ascii');
  bytes.writeUInt16BE(1, 40);
  return bytes;
}

function syncsafe(size) {
  return Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
}

/** An ID3v2 tag of `bodyLength` bytes after its header (a TIT2 frame, then padding), with a footer when `footer`. */
function id3v2({ major = 4, bodyLength = 64, footer = false, title = 'A call' } = {}) {
  const body = Buffer.alloc(bodyLength);
  const text = Buffer.from(`\u0003${title}`, 'latin1');
  Buffer.from('TIT2', 'ascii').copy(body, 0);
  syncsafe(text.length).copy(body, 4);
  text.copy(body, 10);
  const header = Buffer.concat([Buffer.from('ID3', 'ascii'), Buffer.from([major, 0, footer ? 0x10 : 0]), syncsafe(bodyLength)]);
  const parts = [header, body];
  if (footer) parts.push(Buffer.concat([Buffer.from('3DI', 'ascii'), header.subarray(3)]));
  return Buffer.concat(parts);
}

/** An ID3v1 tag (128 bytes); its title holds "ÿû", the bytes of a frame sync. */
function id3v1(title = 'Call \u00ff\u00fb recording') {
  const tag = Buffer.alloc(128);
  tag.write('TAG', 0, 'ascii');
  tag.write(title, 3, 'latin1');
  return tag;
}

/** An APEv2 tag with a footer (and a header unless `header: false`), one binary item that holds frame syncs. */
function apeTag({ header = true } = {}) {
  const value = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0xff, 0xf3, 0x48, 0xc4]);
  const item = Buffer.concat([Buffer.alloc(8), Buffer.from('Cover Art\0', 'ascii'), value]);
  item.writeUInt32LE(value.length, 0);
  item.writeUInt32LE(2, 4);
  const block = (isHeader) => {
    const bytes = Buffer.alloc(32);
    bytes.write('APETAGEX', 0, 'ascii');
    bytes.writeUInt32LE(2000, 8);
    bytes.writeUInt32LE(item.length + 32, 12);
    bytes.writeUInt32LE(1, 16);
    bytes.writeUInt32LE((0x80000000 | (isHeader ? 0x20000000 : 0)) >>> 0, 20);
    return bytes;
  };
  return Buffer.concat([...(header ? [block(true)] : []), item, block(false)]);
}

/**
 * The joined MP3's frames from its first byte to its last, read strictly: anything that is not a
 * whole frame of the first frame's stream is an error.
 */
function strictMp3Frames(bytes) {
  const found = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 4 || bytes[offset] !== 0xff || (bytes[offset + 1] & 0xe0) !== 0xe0) throw new Error(`no frame at ${offset}`);
    const b1 = bytes[offset + 1];
    const b2 = bytes[offset + 2];
    const version = { 3: '1', 2: '2', 0: '2.5' }[(b1 >> 3) & 3];
    const layer = { 3: 1, 2: 2, 1: 3 }[(b1 >> 1) & 3];
    const sampleRate = RATES[version][(b2 >> 2) & 3];
    const kbps = kbpsTable(version, layer)[b2 >> 4];
    if (!version || !layer || !sampleRate || !kbps) throw new Error(`bad header at ${offset}`);
    const stream = { version, layer, kbps, sampleRate };
    const length = frameLength(stream, (b2 >> 1) & 1);
    if (offset + length > bytes.length) throw new Error(`frame at ${offset} runs past the end`);
    if (found.length > 0 && (found[0].sampleRate !== sampleRate || found[0].layer !== layer)) throw new Error(`another stream at ${offset}`);
    found.push({ offset, length, sampleRate, layer, samples: samplesPerFrame(stream) });
    offset += length;
  }
  return found;
}

function mp3Seconds(bytes) {
  const list = strictMp3Frames(bytes);
  return list.reduce((total, f) => total + f.samples, 0) / (list[0]?.sampleRate ?? 1);
}

// ---- WAV

/** A `fmt ` body: PCM unless `formatTag`; 18 bytes with cbSize 0 when `cbSize` is true. */
function fmtBody({ formatTag = 1, channels = 1, sampleRate = 8000, bitsPerSample = 16, cbSize = false, extension } = {}) {
  const blockAlign = channels * Math.ceil(bitsPerSample / 8);
  const body = Buffer.alloc(extension ? 18 + extension.length : cbSize ? 18 : 16);
  body.writeUInt16LE(formatTag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE(sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(bitsPerSample, 14);
  if (extension) {
    body.writeUInt16LE(extension.length, 16);
    extension.copy(body, 18);
  }
  return body;
}

/** A chunk: id, size (or `size` as given), body, and the pad byte after an odd size unless `pad: false`. */
function chunk(id, body, { size = body.length, pad = true } = {}) {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'ascii');
  header.writeUInt32LE(size, 4);
  return Buffer.concat([header, body, pad && body.length % 2 ? Buffer.from([0]) : Buffer.alloc(0)]);
}

/** A RIFF/WAVE file of the chunks given; its RIFF size is right unless `riffSize`. */
function riff(chunks, { riffSize } = {}) {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(riffSize ?? body.length, 4);
  return Buffer.concat([header, body]);
}

/** `length` bytes of sample data, each byte from `seed` on (mod 256). */
function samples(length, seed = 1) {
  return Buffer.from(Array.from({ length }, (_, index) => (seed + index) & 0xff));
}

/** A joined WAV read a second way: exactly RIFF, WAVE, one fmt, one data (a pad byte after an odd one), nothing else. */
function strictWav(bytes) {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not RIFF/WAVE');
  if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error(`RIFF size ${bytes.readUInt32LE(4)}, file ${bytes.length}`);
  if (bytes.toString('ascii', 12, 16) !== 'fmt ') throw new Error('fmt is not the first chunk');
  const fmtLength = bytes.readUInt32LE(16);
  const dataAt = 20 + fmtLength + (fmtLength % 2);
  if (bytes.toString('ascii', dataAt, dataAt + 4) !== 'data') throw new Error('data does not follow fmt');
  const dataLength = bytes.readUInt32LE(dataAt + 4);
  if (dataAt + 8 + dataLength + (dataLength % 2) !== bytes.length) throw new Error(`data of ${dataLength} bytes does not end the file`);
  const byteRate = bytes.readUInt32LE(28);
  return { fmt: bytes.subarray(20, 20 + fmtLength), data: bytes.subarray(dataAt + 8, dataAt + 8 + dataLength), seconds: dataLength / byteRate };
}

module.exports = {
  DEFAULT_STREAM,
  frameLength,
  samplesPerFrame,
  frameHeader,
  frame,
  frames,
  xingFrame,
  vbriFrame,
  id3v2,
  id3v1,
  apeTag,
  strictMp3Frames,
  mp3Seconds,
  fmtBody,
  chunk,
  riff,
  samples,
  strictWav,
};
