// Reading a container's json-file log as the shim writes it: the lines kept (rotated files
// included, optionally only the last n), then — when following — each new line as it lands,
// across rotations, until the container has exited and everything it wrote has been read.

import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { parseLogLines, readRotatedLogs, type LogLine } from '../shim/log-writer.js';

export interface FollowOptions {
  readonly path: string;
  readonly maxFiles: number;
  readonly tail: number;
  readonly follow: boolean;
  /** True once the container has exited and its exit was reported (its output is complete). */
  readonly finished: () => boolean;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** How often to look when no file event came (some file systems send none). */
  readonly pollMs?: number;
}

export async function* followLogs(o: FollowOptions): AsyncGenerator<LogLine> {
  // No log yet (a container never started) is an empty log; any other failure is the caller's to see.
  let fh: FileHandle | undefined = await open(o.path, 'r').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  let ino = fh === undefined ? -1 : (await fh.stat()).ino;
  // Rotated files first, then the current file through the handle, so no line is lost or repeated.
  const older = readRotatedLogs(o.path, o.maxFiles);
  let offset = 0;
  let partial = '';
  const readMore = async (): Promise<LogLine[]> => {
    if (fh === undefined) return [];
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      chunks.push(buf.subarray(0, bytesRead));
    }
    const text = partial + Buffer.concat(chunks).toString('utf8');
    const cut = text.lastIndexOf('\n');
    partial = text.slice(cut + 1);
    return parseLogLines(text.slice(0, cut + 1));
  };
  const first = [...older, ...(await readMore())];
  for (const line of o.tail > 0 ? first.slice(-o.tail) : first) yield line;
  if (!o.follow) {
    await fh?.close();
    return;
  }

  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(o.path), (_event, name) => {
      if (name === null || name.startsWith(basename(o.path))) wake?.();
    });
  } catch {
    // Watching only saves time: the poll below (pollMs) finds every change without it.
    watcher = undefined;
  }
  const onAbort = (): void => wake?.();
  o.signal.addEventListener('abort', onAbort);
  try {
    while (!o.signal.aborted) {
      const done = o.finished();
      for (const line of await readMore()) yield line;
      // Rotated: finish the old file through the handle, then open the new one.
      // Missing for a moment while the shim rotates (renamed, not yet reopened): look again next round.
      const now = await stat(o.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (now !== undefined && now.ino !== ino) {
        for (const line of await readMore()) yield line;
        await fh?.close();
        fh = await open(o.path, 'r');
        ino = (await fh.stat()).ino;
        offset = 0;
        partial = '';
        continue;
      }
      if (done) return;
      await new Promise<void>((resolve) => {
        const timer = o.clock.setTimer(o.pollMs ?? 500, resolve);
        wake = () => {
          timer.cancel();
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    watcher?.close();
    await fh?.close();
  }
}
