'use strict';
const assert = require('node:assert/strict');
const { DEMO_ACCOUNT_SID, DEMO_CALL_SIDS, WAV_SAMPLE_RATE, MP3_SAMPLE_RATE, API_ERRORS } = require('..');
const { closeAll, startSim, api, basicAuth, rawRequest, startReceiver, startRecording, mp3Frames, wavInfo } = require('./helpers');

const CALL = DEMO_CALL_SIDS.inbound;

/** A completed recording of exactly `seconds` (it runs into its TimeLimit). */
async function finishedRecording(sim, seconds, params = {}) {
  const receiver = await startReceiver();
  const started = await startRecording(sim, CALL, { TimeLimit: String(seconds), CallbackUrl: `${receiver.url}/cb`, ...params });
  await sim.waitForDelivery({ recordingSid: started.sid });
  return sim.getRecording(started.sid);
}

function rms(samples) {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

function pcmSamples(wav) {
  const samples = new Int16Array((wav.length - 44) / 2);
  for (let index = 0; index < samples.length; index++) samples[index] = wav.readInt16LE(44 + index * 2);
  return samples;
}

describe('simulator: recording media', function () {
  afterEach(closeAll);

  it('serves the MP3 at recording_url: MPEG audio frames from the first byte to the last, of the recording\'s length', async function () {
    const sim = await startSim();
    const recording = await finishedRecording(sim, 4);
    assert.equal(recording.recordingUrl, `${sim.url}/recordings/${DEMO_ACCOUNT_SID}/${recording.sid}.mp3`);
    const answer = await rawRequest(recording.recordingUrl);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'audio/mpeg');
    assert.equal(Number(answer.headers['content-length']), answer.bytes.length);
    const bytes = answer.bytes;
    assert.ok(bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0, 'starts with an MPEG frame sync');
    const frames = mp3Frames(bytes);
    assert.ok(frames.length > 100);
    for (const frame of frames) {
      assert.equal(frame.sampleRate, MP3_SAMPLE_RATE);
      assert.equal(frame.bitrate, 32000);
    }
    const seconds = frames.reduce((total, frame) => total + frame.samplesPerFrame, 0) / MP3_SAMPLE_RATE;
    assert.ok(Math.abs(seconds - 4) < 0.5, `plays ${seconds} s`);
  });

  it('serves a RIFF/WAVE PCM file whose data length matches the duration', async function () {
    const sim = await startSim();
    const recording = await finishedRecording(sim, 3, { FileFormat: 'wav' });
    assert.match(recording.recordingUrl, /\.wav$/);
    const answer = await rawRequest(recording.recordingUrl);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'audio/wav');
    const info = wavInfo(answer.bytes);
    assert.deepEqual(info, {
      riff: 'RIFF',
      riffSize: answer.bytes.length - 8,
      wave: 'WAVE',
      fmt: 'fmt ',
      audioFormat: 1,
      channels: 1,
      sampleRate: WAV_SAMPLE_RATE,
      byteRate: WAV_SAMPLE_RATE * 2,
      blockAlign: 2,
      bitsPerSample: 16,
      dataTag: 'data',
      dataLength: 3 * WAV_SAMPLE_RATE * 2,
    });
    assert.equal(answer.bytes.length, 44 + info.dataLength);
    assert.ok(rms(pcmSamples(answer.bytes)) > 500, 'not silence');
  });

  it('makes the audio follow Direction and TrimSilence', async function () {
    const sim = await startSim();
    const bothUrl = (await finishedRecording(sim, 6, { FileFormat: 'wav' })).recordingUrl;
    const callerUrl = (await finishedRecording(sim, 6, { FileFormat: 'wav', Direction: 'in', TrimSilence: 'true' })).recordingUrl;
    const both = pcmSamples((await rawRequest(bothUrl)).bytes);
    const caller = pcmSamples((await rawRequest(callerUrl)).bytes);
    const halfSecond = WAV_SAMPLE_RATE / 2;
    assert.equal(rms(both.subarray(0, halfSecond)), 0, 'an untrimmed recording starts with silence');
    assert.ok(rms(caller.subarray(0, halfSecond)) > 0, 'a trimmed one starts speaking at once');
    assert.ok(rms(caller) < rms(both), 'one side of the call is quieter than both');
  });

  it('serves either format for any recording, identical bytes on a repeat download, and HEAD without a body', async function () {
    const sim = await startSim();
    const recording = await finishedRecording(sim, 2);
    const wavUrl = recording.recordingUrl.replace(/\.mp3$/, '.wav');
    const first = await rawRequest(wavUrl);
    const second = await rawRequest(wavUrl);
    assert.equal(wavInfo(first.bytes).dataLength, 2 * WAV_SAMPLE_RATE * 2);
    assert.deepEqual(first.bytes, second.bytes);
    const head = await rawRequest(recording.recordingUrl, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.bytes.length, 0);
    assert.ok(Number(head.headers['content-length']) > 0);
  });

  it('redirects GET /Recordings/{RecordingSid}.mp3 and .wav on the API to the media file', async function () {
    const sim = await startSim();
    const recording = await finishedRecording(sim, 2);
    const mp3 = await api(sim, 'GET', `/Recordings/${recording.sid}.mp3`);
    assert.equal(mp3.status, 302);
    assert.equal(mp3.headers.location, recording.recordingUrl);
    const wav = await api(sim, 'GET', `/Recordings/${recording.sid}.wav`, { version: 'v2' });
    assert.equal(wav.headers.location, recording.recordingUrl.replace(/\.mp3$/, '.wav'));
    const followed = await fetch(`${sim.url}/v1/Accounts/${DEMO_ACCOUNT_SID}/Recordings/${recording.sid}.wav`, {
      headers: { authorization: basicAuth() },
    });
    assert.equal(followed.status, 200);
    assert.equal(wavInfo(Buffer.from(await followed.arrayBuffer())).riff, 'RIFF');
    assert.equal((await api(sim, 'GET', `/Recordings/RE${'0'.repeat(32)}.mp3`)).status, 404);
  });

  it('answers 404 for media of a running, unknown or deleted recording', async function () {
    const sim = await startSim({ timeScale: 1 });
    const running = await startRecording(sim, CALL);
    const answer = await rawRequest(running.recording_url);
    assert.equal(answer.status, 404);
    assert.equal(answer.json.code, API_ERRORS.recordingNotFound.code);
    assert.equal((await rawRequest(`${sim.url}/recordings/${DEMO_ACCOUNT_SID}/RE${'0'.repeat(32)}.mp3`)).status, 404);
    assert.equal((await rawRequest(`${sim.url}/recordings/whatever.mp3`)).status, 404);
    await api(sim, 'DELETE', `/Recordings/${running.sid}.json`);
    assert.equal((await rawRequest(running.recording_url)).status, 404);
  });

  it('streams files too large to cache, with the same bytes', async function () {
    const sim = await startSim({ audio: { maxCachedFileBytes: 1000 } });
    const recording = await finishedRecording(sim, 2);
    const wavUrl = recording.recordingUrl.replace(/\.mp3$/, '.wav');
    const streamed = await rawRequest(wavUrl);
    assert.equal(Number(streamed.headers['content-length']), streamed.bytes.length);
    assert.equal(wavInfo(streamed.bytes).dataLength, 2 * WAV_SAMPLE_RATE * 2);
    const mp3 = await rawRequest(recording.recordingUrl);
    assert.equal(mp3.headers['transfer-encoding'], 'chunked');
    assert.ok(mp3Frames(mp3.bytes).length > 50);
  });
});
