// What the failover benchmark asks of each system under test: three managers on three lab hosts,
// whose leader's host the benchmark powers off (`labKill`) and brings back.

import type { LabHostPlan } from '../../e2e/lab/plan.js';

export interface FailoverCluster {
  /** As printed: "shoal", "docker". */
  readonly name: string;
  /** The lab hosts that run its managers. */
  readonly hosts: readonly LabHostPlan[];
  /** The host whose manager leads now, as the managers' node list says (bounded wait). */
  leader(): Promise<LabHostPlan>;
  /**
   * One write through the managers `via` (the first that answers, as the system's CLI picks):
   * read node `node`, write it back with the label round=`round`, as `node update --label-add`
   * does. Resolves when the managers acknowledge it; rejects on anything else. `signal` aborts.
   */
  write(via: readonly LabHostPlan[], node: string, round: number, signal: AbortSignal): Promise<void>;
  /** The host the node list through `via` shows as leader; rejects when it shows none. */
  shownLeader(via: readonly LabHostPlan[], signal: AbortSignal): Promise<string>;
  /** The reboot after a power loss of `host`: it runs again, and all managers are voters (bounded). */
  restart(host: LabHostPlan): Promise<void>;
  /** One `node update --label-add` by the system's own CLI process through `via`: ms. */
  cliUpdateMs(via: readonly LabHostPlan[], node: string, n: number): Promise<number>;
}

/** Bounded waits of the benchmark (not of the systems: they have their own). */
export const VOTERS_WAIT_MS = 90_000;
export const POLL_INTERVAL_MS = 250;

/** Polls `look` until it returns true; the error names `what` and the last thing `look` said. */
export async function waitFor(what: string, timeoutMs: number, look: () => Promise<true | string>, alive: () => string | undefined = () => undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const dead = alive();
    if (dead !== undefined) throw new Error(`${what}: ${dead}`);
    try {
      const r = await look();
      if (r === true) return;
      last = r;
    } catch (err) {
      last = err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
    }
    if (performance.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}
