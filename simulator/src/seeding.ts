import type { SimulatedRecording } from './model';
import type { RecordingSeed } from './options';
import type { Telephony } from './telephony';

const MAX_SEEDED_RECORDINGS = 100_000;

/**
 * Finished recordings with chosen dates, for tests of listing and paging ("120 recordings over
 * 3 pages"): `count` of them on `callSid` (default: one new completed call), dated evenly from
 * `from` to `to` (default: now), each `duration` seconds long. Newest first, as lists are.
 */
export function seedRecordings(telephony: Telephony, seed: RecordingSeed, now: Date, newCall: (accountSid: string | undefined) => string): SimulatedRecording[] {
  const count = seed.count;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SEEDED_RECORDINGS) {
    throw new RangeError(`count must be a whole number from 1 to ${MAX_SEEDED_RECORDINGS}`);
  }
  const duration = seed.duration ?? 5;
  if (!Number.isSafeInteger(duration) || duration < 1) throw new RangeError('duration must be a whole number of seconds greater than 0');
  const from = (seed.from ?? seed.to ?? now).getTime();
  const to = (seed.to ?? seed.from ?? now).getTime();
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) throw new RangeError('from and to must be dates, from not after to');
  let callSid = seed.callSid;
  if (callSid === undefined) {
    callSid = newCall(seed.accountSid);
  } else if (!telephony.call(callSid, seed.accountSid)) {
    throw new RangeError(`No call ${callSid}${seed.accountSid ? ` on ${seed.accountSid}` : ''}`);
  }
  const step = count > 1 ? (to - from) / (count - 1) : 0;
  const made: SimulatedRecording[] = [];
  for (let index = 0; index < count; index++) {
    const dateCreated = new Date(Math.round(from + step * index));
    made.push(telephony.addPastRecording(callSid, { dateCreated, duration, fileFormat: seed.fileFormat ?? 'mp3' }, seed.apiVersion ?? 'v2'));
  }
  return made.reverse();
}
