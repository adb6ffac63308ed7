/** got (ESM-only) as the client is handed it: loaded once, by whoever builds clients. */

export type GotModule = typeof import('got', { with: { 'resolution-mode': 'import' } });

/**
 * What a TelApiClient uses of the got module: its default instance, which the client extends, and
 * the error classes its failures are recognised by (instanceof). The module itself is one.
 */
export type GotParts = Pick<GotModule, 'got' | 'RequestError' | 'HTTPError' | 'TimeoutError' | 'ReadError' | 'CancelError' | 'AbortError'>;

let loading: Promise<GotModule> | undefined;

/**
 * got, imported once per process. The account node type awaits it when it registers, as core
 * Node-RED's http request node does (21-httprequest.js), and hands it to every client it builds.
 */
export function loadGot(): Promise<GotModule> {
  return (loading ??= import('got'));
}
