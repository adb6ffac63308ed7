/** The paths under httpNodeRoot that the nodes receiving TelAPI's requests listen on. */

/** One segment of a node's path (the editor reads this rule from the node settings). */
export const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The path of a node that receives TelAPI's requests (callback, voice): "/" followed by segments of
 * letters, digits, "-", "_", ".", "~" — no route patterns (":id", "*", "(…)"), which Express 4 and 5
 * read differently, no "." or ".." segments and no empty ones. A missing leading "/" is added, as the core http in node does.
 */
export function normaliseNodePath(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let path = value.trim();
  if (path === '') return undefined;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path === '/') return path;
  const segments = path.slice(1).replace(/\/$/, '').split('/');
  const valid = segments.every((segment) => PATH_SEGMENT.test(segment) && segment !== '.' && segment !== '..');
  return valid ? path : undefined;
}
