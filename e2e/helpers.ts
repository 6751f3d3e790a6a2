// Helpers for the e2e suite: drive the real `shoal` binary (built into dist/ by `npm run
// test:e2e`), name labs so that parallel test files never collide, and clean up always.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runAllCleanups } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import { runUnchecked, type RunResult } from '../shared/exec.js';
import { labDown } from './lab/lab.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const shoalBin = join(repoRoot, 'bin', 'shoal.js');

/** Runs `shoal ARGS...` to completion; `env` adds to (or overrides) the test's environment. */
export function shoal(args: readonly string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runUnchecked(process.execPath, [shoalBin, ...args], { timeoutMs, env: { ...process.env, SHOAL_FORMAT: 'table', ...env } });
}

/** Starts `shoal ARGS...` and returns the child, for tests that watch it run or kill it. */
export function shoalSpawn(args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [shoalBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first line of `stream` that matches, or rejects when the stream ends first. */
export function waitForLine(stream: Readable, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const hit = lines.find((l) => pattern.test(l));
      if (hit !== undefined) {
        stream.off('data', onData);
        resolve(hit);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a line matching ${pattern}`)));
  });
}

/** A lab name unique to this run: a 1–3 letter prefix and random letters and digits, 8 at most. */
export function uniqueLabName(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const tail = [...randomBytes(8 - prefix.length)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${prefix}${tail}`;
}

/** Removes a lab whatever state it is in; for afterEach/finally. A warning of `down` fails it too: a test should not leave one. */
export async function cleanupLab(name: string, stateDir = DEFAULT_LAB_STATE_DIR): Promise<void> {
  const report = await labDown({ name, stateDir, ifExists: true });
  if (report.warnings.length > 0) throw new Error(`lab ${name}: ${report.warnings.join('; ')}`);
}

/** Removes every lab named, all of them even when one fails; then reports every failure. */
export async function cleanupLabs(names: readonly string[], stateDir = DEFAULT_LAB_STATE_DIR): Promise<void> {
  await runAllCleanups('remove labs', names.map((name) => () => cleanupLab(name, stateDir)));
}

/**
 * Asks `get` again every `intervalMs` until `accept` takes the answer, for at most `timeoutMs`; a
 * `get` that throws counts as a no. The error names `what` and the last answer or error seen.
 */
export async function until<T>(what: string, get: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 40_000, intervalMs = 250): Promise<T> {
  const deadline = systemClock.nowMs() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / intervalMs) + 1; attempt++) {
    try {
      last = await get();
      if (accept(last as T)) return last as T;
    } catch (err) {
      last = (err as Error).message;
    }
    if (systemClock.nowMs() > deadline) break;
    await systemClock.sleep(intervalMs);
  }
  throw new Error(`${what} did not happen; last: ${JSON.stringify(last)}`);
}
