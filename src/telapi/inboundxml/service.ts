import { parseHttpUrl } from '../public-url';

/**
 * Which InboundXML dialect an account's service takes. Zang's schema (the one official schema)
 * requires Gather's `input` and Sms's `to` and `from`, and Zang added verbs TelAPI v1 never had
 * (Answer, PlayLastRecording, Ping, Mms, GetSpeech, Dial's User); TelAPI v1's documents had no
 * Gather `input` (its Gather collected keys only) and let Sms default `to` and `from` to the call's
 * parties (docs/telapi-api.md "Answering calls"). So the builder:
 * - on `zang` emits `input="dtmf"` for a Gather left without one (what a TelAPI-era Gather did, so a
 *   flow means the same on both services), refuses an Sms or Mms without `to`/`from` (no one value
 *   is right for every flow: `{{payload.From}}` says it), and passes Zang's verbs;
 * - on `telapi` emits only the attributes the user set (no `input` unless given) and refuses Zang's
 *   verbs before the call meets them.
 */
export type InboundXmlService = 'zang' | 'telapi';

/**
 * The service of a base URL: `zang` for a zang.io host or a first path segment `v2` (Zang's API
 * version, which the simulator serves too), else `telapi` (`/v1`, `/2011-07-01`, and services
 * that copied TelAPI's).
 */
export function inboundXmlService(baseUrl: string): InboundXmlService {
  const url = parseHttpUrl(baseUrl.trim());
  if (url === undefined) return 'telapi';
  const host = url.hostname.toLowerCase();
  if (host === 'zang.io' || host.endsWith('.zang.io')) return 'zang';
  const first = url.pathname.split('/').find((segment) => segment !== '');
  return first?.toLowerCase() === 'v2' ? 'zang' : 'telapi';
}
