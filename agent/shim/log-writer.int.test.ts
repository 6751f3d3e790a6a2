import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { ManualClock } from '../../shared/clock.js';
import { LINE_BYTES_MAX, LogWriter, readLogs } from './log-writer.js';

const dirs: string[] = [];
afterEach(async () => {
  await runAllCleanups('log writer test', dirs.splice(0).map((d) => () => rm(d, { recursive: true, force: true })));
});

async function writer(maxBytes = 1024 * 1024, maxFiles = 3) {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-logs-'));
  dirs.push(dir);
  const clock = new ManualClock(0, Date.UTC(2026, 10, 22, 12, 0, 0));
  const path = join(dir, 'container.log');
  return { path, dir, clock, w: new LogWriter({ path, maxBytes, maxFiles, clock }) };
}

describe('container log writer (real files)', () => {
  it('writes one timestamped JSON line per output line, joining chunks and keeping streams apart', async () => {
    const { path, clock, w } = await writer();
    w.write('stdout', Buffer.from('hel'));
    w.write('stderr', Buffer.from('oops\n'));
    clock.advance(1500);
    w.write('stdout', Buffer.from('lo\nworld\nno newline'));
    w.close();
    expect(readLogs(path, 3)).toEqual([
      { time: '2026-11-22T12:00:00.000Z', stream: 'stderr', log: 'oops\n' },
      { time: '2026-11-22T12:00:01.500Z', stream: 'stdout', log: 'hello\n' },
      { time: '2026-11-22T12:00:01.500Z', stream: 'stdout', log: 'world\n' },
      { time: '2026-11-22T12:00:01.500Z', stream: 'stdout', log: 'no newline', partial: true },
    ]);
  });

  it('cuts a runaway line into bounded pieces', async () => {
    const { path, w } = await writer();
    w.write('stdout', Buffer.alloc(LINE_BYTES_MAX * 2 + 10, 'a'));
    w.write('stdout', Buffer.from('\n'));
    w.close();
    const lines = readLogs(path, 3);
    expect(lines.map((l) => [l.log.length, l.partial === true])).toEqual([
      [LINE_BYTES_MAX, true],
      [LINE_BYTES_MAX, true],
      [11, false],
    ]);
  });

  it('rotates by size, keeps at most maxFiles, and reads them back in order', async () => {
    const { path, dir, w } = await writer(2048, 3);
    for (let i = 0; i < 200; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
    w.close();
    expect((await readdir(dir)).sort()).toEqual(['container.log', 'container.log.1', 'container.log.2']);
    const lines = readLogs(path, 3);
    const numbers = lines.map((l) => Number(l.log.split(' ')[1]));
    expect(numbers.at(-1)).toBe(199);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b)); // oldest first, no gaps within
    expect(numbers.length).toBeLessThan(200); // the oldest were rotated away
    expect(readLogs(path, 3, 5).map((l) => l.log)).toEqual(['line 195\n', 'line 196\n', 'line 197\n', 'line 198\n', 'line 199\n']);
  });

  it('refuses limits it cannot keep', async () => {
    const { path, clock, w } = await writer();
    w.close();
    expect(() => new LogWriter({ path, maxBytes: 10, maxFiles: 3, clock })).toThrow('log max size: must be at least 1 KiB (got 10 bytes)');
  });
});
