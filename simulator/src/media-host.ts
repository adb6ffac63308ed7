import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from './api-errors';
import { AUDIO_CONTENT_TYPES, wavByteLength, type AudioLibrary, type AudioSpec } from './audio';
import type { FileFormat } from './spec';
import type { Telephony } from './telephony';

const MEDIA_PREFIX = '/recordings/';
const MEDIA_PATH = /^\/recordings\/([^/]+)\/([^/]+)\.(mp3|wav)$/;

export function isMediaPath(path: string): boolean {
  return path.startsWith(MEDIA_PREFIX);
}

/** The `recording_url` of a recording on the simulator's own media host. */
export function mediaUrl(publicUrl: string, recording: { accountSid: string; sid: string; fileFormat: string }): string {
  return `${publicUrl}${MEDIA_PREFIX}${recording.accountSid}/${recording.sid}.${recording.fileFormat}`;
}

/** Like TelAPI's recordings host: no credentials, the unguessable SIDs in the path are the key. */
export async function serveMedia(request: IncomingMessage, response: ServerResponse, url: URL, telephony: Telephony, audio: AudioLibrary): Promise<void> {
  const match = MEDIA_PATH.exec(url.pathname);
  if (!match) throw new ApiError('recordingNotFound');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    throw new ApiError('methodNotAllowed');
  }
  const [, accountSid = '', recordingSid = '', requested] = match;
  const extension: FileFormat = requested === 'wav' ? 'wav' : 'mp3';
  const recording = telephony.recording(recordingSid, accountSid);
  if (!recording) throw new ApiError('recordingNotFound');
  if (recording.status !== 'completed') throw new ApiError('recordingNotFound', `Recording ${recordingSid} is still in progress`);
  const spec: AudioSpec = { seconds: recording.duration, direction: recording.params.direction, trimSilence: recording.params.trimSilence };
  const headers: Record<string, string> = {
    'content-type': AUDIO_CONTENT_TYPES[extension],
    'content-disposition': `inline; filename="${recordingSid}.${extension}"`,
    'cache-control': 'private, max-age=3600',
  };
  if (audio.fitsInCache(extension, spec)) {
    const bytes = await audio.file(extension, spec);
    response.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
    response.end(request.method === 'HEAD' ? undefined : bytes);
    return;
  }
  if (extension === 'wav') headers['content-length'] = String(wavByteLength(spec.seconds));
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  try {
    await pipeline(Readable.from(audio.stream(extension, spec)), response);
  } catch {
    // The listener went away mid-file; nothing to answer.
  }
}
