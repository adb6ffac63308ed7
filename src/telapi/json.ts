/**
 * JSON text from outside (TelAPI's answers, callback bodies) is measured before JSON.parse: a small
 * text nested thousands deep parses, but every recursive copy of the value afterwards (Node-RED
 * clones each message it passes to a second wire or to a Catch node) overflows the stack.
 */

/** True when objects and arrays nest more than `maxDepth` deep (the top-level value is depth 1). One pass, no parsing. */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}
