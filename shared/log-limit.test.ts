import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { RateLimitedLog } from './log-limit.js';
import { createLogger } from './logger.js';

function capture(): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
  return { lines, log: createLogger({ format: 'json', destination: stream }) };
}

describe('rate-limited log lines', () => {
  it('logs the first of a kind at once, then one per interval with the count held back', () => {
    const { lines, log } = capture();
    const clock = new ManualClock();
    const limited = new RateLimitedLog(log, clock, 1_000);
    for (let i = 0; i < 50; i++) limited.note('warn', 'dns.tcp:c1', { container: 'c1' }, 'limit hit');
    expect(lines).toHaveLength(1);
    expect(limited.note('warn', 'dns.tcp:c2', { container: 'c2' }, 'limit hit')).toBe(true); // another kind: its own line
    clock.advance(1_000);
    limited.note('warn', 'dns.tcp:c1', { container: 'c1' }, 'limit hit');
    expect(lines.map((l) => [l['container'], l['heldBackSinceLast']])).toEqual([
      ['c1', undefined],
      ['c2', undefined],
      ['c1', 49],
    ]);
  });

  it('remembers a bounded number of kinds, and forgets a prefix on demand', () => {
    const { lines, log } = capture();
    const limited = new RateLimitedLog(log, new ManualClock(), 1_000, 2);
    limited.note('info', 'a', {}, 'x');
    limited.note('info', 'b', {}, 'x');
    limited.note('info', 'c', {}, 'x'); // 'a' is forgotten: it may log again
    expect(limited.note('info', 'a', {}, 'x')).toBe(true);
    limited.forget('a');
    expect(limited.note('info', 'a', {}, 'x')).toBe(true);
    expect(lines).toHaveLength(5);
  });
});
