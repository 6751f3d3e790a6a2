// Test support: `shoal raft-kv` as a real process, killed by the test's cleanup.

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const shoalBin = join(repoRoot, 'bin', 'shoal.js');

export interface RaftKvProcess {
  readonly proc: ChildProcess;
  /** Resolves its exit code and the last 4,000 characters of its stderr when it exits. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  stderr(): string;
}

/**
 * Starts `shoal --log-level LEVEL raft-kv --tick 20ms ARGS`; `cleanups` gets the step that kills
 * it (SIGKILL) and waits for its exit.
 */
export function startRaftKv(args: readonly string[], cleanups: (() => Promise<void>)[], logLevel = 'warn'): RaftKvProcess {
  const proc = spawn(process.execPath, [shoalBin, '--log-level', logLevel, 'raft-kv', '--tick', '20ms', ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.once('exit', (code) => resolve({ code, stderr })));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  return { proc, exited, stderr: () => stderr };
}
