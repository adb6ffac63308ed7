/** A marker per parameter, none of which a catalog text holds. */
const MARKS = ['\u0000', '\u0001', '\u0002', '\u0003'];

/**
 * A catalog text with up to four parameters, read once (on first use) and filled by joining: a RED._
 * lookup per message was a measurable share of the nodes' CPU time (bench/README.md). Node-RED's
 * language is fixed for the runtime's life. The values are given in the order of `params`.
 */
export function cachedText(
  translate: (key: string, params: Record<string, string>) => string,
  key: string,
  ...params: string[]
): (...values: Array<string | number>) => string {
  let parts: Array<string | number> | undefined;
  return (...values) => {
    parts ??= split(translate(key, Object.fromEntries(params.map((param, index) => [param, MARKS[index] as string]))));
    let text = '';
    for (const part of parts) text += typeof part === 'number' ? String(values[part]) : part;
    return text;
  };
}

/** The translated text as literal parts and parameter indexes, in the order the language puts them. */
function split(text: string): Array<string | number> {
  const parts: Array<string | number> = [];
  let literal = '';
  for (const char of text) {
    const index = MARKS.indexOf(char);
    if (index === -1) {
      literal += char;
      continue;
    }
    parts.push(literal, index);
    literal = '';
  }
  parts.push(literal);
  return parts;
}
