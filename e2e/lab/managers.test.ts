import { describe, expect, it } from 'vitest';
import { readableLogTail } from './managers.js';

describe("a manager's log in the lab's errors", () => {
  it('shows the last lines on one line: pino messages with their error, other lines as they are, not the lab markers', () => {
    const log = [
      '# 2026-01-01T00:00:00.000Z shoal lab: shoal manager join --data-dir /x',
      '{"level":30,"msg":"raft data opened"}',
      '{"level":50,"msg":"join failed","err":"token: not this cluster\'s CA"}',
      'shoal: --token: not a join token',
      '',
    ].join('\n');
    expect(readableLogTail(log)).toBe("raft data opened | join failed: token: not this cluster's CA | shoal: --token: not a join token");
    expect(readableLogTail(log, 1)).toBe('shoal: --token: not a join token');
    expect(readableLogTail('# only a marker\n')).toBe('(empty)');
  });
});
