// The restart counts' file: what one agent saved, the next one reads; a damaged file or record
// starts the counts over (logged) rather than stopping the agent; at most entriesMax are read.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logger.js';
import { fileRestartLedger, RESTART_LEDGER_FILE } from './restart-ledger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ledger-'));
  dirs.push(dir);
  return join(dir, RESTART_LEDGER_FILE);
}

describe('restart ledger file', () => {
  it('keeps the newest records for the next agent; a missing file is no records', async () => {
    const path = file();
    const first = fileRestartLedger(path, silentLogger(), 10);
    expect(first.load().size).toBe(0);
    first.save(new Map([['a', { restarts: 1, backoffMs: 100 }]]));
    first.save(new Map([['a', { restarts: 2, backoffMs: 200 }], ['b', { restarts: 1, backoffMs: 100 }]]));
    await first.flushed();
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify({ a: { restarts: 2, backoffMs: 200 }, b: { restarts: 1, backoffMs: 100 } }));
    const next = fileRestartLedger(path, silentLogger(), 10);
    expect([...next.load()]).toEqual([['a', { restarts: 2, backoffMs: 200 }], ['b', { restarts: 1, backoffMs: 100 }]]);
  });

  it('a damaged file or record starts over; no more than entriesMax are read', () => {
    const path = file();
    writeFileSync(path, '{"a": {"restarts": 1');
    expect(fileRestartLedger(path, silentLogger(), 10).load().size).toBe(0);
    writeFileSync(path, JSON.stringify({ a: { restarts: -1, backoffMs: 1 }, b: { restarts: 'x' }, c: { restarts: 3, backoffMs: 400 }, d: { restarts: 1, backoffMs: 100 } }));
    expect([...fileRestartLedger(path, silentLogger(), 1).load().keys()]).toEqual(['c']);
  });
});
