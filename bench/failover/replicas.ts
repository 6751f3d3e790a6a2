// The rescheduling benchmark's view of a system under test (bench/failover.ts): three lab hosts,
// each a manager that also runs containers, holding REPLICAS copies of one busybox `sleep`
// spread two per host; a power loss of one host; and what runs on each surviving host, as that
// host's own daemon says (Shoal's agent, Docker's dockerd), which needs no leader and is what a
// user on that host would see. The clock stops when the survivors together run all REPLICAS.

import type { LabHostPlan } from '../../e2e/lab/plan.js';
import { waitFor } from './cluster.js';
import { firstSuccess, type AttemptPolicy } from './first-success.js';

export const REPLICAS = 6;
/** How long a deployment may take to run all its copies (the first one pulls the image). */
export const DEPLOY_WAIT_MS = 120_000;
/**
 * The survivors asked every 100 ms, each round abandoned after 2 s (a daemon busy taking over
 * must not hold the clock), 120 s in all: swarm mode took 46 s here after the leader's death.
 */
export const RUNNING_POLL: AttemptPolicy = { intervalMs: 100, attemptTimeoutMs: 2_000, inFlightMax: 20, totalTimeoutMs: 120_000 };

/** One moment of an incident, ms after the power loss began. */
export interface Moment {
  /** The same for every run, for medians: leads, sessions, down, created, placed, running. */
  readonly key: string;
  readonly what: string;
  readonly atMs: number;
}

/** Where the time of one failover went, as far as the system tells it. */
export interface Breakdown {
  readonly moments: readonly Moment[];
  /** Nodes other than the dead one that were declared down (hostnames); undefined: not looked at. */
  readonly falseDowns?: readonly string[];
  /** Whatever else is worth a line (what a log said, what could not be read). */
  readonly notes: readonly string[];
}

export interface ReplicaCluster {
  /** As printed: "shoal", "swarm". */
  readonly name: string;
  readonly hosts: readonly LabHostPlan[];
  /** The host whose manager leads now (bounded wait). */
  leader(): Promise<LabHostPlan>;
  /** Removes what an earlier round left, then starts REPLICAS copies; resolves once they were asked for. */
  deploy(): Promise<void>;
  /** The copies (their names, or swarm's slots) running on `host`, as its own daemon says; rejects when it does not answer. */
  runningOn(host: LabHostPlan, signal?: AbortSignal): Promise<string[]>;
  /** A power loss of `host`: its link down, every process of it SIGKILLed, its containers too. */
  powerLoss(host: LabHostPlan): Promise<void>;
  /** After `powerLoss`: where the time went, read once the survivors run all copies. */
  explain(killed: LabHostPlan, killWallMs: number, copiesLost: number): Promise<Breakdown>;
  /** The reboot: the host's daemons again on their data, every manager a voter and every node ready (bounded). */
  reboot(host: LabHostPlan): Promise<void>;
}

/** Until all REPLICAS run; then each host must run REPLICAS / hosts of them, or this rejects naming where they landed. */
export async function waitSpread(c: ReplicaCluster): Promise<void> {
  let counts: number[] = [];
  await waitFor(`${c.name}: ${REPLICAS} copies running`, DEPLOY_WAIT_MS, async () => {
    const lists = await Promise.all(c.hosts.map((h) => c.runningOn(h)));
    counts = lists.map((l) => l.length);
    const running = new Set(lists.flat()).size;
    return running === REPLICAS ? true : `${running} running (${placement(c.hosts, counts)})`;
  });
  const share = REPLICAS / c.hosts.length;
  if (counts.some((n) => n !== share)) throw new Error(`${c.name}: the ${REPLICAS} copies landed ${placement(c.hosts, counts)}, not ${share} on each host`);
}

const placement = (hosts: readonly LabHostPlan[], counts: readonly number[]): string => hosts.map((h, i) => `${counts[i] ?? 0} on ${h.name}`).join(', ');

export interface Loss {
  readonly killed: LabHostPlan;
  /** How long the power loss itself took (link down, processes killed and awaited): counted in runningMs. */
  readonly killMs: number;
  /** From the power loss's start until the survivors ran all REPLICAS copies. */
  readonly runningMs: number;
  /** How many the killed host ran before. */
  readonly copiesLost: number;
  readonly breakdown: Breakdown;
}

/** Deploys, kills `pick`'s choice of host, clocks the survivors until all copies run, explains, reboots. */
export async function measureLoss(c: ReplicaCluster, pick: (leader: LabHostPlan) => LabHostPlan): Promise<Loss> {
  await c.deploy();
  await waitSpread(c);
  const killed = pick(await c.leader());
  const survivors = c.hosts.filter((h) => h !== killed);
  const copiesLost = (await c.runningOn(killed)).length;
  const killWallMs = Date.now();
  const t0 = performance.now();
  await c.powerLoss(killed);
  const killMs = performance.now() - t0;
  const done = await firstSuccess(`${c.name}: ${REPLICAS} copies running on ${survivors.map((h) => h.name).join(' and ')}`, RUNNING_POLL, t0, async (_n, signal) => {
    const running = new Set((await Promise.all(survivors.map((h) => c.runningOn(h, signal)))).flat()).size;
    if (running < REPLICAS) throw new Error(`${running} of ${REPLICAS} running on the survivors`);
    return running;
  });
  const breakdown = await c.explain(killed, killWallMs, copiesLost);
  await c.reboot(killed);
  return { killed, killMs, runningMs: done.atMs, copiesLost, breakdown };
}
