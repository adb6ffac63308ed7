'use strict';
// A call recorded in parts on the simulator (start, pause = stop, resume = start, …), as the record
// node's pause and resume do it, and the parts' media fetched as a download would: chunk by chunk.
const http = require('node:http');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { TelApiClient, DEFAULT_RECORDING_OPTIONS, DEFAULT_RECORDINGS_OPTIONS, listRecordings, loadGot, orderSegments, recordCall, recordingFormParams } = require('../../dist/telapi');

/** A clock for the simulator's `now`: every part starts 10 s after the one before (date_created counts seconds). */
function steppedClock(start = Date.UTC(2024, 4, 6, 9, 0, 0)) {
  let now = start;
  return { now: () => new Date(now), step: (seconds) => (now += seconds * 1000) };
}

/** Simulator options for recordInParts: a simulated second is 50 ms, so a part of 2 s takes 100 ms. */
const PARTS_TIME_SCALE = 0.05;

/**
 * Records `parts` parts of `callSid` in `fileFormat` through the package's client (about 2, 3, 4 s
 * long on a simulator with PARTS_TIME_SCALE), then lists the call's recordings (every page) and
 * gives them oldest first, as the join operation does.
 */
async function recordInParts(sim, clock, callSid, fileFormat, parts = 3) {
  const client = new TelApiClient({ got: await loadGot(), accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, baseUrl: `${sim.url}/v1`, unreachableBackoffMs: 1 });
  try {
    for (let part = 0; part < parts; part++) {
      await recordCall(client, callSid, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, fileFormat }));
      await new Promise((resolve) => setTimeout(resolve, (2 + part) * 1000 * PARTS_TIME_SCALE));
      await recordCall(client, callSid, recordingFormParams({ ...DEFAULT_RECORDING_OPTIONS, action: 'stop' }));
      clock.step(10);
    }
    const listed = await listRecordings(client, { ...DEFAULT_RECORDINGS_OPTIONS, callSid });
    return orderSegments(listed.recordings);
  } finally {
    client.close();
  }
}

/** The media at `url` as it arrives (an async iterable of chunks). */
function mediaStream(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
      else resolve(response);
    }).on('error', reject);
  });
}

async function mediaBytes(url) {
  const chunks = [];
  for await (const chunk of await mediaStream(url)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

module.exports = { PARTS_TIME_SCALE, steppedClock, recordInParts, mediaStream, mediaBytes };
