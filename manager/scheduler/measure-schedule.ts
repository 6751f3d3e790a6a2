// Measures `schedule` (DESIGN.md, "Measured"). Run by hand, never from a test suite: compile it
// with the repository's tsconfig to an output folder under node_modules/.cache (so that its
// imports resolve) and run it with node; DESIGN.md ("Measured") gives the commands.
// Prints, per cluster size and strategy, the median time of one `schedule` call over the whole
// batch, of a call of `tasksPerCallMax` tasks, of a batch where every task stays pending, and of
// one where no two tasks are alike (so no filter result is reused).

import { performance } from 'node:perf_hooks';
import { SeededRng, type Rng } from '../../shared/rng.js';
import { schedule } from './schedule.js';
import { CPU, GIB, MIB, node, running, task } from './testing.js';
import { SCHEDULER_LIMITS, STRATEGIES, type Resources, type SchedulerNode, type SchedulerTask, type Strategy } from './types.js';

const RUNS = 5;
const LIVE_TASKS_PER_NODE = 10;
const ZONES = ['a', 'b', 'c'];

/** Nodes of 16 GiB and 8 CPUs in three zones, a third of them with an ssd engine label, each running 10 tasks. */
function nodes(count: number): SchedulerNode[] {
  return Array.from({ length: count }, (_, i) => node(`node-${String(i).padStart(5, '0')}`, {
    hostname: `worker-${i}.dc1.example.com`,
    role: i < 3 ? 'manager' : 'worker',
    labels: { zone: ZONES[i % 3] as string, 'com.example.team': `team-${i % 17}` },
    engineLabels: i % 3 === 0 ? { disk: 'ssd' } : { disk: 'hdd' },
    capacity: { memoryBytes: 16 * GIB, nanoCpus: 8 * CPU },
    images: ['registry.example.com/base:1', `registry.example.com/team-${i % 17}/api:1.${i % 40}.3`],
    tasks: Array.from({ length: LIVE_TASKS_PER_NODE }, (_, k) => running(`live-${i}-${k}`, {
      serviceId: `live-${k}`, image: `registry.example.com/team-${k}/api:1.0.0`,
      reservations: { memoryBytes: 128 * MIB, nanoCpus: CPU / 10 },
      hostPorts: k === 0 ? [{ port: 9100, protocol: 'tcp' }] : [],
    })),
  }));
}

/**
 * Replicas of services of 20 tasks: a quarter constrained to a zone, a quarter with a soft
 * disk preference, one in ten publishing a host port, three in four reserving memory and CPU
 * (the same for every replica of a service).
 */
function tasks(count: number, rng: Rng): SchedulerTask[] {
  const reservations = Array.from({ length: Math.ceil(count / 20) }, (): Resources => (rng.int(4) === 0
    ? { memoryBytes: 0, nanoCpus: 0 }
    : { memoryBytes: 64 * MIB * (1 + rng.int(4)), nanoCpus: (CPU / 20) * (1 + rng.int(4)) }));
  return Array.from({ length: count }, (_, i) => {
    const service = Math.floor(i / 20);
    const kind = service % 4;
    return task(`task-${i}`, {
      name: `svc-${service}.${i % 20}`,
      serviceId: `svc-${service}`,
      image: `registry.example.com/team-${service % 17}/api:1.${service % 40}.3`,
      constraints: kind === 0 ? [`node.labels.zone==${ZONES[service % 3] as string}`] : kind === 1 ? ['node.role==worker'] : [],
      env: kind === 2 ? ['PATH=/bin', 'constraint:disk==~ssd'] : ['PATH=/bin'],
      hostPorts: service % 10 === 0 ? [{ port: 20_000 + service, protocol: 'tcp' }] : [],
      reservations: reservations[service] as Resources,
    });
  });
}

function medianMs(fn: () => void): number {
  fn(); // warm up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function measure(nodeCount: number, taskCount: number, strategy: Strategy): void {
  const ns = nodes(nodeCount);
  const ts = tasks(taskCount, new SeededRng(1));
  const whole = { ...SCHEDULER_LIMITS, tasksPerCallMax: taskCount };
  let assigned = 0;
  const all = medianMs(() => {
    assigned = schedule(ts, ns, strategy, new SeededRng(2), whole).decisions.filter((d) => d.outcome === 'assigned').length;
  });
  const oneCall = medianMs(() => schedule(ts, ns, strategy, new SeededRng(2)));
  const impossible = ts.map((t) => ({ ...t, constraints: [...t.constraints, 'node.labels.zone==nowhere'] }));
  const pending = medianMs(() => schedule(impossible, ns, strategy, new SeededRng(2), whole));
  // No two tasks alike (a byte more memory each): the filter chain runs over every node for every task.
  const distinct = ts.map((t, i) => ({ ...t, reservations: { ...t.reservations, memoryBytes: t.reservations.memoryBytes + i } }));
  const unlike = medianMs(() => schedule(distinct, ns, strategy, new SeededRng(2), whole));
  const per = (ms: number, n: number): string => `${((ms / n) * 1000).toFixed(1)} µs a task`;
  console.log(
    `${taskCount} tasks on ${nodeCount} nodes, ${strategy}: ${all.toFixed(0)} ms (${per(all, taskCount)}, ${assigned} assigned); `
    + `a call of ${Math.min(taskCount, SCHEDULER_LIMITS.tasksPerCallMax)}: ${oneCall.toFixed(0)} ms; all pending: ${pending.toFixed(0)} ms; no two alike: ${unlike.toFixed(0)} ms`,
  );
}

// `node measure-schedule.js [NODES TASKS [STRATEGY]]` measures one size; without arguments, both.
const [nodesArg, tasksArg, strategyArg] = process.argv.slice(2);
const sizes = nodesArg !== undefined ? [[Number(nodesArg), Number(tasksArg ?? 10 * Number(nodesArg))] as const] : ([[100, 1_000], [1_000, 10_000]] as const);
for (const [nodeCount, taskCount] of sizes) {
  for (const strategy of STRATEGIES) if (strategyArg === undefined || strategy === strategyArg) measure(nodeCount, taskCount, strategy);
}
