const MARK = '\u0000';

/**
 * A catalog text with one parameter, read once (on first use) and filled by joining: a RED._ lookup
 * per message was a measurable share of the nodes' CPU time (bench/README.md). Node-RED's language is
 * fixed for the runtime's life.
 */
export function cachedText(
  translate: (key: string, params: Record<string, string>) => string,
  key: string,
  param: string,
): (value: string | number) => string {
  let parts: string[] | undefined;
  return (value) => (parts ??= translate(key, { [param]: MARK }).split(MARK)).join(String(value));
}
