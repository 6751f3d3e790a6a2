// `npm run bench -- runtime-start` (root): 100 busybox `sleep` containers created and started,
// sequentially and then 10 at a time, then removed — Shoal's standalone agent (driven through
// its gRPC API, as the cluster's worker will drive it) against containerd + ctr (Debian's
// containerd, started here with its own root, state folder and socket; one `ctr run -d --seccomp`
// per container: both sides apply their default seccomp profile). Also the memory each running
// container adds: Shoal's shim and agent against containerd's shims and containerd itself. Last
// line: the ratio at concurrency 10.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Agent } from '../agent/daemon.js';
import { busyboxImage, dockerSaveArchive } from '../agent/images/test-images.js';
import { purgeAgent, shimPids } from '../agent/runtime/testing.js';
import { systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { printResult, startProcess } from './lib.js';

const run = promisify(execFile);
const COUNT = Number(process.env['SHOAL_BENCH_CONTAINERS'] ?? 100);
const CONCURRENCY = 10;

/** Private memory (clean + dirty) of a process, bytes, from smaps_rollup. */
function privateBytes(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return (kb('Private_Clean') + kb('Private_Dirty')) * 1024;
  } catch {
    return 0;
  }
}

async function pidsOf(pattern: string): Promise<number[]> {
  const r = await run('pgrep', ['-f', pattern]).catch(() => ({ stdout: '' }));
  return r.stdout.split('\n').filter((l) => l !== '').map(Number);
}

/** Runs `op(i)` for i in [0, count) with `concurrency` workers; resolves the wall time in ms. */
async function timed(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await op(i);
    }),
  );
  return performance.now() - t0;
}

interface Figures {
  sequentialMs: number;
  concurrentMs: number;
  removeMs: number;
  perContainerBytes: number;
}

async function benchShoal(work: string, archive: Buffer): Promise<Figures> {
  const dataDir = join(work, 'shoal');
  const socket = join(work, 'shoal.sock');
  const agent = new Agent({ dataDir, socket, clock: systemClock, logger: silentLogger() });
  await agent.start();
  const client = new RuntimeClient(socket);
  try {
    await client.importImage(Readable.from(archive));
    // Warm-up: the layer is unpacked once and the shim started, as on any host that ran a container before.
    const warm = await client.create('warm', { image: 'busybox:bench', command: ['true'] });
    await client.start(warm.id);
    await client.wait(warm.id);
    await client.remove(warm.id, false);

    const ids: string[] = [];
    const startOne = async (i: number, prefix: string): Promise<void> => {
      const c = await client.create(`${prefix}${i}`, { image: 'busybox:bench', command: ['sleep', '100000'] });
      await client.start(c.id);
      ids.push(c.id);
    };
    const removeAll = async (): Promise<number> => {
      const all = ids.splice(0);
      return timed(all.length, CONCURRENCY, async (i) => client.remove(all[i] as string, true));
    };
    const agentBefore = privateBytes(process.pid);
    const [shimPid] = await shimPids(dataDir);
    const shimBefore = privateBytes(shimPid as number);
    const sequentialMs = await timed(COUNT, 1, (i) => startOne(i, 's'));
    const perContainerBytes = (privateBytes(shimPid as number) - shimBefore + Math.max(0, privateBytes(process.pid) - agentBefore)) / COUNT;
    const removeMs = await removeAll();
    const concurrentMs = await timed(COUNT, CONCURRENCY, (i) => startOne(i, 'c'));
    await removeAll();
    return { sequentialMs, concurrentMs, removeMs, perContainerBytes };
  } finally {
    client.close();
    await agent.stop();
    await purgeAgent(dataDir);
  }
}

async function benchContainerd(work: string, archive: Buffer): Promise<Figures> {
  const dir = join(work, 'containerd');
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'containerd.sock');
  const config = [
    'version = 2',
    `root = "${join(dir, 'root')}"`,
    `state = "${join(dir, 'state')}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${socket}"`,
    '[ttrpc]',
    `  address = "${socket}.ttrpc"`,
    '[debug]',
    `  address = "${socket}.debug"`,
    '[metrics]',
    '  address = ""',
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.toml'), config);
  const daemon = startProcess('containerd', ['--config', join(dir, 'config.toml')]);
  const ctr = (...args: string[]) => run('ctr', ['--address', socket, '--namespace', 'shoal-bench', ...args], { maxBuffer: 16 * 1024 * 1024 });
  try {
    // Bounded wait for its socket: containerd prints nothing we could await.
    for (let i = 0; ; i++) {
      if (await ctr('version').then(() => true, () => false)) break;
      if (i >= 100) throw new Error('containerd did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    await writeFile(join(dir, 'busybox.tar'), archive);
    await ctr('images', 'import', join(dir, 'busybox.tar'));
    const image = 'docker.io/library/busybox:bench';
    await ctr('run', '--rm', '--seccomp', image, 'warm', 'true');

    const ids: string[] = [];
    const startOne = async (i: number, prefix: string): Promise<void> => {
      // --seccomp: containerd's default profile, as every Shoal container has Shoal's (same work on both sides).
      await ctr('run', '-d', '--seccomp', image, `${prefix}${i}`, 'sleep', '100000');
      ids.push(`${prefix}${i}`);
    };
    const removeAll = async (): Promise<number> => {
      const all = ids.splice(0);
      return timed(all.length, CONCURRENCY, async (i) => {
        await ctr('task', 'rm', '-f', all[i] as string);
        await ctr('container', 'rm', all[i] as string);
      });
    };
    const daemonBefore = privateBytes(daemon.child.pid as number);
    const sequentialMs = await timed(COUNT, 1, (i) => startOne(i, 's'));
    const shims = await pidsOf(`containerd-shim-runc-v2 -namespace shoal-bench`);
    const perContainerBytes = (shims.reduce((n, p) => n + privateBytes(p), 0) + Math.max(0, privateBytes(daemon.child.pid as number) - daemonBefore)) / COUNT;
    const removeMs = await removeAll();
    const concurrentMs = await timed(COUNT, CONCURRENCY, (i) => startOne(i, 'c'));
    await removeAll();
    return { sequentialMs, concurrentMs, removeMs, perContainerBytes };
  } finally {
    for (const id of (await ctr('task', 'ls', '-q').catch(() => ({ stdout: '' }))).stdout.split('\n').filter((l) => l !== '')) await ctr('task', 'rm', '-f', id).catch(() => undefined);
    for (const id of (await ctr('container', 'ls', '-q').catch(() => ({ stdout: '' }))).stdout.split('\n').filter((l) => l !== '')) await ctr('container', 'rm', id).catch(() => undefined);
    await ctr('images', 'rm', 'docker.io/library/busybox:bench').catch(() => undefined);
    await daemon.kill('SIGTERM');
    // containerd leaves its overlay snapshots mounted only while containers exist; make sure.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    await run('sh', ['-c', 'for h in /sys/fs/cgroup/shoal-bench /sys/fs/cgroup/*/shoal-bench; do [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \\; ; done; true']);
  }
}

if (process.getuid?.() !== 0) {
  console.error('bench runtime-start: run as root (it starts containers)');
  process.exit(2);
}
const work = await mkdtemp(join(tmpdir(), 'shoal-bench-runtime-'));
try {
  const archive = await dockerSaveArchive(await busyboxImage(), ['busybox:bench']);
  const shoal = await benchShoal(work, archive);
  const containerd = await benchContainerd(work, archive);
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MB`;
  for (const [name, f] of [
    ['shoal (agent API)', shoal],
    ['containerd + ctr', containerd],
  ] as const) {
    console.log(`${name}: ${COUNT} containers created and started: sequentially ${(f.sequentialMs / 1000).toFixed(2)} s, ${CONCURRENCY} at a time ${(f.concurrentMs / 1000).toFixed(2)} s; removed in ${(f.removeMs / 1000).toFixed(2)} s; private memory per running container ${mb(f.perContainerBytes)}`);
  }
  console.log(`ratio shoal/containerd: sequential ${(shoal.sequentialMs / containerd.sequentialMs).toFixed(2)}, concurrency ${CONCURRENCY} ${(shoal.concurrentMs / containerd.concurrentMs).toFixed(2)} (goal <= 0.8)`);
  printResult({
    bench: 'runtime-start',
    metric: `wall time to create and start ${COUNT} containers, ${CONCURRENCY} at a time (ms)`,
    shoal: Math.round(shoal.concurrentMs),
    peer: 'containerd + ctr',
    peer_value: Math.round(containerd.concurrentMs),
    ratio: Number((shoal.concurrentMs / containerd.concurrentMs).toFixed(3)),
    better: 'lower',
    sequential_ms: { shoal: Math.round(shoal.sequentialMs), containerd: Math.round(containerd.sequentialMs) },
    memory_per_container_bytes: { shoal: Math.round(shoal.perContainerBytes), containerd: Math.round(containerd.perContainerBytes) },
  });
} finally {
  await rm(work, { recursive: true, force: true });
}
