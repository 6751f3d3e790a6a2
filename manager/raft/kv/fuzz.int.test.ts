// Fuzzing the Raft transport of a running `shoal raft-kv` member (real processes, real gRPC on
// loopback): 5,000 messages, random ones and valid ones with fields mutated, in batches on
// message streams (claiming a member, claiming nobody, of the wrong cluster) and as snapshot
// uploads (oversized, two at once, malformed), while a client keeps writing through that member.
// The member must never die, must keep committing (a write is acknowledged after every round of
// the fuzz), no message may fail inside the core (validation must have refused it), and every
// acknowledged write must be there at the end.
//
// The valid messages the mutations start from are stale (a term below the cluster's) or of the
// kinds a follower forwards, so those that stay valid are ignored or harmless: a well-formed
// message of the current term from a member is believed, as Raft requires (validate.ts).
// Seeded: SHOAL_FUZZ_SEED=N replays the same messages (the cluster's timing still varies).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../../proto/load.js';
import type { KeyValueClient } from '../../../proto/gen/shoal/raft/v1/KeyValue.js';
import type { Message as PbMessage } from '../../../proto/gen/shoal/raft/v1/Message.js';
import type { RaftTransportClient } from '../../../proto/gen/shoal/raft/v1/RaftTransport.js';
import type { SnapshotChunk } from '../../../proto/gen/shoal/raft/v1/SnapshotChunk.js';
import { systemClock } from '../../../shared/clock.js';
import { callUnary } from '../../../shared/grpc.js';
import { freeLoopbackPort } from '../../../shared/net.js';
import { SeededRng } from '../../../shared/rng.js';
import { encodeEnvelope } from '../envelope.js';
import { encodeConfChange } from '../membership.js';
import { encodeSnapshotData } from '../snapshot-data.js';
import { SENDER_METADATA, toPb } from '../transport.js';
import { message, type Entry, type Message } from '../types.js';
import { encodePut } from './state-machine.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const shoalBin = join(repoRoot, 'bin', 'shoal.js');

const SEED = Number(process.env['SHOAL_FUZZ_SEED'] ?? 1);
/** Messages the test sends, all of them: it fails if the budget runs out first. */
const MESSAGES_MAX = 5_000;
/**
 * Time to send them in. Measured: 0.8–1.1 s on a shared 2-core machine (seeds 1–4), at most 1.6 s
 * over seven seeds before; 15 s is about ten times the slowest, for a slower CI machine.
 */
const FUZZ_BUDGET_MS = 15_000;
const ROUND_MESSAGES = 250;
const CLUSTER_ID = 5;
const SNAPSHOT_BYTES_MAX = 256 * 1024;
/** How long a round may go without an acknowledged write before the test calls it a stall. */
const ROUND_PROGRESS_WAIT_MS = 10_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Member {
  readonly id: number;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  stderr: string;
  readonly kv: KeyValueClient;
}

async function startCluster(): Promise<Member[]> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-fuzz-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const ports = await Promise.all([1, 2, 3].map(() => freeLoopbackPort()));
  const list = ports.map((p, i) => `${i + 1}=127.0.0.1:${p}`).join(',');
  const KV = loadProto('raft').shoal.raft.v1.KeyValue;
  return ports.map((port, i) => {
    const id = i + 1;
    const proc = spawn(
      process.execPath,
      [shoalBin, '--log-level', 'warn', 'raft-kv', '--id', String(id), '--listen', `127.0.0.1:${port}`, '--data-dir', join(root, `m${id}`), '--members', list, '--cluster-id', String(CLUSTER_ID), '--tick', '20ms', '--election-ticks', '10', '--snapshot-bytes-max', String(SNAPSHOT_BYTES_MAX)],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const kv = new KV(`127.0.0.1:${port}`, credentials.createInsecure());
    const m: Member = { id, port, proc, exited, stderr: '', kv };
    // Kept whole: the assertions read every line the member logged.
    proc.stderr?.on('data', (b: Buffer) => (m.stderr += b.toString()));
    cleanups.push(async () => {
      kv.close();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    });
    return m;
  });
}

/** Every member names the same leader; bounded. */
async function agreedLeader(members: readonly Member[]): Promise<{ leader: number; term: number }> {
  for (let i = 0; i < 200; i++) {
    const all = await Promise.all(members.map((m) => callUnary(m.kv.Status.bind(m.kv), {}, 1000).catch(() => undefined)));
    const first = all[0];
    if (first !== undefined && first.leaderId !== 0 && all.every((s) => s?.leaderId === first.leaderId)) return { leader: Number(first.leaderId), term: Number(first.term) };
    await systemClock.sleep(50);
  }
  throw new Error(`the members did not agree on a leader:\n${members.map((m) => m.stderr.slice(-2000)).join('\n')}`);
}

// ---- the client that keeps writing ----

class Writer {
  readonly acked: string[] = [];
  private stopped = false;
  private waiters: (() => void)[] = [];
  done: Promise<void> = Promise.resolve();

  constructor(private readonly kv: KeyValueClient) {}

  start(): void {
    this.done = (async () => {
      for (let n = 0; !this.stopped && n < 1_000_000; n++) {
        const key = `w${n}`;
        const ok = await callUnary(this.kv.Put.bind(this.kv), { key, value: Buffer.from(`v${n}`) }, 3000).then(
          () => true,
          () => false,
        );
        if (!ok) continue;
        this.acked.push(key);
        for (const w of this.waiters.splice(0)) w();
      }
    })();
  }

  /** Resolves at the next acknowledged write; rejects after `timeoutMs` without one. */
  nextAck(timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = systemClock.setTimer(timeoutMs, () => reject(new Error(`no write acknowledged within ${timeoutMs} ms ${what}`)));
      this.waiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

// ---- messages ----

type Rng = SeededRng;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)] as T;
const bytes = (r: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => r.int(256)));

const U64_MAX = '18446744073709551615';
/** Values no term or index may take (validate.ts: whole numbers up to 2^52). */
const OUT_OF_RANGE: readonly (number | string)[] = [-1, 2 ** 52 + 1, 2 ** 53, 2 ** 63, U64_MAX, 2 ** 32];

interface Cluster {
  readonly target: number;
  readonly others: readonly number[];
  /** A term below the cluster's: a message of it is stale. */
  readonly staleTerm: number;
}

/** A valid message to the target that the core ignores or that does no harm (see the header). */
function template(r: Rng, c: Cluster): Message {
  const from = pick(r, c.others);
  const t = c.staleTerm;
  const entries = (after: number, n: number): Entry[] =>
    Array.from({ length: n }, (_, i) => ({ term: t, index: after + 1 + i, type: 'ENTRY_NORMAL' as const, data: encodeEnvelope(from, r.int(2 ** 32), encodePut(`fuzz-${r.int(1000)}`, bytes(r, 8))) }));
  const base = { to: c.target, from };
  switch (r.int(13)) {
    case 0: {
      const index = r.int(50);
      return message({ ...base, type: 'MSG_APP', term: t, index, logTerm: index === 0 ? 0 : t, commit: r.int(60), entries: entries(index, r.int(5)) });
    }
    case 1: {
      const index = r.int(50);
      return message({ ...base, type: 'MSG_APP_RESP', term: t, index, reject: r.float() < 0.5, rejectHint: r.int(index + 1) });
    }
    case 2:
      return message({ ...base, type: pick(r, ['MSG_VOTE', 'MSG_PRE_VOTE'] as const), term: t, index: r.int(100), logTerm: r.int(t + 1) });
    case 3:
      return message({ ...base, type: pick(r, ['MSG_VOTE_RESP', 'MSG_PRE_VOTE_RESP'] as const), term: t, reject: r.float() < 0.5 });
    case 4:
      return message({ ...base, type: 'MSG_HEARTBEAT', term: t, commit: r.int(60), context: bytes(r, r.int(2) * 16) });
    case 5:
      return message({ ...base, type: 'MSG_HEARTBEAT_RESP', term: t, context: bytes(r, r.int(2) * 16) });
    case 6:
      return message({ ...base, type: 'MSG_TIMEOUT_NOW', term: t });
    case 7:
      return message({ ...base, type: 'MSG_READ_INDEX_RESP', term: t, index: r.int(60), context: bytes(r, 16) });
    case 8:
      // A read forwarded by a member: the leader confirms it and answers a member that never asked.
      return message({ ...base, type: 'MSG_READ_INDEX', context: bytes(r, 16) });
    case 9:
      // A member asks that the target lead: nothing to do when it does, or it becomes a candidate
      // only through the leader (which ignores a transfer to itself).
      return message({ ...base, type: 'MSG_TRANSFER_LEADER', from: c.target });
    default: {
      // A proposal forwarded by a member: committed and applied like any write; what the state
      // machine cannot read it refuses, on every member alike.
      const command = r.float() < 0.5 ? encodePut(`fuzz-${r.int(1000)}`, bytes(r, 8)) : bytes(r, r.int(40));
      return message({ ...base, type: 'MSG_PROP', entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: encodeEnvelope(from, r.int(2 ** 32), command) }] });
    }
  }
}

const FIELDS = ['type', 'to', 'from', 'term', 'logTerm', 'index', 'commit', 'rejectHint', 'context', 'entries', 'snapshot'] as const;

/** One field of `p` replaced by a value out of its range or of another shape; never a current term. */
function mutate(r: Rng, p: PbMessage, c: Cluster): PbMessage {
  const field = pick(r, FIELDS);
  switch (field) {
    case 'type':
      return { ...p, type: r.float() < 0.5 ? (14 + r.int(100)) : (r.int(14) as unknown as PbMessage['type']) } as PbMessage;
    case 'to':
      return { ...p, to: pick(r, [0, 99, 2 ** 32, ...c.others, U64_MAX]) };
    case 'from':
      return { ...p, from: pick(r, [0, c.target, 99, 2 ** 32, ...c.others, U64_MAX]) };
    case 'term':
      return { ...p, term: pick(r, [0, ...OUT_OF_RANGE, ...(c.staleTerm > 1 ? [c.staleTerm - 1] : [])]) };
    case 'logTerm':
    case 'index':
    case 'commit':
    case 'rejectHint':
      return { ...p, [field]: pick(r, [...OUT_OF_RANGE, r.int(1000), 0]) };
    case 'context':
      return { ...p, context: r.float() < 0.5 ? Buffer.alloc(0) : bytes(r, 1025 + r.int(2000)) };
    case 'snapshot':
      return { ...p, snapshot: { index: pick(r, [0, 5, ...OUT_OF_RANGE]), term: c.staleTerm, confState: { voters: pick(r, [[], [0], [1, 1], [1, 2, 3]]), learners: [] } } };
    case 'entries':
      return { ...p, entries: mutateEntries(r, p) };
  }
}

function mutateEntries(r: Rng, p: PbMessage): NonNullable<PbMessage['entries']> {
  const entries = [...(p.entries ?? [])];
  const e = { term: Number(p.term ?? 1), index: Number(p.index ?? 0) + 1, type: 'ENTRY_NORMAL' as const, data: Buffer.from('x') };
  switch (r.int(7)) {
    case 0: // an index that does not follow
      return [...entries, { ...e, index: Number(p.index ?? 0) + entries.length + 2 + r.int(5) }];
    case 1: // an entry newer than its message
      return [...entries, { ...e, index: Number(p.index ?? 0) + entries.length + 1, term: Number(p.term ?? 0) + 1 + r.int(5) }];
    case 2: // an unknown entry type
      return [...entries, { ...e, index: Number(p.index ?? 0) + entries.length + 1, type: (2 + r.int(50)) as unknown as 'ENTRY_NORMAL' }];
    case 3: // a membership change that does not decode, or one forwarded
      return [{ ...e, type: 'ENTRY_CONF_CHANGE', data: r.float() < 0.5 ? bytes(r, 20) : Buffer.from(encodeConfChange({ type: 'CONF_REMOVE', nodeId: 2, context: '' })) }];
    case 4: // a proposal without an envelope, or with a stranger's
      return [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: r.float() < 0.5 ? bytes(r, 12) : Buffer.from(encodeEnvelope(77, 1, new Uint8Array([1]))) }];
    case 5: // none at all
      return [];
    default: // indexes and terms out of range
      return [{ ...e, index: pick(r, OUT_OF_RANGE), term: pick(r, OUT_OF_RANGE) }];
  }
}

/** A message with every field random. */
function garbage(r: Rng, c: Cluster): PbMessage {
  const num = (): number | string => pick(r, [0, 1, r.int(10), r.int(2 ** 31), ...OUT_OF_RANGE]);
  return {
    type: r.int(20) as unknown as NonNullable<PbMessage['type']>,
    to: pick(r, [c.target, 0, r.int(10)]),
    from: pick(r, [...c.others, 0, r.int(10)]),
    term: num(),
    logTerm: num(),
    index: num(),
    commit: num(),
    reject: r.float() < 0.5,
    rejectHint: num(),
    context: bytes(r, r.int(40)),
    entries: Array.from({ length: r.int(3) }, () => ({ term: num(), index: num(), type: r.int(4) as unknown as 'ENTRY_NORMAL', data: bytes(r, r.int(30)) })),
    snapshot: null,
  };
}

const serialize = loadProto('raft').shoal.raft.v1.RaftTransport.service.Stream.requestSerialize;

/** The next fuzz message: a third random, the rest valid with 1–3 fields mutated (1 in 10 left valid). */
function nextMessage(r: Rng, c: Cluster): PbMessage {
  for (;;) {
    let p: PbMessage;
    if (r.float() < 0.33) p = garbage(r, c);
    else {
      p = toPb(template(r, c));
      if (r.float() >= 0.1) for (let i = 1 + r.int(3); i > 0; i--) p = mutate(r, p, c);
    }
    try {
      serialize({ clusterId: CLUSTER_ID, messages: [p] });
      return p;
    } catch {
      // Not encodable at all (a value protobuf refuses): the network cannot carry it either.
    }
  }
}

const claim = (id: number | string): Metadata => {
  const md = new Metadata();
  md.set(SENDER_METADATA, String(id));
  return md;
};

/** Writes batches on one stream; resolves with its status (null: accepted). */
function sendStream(client: RaftTransportClient, md: Metadata, batches: PbMessage[][], clusterId = CLUSTER_ID): Promise<ServiceError | null> {
  return new Promise((resolve) => {
    const call = client.Stream(md, (err) => resolve(err));
    call.on('error', () => undefined); // the status says it
    for (const messages of batches) call.write({ clusterId, messages });
    call.end();
  });
}

interface UploadResult {
  readonly code: number;
}

function upload(client: RaftTransportClient, from: number, header: PbMessage | null, data: Buffer, o: { last?: boolean; clusterId?: number } = {}) {
  let call!: ReturnType<RaftTransportClient['SendSnapshot']>;
  const outcome = new Promise<UploadResult>((resolve) => {
    call = client.SendSnapshot(claim(from), (err) => resolve({ code: err?.code ?? GrpcStatus.OK }));
  });
  call.on('error', () => undefined);
  const size = 64 * 1024;
  for (let off = 0; off === 0 || off < data.length; off += size) {
    const end = off + size >= data.length;
    call.write({ clusterId: o.clusterId ?? CLUSTER_ID, message: off === 0 ? header : null, data: data.subarray(off, off + size), last: end && o.last !== false } satisfies SnapshotChunk);
    if (end) break;
  }
  if (o.last !== false) call.end();
  return { call, outcome };
}

/** One snapshot case; returns the messages it sent (headers) and the statuses seen. */
async function snapshotCase(r: Rng, client: RaftTransportClient, c: Cluster): Promise<{ sent: number; codes: number[] }> {
  const from = pick(r, c.others);
  const goodData = Buffer.from(encodeSnapshotData(new Map(c.others.map((id) => [id, `127.0.0.1:${id}`])), bytes(r, 100)));
  const header = (): PbMessage => toPb(message({ type: 'MSG_SNAP', from, to: c.target, term: c.staleTerm, snapshot: { meta: { index: 1000 + r.int(1000), term: c.staleTerm, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) } }));
  switch (r.int(6)) {
    case 0: // larger than --snapshot-bytes-max
      return { sent: 1, codes: [(await upload(client, from, header(), Buffer.alloc(SNAPSHOT_BYTES_MAX + 1 + r.int(1000))).outcome).code] };
    case 1: {
      // Two at once from one member: the second is refused; the first is then cut off.
      // Both calls share one connection, so the first's chunk arrives before the second's header.
      const first = upload(client, from, header(), goodData, { last: false });
      const second = await upload(client, from, header(), goodData).outcome;
      first.call.cancel();
      return { sent: 2, codes: [second.code, (await first.outcome).code] };
    }
    case 2: // a header with a field mutated
      return { sent: 1, codes: [(await upload(client, from, mutate(r, header(), c), goodData).outcome).code] };
    case 3: // data that is not a snapshot
      return { sent: 1, codes: [(await upload(client, from, header(), bytes(r, 1 + r.int(300))).outcome).code] };
    case 4: // another cluster's
      return { sent: 1, codes: [(await upload(client, from, header(), goodData, { clusterId: CLUSTER_ID + 1 }).outcome).code] };
    default: // a valid but stale snapshot: taken by the transport, ignored by the core
      return { sent: 1, codes: [(await upload(client, from, header(), goodData).outcome).code] };
  }
}

describe(`raft transport fuzz (real processes, seed ${SEED})`, () => {
  it('a member under 5,000 random and mutated messages and snapshot uploads never dies, keeps committing, and loses no acknowledged write', async () => {
    const members = await startCluster();
    const { leader, term } = await agreedLeader(members);
    const target = members.find((m) => m.id === leader) as Member;
    const c: Cluster = { target: target.id, others: members.filter((m) => m !== target).map((m) => m.id), staleTerm: term - 1 };
    expect(c.staleTerm).toBeGreaterThanOrEqual(1); // bootstrap is term 1, the first election 2

    const raft = new (loadProto('raft').shoal.raft.v1.RaftTransport)(`127.0.0.1:${target.port}`, credentials.createInsecure());
    cleanups.push(async () => raft.close());
    const writer = new Writer(target.kv);
    writer.start();
    cleanups.push(() => writer.stop());
    await writer.nextAck(ROUND_PROGRESS_WAIT_MS, 'before the fuzz');

    const r = new SeededRng(SEED);
    const codes = new Map<number, number>();
    const count = (code: number): void => void codes.set(code, (codes.get(code) ?? 0) + 1);
    const startedMs = systemClock.nowMs();
    let sent = 0;
    for (let round = 0; sent < MESSAGES_MAX && systemClock.nowMs() - startedMs < FUZZ_BUDGET_MS; round++) {
      const progress = writer.nextAck(ROUND_PROGRESS_WAIT_MS, `after fuzz round ${round} (seed ${SEED})`);
      progress.catch(() => undefined); // awaited below; a stall must not be an unhandled rejection meanwhile
      // The main stream: claiming a member, or nobody (then held to its first sender).
      const batches: PbMessage[][] = [];
      for (let n = 0; n < ROUND_MESSAGES - 10; ) {
        const batch = Array.from({ length: 1 + r.int(20) }, () => nextMessage(r, c));
        batches.push(batch);
        n += batch.length;
      }
      count((await sendStream(raft, r.float() < 0.6 ? claim(pick(r, c.others)) : new Metadata(), batches))?.code ?? GrpcStatus.OK);
      sent += batches.reduce((n, b) => n + b.length, 0);
      // A stream refused whole: another cluster's, or one claiming a sender that is no id.
      const side = Array.from({ length: 5 }, () => nextMessage(r, c));
      const refused = r.float() < 0.5 ? await sendStream(raft, new Metadata(), [side], CLUSTER_ID + 1) : await sendStream(raft, claim(pick(r, ['0', 'x', '99999999999', '-3'])), [side]);
      count(refused?.code ?? GrpcStatus.OK);
      sent += side.length;
      const snap = await snapshotCase(r, raft, c);
      for (const code of snap.codes) count(code);
      sent += snap.sent;
      await progress;
      expect(target.proc.exitCode, `member ${target.id} exited in round ${round}:\n${target.stderr.slice(-3000)}`).toBeNull();
    }
    await writer.stop();
    if (process.env['SHOAL_FUZZ_DEBUG'] === '1') {
      console.error({ sent, elapsedMs: Math.round(systemClock.nowMs() - startedMs), acked: writer.acked.length, codes: Object.fromEntries(codes), drops: target.stderr.split('\n').filter((l) => l.includes('dropped')).length, stderrTail: target.stderr.slice(-3000) });
    }

    // Alive, every member.
    for (const m of members) expect({ id: m.id, exitCode: m.proc.exitCode, signal: m.proc.signalCode }).toEqual({ id: m.id, exitCode: null, signal: null });
    // All of them, not as many as the time allowed: the test's name is its claim.
    expect(sent, `messages sent within FUZZ_BUDGET_MS (${FUZZ_BUDGET_MS} ms), seed ${SEED}`).toBeGreaterThanOrEqual(MESSAGES_MAX);
    // Validation refused what it should, and nothing it let through failed in the core.
    expect(target.stderr).toContain('"msg":"raft message dropped"');
    expect(target.stderr).toContain('"msg":"raft snapshot refused"');
    expect(target.stderr).not.toContain('failed in the core');
    expect(codes.get(GrpcStatus.PERMISSION_DENIED) ?? 0).toBeGreaterThan(0);
    expect(codes.get(GrpcStatus.INVALID_ARGUMENT) ?? 0).toBeGreaterThan(0);
    expect(codes.get(GrpcStatus.RESOURCE_EXHAUSTED) ?? 0).toBeGreaterThan(0);
    // Every acknowledged write is there, read through the target and through another member.
    // The fuzz may legitimately have cost the leader its place (a message claiming a member,
    // with a higher term): read once the members agree on a leader again.
    await agreedLeader(members);
    const other = members.find((m) => m !== target) as Member;
    for (const via of [target, other]) {
      const missing: string[] = [];
      for (const key of writer.acked) {
        const got = await callUnary(via.kv.Get.bind(via.kv), { key, stale: false }, 5000);
        if (!got.found) missing.push(key);
      }
      expect(missing, `acknowledged writes missing on member ${via.id}`).toEqual([]);
    }
    expect(writer.acked.length).toBeGreaterThan(0);
  }, 90_000);
});
