// The frame of a benchmark that makes lab hosts (manager-failover, failover): it refuses to run
// without root, gives the run lab names and a work folder of its own, and removes what the run
// made whatever happens, also on SIGINT or SIGTERM: the labs first (their processes before
// anything else), then the steps the benchmark registered (what outlives a lab's processes:
// Docker's containers, mounts and cgroups), then the folder.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown } from '../../e2e/lab/lab.js';
import { DEFAULT_LAB_STATE_DIR } from '../../e2e/lab/state.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { oneLine } from '../../shared/errors.js';

export interface BenchFrame {
  /** A folder of this run's own, removed at the end. */
  readonly work: string;
  /** A lab name of this run alone (`prefix` + the pid: at most 8 lowercase letters and digits), removed at the end. */
  labName(prefix: string): string;
  /** A step run at the end after the labs are down, whatever failed before it. */
  onCleanup(step: CleanupStep): void;
}

/** Runs `main` in the frame, then exits the process: 0 once everything is removed, 1 (or 130 on a signal) otherwise. */
export async function runLabBench(bench: string, main: (frame: BenchFrame) => Promise<void>): Promise<never> {
  if (process.getuid?.() !== 0) {
    console.error(`bench ${bench}: run as root (it makes lab hosts: network namespaces, links, daemons)`);
    process.exit(2);
  }
  const work = await mkdtemp(join(tmpdir(), `shoal-bench-${bench}-`));
  const labs: string[] = [];
  const steps: CleanupStep[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= runAllCleanups(`${bench}: cleanup`, [
      ...labs.map((lab) => async () => void (await labDown({ name: lab, stateDir: DEFAULT_LAB_STATE_DIR, ifExists: true }))),
      ...steps.map((s) => () => s()),
      () => rm(work, { recursive: true, force: true }),
    ]));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${bench}: ${signal}: removing what the benchmark made`);
      cleanup().then(
        () => process.exit(130),
        (err: unknown) => {
          console.error(oneLine(err));
          process.exit(1);
        },
      );
    });
  }
  const frame: BenchFrame = {
    work,
    labName: (prefix) => {
      const name = `${prefix}${process.pid.toString(36)}`;
      labs.push(name);
      return name;
    },
    onCleanup: (step) => void steps.push(step),
  };
  let failed = false;
  try {
    await main(frame);
  } catch (err) {
    failed = true;
    console.error(`${bench}: ${oneLine(err)}`);
  }
  try {
    await cleanup();
  } catch (err) {
    failed = true;
    console.error(oneLine(err));
  }
  // gRPC channels of abandoned attempts may still be closing: the benchmark is done.
  process.exit(failed ? 1 : 0);
}
