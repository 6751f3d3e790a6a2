// The one logger: pino, writing to stderr (stdout belongs to command output). JSON lines by
// default, which is what log collectors want; pretty, coloured lines when a person is watching
// a terminal. Components take a child logger bound to their name and the node's id.

import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;
export type LogFormat = 'json' | 'pretty';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Defaults to pretty when stderr is a terminal, JSON otherwise. */
  readonly format?: LogFormat;
  /** Where lines go; defaults to stderr. Tests pass a stream to read lines back. */
  readonly destination?: NodeJS.WritableStream;
}

export function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'pretty' : 'json';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? defaultLogFormat();
  const base = { pid: process.pid };
  if (format === 'pretty') {
    const stream = pretty({
      destination: options.destination ?? process.stderr,
      sync: true,
      colorize: options.destination === undefined && process.stderr.isTTY,
      ignore: 'pid,hostname',
      translateTime: 'HH:MM:ss.l',
    });
    return pino({ level, base }, stream);
  }
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A child logger bound to a component and, where there is one, the node it runs on. */
export function componentLogger(parent: Logger, component: string, nodeId?: string): Logger {
  return parent.child(nodeId === undefined ? { component } : { component, node: nodeId });
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
