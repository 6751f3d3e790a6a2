import { describe, expect, it } from 'vitest';
import { Timeline, type TimelineFilters, type TimelineInput, type TimelineOptions } from './timeline.js';

// A store in miniature that writes events as the managers' watch sends them: one version per
// transaction, the write's time, each update with the object before it.
type Obj = { kind: string; id: string; spec: Record<string, unknown>; status: Record<string, unknown> };
type Op = ['create', Obj] | ['update', string, (o: Obj) => Obj] | ['remove', string];

const T0 = Date.UTC(2026, 10, 30, 17, 2, 3, 412);

class World {
  private readonly objects = new Map<string, Obj>();
  private version = 10;
  readonly events: TimelineInput[] = [];

  tx(atMs: number, ...ops: Op[]): this {
    this.version++;
    for (const op of ops) {
      if (op[0] === 'create') {
        this.objects.set(op[1].id, op[1]);
        this.events.push({ action: 'create', kind: op[1].kind, id: op[1].id, version: this.version, atMs, objectJson: JSON.stringify(op[1]), previousJson: '' });
      } else if (op[0] === 'update') {
        const before = this.get(op[1]);
        const after = op[2](before);
        this.objects.set(op[1], after);
        this.events.push({ action: 'update', kind: after.kind, id: after.id, version: this.version, atMs, objectJson: JSON.stringify(after), previousJson: JSON.stringify(before) });
      } else {
        const gone = this.get(op[1]);
        this.objects.delete(op[1]);
        this.events.push({ action: 'remove', kind: gone.kind, id: gone.id, version: this.version, atMs, objectJson: JSON.stringify(gone), previousJson: '' });
      }
    }
    return this;
  }

  get(id: string): Obj {
    const o = this.objects.get(id);
    if (o === undefined) throw new Error(`no object ${id}`);
    return o;
  }
}

const node = (id: string, hostname: string, state = 'ready'): Obj => ({ kind: 'node', id, spec: { hostname, role: 'worker', availability: 'active', labels: {} }, status: { state } });
const task = (id: string, name: string, spec: Record<string, unknown> = {}): Obj => ({ kind: 'task', id, spec: { name, image: 'busybox', desiredState: 'running', labels: {}, ...spec }, status: { state: 'pending' } });
const status = (s: Record<string, unknown>) => (o: Obj): Obj => ({ ...o, status: { ...o.status, ...s } });
const spec = (s: Record<string, unknown>) => (o: Obj): Obj => ({ ...o, spec: { ...o.spec, ...s } });
const both = (sp: Record<string, unknown>, st: Record<string, unknown>) => (o: Obj): Obj => status(st)(spec(sp)(o));

/** Every line the timeline prints for these events, the end of the stream included. */
function lines(events: readonly TimelineInput[], options: TimelineOptions = {}, prime?: (t: Timeline) => void): string[] {
  const t = new Timeline({ utc: true, ...options });
  prime?.(t);
  return [...events.flatMap((e) => t.push(e).lines), ...t.finish()];
}
const filtered = (events: readonly TimelineInput[], filters: Partial<TimelineFilters>): string[] => lines(events, { filters: { nodes: [], tasks: [], ...filters } });

// Ids as the managers make them (25 base-36 characters); their 12-character prefixes show.
const H2 = 'h2nodeid000000000000000002';
const H4 = 'h4nodeid000000000000000004';
const WEB = '3f2a1c4d5e6f7g8h9i0j1k2l3';
const WEB2 = '9be0d2a1b2c3d4e5f6g7h8i9j';
const DB = 'db0000000000000000000000a';
const CACHE = 'ca0000000000000000000000b';
const C1 = 'c0ffee000000000000000000000000000000000000000000000000000000000a';
const C2 = '1a2b3c4d5e6f000000000000000000000000000000000000000000000000000b';
const C3 = 'beef00000000000000000000000000000000000000000000000000000000000c';

/** Two workers; web (with the policy) and db (without) on h4, cache on h2, all running. */
function cluster(): World {
  const w = new World();
  w.tx(T0 - 60_000, ['create', node(H2, 'h2')], ['create', node(H4, 'h4')]);
  for (const [id, name, n, c] of [[WEB, 'web', H4, C1], [DB, 'db', H4, C3], [CACHE, 'cache', H2, C2]] as const) {
    w.tx(T0 - 50_000, ['create', task(id, name, name === 'web' ? { reschedule: 'on-node-failure' } : {})]);
    w.tx(T0 - 49_000, ['update', id, both({ nodeId: n }, { state: 'assigned' })]);
    w.tx(T0 - 48_000, ['update', id, status({ state: 'running', containerId: c })]);
  }
  return w;
}

/** h4 dies: down, web replaced (onto h2), db orphaned; h4 comes back, its replaced copy is stopped, ready. */
function incident(w: World): World {
  const t = (ms: number): number => T0 + ms;
  return w
    .tx(t(0), ['update', H4, status({ state: 'down', message: 'no heartbeat for 3 periods', downAtMs: t(0) })])
    .tx(
      t(108),
      ['update', H4, (o) => o], // the orchestrator's compare-and-set on the node: no news
      ['update', WEB, both({ replacedBy: WEB2, desiredState: 'remove' }, { state: 'orphaned', message: 'node h4 down: replaced by 9be0d2a1b2c3' })],
      ['create', { ...task(WEB2, 'web', { reschedule: 'on-node-failure', replaces: WEB }), status: { state: 'pending', message: 'replaces 3f2a1c4d5e6f' } }],
      ['update', DB, status({ state: 'orphaned', message: 'node h4 is down' })],
    )
    .tx(t(198), ['update', WEB2, both({ nodeId: H2 }, { state: 'assigned' })])
    .tx(t(250), ['update', WEB2, status({ state: 'accepted' })])
    .tx(t(260), ['update', WEB2, status({ state: 'preparing' })])
    .tx(t(270), ['update', WEB2, status({ state: 'starting' })])
    .tx(t(288), ['update', WEB2, status({ state: 'running', containerId: C2.replace('1a2b', '77aa') })])
    .tx(t(36_688), ['update', H4, status({ state: 'unknown', message: 'back; stopping 1 replaced container first' })])
    .tx(t(36_700), ['update', DB, status({ state: 'running', message: '' })])
    .tx(t(36_900), ['update', WEB, status({ state: 'shutdown', message: 'stopped' })])
    .tx(t(36_950), ['remove', WEB])
    .tx(t(37_000), ['update', H4, status({ state: 'ready', message: '' })]);
}

describe('the incident timeline', () => {
  it('tells a node failure in one screen: down, replaced (old on h4 → new), placed, running (so long after the node went down), orphaned, back, stopped, ready', () => {
    const w = incident(cluster());
    expect(lines(w.events)).toEqual([
      '--- 2026-11-30 (UTC) ---',
      '17:01:03.412  node h2       joined as worker, ready',
      '17:01:03.412  node h4       joined as worker, ready',
      '17:01:13.412  task web      3f2a1c4d5e6f created (busybox)',
      '17:01:14.412  task web      3f2a1c4d5e6f placed on h4',
      '17:01:15.412  task web      3f2a1c4d5e6f running on h4 (container c0ffee000000)',
      '17:01:13.412  task db       db0000000000 created (busybox)',
      '17:01:14.412  task db       db0000000000 placed on h4',
      '17:01:15.412  task db       db0000000000 running on h4 (container beef00000000)',
      '17:01:13.412  task cache    ca0000000000 created (busybox)',
      '17:01:14.412  task cache    ca0000000000 placed on h2',
      '17:01:15.412  task cache    ca0000000000 running on h2 (container 1a2b3c4d5e6f)',
      '17:02:03.412  node h4       down (no heartbeat for 3 periods)',
      '17:02:03.520  task web      3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3 (pending)',
      '17:02:03.520  task db       db0000000000 orphaned on h4 (node h4 is down)',
      '17:02:03.610  task web      9be0d2a1b2c3 placed on h2',
      '17:02:03.700  task web      9be0d2a1b2c3 running on h2 (container 77aa3c4d5e6f), replacing 3f2a1c4d5e6f on h4 (0.29 s after h4 went down)',
      '17:02:40.100  node h4       back; stopping 1 replaced container first',
      '17:02:40.112  task db       db0000000000 running again on h4 (container beef00000000)',
      '17:02:40.312  task web      3f2a1c4d5e6f stopped on h4 (replaced by 9be0d2a1b2c3)',
      '17:02:40.412  node h4       ready',
    ]);
  });

  it('--filter node=h4 keeps the node and its tasks, both copies of a replaced one; by hostname or id prefix alike', () => {
    const w = incident(cluster());
    const h4 = filtered(w.events, { nodes: ['h4'] }).filter((l) => l >= '17:02');
    expect(h4).toEqual([
      '17:02:03.412  node h4       down (no heartbeat for 3 periods)',
      '17:02:03.520  task web      3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3 (pending)',
      '17:02:03.520  task db       db0000000000 orphaned on h4 (node h4 is down)',
      '17:02:03.610  task web      9be0d2a1b2c3 placed on h2',
      '17:02:03.700  task web      9be0d2a1b2c3 running on h2 (container 77aa3c4d5e6f), replacing 3f2a1c4d5e6f on h4 (0.29 s after h4 went down)',
      '17:02:40.100  node h4       back; stopping 1 replaced container first',
      '17:02:40.112  task db       db0000000000 running again on h4 (container beef00000000)',
      '17:02:40.312  task web      3f2a1c4d5e6f stopped on h4 (replaced by 9be0d2a1b2c3)',
      '17:02:40.412  node h4       ready',
    ]);
    expect(filtered(w.events, { nodes: ['h4node'] })).toEqual(filtered(w.events, { nodes: ['h4'] }));
    // h2's own lines: its node, cache, the replacement once it is placed there, and from then on
    // the copy it replaced (the pair's line came before: the replacement was on no node yet).
    const h2 = filtered(w.events, { nodes: ['h2'] });
    expect(h2.some((l) => l.includes('task cache'))).toBe(true);
    expect(h2.some((l) => l.includes('node h4') || l.includes('task db'))).toBe(false);
    expect(h2.filter((l) => l.includes('task web'))).toEqual([
      '17:02:03.610  task web      9be0d2a1b2c3 placed on h2',
      '17:02:03.700  task web      9be0d2a1b2c3 running on h2 (container 77aa3c4d5e6f), replacing 3f2a1c4d5e6f on h4 (0.29 s after h4 went down)',
      '17:02:40.312  task web      3f2a1c4d5e6f stopped on h4 (replaced by 9be0d2a1b2c3)',
    ]);
  });

  it('--filter task= takes a name or an id prefix, across the copies of a replaced task, and no node lines', () => {
    const w = incident(cluster());
    const byName = filtered(w.events, { tasks: ['web'] });
    expect(byName.filter((l) => l !== '--- 2026-11-30 (UTC) ---').every((l) => l.includes(' task web '))).toBe(true);
    expect(byName.filter((l) => l >= '17:02')).toEqual([
      '17:02:03.520  task web      3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3 (pending)',
      '17:02:03.610  task web      9be0d2a1b2c3 placed on h2',
      '17:02:03.700  task web      9be0d2a1b2c3 running on h2 (container 77aa3c4d5e6f), replacing 3f2a1c4d5e6f on h4 (0.29 s after h4 went down)',
      '17:02:40.312  task web      3f2a1c4d5e6f stopped on h4 (replaced by 9be0d2a1b2c3)',
    ]);
    expect(filtered(w.events, { tasks: ['3f2a1c'] })).toEqual(byName);
    expect(filtered(w.events, { tasks: ['9be0d2'] }).filter((l) => l >= '17:02')).toEqual(byName.filter((l) => l >= '17:02'));
    // Within one key any value; across keys all (a node's own lines follow node= alone).
    expect(filtered(w.events, { tasks: ['web', 'db'] }).filter((l) => l.includes('task db')).length).toBe(5);
    expect(filtered(w.events, { tasks: ['cache'], nodes: ['h4'] }).filter((l) => l.includes(' task '))).toEqual([]);
    // db on h4: from its placement on (created, it was on no node yet).
    expect(filtered(w.events, { tasks: ['db'], nodes: ['h4'] }).filter((l) => l.includes(' task ')).length).toBe(4);
  });

  it('a replacement is one line whichever half comes first, and a half alone is told at the end of its transaction', () => {
    const newFirst = new World()
      .tx(T0, ['create', node(H4, 'h4')])
      .tx(T0, ['create', task(WEB, 'web', { nodeId: H4 })])
      .tx(T0 + 5, ['create', task(WEB2, 'web', { replaces: WEB })], ['update', WEB, both({ replacedBy: WEB2 }, { state: 'orphaned' })]);
    expect(lines(newFirst.events).at(-1)).toBe('17:02:03.417  task web      3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3 (pending)');
    // A drain: the old copy keeps running until its replacement runs.
    const drain = new World()
      .tx(T0, ['create', node(H4, 'h4')], ['create', { ...task(WEB, 'web', { nodeId: H4 }), status: { state: 'running' } }])
      .tx(T0 + 5, ['update', WEB, spec({ replacedBy: WEB2 })], ['create', task(WEB2, 'web', { replaces: WEB })])
      .tx(T0 + 7, ['update', WEB2, status({ state: 'running', containerId: C2 })])
      .tx(T0 + 9, ['update', WEB, spec({ desiredState: 'remove' })]);
    expect(lines(drain.events).slice(-3)).toEqual([
      '17:02:03.417  task web      3f2a1c4d5e6f replaced on h4 (still running) → 9be0d2a1b2c3 (pending)',
      // No node went down: no time since.
      '17:02:03.419  task web      9be0d2a1b2c3 running (container 1a2b3c4d5e6f), replacing 3f2a1c4d5e6f on h4',
      '17:02:03.421  task web      3f2a1c4d5e6f to be stopped on h4 (replaced by 9be0d2a1b2c3)',
    ]);
    // The copy it replaces never seen (a window that starts later): its id alone.
    const later = lines(drain.events.slice(-2, -1));
    expect(later.at(-1)).toBe('17:02:03.419  task web      9be0d2a1b2c3 running (container 1a2b3c4d5e6f), replacing 3f2a1c4d5e6f');
    // Only the old half (an older manager's stream, or a cut): told when the next transaction begins.
    const alone = new World()
      .tx(T0, ['create', node(H4, 'h4')], ['create', task(WEB, 'web', { nodeId: H4 })])
      .tx(T0 + 5, ['update', WEB, both({ replacedBy: WEB2 }, { state: 'orphaned' })])
      .tx(T0 + 9, ['update', H4, status({ state: 'down' })]);
    const t = new Timeline({ utc: true });
    const out = alone.events.map((e) => t.push(e).lines);
    expect(out[2]).toEqual([]);
    expect(out[3]).toEqual(['17:02:03.417  task web      3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3', '17:02:03.421  node h4       down']);
    // Only the new half, at the end of the stream: the old copy's node as last seen (its hostname unknown here).
    const newAlone = lines([(alone.events[1] as TimelineInput), { ...(new World().tx(T0 + 5, ['create', task(WEB2, 'web', { replaces: WEB })]).events[0] as TimelineInput), version: 99 }]);
    expect(newAlone.at(-1)).toBe('17:02:03.417  task web      3f2a1c4d5e6f replaced on h4nodeid0000 → 9be0d2a1b2c3 (pending)');
  });

  it("rewrites that change nothing shown say nothing: the orchestrator's node fence, a description, progress states, a message", () => {
    const w = new World()
      .tx(T0, ['create', node(H4, 'h4')], ['create', { ...task(WEB, 'web', { nodeId: H4 }), status: { state: 'assigned' } }])
      .tx(T0 + 1, ['update', H4, (o) => o])
      .tx(T0 + 2, ['update', H4, status({ description: { capacity: { memoryBytes: 1, nanoCpus: 1 } }, addr: '10.0.0.4' })])
      .tx(T0 + 3, ['update', WEB, status({ state: 'accepted' })])
      .tx(T0 + 4, ['update', WEB, status({ state: 'preparing', message: 'pulling busybox' })])
      .tx(T0 + 5, ['update', WEB, status({ state: 'starting' })])
      .tx(T0 + 6, ['update', WEB, (o) => o]);
    expect(lines(w.events)).toEqual(['--- 2026-11-30 (UTC) ---', '17:02:03.412  node h4       joined as worker, ready', '17:02:03.412  task web      3f2a1c4d5e6f created (busybox) on h4']);
  });

  it("each task line: pending with the scheduler's reason, restarted, restarting, complete, failed, rejected, desired states, removed", () => {
    const w = new World()
      .tx(T0, ['create', node(H2, 'h2')], ['create', task(WEB, 'web')])
      .tx(T0 + 1, ['update', WEB, status({ pendingReason: 'no node satisfies node.labels.zone==b (0 of 1 node)' })])
      .tx(T0 + 2, ['update', WEB, status({ pendingReason: 'no node satisfies node.labels.zone==b (0 of 1 node)' })])
      .tx(T0 + 3, ['update', WEB, both({ nodeId: H2 }, { state: 'assigned', pendingReason: undefined })])
      .tx(T0 + 4, ['update', WEB, status({ state: 'running', containerId: C1 })])
      .tx(T0 + 5, ['update', WEB, status({ message: 'restarting: exit code 1, restart 1 in 100 ms' })])
      .tx(T0 + 6, ['update', WEB, status({ containerId: C2, message: 'restarted 1 time' })])
      .tx(T0 + 7, ['update', WEB, status({ state: 'complete', message: 'exit code 0' })])
      .tx(T0 + 8, ['create', { ...task(DB, 'db', { nodeId: H2 }), status: { state: 'starting' } }])
      .tx(T0 + 9, ['update', DB, status({ state: 'failed', message: 'exit code 2' })])
      .tx(T0 + 10, ['create', { ...task(CACHE, 'cache', { nodeId: H2 }), status: { state: 'preparing' } }])
      .tx(T0 + 11, ['update', CACHE, status({ state: 'rejected', message: 'pull busybox: not found' })])
      .tx(T0 + 12, ['update', DB, spec({ desiredState: 'shutdown' })])
      .tx(T0 + 13, ['update', DB, spec({ desiredState: 'remove' })])
      .tx(T0 + 14, ['remove', DB], ['remove', WEB]);
    expect(lines(w.events).slice(2).map((l) => l.slice(14))).toEqual([
      'task web      3f2a1c4d5e6f created (busybox)',
      'task web      3f2a1c4d5e6f pending: no node satisfies node.labels.zone==b (0 of 1 node)',
      'task web      3f2a1c4d5e6f placed on h2',
      'task web      3f2a1c4d5e6f running on h2 (container c0ffee000000)',
      'task web      3f2a1c4d5e6f restarting: exit code 1, restart 1 in 100 ms on h2',
      'task web      3f2a1c4d5e6f restarted on h2 (container 1a2b3c4d5e6f)',
      'task web      3f2a1c4d5e6f complete on h2 (exit code 0)',
      'task db       db0000000000 created (busybox) on h2',
      'task db       db0000000000 failed on h2: exit code 2',
      'task cache    ca0000000000 created (busybox) on h2',
      'task cache    ca0000000000 rejected on h2: pull busybox: not found',
      'task db       db0000000000 desired shutdown on h2',
      'task db       db0000000000 desired remove on h2',
      'task db       db0000000000 removed',
      'task web      3f2a1c4d5e6f removed',
    ]);
  });

  it("each node line: joined, down, a new word while down, ready, availability, role, labels, removed; an unknown node's id prefix", () => {
    const w = new World()
      .tx(T0, ['create', { ...node(H4, 'h4', 'unknown'), spec: { hostname: 'h4', role: 'manager', availability: 'active', labels: {} } }])
      .tx(T0 + 1, ['update', H4, spec({ availability: 'drain' })])
      .tx(T0 + 2, ['update', H4, spec({ role: 'worker', labels: { zone: 'b', a: '1' } })])
      .tx(T0 + 3, ['update', H4, spec({ labels: {} })])
      .tx(T0 + 4, ['update', H4, status({ state: 'down', message: 'no heartbeat for 3 periods' })])
      .tx(T0 + 5, ['update', H4, status({ message: 'still down, said differently' })])
      .tx(T0 + 6, ['update', H4, status({ state: 'unknown', message: 'back; stopping 2 replaced containers first' })])
      .tx(T0 + 7, ['update', H4, status({ state: 'unknown', message: 'back; stopping 1 replaced container first' })])
      .tx(T0 + 8, ['update', H4, status({ state: 'ready', message: '' })])
      .tx(T0 + 9, ['remove', H4])
      .tx(T0 + 10, ['create', task(WEB, 'web', { nodeId: H2 })])
      .tx(T0 + 11, ['create', node(H2, 'h2', 'unknown')])
      .tx(T0 + 12, ['update', H2, status({ state: 'ready' })])
      .tx(T0 + 13, ['update', H2, status({ state: 'unknown' })]);
    expect(lines(w.events).slice(1).map((l) => l.slice(14))).toEqual([
      'node h4       joined as manager',
      'node h4       availability drain',
      'node h4       role worker; labels a=1,zone=b',
      'node h4       labels none',
      'node h4       down (no heartbeat for 3 periods)',
      'node h4       still down, said differently',
      'node h4       back; stopping 2 replaced containers first',
      'node h4       back; stopping 1 replaced container first',
      'node h4       ready',
      'node h4       removed',
      'task web      3f2a1c4d5e6f created (busybox) on h2nodeid0000',
      'node h2       joined as worker',
      'node h2       ready',
      'node h2       unknown',
    ]);
    // A hostname known beforehand (the CLI lists the nodes first).
    expect(lines(w.events.slice(-4, -3), {}, (t) => t.knowNode(H2, 'h2')).at(-1)).toBe('17:02:03.422  task web      3f2a1c4d5e6f created (busybox) on h2');
  });

  it('an update without the object before it (an older manager) tells the state as it is', () => {
    const e: TimelineInput = { action: 'update', kind: 'task', id: WEB, version: 3, atMs: T0, objectJson: JSON.stringify({ ...task(WEB, 'web', { nodeId: H2 }), status: { state: 'running', containerId: C1 } }) };
    const n: TimelineInput = { action: 'update', kind: 'node', id: H2, version: 4, atMs: T0, objectJson: JSON.stringify(node(H2, 'h2', 'down')) };
    expect(lines([e, n]).slice(1)).toEqual(['17:02:03.412  task web      3f2a1c4d5e6f running on h2nodeid0000 (container c0ffee000000)', '17:02:03.412  node h2       down']);
  });

  it("services, networks and the cluster: created, removed, and a spec's changed fields (a status alone says nothing)", () => {
    const cl: Obj = { kind: 'cluster', id: 'c1', spec: { name: 'default', heartbeatPeriodMs: 1000 }, status: {} };
    const w = new World()
      .tx(T0, ['create', cl])
      .tx(T0 + 1, ['update', 'c1', spec({ heartbeatPeriodMs: 2000, strategy: 'binpack' })])
      .tx(T0 + 2, ['update', 'c1', status({ joinTokens: { worker: 'x', manager: 'y' } })])
      .tx(T0 + 3, ['remove', 'c1']);
    expect(lines(w.events).slice(1).map((l) => l.slice(14))).toEqual([
      'cluster default  created',
      'cluster default  updated: heartbeatPeriodMs 1000 → 2000, strategy none → binpack',
      'cluster default  removed',
    ]);
    expect(filtered(w.events, { nodes: ['h4'] })).toEqual([]);
  });

  it('tells once that older events are gone, and a new day gets its line', () => {
    const t = new Timeline({ utc: true });
    expect(t.push({ action: 'truncated', kind: '', id: '', version: 5, atMs: T0, objectJson: '' }).lines).toEqual(['(events before 2026-11-30 17:02:03.412 are no longer kept by the manager: the timeline starts there)']);
    expect(t.push({ action: 'truncated', kind: '', id: '', version: 5, atMs: 0, objectJson: '' }).lines).toEqual(['(events are no longer kept by the manager: the timeline starts there)']);
    const w = new World().tx(T0, ['create', node(H2, 'h2')]).tx(T0 + 86_400_000, ['update', H2, status({ state: 'down' })]);
    expect(w.events.flatMap((e) => t.push(e).lines)).toEqual(['--- 2026-11-30 (UTC) ---', '17:02:03.412  node h2       joined as worker, ready', '--- 2026-12-01 (UTC) ---', '17:02:03.412  node h2       down']);
  });

  it("says which events pass the filters (the raw forms print those), whether or not they make a line", () => {
    const w = incident(cluster());
    const t = new Timeline({ utc: true, filters: { nodes: ['h2'], tasks: [] } });
    const shown = w.events.filter((e) => t.push(e).shown).map((e) => `${e.kind} ${e.id.slice(0, 4)}`);
    expect(new Set(shown)).toEqual(new Set(['node h2no', 'task ca00', 'task 9be0', 'task 3f2a']));
    // The old copy's events count only once its replacement is on h2: its stop and its removal.
    expect(shown.filter((s) => s === 'task 3f2a')).toHaveLength(2);
  });

  it('remembers at most tasksMax tasks and nodesMax hostnames, says so once, and still tells what it forgot', () => {
    const told: string[] = [];
    const t = new Timeline({ utc: true, limits: { tasksMax: 3, nodesMax: 2 }, onLimit: (limit, value) => told.push(`${limit}=${value}`) });
    const w = new World();
    w.tx(T0, ['create', node('n1', 'h1')], ['create', node('n2', 'h2')], ['create', node('n3', 'h3')]);
    for (let i = 0; i < 5; i++) w.tx(T0 + i, ['create', task(`t${i}`, `web${i}`, { nodeId: 'n3' })]);
    w.tx(T0 + 9, ['update', 't0', status({ state: 'running', containerId: C1 })]);
    const out = w.events.flatMap((e) => t.push(e).lines);
    expect(t.tasksRemembered).toBe(3);
    expect(told).toEqual(['nodesMax=2', 'tasksMax=3']);
    expect(out.at(-1)).toBe('17:02:03.421  task web0     t0 running on h3 (container c0ffee000000)');
  });
});
