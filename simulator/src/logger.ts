import { KEY_PARAM, TOKEN_PARAM } from './spec';

export interface SimulatorLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ignore = (): void => undefined;

/** The default: a library embedded in a demo or a test run says nothing unless asked. */
export const SILENT_LOGGER: SimulatorLogger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export function consoleLogger(level: LogLevel = 'info', prefix = '[telapi-simulator]'): SimulatorLogger {
  const writer = (wanted: LogLevel, write: (line: string) => void) => (message: string): void => {
    if (LEVEL_ORDER[wanted] >= LEVEL_ORDER[level]) write(`${prefix} ${message}`);
  };
  return {
    debug: writer('debug', (line) => console.debug(line)),
    info: writer('info', (line) => console.log(line)),
    warn: writer('warn', (line) => console.warn(line)),
    error: writer('error', (line) => console.error(line)),
  };
}

/**
 * Callback and voice URLs carry the Node-RED package's `token` or path `key`, and may carry a user
 * and password for the receiver's Basic authentication: logs show that they are there, never their
 * values.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.password !== '') {
    parsed.password = 'redacted';
    changed = true;
  }
  for (const name of [TOKEN_PARAM, KEY_PARAM]) {
    if (!parsed.searchParams.has(name)) continue;
    parsed.searchParams.set(name, 'redacted');
    changed = true;
  }
  return changed ? parsed.toString() : url;
}
