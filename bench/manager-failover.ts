// `npm run bench -- manager-failover` (root): the time from a power loss of the leader manager's
// host to the first write the surviving managers acknowledge — Shoal (a lab of three managers,
// `shoal lab up --managers 3`) against Docker swarm mode (three dockerd, Debian's docker.io, in
// three more hosts of the same lab, `docker swarm init` and two managers joined), side by side
// in one run, ROUNDS rounds each, taking turns. Each round: find the leader from the node list;
// `shoal lab kill` its host (underlay link down, then every process of the host SIGKILLed: no
// FIN or RST leaves it), the clock started just before; then, until they succeed, writes
// (`node update --label-add round=N` on a surviving node, as each CLI makes it: read the node,
// write it back at that version) and node lists (until one shows a new leader) through a
// surviving manager, a new attempt every ATTEMPTS.intervalMs (bench/failover/first-success.ts).
// Then the host is rebooted (link up, its daemon on its data dir) and the round ends once every
// manager is a voter again. Both systems are driven through their APIs from this process (Shoal:
// the CLI's ManagerClient; Docker: the Engine API on a unix socket), so neither pays a client
// process start per attempt; what one CLI command costs on a healthy cluster is shown apart.
// Last line: the ratio of the median times to the first acknowledged write (lower is better).

import { join } from 'node:path';
import { labUp } from '../e2e/lab/lab.js';
import { labKill } from '../e2e/lab/faults.js';
import type { LabHostPlan } from '../e2e/lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from '../e2e/lab/state.js';
import type { FailoverCluster } from './failover/cluster.js';
import { DockerSwarm, checkDockerInstalled } from './failover/docker.js';
import { firstSuccess, type AttemptPolicy } from './failover/first-success.js';
import { runLabBench, type BenchFrame } from './failover/frame.js';
import { SHOAL_COMMAND, ShoalCluster } from './failover/shoal.js';
import { median, printResult } from './lib.js';

const ROUNDS = Number(process.env['SHOAL_BENCH_FAILOVER_ROUNDS'] ?? 5);
/** Times each CLI's `node update` is timed on the healthy cluster (the median is shown). */
const CLI_SAMPLES = 3;
/**
 * Writes and node lists after the kill, the same for both systems: a new attempt every 100 ms,
 * each abandoned after 3 s (so at most 30 in flight), 90 s in all. Docker's managers wait about
 * ten seconds (swarmkit's election timeout) before they elect.
 */
const ATTEMPTS: AttemptPolicy = { intervalMs: 100, attemptTimeoutMs: 3_000, inFlightMax: 30, totalTimeoutMs: 90_000 };
const MANAGERS = 3;

interface Round {
  readonly round: number;
  readonly killed: string;
  /** How long `lab kill` took: link down, SIGKILL, the processes awaited. */
  readonly killMs: number;
  readonly shownLeader: string;
  readonly shownMs: number;
  readonly writeMs: number;
  readonly writeAttempts: number;
  /** From the reboot's start until every manager was a voter again. */
  readonly backMs: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Power loss of the leader's host, the clock until a new leader shows and a write is acknowledged, then the reboot. */
async function measureRound(sys: FailoverCluster, lab: string, round: number): Promise<Round> {
  const killed = await sys.leader();
  const survivors = sys.hosts.filter((h) => h !== killed);
  // The managers the clients talk to: survivors first, the dead one last (Docker's client talks
  // to the first alone). Listed first, the dead one would cost each Shoal client a connect timeout.
  const via: LabHostPlan[] = [...survivors, killed];
  const node = (survivors[0] as LabHostPlan).name;
  const t0 = performance.now();
  await labKill(DEFAULT_LAB_STATE_DIR, lab, killed.name);
  const killMs = performance.now() - t0;
  const [shown, write] = await Promise.allSettled([
    firstSuccess(`${sys.name}: node ls showing a new leader`, ATTEMPTS, t0, async (_n, signal) => {
      const leader = await sys.shownLeader(via, signal);
      if (leader === killed.name) throw new Error(`node ls still shows ${leader}, the dead host, leading`);
      return leader;
    }),
    firstSuccess(`${sys.name}: a write acknowledged`, ATTEMPTS, t0, (_n, signal) => sys.write(via, node, round, signal)),
  ]);
  if (shown.status === 'rejected') throw shown.reason;
  if (write.status === 'rejected') throw write.reason;
  const b0 = performance.now();
  await sys.restart(killed);
  const backMs = performance.now() - b0;
  return { round, killed: killed.name, killMs, shownLeader: shown.value.value, shownMs: shown.value.atMs, writeMs: write.value.atMs, writeAttempts: write.value.attempts, backMs };
}

function roundLine(name: string, r: Round): string {
  return (
    `round ${r.round}/${ROUNDS} ${name}: power loss of ${r.killed}, the leader (lab kill ${r.killMs.toFixed(0)} ms); ` +
    `node ls showed ${r.shownLeader} leading after ${seconds(r.shownMs)}; first write acknowledged after ${seconds(r.writeMs)} (attempt ${r.writeAttempts}); ` +
    `all ${MANAGERS} managers voters again ${seconds(r.backMs)} after the reboot began`
  );
}

async function cliMedianMs(sys: FailoverCluster): Promise<number> {
  const via = [sys.hosts[1] as LabHostPlan, sys.hosts[0] as LabHostPlan, sys.hosts[2] as LabHostPlan];
  const samples: number[] = [];
  for (let i = 0; i < CLI_SAMPLES; i++) samples.push(await sys.cliUpdateMs(via, (via[0] as LabHostPlan).name, i));
  return median(samples);
}

async function main(frame: BenchFrame): Promise<void> {
  const lab = frame.labName('fo');
  const benchStarted = performance.now();
  const note = (line: string): void => console.log(`manager-failover: ${line}`);
  await checkDockerInstalled();
  // h1..h3 run Shoal's managers; h4..h6 are bare hosts for the dockerds.
  const state = await labUp({ name: lab, hosts: 2 * MANAGERS, managers: MANAGERS, shoalCommand: SHOAL_COMMAND, stateDir: DEFAULT_LAB_STATE_DIR, onProgress: (l) => note(`lab ${lab}: ${l}`) });
  const { plan } = state;
  const shoal = new ShoalCluster(plan, DEFAULT_LAB_STATE_DIR, plan.hosts.slice(0, MANAGERS));
  const docker = await DockerSwarm.prepare(plan, DEFAULT_LAB_STATE_DIR, join(frame.work, 'docker'), plan.hosts.slice(MANAGERS));
  frame.onCleanup(() => docker.removeFiles());
  await docker.init(note);
  const systems: FailoverCluster[] = [shoal, docker];

  const cliMs = { shoal: await cliMedianMs(shoal), docker: await cliMedianMs(docker) };
  note(`one node update --label-add by each CLI on the healthy cluster, through a follower (median of ${CLI_SAMPLES}): shoal ${cliMs.shoal.toFixed(0)} ms (a Node process), docker ${cliMs.docker.toFixed(0)} ms (a Go binary); not part of the figures below`);

  const rounds: Record<string, Round[]> = { shoal: [], docker: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const sys of systems) {
      const r = await measureRound(sys, lab, round);
      rounds[sys.name]?.push(r);
      console.log(roundLine(sys.name, r));
    }
  }
  const summary = (name: string): { writeMs: number; shownMs: number; writes: number[]; shown: number[] } => {
    const rs = rounds[name] ?? [];
    const writes = rs.map((r) => Math.round(r.writeMs));
    const shown = rs.map((r) => Math.round(r.shownMs));
    return { writeMs: median(writes), shownMs: median(shown), writes, shown };
  };
  const s = summary('shoal');
  const d = summary('docker');
  for (const [name, m] of [['shoal', s], ['docker', d]] as const) {
    console.log(`${name}: medians of ${ROUNDS} rounds: first write acknowledged after ${seconds(m.writeMs)} (rounds: ${m.writes.map(seconds).join(', ')}); new leader shown after ${seconds(m.shownMs)} (rounds: ${m.shown.map(seconds).join(', ')})`);
  }
  const ratio = s.writeMs / d.writeMs;
  console.log(`ratio shoal/docker, time to the first acknowledged write: ${ratio.toFixed(3)}; the bench took ${seconds(performance.now() - benchStarted)}`);
  printResult({
    bench: 'manager-failover',
    metric: `ms from a power loss of the leader manager's host to the first write acknowledged by the survivors (median of ${ROUNDS})`,
    shoal: s.writeMs,
    peer: 'Docker swarm mode (Debian docker.io 20.10, Engine API)',
    peer_value: d.writeMs,
    ratio: Number(ratio.toFixed(3)),
    better: 'lower',
    leader_shown_ms: { shoal: s.shownMs, peer: d.shownMs },
    rounds_write_ms: { shoal: s.writes, peer: d.writes },
    rounds_leader_shown_ms: { shoal: s.shown, peer: d.shown },
    cli_node_update_ms: { shoal: Math.round(cliMs.shoal), peer: Math.round(cliMs.docker) },
  });
}

await runLabBench('manager-failover', main);
