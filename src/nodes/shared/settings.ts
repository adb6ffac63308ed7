import type { NodeAPI } from 'node-red';

/** What the nodes read from settings.js: RED.settings as plain values, each through one reader. */
export type Settings = Readonly<Record<string, unknown>>;

export function settingsOf(RED: NodeAPI): Settings {
  return RED.settings as unknown as Settings;
}

/**
 * A positive number of seconds, as milliseconds: from settings.js or a node property (text or
 * number); anything else (absent, 0, negative, not a number) gives the default.
 */
export function positiveSecondsMs(value: unknown, fallbackMs: number): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallbackMs;
}

/** Node-RED stops waiting for a node's close after `nodeCloseTimeout` (ms; 15 s unless set). */
const DEFAULT_NODE_CLOSE_TIMEOUT_MS = 15_000;

/** How long Node-RED waits for a node to close: the `nodeCloseTimeout` setting, or its default. */
export function nodeCloseTimeoutMs(settings: Settings): number {
  const configured = Number(settings.nodeCloseTimeout);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_NODE_CLOSE_TIMEOUT_MS;
}
