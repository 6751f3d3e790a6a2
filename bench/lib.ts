// Helpers shared by benchmarks: processes, ports, percentiles, and the closing JSON line.

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/bench/ or bench/. */
export const repoRoot = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..') : join(here, '..');
})();

export { freeLoopbackPort as freePort } from '../shared/net.js';

export interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a process whose output is discarded; kill() waits for it to be gone. */
export function startProcess(command: string, args: readonly string[]): Proc {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return NaN;
  const i = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil((p / 100) * sortedAscending.length) - 1));
  return sortedAscending[i] as number;
}

export interface LoadResult {
  readonly clients: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** Runs `clients` loops of `op` for `durationMs`; each loop waits for its previous op. */
export async function closedLoop(clients: number, durationMs: number, op: (client: number, n: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const endAt = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; performance.now() < endAt; n++) {
        const t0 = performance.now();
        try {
          await op(c, n);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { clients, opsPerSecond: (latencies.length * 1000) / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors };
}

export interface BenchLine {
  readonly bench: string;
  readonly metric: string;
  readonly shoal: number;
  readonly peer: string;
  readonly peer_value: number;
  readonly ratio: number;
  readonly better: 'lower' | 'higher';
  readonly [extra: string]: unknown;
}

/** The benchmark's last line: one JSON object (bench/README.md). */
export function printResult(line: BenchLine): void {
  console.log(JSON.stringify(line));
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
