// `npm run bench -- failover [--runs N]` (root): rescheduling after a host's power loss, Shoal
// against Docker swarm mode, side by side in one run, default settings on both. Each system has
// three lab hosts that are all managers and all run containers — Shoal: a cluster lab
// (`shoal lab up --managers 3 --workers 0`); Docker: one dockerd with its own containerd in each
// host of a second lab (bench/failover/docker.ts, as manager-failover runs them) — and six
// copies of a busybox `sleep`, two per host (Shoal: `shoal run -d -e reschedule:on-node-failure`,
// spread by default; Docker: a service of six replicas). Two cases, N runs each, taking turns:
// (a) the host of a manager that is not the leader loses its power, (b) the leader's host does.
// The clock runs from the power loss (`lab kill`: link down, every process SIGKILLed) until the
// two surviving hosts run all six, as each one's own daemon says (bench/failover/replicas.ts).
// Every run starts from six fresh copies on three ready hosts. After each run, where the time
// went (election, node declared down, copies created, placed, running) and whether any other
// node was declared down meanwhile. Last line: the JSON, `ratio` of (a), `leader_ratio` of (b).

import { join } from 'node:path';
import { labUp } from '../e2e/lab/lab.js';
import type { LabHostPlan } from '../e2e/lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from '../e2e/lab/state.js';
import { DockerSwarm, checkDockerInstalled } from './failover/docker.js';
import { runLabBench, type BenchFrame } from './failover/frame.js';
import { REPLICAS, measureLoss, type Loss, type ReplicaCluster } from './failover/replicas.js';
import { SwarmReplicas } from './failover/replicas-docker.js';
import { ShoalReplicas } from './failover/replicas-shoal.js';
import { SHOAL_COMMAND } from './failover/shoal.js';
import { median, printResult } from './lib.js';

const RUNS_DEFAULT = 3;
const RUNS_MAX = 20;
const HOSTS = 3;
/** The issue's goal: Shoal's copies running within this long of the kill, and both ratios at most GOAL_RATIO. */
const GOAL_MS = 5_000;
const GOAL_RATIO = 0.3;

type Case = 'a' | 'b';
const CASES: readonly Case[] = ['a', 'b'];
const CASE_TEXT: Record<Case, string> = { a: "a follower's host", b: "the leader's host" };

/** `--runs N` (or `--runs=N`), nothing else; one line and exit 2 for anything else. */
function parseArgs(argv: readonly string[]): { runs: number } {
  let runs = RUNS_DEFAULT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = arg === '--runs' ? argv[++i] : arg.startsWith('--runs=') ? arg.slice('--runs='.length) : undefined;
    if (value === undefined) {
      console.error(`bench failover: ${arg === '--runs' ? '--runs needs a number' : `unknown argument ${JSON.stringify(arg)}`} (usage: npm run bench -- failover [--runs N])`);
      process.exit(2);
    }
    runs = Number(value);
    if (!Number.isInteger(runs) || runs < 1 || runs > RUNS_MAX) {
      console.error(`bench failover: --runs ${JSON.stringify(value)}: must be a whole number from 1 to ${RUNS_MAX}`);
      process.exit(2);
    }
  }
  return { runs };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** (a): a host whose manager does not lead, a different one each run; (b): the leader's. */
function picker(c: Case, run: number): (hosts: readonly LabHostPlan[], leader: LabHostPlan) => LabHostPlan {
  return (hosts, leader) => {
    if (c === 'b') return leader;
    const followers = hosts.filter((h) => h !== leader);
    return followers[(run - 1) % followers.length] as LabHostPlan;
  };
}

function lossLines(sys: ReplicaCluster, c: Case, run: number, runs: number, l: Loss): string[] {
  const survivors = sys.hosts.filter((h) => h !== l.killed).map((h) => h.name);
  const lines = [
    `run ${run}/${runs} (${c}) ${sys.name}: power loss of ${l.killed.name}, ${CASE_TEXT[c]} (lab kill ${l.killMs.toFixed(0)} ms; it ran ${l.copiesLost} copies) → all ${REPLICAS} running on ${survivors.join(' and ')} after ${seconds(l.runningMs)}`,
    `    ${[...l.breakdown.moments, { key: 'all', what: "all running (the survivors' own daemons)", atMs: l.runningMs }]
      .sort((x, y) => x.atMs - y.atMs)
      .map((m) => `${seconds(m.atMs)} ${m.what}`)
      .join('; ')}`,
  ];
  if (l.breakdown.falseDowns !== undefined) lines.push(`    other nodes declared down meanwhile: ${l.breakdown.falseDowns.join(', ') || 'none'}`);
  for (const n of l.breakdown.notes) lines.push(`    ${n}`);
  return lines;
}

/** The median of each moment over runs, in the order of the first run's. */
function medianMoments(losses: readonly Loss[]): Record<string, number> {
  const keys = [...new Set(losses.flatMap((l) => l.breakdown.moments.map((m) => m.key)))];
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = Math.round(median(losses.flatMap((l) => l.breakdown.moments.filter((m) => m.key === k).map((m) => m.atMs))));
  return out;
}

async function main(frame: BenchFrame, runs: number): Promise<void> {
  const started = performance.now();
  const note = (line: string): void => console.log(`failover: ${line}`);
  await checkDockerInstalled();
  const shoalLab = frame.labName('fs');
  const dockerLab = frame.labName('fd');
  const shoalState = await labUp({ name: shoalLab, hosts: HOSTS, managers: HOSTS, workers: 0, shoalCommand: SHOAL_COMMAND, stateDir: DEFAULT_LAB_STATE_DIR, onProgress: (l) => note(`lab ${shoalLab}: ${l}`) });
  const shoal = new ShoalReplicas(shoalState.plan, DEFAULT_LAB_STATE_DIR);
  frame.onCleanup(() => shoal.close());
  const dockerState = await labUp({ name: dockerLab, hosts: HOSTS, stateDir: DEFAULT_LAB_STATE_DIR, onProgress: (l) => note(`lab ${dockerLab}: ${l}`) });
  const swarm = await DockerSwarm.prepare(dockerState.plan, DEFAULT_LAB_STATE_DIR, join(frame.work, 'docker'), dockerState.plan.hosts);
  frame.onCleanup(() => swarm.removeFiles());
  await swarm.init(note);
  const docker = await SwarmReplicas.prepare(swarm, frame.work);
  note(`busybox loaded into the ${HOSTS} dockerd; set up in ${seconds(performance.now() - started)}`);

  const systems: ReplicaCluster[] = [shoal, docker];
  const losses = new Map<string, Loss[]>();
  for (let run = 1; run <= runs; run++) {
    for (const c of CASES) {
      for (const sys of systems) {
        const pick = picker(c, run);
        const l = await measureLoss(sys, (leader) => pick(sys.hosts, leader));
        for (const line of lossLines(sys, c, run, runs, l)) console.log(line);
        losses.set(`${sys.name}_${c}`, [...(losses.get(`${sys.name}_${c}`) ?? []), l]);
      }
    }
  }

  const ms = (key: string): number[] => (losses.get(key) ?? []).map((l) => Math.round(l.runningMs));
  const med = (key: string): number => Math.round(median(ms(key)));
  const ratioA = med('shoal_a') / med('swarm_a');
  const ratioB = med('shoal_b') / med('swarm_b');
  const cell = (key: string): string => `${seconds(med(key))} (${ms(key).map(seconds).join(', ')})`;
  console.log('');
  console.log(`| time until all ${REPLICAS} run on the survivors, median of ${runs} (runs) | (a) ${CASE_TEXT.a} | (b) ${CASE_TEXT.b} |`);
  console.log('|---|---|---|');
  console.log(`| Shoal | ${cell('shoal_a')} | ${cell('shoal_b')} |`);
  console.log(`| Docker swarm mode | ${cell('swarm_a')} | ${cell('swarm_b')} |`);
  console.log(`| ratio Shoal / swarm mode | ${ratioA.toFixed(3)} | ${ratioB.toFixed(3)} |`);
  console.log('');
  for (const key of ['shoal_a', 'shoal_b', 'swarm_a', 'swarm_b']) {
    const moments = medianMoments(losses.get(key) ?? []);
    console.log(`${key}, medians of the moments (s after the kill): ${Object.entries(moments).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', ')}; all running ${(med(key) / 1000).toFixed(2)}`);
  }
  const shoalLosses = [...(losses.get('shoal_a') ?? []), ...(losses.get('shoal_b') ?? [])];
  const falseDowns = shoalLosses.flatMap((l) => l.breakdown.falseDowns ?? []);
  const slowest = Math.max(...shoalLosses.map((l) => l.runningMs));
  console.log(`shoal: nodes falsely declared down in all ${shoalLosses.length} runs: ${falseDowns.length === 0 ? 'none' : falseDowns.join(', ')}; slowest run ${seconds(slowest)} (goal: within ${seconds(GOAL_MS)})`);
  const goalMet = ratioA <= GOAL_RATIO && ratioB <= GOAL_RATIO && slowest <= GOAL_MS && falseDowns.length === 0;
  console.log(`goal (both ratios ≤ ${GOAL_RATIO}, every Shoal run within ${seconds(GOAL_MS)}, no false down): ${goalMet ? 'met' : 'not met'}; the bench took ${seconds(performance.now() - started)}`);
  printResult({
    bench: 'failover',
    shoal_a_ms: med('shoal_a'),
    swarm_a_ms: med('swarm_a'),
    ratio: Number(ratioA.toFixed(3)),
    shoal_b_ms: med('shoal_b'),
    swarm_b_ms: med('swarm_b'),
    leader_ratio: Number(ratioB.toFixed(3)),
    metric: `ms from a power loss of one of ${HOSTS} hosts (each a manager running 2 of ${REPLICAS} copies) until the survivors run all ${REPLICAS} (median of ${runs}); ratio: a follower's host, leader_ratio: the leader's host`,
    shoal: med('shoal_a'),
    peer: 'Docker swarm mode (Debian docker.io 20.10, default settings)',
    peer_value: med('swarm_a'),
    better: 'lower',
    runs_ms: { shoal_a: ms('shoal_a'), swarm_a: ms('swarm_a'), shoal_b: ms('shoal_b'), swarm_b: ms('swarm_b') },
    shoal_b_moments_ms: medianMoments(losses.get('shoal_b') ?? []),
    shoal_false_downs: falseDowns,
    goal_met: goalMet,
  });
}

const { runs } = parseArgs(process.argv.slice(3));
await runLabBench('failover', (frame) => main(frame, runs));
