import { TOKEN_PARAM } from './spec';

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

/** Callback URLs carry the record node's token; logs show that one is there, never its value. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has(TOKEN_PARAM)) return url;
    parsed.searchParams.set(TOKEN_PARAM, 'redacted');
    return parsed.toString();
  } catch {
    return url;
  }
}
