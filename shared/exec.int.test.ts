// Running host tools: their own message surfaces on failure, never just "exit status 1".

import { describe, expect, it } from 'vitest';
import { ShoalError } from './errors.js';
import { run, runUnchecked } from './exec.js';

describe('exec (real processes)', () => {
  it('returns output and feeds stdin', async () => {
    const r = await run('sh', ['-c', 'read x; echo "got $x"; echo warn >&2'], { input: 'hello\n' });
    expect(r.stdout).toBe('got hello\n');
    expect(r.stderr).toBe('warn\n');
  });

  it("surfaces the tool's own last lines of stderr when it fails", async () => {
    const err = await run('ip', ['link', 'show', 'no-such-device-x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).message).toMatch(/^ip link show no-such-device-x: Device "no-such-device-x" does not exist\.$/);
    expect((err as ShoalError).fields['exitCode']).toBe(1);
  });

  it('says a missing tool is not installed', async () => {
    await expect(run('shoal-no-such-tool', [])).rejects.toThrow('shoal-no-such-tool: not found (is it installed?)');
  });

  it('kills a command that outlives its timeout', async () => {
    const r = await runUnchecked('sleep', ['30'], { timeoutMs: 100 });
    expect(r.signal).toBe('SIGKILL');
    expect(r.exitCode).toBeNull();
  });
});
