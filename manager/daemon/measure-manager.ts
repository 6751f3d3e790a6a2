// Measures a real manager (in this process) holding 100,000 objects (DESIGN.md, "Measured"). Run
// by hand, never from a test suite:
//   npx tsc -p tsconfig.build.json && node dist/manager/daemon/measure-manager.js [objects]
// Writes the objects through Raft (transactions of 1,000), with a snapshot every 40 entries so
// that the leader takes snapshots under load; prints the event loop's longest stall meanwhile,
// the time to take one snapshot of the whole store, the time for a stopped manager to start
// again from its data dir (restore and replay) until it leads with every object, and memory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { silentLogger } from '../../shared/logger.js';
import { freeLoopbackPort } from '../../shared/net.js';
import { encodeCommand, type StoreOp } from '../store/command.js';
import { initCluster, Manager } from './manager.js';

const BATCH = 1_000;

const idOf = (n: number): string => (((n + 1) * 2_654_435_761) % 2 ** 52).toString(36).padStart(11, '0') + n.toString(36).padStart(14, '0');
const labels = (i: number): Record<string, string> => ({ 'com.example.team': `team-${i % 17}`, 'com.example.tier': i % 2 === 0 ? 'frontend' : 'backend', env: 'production' });

function task(i: number, nodes: number, services: number): StoreOp {
  return {
    op: 'create', kind: 'task', id: idOf(300_000_000 + i),
    spec: { name: `svc-${i % services}-api.${i}`, serviceId: idOf(200_000_000 + (i % services)), nodeId: idOf(1 + (i % nodes)), image: `registry.example.com/team-${i % 17}/api:1.${i % 40}.3`, desiredState: 'running', labels: labels(i) },
    status: { state: 'running', message: 'started', containerId: idOf(i).repeat(3).slice(0, 64) },
  };
}

function objects(total: number): StoreOp[] {
  const nodes = Math.max(1, Math.floor(total / 100));
  const services = Math.max(1, Math.floor(total / 50));
  const ops: StoreOp[] = [];
  for (let i = 0; i < nodes; i++) ops.push({ op: 'create', kind: 'node', id: idOf(1 + i), spec: { hostname: `worker-${i}.dc1.example.com`, role: 'worker', availability: 'active', labels: labels(i) }, status: { state: 'ready', addr: `10.0.${i >> 8}.${i & 255}` } });
  for (let i = 0; i < services; i++) ops.push({ op: 'create', kind: 'service', id: idOf(200_000_000 + i), spec: { name: `svc-${i}-api`, image: `registry.example.com/team-${i % 17}/api:1.${i % 40}.3`, replicas: 50, labels: labels(i) }, status: {} });
  for (let i = 0; ops.length < total; i++) ops.push(task(i, nodes, services));
  return ops;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-measure-'));
  try {
    const port = await freeLoopbackPort();
    const dataDir = join(dir, 'm1');
    await initCluster({ dataDir, advertiseAddr: `127.0.0.1:${port}`, logger: silentLogger() });
    const snapshotEntries = Number(process.env['SNAPSHOT_ENTRIES'] ?? 40);
    const manager = new Manager({ dataDir, logger: silentLogger(), hostname: 'm1', snapshotEntries });
    await manager.start();
    await manager.joinTokens();

    const writes = monitorEventLoopDelay({ resolution: 1 });
    writes.enable();
    const t0 = performance.now();
    const ops = objects(total);
    for (let at = 0; at < ops.length; at += BATCH) await manager.raft.propose(encodeCommand({ atMs: Date.now(), ops: ops.slice(at, at + BATCH) }));
    const writeMs = performance.now() - t0;
    writes.disable();
    console.log(`wrote ${total} objects in ${(writeMs / 1000).toFixed(1)} s through Raft (${BATCH} a transaction; Raft snapshot every ${snapshotEntries} entries); event loop meanwhile: max stall ${(writes.max / 1e6).toFixed(1)} ms, p99 ${(writes.percentile(99) / 1e6).toFixed(1)} ms`);

    // A snapshot of the whole store on the leader, as Raft takes it, while small writes go on
    // (one at a time, each awaited): the stall the snapshot causes, and the writes' latency.
    const during = monitorEventLoopDelay({ resolution: 1 });
    during.enable();
    let stop = false;
    const latencies: number[] = [];
    const trickle = (async () => {
      for (let n = 0; !stop && n < 100_000; n++) {
        const w0 = performance.now();
        await manager.raft.propose(encodeCommand({ atMs: Date.now(), ops: [{ op: 'update', kind: 'node', id: idOf(1), version: manager.store.get('node', idOf(1))?.meta.version ?? 1, status: { state: 'ready', message: `beat ${n}` } }] }));
        latencies.push(performance.now() - w0);
      }
    })();
    const snapStart = performance.now();
    const bytes = (await manager.store.snapshot()).byteLength;
    const snapMs = performance.now() - snapStart;
    stop = true;
    await trickle;
    during.disable();
    latencies.sort((a, b) => a - b);
    const memory = process.memoryUsage();
    console.log(`one snapshot of the whole store (${mb(bytes)}): ${snapMs.toFixed(0)} ms; event loop meanwhile: max stall ${(during.max / 1e6).toFixed(1)} ms, p99 ${(during.percentile(99) / 1e6).toFixed(1)} ms; ${latencies.length} small writes meanwhile, p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, max ${latencies[latencies.length - 1]?.toFixed(1)} ms`);
    console.log(`memory: rss ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)}`);
    await manager.stop();

    const r0 = performance.now();
    const again = new Manager({ dataDir, logger: silentLogger(), hostname: 'm1', snapshotEntries: 40 });
    await again.start();
    await again.awaitLeader(60_000);
    await again.readable();
    const restartMs = performance.now() - r0;
    const after = process.memoryUsage();
    console.log(`restart from the data dir to leading with ${again.store.count('task')} tasks: ${restartMs.toFixed(0)} ms; memory after: rss ${mb(after.rss)}, heap used ${mb(after.heapUsed)}`);
    await again.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
