import { JoinError, segmentName } from './errors';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 2822's obsolete zone names (section 4.3), in minutes east of UTC. */
const ZONES: Readonly<Record<string, number>> = { ut: 0, gmt: 0, z: 0, edt: -240, est: -300, cdt: -300, cst: -360, mdt: -360, mst: -420, pdt: -420, pst: -480 };

const RFC_2822 =
  /^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|ut|gmt|z|[ecmp][sd]t)\s*$/i;

/**
 * An RFC 2822 date-time, as TelAPI gives `date_created` ("Fri, 24 Mar 2017 16:06:32 -0000"), in
 * milliseconds since 1970; undefined when the text is none or names a time that does not exist (31
 * Apr, 24:00). Two- and three-digit years are read as RFC 2822 section 4.3 says (49 is 2049, 50 is
 * 1950, 117 is 2017); a leap second counts as second 59.
 */
export function parseRfc2822Date(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = RFC_2822.exec(text);
  if (!match) return undefined;
  const [, dayText = '', monthText = '', yearText = '', hourText = '', minuteText = '', secondText = '0', zoneText = ''] = match;
  const digits = yearText.length;
  const rawYear = Number(yearText);
  const year = digits === 4 ? rawYear : digits === 3 ? rawYear + 1900 : rawYear < 50 ? rawYear + 2000 : rawYear + 1900;
  const month = MONTHS.indexOf(monthText.toLowerCase());
  const [day, hour, minute, second] = [Number(dayText), Number(hourText), Number(minuteText), Math.min(59, Number(secondText))];
  const local = Date.UTC(year, month, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month || hour > 23 || minute > 59 || Number(secondText) > 60) return undefined;
  const zone = zoneText.toLowerCase();
  const offset = zone in ZONES ? (ZONES[zone] ?? 0) : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  if (Number(zone.slice(3, 5)) > 59) return undefined;
  return local - offset * 60_000;
}

/**
 * The recordings of a call in the order their audio was recorded: by `date_created` read as a time,
 * oldest first; recordings of the same second keep the order they were listed in. With more than
 * one recording, one whose `date_created` cannot be read is a JoinError `undated` (named by its
 * `sid`): putting it anywhere would be a guess, and a joined file in the wrong order is worse than
 * none.
 */
export function orderSegments<T extends Readonly<Record<string, unknown>>>(recordings: readonly T[]): T[] {
  if (recordings.length < 2) return [...recordings];
  const timed = recordings.map((recording, index) => {
    const time = parseRfc2822Date(recording.date_created);
    if (time === undefined) {
      const sid = typeof recording.sid === 'string' ? recording.sid : undefined;
      throw new JoinError('undated', { segment: segmentName(index, sid) }, index + 1);
    }
    return { recording, time };
  });
  // Array.prototype.sort is stable (ES2019): equal times keep their order.
  return timed.sort((a, b) => a.time - b.time).map(({ recording }) => recording);
}
