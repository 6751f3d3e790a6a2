// `npm run bench -- raft`: a 3-member `shoal raft-kv` cluster against a 3-member etcd 3.4
// cluster (Debian's etcd-server), both on loopback, started here, in the same run. Load: 1, 16
// and 64 clients each writing in a closed loop (a write waits for the previous one) to the
// leader, every write with the same 5 s deadline on both; throughput and p50/p99 commit
// latency. The two clusters take turns at each load, and the 64-client load (the headline) is
// run three times over on each; medians are reported. Each system is warmed up first with the
// same load, not counted (WARMUP_MS).
// Then: time to a new leader that commits, after the leader is killed (kill -9); and the restart
// time of a Shoal node with 1,000,000 entries in its log. Also measured, as a yardstick: the same
// 64-client load against a bare grpc-js server that answers every Put at once (no Raft, no disk),
// the ceiling of any Node server that takes one unary call per write, on this machine. And, not
// the headline: Shoal with each client writing on its own PutStream (medians of three rounds).
// Last line: the throughput ratio at 64 clients.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, credentials } from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { loadProto } from '../proto/load.js';
import type { KeyValueClient } from '../proto/gen/shoal/raft/v1/KeyValue.js';
import type { KvPutStreamResponse__Output } from '../proto/gen/shoal/raft/v1/KvPutStreamResponse.js';
import { callUnary, listen } from '../shared/grpc.js';
import { SeededRng } from '../shared/rng.js';
import { RaftDisk } from '../manager/raft/disk.js';
import { RawNode } from '../manager/raft/rawnode.js';
import { Wal } from '../manager/raft/wal.js';
import { closedLoop, freePort, printResult, repoRoot, startProcess, type LoadResult, type Proc } from './lib.js';

const LOAD_MS = Number(process.env['SHOAL_BENCH_LOAD_MS'] ?? 4000);
/**
 * Load run on each system before anything is measured, not counted. A fresh Node process runs
 * its hot paths in the interpreter until V8 has compiled them: measured here, one client's
 * writes/s rose from about 400 in the first 3 s to about 700 after 6 s, and the first 64-client
 * round was 15–20 % slower with a p99 10–15 ms higher than the rounds after it. Go's code is
 * compiled ahead of time; both systems get the same warm-up all the same.
 */
const WARMUP_MS = Number(process.env['SHOAL_BENCH_WARMUP_MS'] ?? 8000);
const CLIENTS = [1, 16, 64];
const ROUNDS_64 = 3;
const VALUE = Buffer.alloc(100, 'v');
/** The deadline every write carries, on both systems' clients. */
const PUT_DEADLINE_MS = 5000;
const FLOOR_SERVER = '--grpc-floor-server';

interface System {
  readonly name: string;
  /** Writes one key; rejects on failure. */
  put(endpoint: number, key: string): Promise<void>;
  leader(): Promise<number>;
  killMember(i: number): Promise<void>;
  stop(): Promise<void>;
  readonly size: number;
  /** Shoal only: one PutStream per client; returns each client's write function and a closer. */
  streams?(endpoint: number, clients: number): { put(client: number, key: string): Promise<void>; close(): void };
}

async function shoalCluster(root: string): Promise<System> {
  const ports = await Promise.all([0, 1, 2].map(freePort));
  const members = ports.map((p, i) => `${i + 1}=127.0.0.1:${p}`).join(',');
  const procs: Proc[] = ports.map((p, i) =>
    startProcess(process.execPath, [join(repoRoot, 'bin', 'shoal.js'), '--log-level', 'error', 'raft-kv', '--id', String(i + 1), '--listen', `127.0.0.1:${p}`, '--data-dir', join(root, `shoal-${i + 1}`), '--members', members]),
  );
  const KV = loadProto('raft').shoal.raft.v1.KeyValue;
  const clients: KeyValueClient[] = ports.map((p) => new KV(`127.0.0.1:${p}`, credentials.createInsecure()));
  const sys: System = {
    name: 'shoal raft-kv',
    size: 3,
    put: async (i, key) => {
      const c = clients[i] as KeyValueClient;
      await callUnary(c.Put.bind(c), { key, value: VALUE }, PUT_DEADLINE_MS);
    },
    leader: async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        for (let i = 0; i < clients.length; i++) {
          const c = clients[i] as KeyValueClient;
          const s = await callUnary(c.Status.bind(c), {}, 300).catch(() => undefined);
          if (s !== undefined && s.leaderId === s.nodeId && procs[i]?.child.exitCode === null) return i;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('shoal: no leader');
    },
    killMember: async (i) => (procs[i] as Proc).kill('SIGKILL'),
    stop: async () => {
      for (const c of clients) c.close();
      await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    },
    streams: (i, n) => {
      const c = clients[i] as KeyValueClient;
      const calls = Array.from({ length: n }, () => {
        const call = c.PutStream();
        const s = { call, waiting: [] as ((err?: Error) => void)[], failed: undefined as Error | undefined };
        call.on('data', (r: KvPutStreamResponse__Output) => s.waiting.shift()?.(r.error === '' ? undefined : new Error(r.error)));
        call.on('error', (err: Error) => {
          s.failed = err;
          s.waiting.splice(0).forEach((w) => w(err));
        });
        return s;
      });
      return {
        put: (k, key) =>
          new Promise<void>((resolve, reject) => {
            const s = calls[k] as (typeof calls)[number];
            if (s.failed !== undefined) return reject(s.failed); // a broken stream answers nothing more
            s.waiting.push((err) => (err === undefined ? resolve() : reject(err)));
            s.call.write({ key, value: VALUE });
          }),
        close: () => calls.forEach((s) => s.call.end()),
      };
    },
  };
  return sys;
}

async function etcdCluster(root: string): Promise<System> {
  const peerPorts = await Promise.all([0, 1, 2].map(freePort));
  const clientPorts = await Promise.all([0, 1, 2].map(freePort));
  const initial = peerPorts.map((p, i) => `m${i + 1}=http://127.0.0.1:${p}`).join(',');
  const procs: Proc[] = peerPorts.map((p, i) =>
    startProcess('etcd', [
      '--name', `m${i + 1}`,
      '--data-dir', join(root, `etcd-${i + 1}`),
      '--listen-peer-urls', `http://127.0.0.1:${p}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${p}`,
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--advertise-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--initial-cluster', initial,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', 'shoal-bench',
    ]),
  );
  // Every write carries the same deadline as Shoal's (callUnary, PUT_DEADLINE_MS): the same
  // load on the wire (a grpc-timeout header), and the same timer in the client.
  const clients = clientPorts.map((p) => new Etcd3({ hosts: `http://127.0.0.1:${p}`, defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + PUT_DEADLINE_MS }) }));
  return {
    name: 'etcd 3.4',
    size: 3,
    put: async (i, key) => {
      await (clients[i] as Etcd3).put(key).value(VALUE);
    },
    leader: async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        for (let i = 0; i < clients.length; i++) {
          if (procs[i]?.child.exitCode !== null) continue;
          const s = await (clients[i] as Etcd3).maintenance.status().catch(() => undefined);
          if (s !== undefined && s.leader !== '0' && s.leader === s.header.member_id) return i;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('etcd: no leader');
    },
    killMember: async (i) => (procs[i] as Proc).kill('SIGKILL'),
    stop: async () => {
      for (const c of clients) c.close();
      await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    },
  };
}

/** This file run as the yardstick server: KeyValue.Put answered at once, on `port`. */
async function serveFloor(port: number): Promise<void> {
  const server = new Server();
  const KV = loadProto('raft').shoal.raft.v1.KeyValue;
  server.addService(KV.service, {
    Put: (_call: unknown, callback: (err: null, res: { index: number }) => void) => callback(null, { index: 0 }),
  });
  await listen(server, { kind: 'tcp', host: '127.0.0.1', port });
  process.once('SIGTERM', () => process.exit(0));
}

/** 64 clients against the yardstick server, in a process of its own as the members are. */
async function measureFloor(): Promise<LoadResult> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [fileURLToPath(import.meta.url), FLOOR_SERVER, String(port)]);
  const KV = loadProto('raft').shoal.raft.v1.KeyValue;
  const c: KeyValueClient = new KV(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const put = (key: string): Promise<void> => callUnary(c.Put.bind(c), { key, value: VALUE }, PUT_DEADLINE_MS).then(() => undefined);
    let up = false;
    for (let i = 0; i < 200 && !up; i++) up = await put('probe').then(() => true, async () => (await new Promise((r) => setTimeout(r, 25)), false));
    if (!up) throw new Error('grpc-js yardstick server did not answer');
    await warmUp('bare grpc-js server', (k, n) => put(`warmup-${k}-${n}`));
    const r = await closedLoop(64, LOAD_MS, (k, n) => put(`c${k}-${n}`));
    console.log(`bare grpc-js server, Put answered at once (yardstick): 64 clients: ${r.opsPerSecond.toFixed(0)} writes/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
    return r;
  } finally {
    c.close();
    await proc.kill('SIGTERM');
  }
}

/** Runs WARMUP_MS of 64-client load and then of one client, and shows what it measured. */
async function warmUp(name: string, op: (client: number, n: number) => Promise<void>): Promise<void> {
  for (const clients of [64, 1]) {
    const r = await closedLoop(clients, WARMUP_MS / 2, op);
    console.log(`${name}: warm-up, not counted: ${clients} clients: ${r.opsPerSecond.toFixed(0)} writes/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`);
  }
}

/** The median of each figure over rounds (an odd number of them). */
function medianOf(rounds: readonly LoadResult[]): LoadResult {
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const first = rounds[0] as LoadResult;
  return {
    clients: first.clients,
    opsPerSecond: mid(rounds.map((r) => r.opsPerSecond)),
    p50Ms: mid(rounds.map((r) => r.p50Ms)),
    p99Ms: mid(rounds.map((r) => r.p99Ms)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
  };
}

/**
 * Both clusters run side by side (the idle one only heartbeats) and take turns: each load level
 * goes to Shoal, then etcd, and the 64-client level, the headline, ROUNDS_64 times over, so that
 * a change in the machine's speed during the run reaches both alike. Medians per level.
 */
async function measureLoads(systems: readonly System[]): Promise<LoadResult[][]> {
  const leaders: number[] = [];
  for (const sys of systems) {
    const leader = await sys.leader();
    await warmUp(sys.name, (c, n) => sys.put(leader, `warmup-${c}-${n}`));
    leaders.push(leader);
  }
  const out: LoadResult[][] = systems.map(() => []);
  for (const clients of CLIENTS) {
    const rounds: LoadResult[][] = systems.map(() => []);
    for (let round = 0; round < (clients === 64 ? ROUNDS_64 : 1); round++) {
      for (const [i, sys] of systems.entries()) {
        const leader = leaders[i] as number;
        const r = await closedLoop(clients, LOAD_MS, (c, n) => sys.put(leader, `c${clients}-r${round}-${c}-${n}`));
        console.log(`${sys.name}: ${clients} clients: ${r.opsPerSecond.toFixed(0)} writes/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`);
        rounds[i]?.push(r);
      }
    }
    for (const [i, rs] of rounds.entries()) out[i]?.push(medianOf(rs));
  }
  return out;
}

/**
 * Not the headline: the same 64 clients, each writing on its own PutStream instead of one unary
 * call per write (etcd's client has no such call), so what one gRPC call per write costs shows.
 */
async function measureStreamed(sys: System): Promise<LoadResult> {
  const leader = await sys.leader();
  const s = sys.streams?.(leader, 64);
  if (s === undefined) throw new Error(`${sys.name} has no streamed writes`);
  try {
    await warmUp(`${sys.name}, streamed writes`, (c, n) => s.put(c, `s-warmup-${c}-${n}`));
    const rounds: LoadResult[] = [];
    for (let round = 0; round < ROUNDS_64; round++) {
      const r = await closedLoop(64, LOAD_MS, (c, n) => s.put(c, `s-r${round}-${c}-${n}`));
      console.log(`${sys.name}, streamed writes (one PutStream per client): 64 clients: ${r.opsPerSecond.toFixed(0)} writes/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`);
      rounds.push(r);
    }
    return medianOf(rounds);
  } finally {
    s.close();
  }
}

/** Kills the leader and times until a write commits through another member. */
async function failover(sys: System): Promise<number> {
  const leader = await sys.leader();
  await sys.killMember(leader);
  const started = performance.now();
  const others = [0, 1, 2].filter((i) => i !== leader);
  for (let attempt = 0; attempt < 2000; attempt++) {
    const i = others[attempt % others.length] as number;
    const ok = await Promise.race([sys.put(i, `failover-${attempt}`).then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 250))]);
    if (ok) return performance.now() - started;
  }
  return Infinity;
}

/** Restart of a Shoal node whose log holds `entries` entries: open the WAL and rebuild the core. */
async function restartWith(entries: number, root: string): Promise<number> {
  const dir = join(root, 'restart');
  const { wal } = await Wal.open(join(dir, 'wal'));
  const batch = 10_000;
  const data = Buffer.alloc(100, 'x');
  for (let i = 1; i <= entries; i += batch) {
    const es = Array.from({ length: Math.min(batch, entries - i + 1) }, (_, k) => ({ term: 1, index: i + k, type: 'ENTRY_NORMAL' as const, data }));
    await wal.save(i === 1 ? { term: 1, vote: 1, commit: 0 } : undefined, es, false);
  }
  await wal.save({ term: 1, vote: 1, commit: entries }, [], true);
  await wal.close();
  const started = performance.now();
  const disk = await RaftDisk.open(dir);
  const node = new RawNode({ id: 1, storage: disk.storage, rng: new SeededRng(1), applied: entries });
  const elapsed = performance.now() - started;
  if (node.status().lastIndex !== entries) throw new Error(`restart: expected ${entries} entries, found ${node.status().lastIndex}`);
  await disk.close();
  return elapsed;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-bench-raft-'));
  try {
    const shoal = await shoalCluster(root);
    const etcd = await etcdCluster(root).catch(async (err: unknown) => {
      await shoal.stop();
      throw err;
    });
    let shoalLoad: LoadResult[];
    let etcdLoad: LoadResult[];
    let shoalFailoverMs: number;
    let streamed: LoadResult;
    let etcdFailoverMs: number;
    try {
      const loads = await measureLoads([shoal, etcd]);
      shoalLoad = loads[0] ?? [];
      etcdLoad = loads[1] ?? [];
      streamed = await measureStreamed(shoal);
      shoalFailoverMs = await failover(shoal);
      etcdFailoverMs = await failover(etcd);
    } finally {
      await shoal.stop();
      await etcd.stop();
    }

    const floor = await measureFloor();
    const restartMs = await restartWith(1_000_000, root);
    console.log(`time to a new leader that commits, after kill -9 of the leader: shoal ${shoalFailoverMs.toFixed(0)} ms, etcd ${etcdFailoverMs.toFixed(0)} ms`);
    console.log(`restart of a shoal node with 1,000,000 entries in its log: ${restartMs.toFixed(0)} ms`);
    for (let i = 0; i < CLIENTS.length; i++) {
      const s = shoalLoad[i] as LoadResult;
      const e = etcdLoad[i] as LoadResult;
      console.log(`${CLIENTS[i]} clients${CLIENTS[i] === 64 ? ` (medians of ${ROUNDS_64} rounds)` : ''}: throughput ratio ${(s.opsPerSecond / e.opsPerSecond).toFixed(2)}, p99 shoal ${s.p99Ms.toFixed(2)} ms vs etcd ${e.p99Ms.toFixed(2)} ms`);
    }
    const s64 = shoalLoad[2] as LoadResult;
    const e64 = etcdLoad[2] as LoadResult;
    printResult({
      bench: 'raft',
      metric: 'writes_per_second_64_clients',
      shoal: Math.round(s64.opsPerSecond),
      peer: 'etcd 3.4 (etcd3 client)',
      peer_value: Math.round(e64.opsPerSecond),
      ratio: Number((s64.opsPerSecond / e64.opsPerSecond).toFixed(3)),
      better: 'higher',
      p99_ms: { shoal: Number(s64.p99Ms.toFixed(2)), peer: Number(e64.p99Ms.toFixed(2)) },
      failover_ms: { shoal: Math.round(shoalFailoverMs), peer: Math.round(etcdFailoverMs) },
      restart_1m_entries_ms: Math.round(restartMs),
      shoal_streamed_64_clients: { writes_per_second: Math.round(streamed.opsPerSecond), p99_ms: Number(streamed.p99Ms.toFixed(2)) },
      grpc_js_floor_64_clients: { writes_per_second: Math.round(floor.opsPerSecond), p99_ms: Number(floor.p99Ms.toFixed(2)) },
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === FLOOR_SERVER) {
  await serveFloor(Number(process.argv[3]));
} else {
  await main();
  process.exit(0);
}
