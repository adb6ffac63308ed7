import { wellFormed } from './render';

/**
 * `{{…}}` placeholders in InboundXML text and attribute values (docs/design.md "Calls",
 * telapi-inboundxml): filled through a function the caller passes (the node reads `msg` properties,
 * as core's template node does, e.g. `{{payload.From}}`), before the value is checked and escaped.
 */

/** Answers a placeholder's expression (the text between the braces, trimmed), e.g. "payload.From". */
export type PlaceholderResolver = (expression: string) => unknown;

/**
 * `{{ name }}`, and `{{{ name }}}` (core's unescaped form: every value is escaped here anyway). The editor
 * reads its source. One quantifier between the braces, and the expression trimmed in code: with
 * `\s*` on either side of it, a "{{" followed by spaces and no closing braces took time cubic in
 * the spaces (seconds for 3,000), and such text can come from a caller.
 */
export const PLACEHOLDER = /\{\{\{?([^{}]*)\}?\}\}/g;

export function hasPlaceholder(value: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(value);
}

/** A value as text: a missing one (undefined, null) is empty, an object its JSON, as core's template node shows it. */
export function placeholderText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return '';
    }
  }
  return String(value);
}

/**
 * Fills every placeholder once: what a value holds is never read as a placeholder again. In a URL
 * (`url` true) a value that lands in the query string or fragment is percent-encoded, so that
 * `?from={{payload.From}}` keeps a caller's "+1…" and cannot add parameters of its own; before the
 * "?" (typically the whole URL, `{{payload.next}}`) it is taken as it is.
 */
export function fillPlaceholders(template: string, resolve: PlaceholderResolver | undefined, url = false): string {
  return template.replace(PLACEHOLDER, (_match, between: string, offset: number) => {
    const expression = between.trim();
    const value = placeholderText(resolve === undefined || expression === '' ? undefined : resolve(expression));
    const inQuery = url && /[?#]/.test(template.slice(0, offset));
    return inQuery ? encodeURIComponent(wellFormed(value)) : value;
  });
}
