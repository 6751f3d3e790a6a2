import { describe, expect, it } from 'vitest';
import { runAllCleanups } from './cleanup.js';

describe('runAllCleanups', () => {
  it('runs every step after failures and reports them all in one error', async () => {
    const ran: string[] = [];
    const err = await runAllCleanups('lab x', [
      () => ran.push('a'),
      () => {
        ran.push('b');
        throw new Error('b broke');
      },
      async () => {
        ran.push('c');
        await Promise.reject(new Error('c broke'));
      },
      () => ran.push('d'),
    ]).catch((e: unknown) => e);
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e) => (e as Error).message)).toEqual(['b broke', 'c broke']);
    expect((err as Error).message).toBe('lab x: 2 of 4 cleanup steps failed: b broke; c broke');
  });

  it('resolves when every step succeeds', async () => {
    await expect(runAllCleanups('nothing', [() => undefined, async () => undefined])).resolves.toBeUndefined();
  });
});
