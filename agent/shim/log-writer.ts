// Container logs as the shim writes them: one JSON line per line of output, as Docker's
// json-file driver does — {"time": ISO-8601, "stream": "stdout"|"stderr", "log": "...\n"} —
// with size-based rotation: <path> is current, <path>.1 the one before, up to `maxFiles` in all.
// A partial line waits (per stream) for its end; a line longer than LINE_BYTES_MAX is cut into
// pieces, the earlier ones marked "partial": true, so one runaway line cannot use unbounded memory.

import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Clock } from '../../shared/clock.js';
import { invalidArgument } from '../../shared/errors.js';

export type LogStream = 'stdout' | 'stderr';
export const LINE_BYTES_MAX = 16 * 1024;

export interface LogWriterOptions {
  readonly path: string;
  /** Rotate when the current file would grow past this. */
  readonly maxBytes: number;
  /** Files kept, the current one included. */
  readonly maxFiles: number;
  readonly clock: Clock;
}

export interface LogLine {
  readonly time: string;
  readonly stream: LogStream;
  readonly log: string;
  readonly partial?: boolean;
}

/** Append, create, and never through a symlink: the shim writes as root (paths.ts checks the rest). */
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export class LogWriter {
  private fd: number;
  private size: number;
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };

  constructor(private readonly o: LogWriterOptions) {
    if (o.maxBytes < 1024) throw invalidArgument('logs.bad_size', `log max size: must be at least 1 KiB (got ${o.maxBytes} bytes)`);
    if (!Number.isInteger(o.maxFiles) || o.maxFiles < 1 || o.maxFiles > 100) throw invalidArgument('logs.bad_files', 'log max files: must be from 1 to 100');
    this.fd = openSync(o.path, APPEND_NO_FOLLOW, 0o640);
    this.size = fstatSync(this.fd).size;
  }

  /** Takes a chunk of a container's output. */
  write(stream: LogStream, chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(stream, chunk.subarray(start, nl + 1));
      this.emit(stream, false);
      start = nl + 1;
    }
    if (start < chunk.length) this.take(stream, chunk.subarray(start));
  }

  private take(stream: LogStream, part: Buffer): void {
    let rest = part;
    while (this.pendingBytes[stream] + rest.length > LINE_BYTES_MAX) {
      const room = LINE_BYTES_MAX - this.pendingBytes[stream];
      this.pending[stream].push(rest.subarray(0, room));
      this.pendingBytes[stream] += room;
      this.emit(stream, true);
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      this.pending[stream].push(rest);
      this.pendingBytes[stream] += rest.length;
    }
  }

  private emit(stream: LogStream, partial: boolean): void {
    if (this.pendingBytes[stream] === 0) return;
    const text = Buffer.concat(this.pending[stream]).toString('utf8');
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    const line: LogLine = { time: new Date(this.o.clock.wallMs()).toISOString(), stream, log: text, ...(partial ? { partial: true } : {}) };
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    if (this.size > 0 && this.size + bytes.length > this.o.maxBytes) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const p = this.o.path;
    rmSync(`${p}.${this.o.maxFiles - 1}`, { force: true });
    for (let i = this.o.maxFiles - 2; i >= 1; i--) if (existsSync(`${p}.${i}`)) renameSync(`${p}.${i}`, `${p}.${i + 1}`);
    if (this.o.maxFiles > 1) renameSync(p, `${p}.1`);
    else rmSync(p, { force: true });
    this.fd = openSync(p, APPEND_NO_FOLLOW, 0o640);
    this.size = 0;
  }

  /** Writes out partial lines (the container exited without a final newline). */
  flush(): void {
    this.emit('stdout', true);
    this.emit('stderr', true);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Every line kept for a container, oldest first (rotated files included); `tail` keeps the last n. */
export function readLogs(path: string, maxFiles: number, tail = 0): LogLine[] {
  const lines = [...readRotatedLogs(path, maxFiles), ...readLogFile(path)];
  return tail > 0 ? lines.slice(-tail) : lines;
}

/** The lines of the rotated files only (<path>.N … <path>.1), oldest first. */
export function readRotatedLogs(path: string, maxFiles: number): LogLine[] {
  return Array.from({ length: maxFiles - 1 }, (_, i) => `${path}.${maxFiles - 1 - i}`).flatMap((f) => readLogFile(f));
}

function readLogFile(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return parseLogLines(readFileSync(file, 'utf8'));
}

/** Log lines from json-file text; a line cut by a crash mid-write is skipped rather than failing the read. */
export function parseLogLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      lines.push(JSON.parse(raw) as LogLine);
    } catch {
      // A line cut by a crash mid-write: skipped, the lines around it kept (as the doc above says).
    }
  }
  return lines;
}
