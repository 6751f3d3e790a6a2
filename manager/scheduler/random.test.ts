// Seeded random clusters and batches, checked by an oracle written apart from the scheduler: the
// decisions are replayed in order against a plain model of each node, and every placement must
// respect the node's state and availability, every hard constraint and affinity, the host ports
// and the reservations as they stand at that moment; a task left pending must have had no node
// that fits. A failing seed is printed and replays exactly.

import { describe, expect, it } from 'vitest';
import { canonicalReference } from '../../shared/image-reference.js';
import { SeededRng, type Rng } from '../../shared/rng.js';
import { schedule } from './schedule.js';
import { CPU, GIB, MIB, node } from './testing.js';
import { STRATEGIES, type HostPort, type NodeTask, type Resources, type SchedulerNode, type SchedulerTask } from './types.js';

const SEEDS = 300;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;
const chance = (rng: Rng, oneIn: number): boolean => rng.int(oneIn) === 0;

// ---- the rules, as data the oracle reads and as the text the scheduler parses ----------------

type Rule =
  | { on: 'node.labels.zone' | 'engine.labels.disk' | 'node.role' | 'node.hostname' | 'node'; op: '==' | '!='; value: string; soft: boolean; via: 'flag' | 'env' }
  | { on: 'container' | 'image'; op: '==' | '!='; value: string; soft: boolean; via: 'env' };

const ZONES = ['a', 'b', 'c'];
const DISKS = ['ssd', 'hdd'];
const IMAGES = ['redis:7', 'nginx:1', 'busybox', 'registry.local:5000/app:2'];
const NAMES = ['web', 'db', 'cache', 'api', 'worker'];
const PORTS: HostPort[] = [80, 443, 8080].flatMap((port) => [{ port, protocol: 'tcp' as const }, { port, protocol: 'udp' as const }]);

function ruleText(r: Rule): string {
  const op = `${r.op}${r.soft ? '~' : ''}`;
  if (r.on === 'container' || r.on === 'image') return `affinity:${r.on}${op}${r.value}`;
  if (r.via === 'flag') return `${r.on}${op}${r.value}`;
  // Swarm classic's forms: `node` is itself; an engine label is its bare key.
  return `constraint:${r.on === 'engine.labels.disk' ? 'disk' : r.on}${op}${r.value}`;
}

function randomRule(rng: Rng, hostnames: readonly string[]): Rule {
  const op = chance(rng, 3) ? '!=' : '==';
  const soft = chance(rng, 4);
  const cased = (v: string): string => (chance(rng, 5) ? v.toUpperCase() : v);
  switch (rng.int(7)) {
    case 0: return { on: 'node.labels.zone', op, value: cased(pick(rng, [...ZONES, '*'])), soft, via: pick(rng, ['flag', 'env'] as const) };
    case 1: return { on: 'engine.labels.disk', op, value: cased(pick(rng, [...DISKS, 's*'])), soft, via: pick(rng, ['flag', 'env'] as const) };
    case 2: return { on: 'node.role', op, value: pick(rng, ['manager', 'worker']), soft, via: 'flag' };
    case 3: return { on: 'node.hostname', op, value: chance(rng, 3) ? 'h1*' : pick(rng, hostnames), soft, via: 'flag' };
    case 4: return { on: 'node', op, value: pick(rng, hostnames), soft, via: 'env' };
    case 5: return { on: 'container', op, value: chance(rng, 4) ? 'w*' : pick(rng, NAMES), soft, via: 'env' };
    default: return { on: 'image', op, value: chance(rng, 4) ? 'redis:*' : pick(rng, IMAGES), soft, via: 'env' };
  }
}

// ---- the oracle's model of a node ---------------------------------------------------------

interface Model {
  readonly node: SchedulerNode;
  readonly tasks: NodeTask[];
}

const sum = (tasks: readonly NodeTask[], key: keyof Resources): number => tasks.reduce((s, t) => s + t.reservations[key], 0);
const samePort = (a: HostPort, b: HostPort): boolean => a.port === b.port && a.protocol === b.protocol;

function valueMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  return p.endsWith('*') ? v.startsWith(p.slice(0, -1)) : v === p;
}

function imageMatches(pattern: string, image: string): boolean {
  if (pattern.endsWith('*')) return image.startsWith(pattern.slice(0, -1));
  return canonicalReference(pattern) === canonicalReference(image);
}

function ruleHolds(r: Rule, m: Model): boolean {
  const n = m.node;
  const hit = ((): boolean => {
    switch (r.on) {
      case 'node.labels.zone': return valueMatches(r.value, n.labels['zone']);
      case 'engine.labels.disk': return valueMatches(r.value, n.engineLabels['disk']);
      case 'node.role': return valueMatches(r.value, n.role);
      case 'node.hostname': return valueMatches(r.value, n.hostname);
      case 'node': return valueMatches(r.value, n.hostname) || valueMatches(r.value, n.id);
      case 'container': return m.tasks.some((t) => valueMatches(r.value, t.name));
      case 'image': return [...n.images, ...m.tasks.map((t) => t.image)].some((i) => imageMatches(r.value, i));
    }
  })();
  return r.op === '==' ? hit : !hit;
}

/** Whether the task may go on the node now; the first broken rule's name when not. */
function whyNot(t: SchedulerTask, rules: readonly Rule[], m: Model): string | undefined {
  if (m.node.state !== 'ready') return 'not ready';
  if (m.node.availability !== 'active') return 'not active';
  const broken = rules.find((r) => !r.soft && !ruleHolds(r, m));
  if (broken !== undefined) return `breaks ${ruleText(broken)}`;
  if (t.hostPorts.some((p) => m.tasks.some((o) => o.hostPorts.some((q) => samePort(p, q))))) return 'port taken';
  if (sum(m.tasks, 'memoryBytes') + t.reservations.memoryBytes > m.node.capacity.memoryBytes) return 'memory';
  if (sum(m.tasks, 'nanoCpus') + t.reservations.nanoCpus > m.node.capacity.nanoCpus) return 'cpu';
  return undefined;
}

// ---- random clusters and batches ----------------------------------------------------------

function randomReservations(rng: Rng): Resources {
  return { memoryBytes: pick(rng, [0, 0, 256 * MIB, 512 * MIB, GIB]), nanoCpus: pick(rng, [0, 0, CPU / 2, CPU, 2 * CPU]) };
}

function randomPorts(rng: Rng): HostPort[] {
  const ports: HostPort[] = [];
  for (let i = rng.int(3); i > 0; i--) {
    const p = pick(rng, PORTS);
    if (!ports.some((q) => samePort(p, q))) ports.push(p);
  }
  return ports;
}

function randomNode(rng: Rng, i: number): SchedulerNode {
  const base = node(`id-${String(i).padStart(2, '0')}`, {
    hostname: `h${i}`,
    role: chance(rng, 3) ? 'manager' : 'worker',
    state: chance(rng, 6) ? pick(rng, ['down', 'unknown'] as const) : 'ready',
    availability: chance(rng, 6) ? pick(rng, ['pause', 'drain'] as const) : 'active',
    labels: chance(rng, 4) ? {} : { zone: pick(rng, ZONES) },
    engineLabels: chance(rng, 4) ? {} : { disk: pick(rng, DISKS) },
    capacity: { memoryBytes: pick(rng, [GIB, 2 * GIB, 4 * GIB]), nanoCpus: pick(rng, [CPU, 2 * CPU, 4 * CPU]) },
    images: IMAGES.filter(() => chance(rng, 3)),
  });
  // Live tasks that fit: reservations within capacity, no port twice.
  const model: Model = { node: base, tasks: [] };
  for (let k = rng.int(5); k > 0; k--) {
    const t: NodeTask = { name: `${pick(rng, NAMES)}-${i}-${k}`, image: pick(rng, IMAGES), hostPorts: randomPorts(rng), reservations: randomReservations(rng) };
    const probe = { ...base, state: 'ready', availability: 'active' } as const;
    if (whyNot({ ...t, id: 'probe', constraints: [], env: [], labels: {} }, [], { node: probe, tasks: model.tasks }) === undefined) model.tasks.push(t);
  }
  return { ...base, tasks: model.tasks };
}

function randomTask(rng: Rng, i: number, hostnames: readonly string[]): { task: SchedulerTask; rules: Rule[] } {
  const rules = Array.from({ length: rng.int(4) }, () => randomRule(rng, hostnames));
  const task: SchedulerTask = {
    id: `t${i}`,
    name: chance(rng, 2) ? `${pick(rng, NAMES)}.${i}` : pick(rng, NAMES) + i,
    ...(chance(rng, 2) ? { serviceId: pick(rng, ['s1', 's2']) } : {}),
    image: pick(rng, IMAGES),
    constraints: rules.filter((r) => r.via === 'flag').map(ruleText),
    env: ['PATH=/bin', ...rules.filter((r) => r.via === 'env').map(ruleText)],
    labels: {},
    hostPorts: randomPorts(rng),
    reservations: randomReservations(rng),
  };
  return { task, rules };
}

/** Tasks, half of them alike to the one before (same rules, ports and reservations: a service's replicas). */
function randomBatch(rng: Rng, count: number, hostnames: readonly string[]): { task: SchedulerTask; rules: Rule[] }[] {
  const batch: { task: SchedulerTask; rules: Rule[] }[] = [];
  for (let i = 0; i < count; i++) {
    const before = batch[i - 1];
    const fresh = randomTask(rng, i, hostnames);
    batch.push(before !== undefined && chance(rng, 2) ? { task: { ...before.task, id: fresh.task.id, name: fresh.task.name }, rules: before.rules } : fresh);
  }
  return batch;
}

describe('random clusters and batches', () => {
  it(`${SEEDS} seeds: no placement breaks a hard rule, a port or a reservation; pending only when nothing fits`, () => {
    let placed = 0;
    let pending = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = new SeededRng(seed);
      const nodes = Array.from({ length: 1 + rng.int(12) }, (_, i) => randomNode(rng, i));
      const hostnames = nodes.map((n) => n.hostname);
      const batch = randomBatch(rng, 1 + rng.int(40), hostnames);
      const strategy = pick(rng, STRATEGIES);
      const result = schedule(batch.map((b) => b.task), nodes, strategy, rng.fork());

      const models = new Map(nodes.map((n) => [n.id, { node: n, tasks: [...n.tasks] } satisfies Model]));
      result.decisions.forEach((d, i) => {
        const { task, rules } = batch[i] as { task: SchedulerTask; rules: Rule[] };
        const context = `seed ${seed} (${strategy}), task ${task.id} [${[...task.constraints, ...task.env].join(' ')}]`;
        expect(d.taskId, context).toBe(task.id);
        if (d.outcome === 'assigned') {
          const m = models.get(d.nodeId) as Model;
          expect(whyNot(task, rules, m), `${context} on ${d.nodeId}`).toBeUndefined();
          m.tasks.push(task);
          placed++;
        } else {
          const fits = [...models.values()].filter((m) => whyNot(task, rules, m) === undefined).map((m) => m.node.id);
          expect(fits, `${context} pending (${d.reason}) though it fits`).toEqual([]);
          pending++;
        }
      });
    }
    // The generator must exercise both outcomes in earnest.
    expect(placed).toBeGreaterThan(SEEDS * 3);
    expect(pending).toBeGreaterThan(SEEDS);
  });

  it('the same seed gives the same decisions, for every strategy', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const gen = new SeededRng(seed);
      const nodes = Array.from({ length: 2 + gen.int(10) }, (_, i) => randomNode(gen, i));
      const tasks = randomBatch(gen, 30, nodes.map((n) => n.hostname)).map((b) => b.task);
      for (const strategy of STRATEGIES) {
        expect(schedule(tasks, nodes, strategy, new SeededRng(seed * 7))).toEqual(schedule(tasks, nodes, strategy, new SeededRng(seed * 7)));
      }
    }
  });
});
