// Measures the store's snapshot and restore at 100,000 objects (DESIGN.md, "Measured"). Run by
// hand, once, never from a test suite:
//   npx tsc -p tsconfig.build.json && node dist/manager/store/measure-snapshot.js [objects]
// Prints the longest synchronous slice, the turns, the total time and the size, for snapshot and restore.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { StoreOp } from './command.js';
import { encodeSnapshotInSlices, nextTurn } from './snapshot.js';
import { STORE_LIMITS, Store } from './store.js';
import { KINDS, type StoreObject } from './types.js';

/** A deterministic id like swarmkit's (25 base-36 characters), from a counter. */
const idOf = (n: number): string => (((n + 1) * 2_654_435_761) % 2 ** 52).toString(36).padStart(11, '0') + n.toString(36).padStart(14, '0');

function fill(store: Store, total: number): void {
  const nodes = Math.max(1, Math.floor(total / 100));
  const services = Math.max(1, Math.floor(total / 50));
  const networks = Math.max(1, Math.floor(total / 200));
  const ops: StoreOp[] = [{ op: 'create', kind: 'cluster', id: idOf(0), spec: { name: 'default', heartbeatPeriodMs: 5_000 }, status: {} }];
  const labels = (i: number): Record<string, string> => ({ 'com.example.team': `team-${i % 17}`, 'com.example.tier': i % 2 === 0 ? 'frontend' : 'backend', env: 'production' });
  for (let i = 0; i < nodes; i++) {
    ops.push({ op: 'create', kind: 'node', id: idOf(1 + i), spec: { hostname: `worker-${i}.dc1.example.com`, role: i < 3 ? 'manager' : 'worker', availability: 'active', labels: labels(i) }, status: { state: 'ready', addr: `10.0.${i >> 8}.${i & 255}` } });
  }
  for (let i = 0; i < networks; i++) {
    ops.push({ op: 'create', kind: 'network', id: idOf(100_000_000 + i), spec: { name: `net-${i}`, driver: 'overlay', labels: labels(i) }, status: { subnet: `10.${128 + (i >> 8)}.${i & 255}.0/24`, vni: 4096 + i } });
  }
  for (let i = 0; i < services; i++) {
    ops.push({ op: 'create', kind: 'service', id: idOf(200_000_000 + i), spec: { name: `svc-${i}-api`, image: `registry.example.com/team-${i % 17}/api:1.${i % 40}.3`, replicas: 50, labels: labels(i) }, status: {} });
  }
  for (let i = 0; ops.length < total; i++) {
    ops.push({
      op: 'create', kind: 'task', id: idOf(300_000_000 + i),
      spec: { name: `svc-${i % services}-api.${i}`, serviceId: idOf(200_000_000 + (i % services)), nodeId: idOf(1 + (i % nodes)), image: `registry.example.com/team-${i % 17}/api:1.${i % 40}.3`, desiredState: 'running', labels: labels(i) },
      status: { state: 'running', message: 'started', containerId: idOf(i).repeat(3).slice(0, 64) },
    });
  }
  let index = 0;
  for (let at = 0; at < ops.length; at += 5_000) store.applyCommand({ atMs: 1_700_000_000_000 + at, ops: ops.slice(at, at + 5_000) }, ++index);
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const store = new Store();
  fill(store, total);
  const counts = KINDS.map((k) => `${k} ${store.count(k)}`).join(', ');

  // The async snapshot, as Store.snapshot does it, with each synchronous slice timed: from the
  // call (or the turn's start) to the point where it hands the loop back.
  const slices: number[] = [];
  let sliceStart = performance.now();
  const t0 = sliceStart;
  const byKind = KINDS.map((k) => [...(store as unknown as { objects: Record<string, Map<string, StoreObject>> }).objects[k]!.values()]);
  const wait = async (): Promise<void> => {
    slices.push(performance.now() - sliceStart);
    await nextTurn();
    sliceStart = performance.now();
  };
  const { bytes, turns } = await encodeSnapshotInSlices(store.appliedIndex, byKind, [], STORE_LIMITS.snapshotObjectsPerTurn, wait);
  slices.push(performance.now() - sliceStart);
  const asyncTotal = performance.now() - t0;

  // The same through Store.snapshot, watched from outside by the event-loop delay monitor.
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const viaStore = await store.snapshot();
  h.disable();

  const s0 = performance.now();
  const sync = store.snapshotNow();
  const syncMs = performance.now() - s0;

  const r0 = performance.now();
  const restored = new Store();
  restored.restoreNow(bytes);
  const restoreMs = performance.now() - r0;
  const p0 = performance.now();
  JSON.parse(Buffer.from(bytes).toString('utf8'));
  const parseMs = performance.now() - p0;

  // The restore in slices, watched by the event-loop delay monitor and by a timer that notes
  // the longest gap between turns.
  const sliced = new Store();
  const h2 = monitorEventLoopDelay({ resolution: 1 });
  let gap = 0;
  let last = performance.now();
  let restoring = true;
  const tick = (): void => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    if (restoring) setImmediate(tick);
  };
  h2.enable();
  const q0 = performance.now();
  setImmediate(tick);
  await sliced.restore(bytes);
  const slicedMs = performance.now() - q0;
  restoring = false;
  h2.disable();

  const same = Buffer.from(sync).equals(Buffer.from(bytes)) && Buffer.from(viaStore).equals(Buffer.from(bytes)) && Buffer.from(restored.snapshotNow()).equals(Buffer.from(bytes)) && Buffer.from(sliced.snapshotNow()).equals(Buffer.from(bytes));
  const f = (ms: number): string => `${ms.toFixed(1)} ms`;
  console.log(`objects: ${total} (${counts}); snapshot ${bytes.byteLength} bytes; same bytes as the one-piece snapshot and after restore: ${same}`);
  console.log(`async snapshot: ${turns} turns, longest slice ${f(Math.max(...slices))}, median ${f([...slices].sort((a, b) => a - b)[slices.length >> 1] ?? 0)}, total ${f(asyncTotal)}`);
  console.log(`  through Store.snapshot: event-loop delay max ${f(h.max / 1e6)}, p99 ${f(h.percentile(99) / 1e6)}`);
  console.log(`  longest slices (turn: ms): ${slices.map((ms, i): [number, number] => [i, ms]).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([i, ms]) => `${i}: ${f(ms)}`).join(", ")}`);
  console.log(`one-piece snapshotNow: ${f(syncMs)}`);
  console.log(`restore (one piece): ${f(restoreMs)}, of which JSON.parse alone ~${f(parseMs)}`);
  console.log(`restore: total ${f(slicedMs)}, longest gap between turns ${f(gap)}, event-loop delay max ${f(h2.max / 1e6)}, p99 ${f(h2.percentile(99) / 1e6)}`);
}

void main();
