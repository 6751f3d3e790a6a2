// RaftNode's membership API over the real transport: members of `shoal raft-kv` in this process,
// talking gRPC on loopback. A fourth member joins (as a learner, caught up from a snapshot sent
// over SendSnapshot, then a voter), leadership moves to it, and a founding member leaves and no
// longer counts; data written before and after is on all.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../../proto/load.js';
import type { KvPutStreamResponse__Output } from '../../../proto/gen/shoal/raft/v1/KvPutStreamResponse.js';
import { systemClock, waitUntil } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import { freeLoopbackPort } from '../../../shared/net.js';
import { callUnary, clientCredentials, type TlsMaterial } from '../../../shared/grpc.js';
import { testCa } from '../../../shared/test-pki.js';
import { KvServer } from './server.js';
import { KvStateMachine, encodePut, encodeSessionPut } from './state-machine.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const waitFor = (what: string, done: () => boolean, timeoutMs?: number): Promise<void> => waitUntil(systemClock, what, done, timeoutMs);

interface MemberOptions {
  readonly join?: boolean;
  readonly proposalTimeoutMs?: number;
  readonly tls?: TlsMaterial;
  readonly snapshotEntries?: number;
  readonly keepEntries?: number;
}

async function member(root: string, id: number, port: number, founding: Map<number, string>, o: MemberOptions = {}): Promise<KvServer> {
  const s = new KvServer({
    id,
    clusterId: 7,
    listen: `127.0.0.1:${port}`,
    dataDir: join(root, `m${id}`),
    initialMembers: founding,
    join: o.join === true,
    logger: silentLogger(),
    tickMs: 20,
    electionTicks: 10,
    snapshotEntries: o.snapshotEntries ?? 50,
    ...(o.keepEntries !== undefined ? { keepEntries: o.keepEntries } : {}),
    ...(o.proposalTimeoutMs !== undefined ? { proposalTimeoutMs: o.proposalTimeoutMs } : {}),
    ...(o.tls !== undefined ? { tls: o.tls } : {}),
  });
  await s.start();
  cleanups.push(() => s.stop());
  return s;
}

/** Three founding members in this process, with a leader elected; removed after the test. */
async function threeMembers(tag: string, o: { proposalTimeoutMs?: number; tls?: (id: number) => TlsMaterial } = {}): Promise<{ servers: KvServer[]; ports: number[] }> {
  const root = await mkdtemp(join(tmpdir(), `shoal-${tag}-`));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const ports = await Promise.all([1, 2, 3].map(() => freeLoopbackPort()));
  const founding = new Map([1, 2, 3].map((id) => [id, `127.0.0.1:${ports[id - 1]}`]));
  const servers = await Promise.all([1, 2, 3].map((id) => member(root, id, ports[id - 1] as number, founding, { ...(o.proposalTimeoutMs !== undefined ? { proposalTimeoutMs: o.proposalTimeoutMs } : {}), ...(o.tls !== undefined ? { tls: o.tls(id) } : {}) })));
  await waitFor('a leader', () => servers.some((s) => s.node.isLeader()));
  return { servers, ports };
}

const step = (what: string): void => {
  if (process.env['SHOAL_DEBUG_STEPS'] === '1') console.error(`[${systemClock.nowMs().toFixed(0)}] ${what}`);
};

const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());

describe('RaftNode membership (real transport, in process)', () => {
  it('adds a member as a learner, caught up from a snapshot sent over SendSnapshot, then a voter; moves leadership to it; removes a founder, who then no longer counts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-members-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const ports = await Promise.all([1, 2, 3, 4].map(() => freeLoopbackPort()));
    const founding = new Map([1, 2, 3].map((id) => [id, `127.0.0.1:${ports[id - 1]}`]));
    // No entries kept behind a snapshot: a member that joins later cannot replay the log.
    const servers = await Promise.all([1, 2, 3].map((id) => member(root, id, ports[id - 1] as number, founding, { keepEntries: 0 })));
    const leader = (): KvServer | undefined => servers.find((s) => s.node.isLeader());
    await waitFor('a leader', () => leader() !== undefined);

    for (let i = 0; i < 150; i++) await (leader() as KvServer).node.propose(encodePut(`k${i}`, Buffer.from(`v${i}`)));
    // Snapshots every 50 entries: wait until the leader's log starts past k0's entry.
    const first = leader() as KvServer;
    await waitFor('the leader to compact its log', () => first.node.status().snapshotIndex >= 100);
    step('150 written, compacted');

    // It knows where the existing members are, as a joining member is told, and founds nothing.
    const newcomer = await member(root, 4, ports[3] as number, founding, { join: true });
    servers.push(newcomer);
    // Caught up (match within 100 entries of the commit index) only once the snapshot is in:
    // until then the leader holds it as a learner. Polled every millisecond while that lasts.
    const learner = waitUntil(systemClock, 'member 4 to be a learner', () => first.node.status().confState.learners.includes(4), 30_000, 1);
    const cs = await first.node.addMember(4, `127.0.0.1:${ports[3]}`);
    await learner;
    expect(cs).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    await waitFor('the newcomer to apply everything', () => text(newcomer.sm.get('k149')) === 'v149');
    // It got the state from the leader's snapshot: k0 was in no entry it could have been sent.
    const got = newcomer.node.status();
    expect(got.received.snapshotsReceived).toBe(1);
    expect(got.snapshotIndex).toBeGreaterThanOrEqual(100);
    const KV = loadProto('raft').shoal.raft.v1.KeyValue;
    const newcomerClient = new KV(`127.0.0.1:${ports[3]}`, credentials.createInsecure());
    cleanups.push(async () => newcomerClient.close());
    const served = await callUnary(newcomerClient.Get.bind(newcomerClient), { key: 'k0', stale: true }, 5000);
    expect(served.value.toString()).toBe('v0');

    step('added');
    await first.node.transferLeadership(4);
    expect(newcomer.node.isLeader()).toBe(true);

    await newcomer.node.propose(encodePut('after', Buffer.from('transfer')));
    step('transferred and wrote');
    const removed = await newcomer.node.removeMember(1);
    expect(removed.voters).toEqual([2, 3, 4]);
    expect(newcomer.node.status().progress.has(1)).toBe(false);
    await newcomer.node.propose(encodePut('final', Buffer.from('write')));
    for (const s of servers.slice(1)) {
      await waitFor(`member ${s.node.id} to apply the last write`, () => text(s.sm.get('final')) === 'write');
      expect(text(s.sm.get('k0'))).toBe('v0');
      expect(text(s.sm.get('after'))).toBe('transfer');
    }
    // A linearizable read through a member that is not the leader sees the last write.
    await servers[1]?.node.read();
    expect(text(servers[1]?.sm.get('final'))).toBe('write');
    // Member 1 no longer counts: with it and member 2 stopped, members 3 and 4 are a majority of
    // the three voters left and still commit (of four voters they would not be).
    await servers[0]?.stop();
    await servers[1]?.stop();
    await newcomer.node.propose(encodePut('two of three', Buffer.from('commits')));
    await waitFor('member 3 to apply the write of two', () => text(servers[2]?.sm.get('two of three')) === 'commits');
  }, 60_000);

  it('refuses membership changes on a follower, naming the leader', async () => {
    const { servers } = await threeMembers('members');
    const follower = servers.find((s) => !s.node.isLeader()) as KvServer;
    const leaderId = (servers.find((s) => s.node.isLeader()) as KvServer).node.id;
    await waitFor('the follower to know the leader', () => follower.node.status().lead === leaderId);
    expect(() => follower.node.removeMember(leaderId)).toThrow(`membership changes go to the leader (node ${leaderId})`);
  }, 30_000);

  it('gives each of many proposals made at once its own entry, on the leader and through a follower, the leader\'s in the order made; refuses one made before there is a leader', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-raft-batch-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const ports = await Promise.all([1, 2, 3].map(() => freeLoopbackPort()));
    const founding = new Map([1, 2, 3].map((id) => [id, `127.0.0.1:${ports[id - 1]}`]));
    const servers = await Promise.all([1, 2, 3].map((id) => member(root, id, ports[id - 1] as number, founding)));
    // Before any election: refused at once, with the reason.
    await expect((servers[0] as KvServer).node.propose(encodePut('early', Buffer.from('x')))).rejects.toThrow(/proposal dropped: no leader known/);
    await waitFor('a leader', () => servers.some((s) => s.node.isLeader()));
    const leader = servers.find((s) => s.node.isLeader()) as KvServer;
    const follower = servers.find((s) => s !== leader) as KvServer;
    await waitFor('the follower to know the leader', () => follower.node.status().lead === leader.node.id);
    // Proposed in one turn of the event loop: they reach the core as batches.
    const viaLeader = Array.from({ length: 200 }, (_, i) => leader.node.propose(encodePut(`l${i}`, Buffer.from([i % 256]))));
    const viaFollower = Array.from({ length: 50 }, (_, i) => follower.node.propose(encodePut(`f${i}`, Buffer.from([i]))));
    const indexes = (await Promise.all([...viaLeader, ...viaFollower])) as number[];
    expect(new Set(indexes).size).toBe(250);
    // The leader's own proposals are appended in the order they were made.
    const own = indexes.slice(0, 200);
    expect(own).toEqual([...own].sort((a, b) => a - b));
    await waitFor('every member to hold all 250 keys', () => servers.every((s) => s.sm.keys().filter((k) => /^[lf]\d+$/.test(k)).length === 250));
  }, 30_000);

  it('writes the proposals made in one turn of the event loop to disk in one write, the first one included', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-raft-turn-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const port = await freeLoopbackPort();
    const solo = await member(root, 1, port, new Map([[1, `127.0.0.1:${port}`]]), { snapshotEntries: 100_000 });
    await waitFor('a leader', () => solo.node.isLeader());
    await solo.node.propose(encodePut('settle', Buffer.from('x')));
    const before = solo.node.status().walWrites;
    const indexes = (await Promise.all(Array.from({ length: 40 }, (_, i) => solo.node.propose(encodePut(`t${i}`, Buffer.from([i])))))) as number[];
    expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => (indexes[0] as number) + i));
    // One durable write for all 40 (the commit index that follows is not written on its own).
    // Running the loop at the first proposal would write it alone and the other 39 after it.
    expect(solo.node.status().walWrites - before).toBe(1);
  });

  it('does not fail a proposal made the moment this server leads, in its new term', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-raft-newterm-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const port = await freeLoopbackPort();
    const solo = await member(root, 1, port, new Map([[1, `127.0.0.1:${port}`]]));
    // Checked on every turn of the event loop, so the proposal comes before the loop has
    // finished writing the Ready that made this server leader.
    const deadline = systemClock.nowMs() + 10_000;
    while (!solo.node.isLeader() && systemClock.nowMs() < deadline) await new Promise((r) => setImmediate(r));
    expect(solo.node.isLeader()).toBe(true);
    await expect(solo.node.propose(encodePut('first', Buffer.from('x')))).resolves.toBeGreaterThan(0);
    expect(text(solo.sm.get('first'))).toBe('x');
  });

  it('fails proposals that cannot commit once their timeout passes, saying so', async () => {
    const { servers } = await threeMembers('raft-timeout', { proposalTimeoutMs: 500 });
    const leader = servers.find((s) => s.node.isLeader()) as KvServer;
    await leader.node.propose(encodePut('before', Buffer.from('ok')));
    // Both followers go (they drop what arrives from the moment stop is called); the leader keeps
    // its term (pre-vote), so only the deadline ends the wait.
    const termBefore = leader.node.status().term;
    const stopping = servers.filter((s) => s !== leader).map((s) => s.stop());
    const started = systemClock.nowMs();
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => leader.node.propose(encodePut(`lost${i}`, Buffer.from('x')))));
    const waited = systemClock.nowMs() - started;
    await Promise.all(stopping);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'raft.timeout', message: 'proposal did not complete within 500 ms' });
    }
    // Not before the deadline (measured on the clock the deadline is set by, so this cannot flake).
    expect(waited).toBeGreaterThanOrEqual(500);
    // And it was the deadline that failed them, nothing else: the term they were proposed in
    // still holds (a new term fails them as raft.leadership_lost). Check-quorum may have made the
    // leader step down meanwhile; that keeps the term and the proposals.
    expect(leader.node.status().term).toBe(termBefore);
    expect(text(leader.sm.get('lost1'))).toBeUndefined();
  }, 30_000);

  it('answers writes sent on one PutStream in the order sent, a bad one with its error, and goes on', async () => {
    const { servers, ports } = await threeMembers('raft-stream');
    const leader = servers.find((s) => s.node.isLeader()) as KvServer;
    const KV = loadProto('raft').shoal.raft.v1.KeyValue;
    const client = new KV(`127.0.0.1:${ports[servers.indexOf(leader)]}`, credentials.createInsecure());
    cleanups.push(async () => client.close());
    const stream = client.PutStream();
    const answers: KvPutStreamResponse__Output[] = [];
    stream.on('data', (r: KvPutStreamResponse__Output) => answers.push(r));
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    // All written at once: the server proposes each as it arrives and must still answer in order.
    const keys = Array.from({ length: 60 }, (_, i) => (i === 20 ? '' : `s${i}`));
    for (const [i, key] of keys.entries()) stream.write({ key, value: Buffer.from(`v${i}`) });
    stream.end();
    await ended;
    expect(answers).toHaveLength(60);
    expect(answers[20]).toMatchObject({ index: 0, error: 'key: must be 1 to 4096 bytes' });
    const indexes = answers.filter((_, i) => i !== 20).map((a) => Number(a.index));
    expect(indexes.every((x) => x > 0)).toBe(true);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(answers.filter((a) => a.error !== '')).toHaveLength(1);
    expect(text(leader.sm.get('s59'))).toBe('v59');
    expect(text(leader.sm.get('s19'))).toBe('v19');
  }, 30_000);

  it('applies a write sent again in its session once: the copy gets the first answer and undoes nothing, also after a snapshot', async () => {
    const { servers, ports } = await threeMembers('raft-session');
    const follower = servers.find((s) => !s.node.isLeader()) as KvServer;
    const KV = loadProto('raft').shoal.raft.v1.KeyValue;
    const client = new KV(`127.0.0.1:${ports[servers.indexOf(follower)]}`, credentials.createInsecure());
    cleanups.push(async () => client.close());
    const put = (session: number, seq: number, acked: number, key: string, value: string): Promise<number> =>
      callUnary(client.Put.bind(client), { key, value: Buffer.from(value), session, seq, acked }, 5000).then((r) => Number(r.index));
    const get = async (key: string): Promise<string> => (await callUnary(client.Get.bind(client), { key, stale: false }, 5000)).value.toString();

    const session = Number((await callUnary(client.OpenSession.bind(client), {}, 5000)).id);
    expect(session).toBeGreaterThan(0);
    const first = await put(session, 1, 0, 'a', 'x');
    const second = await put(session, 2, 0, 'a', 'y'); // the answer to 1 "lost": not acknowledged
    expect(second).toBeGreaterThan(first);
    // The client sends write 1 again (through a follower, so it is a new entry in the log):
    // answered as the first time, and it does not put back the older value.
    expect(await put(session, 1, 0, 'a', 'x')).toBe(first);
    expect(await get('a')).toBe('y');
    // Once acknowledged, a late copy is refused; a write without a session is applied each time.
    const third = await put(session, 3, 2, 'b', 'z');
    await expect(put(session, 1, 0, 'a', 'x')).rejects.toThrow(`session ${session}: command 1 was answered before (acknowledged up to 2)`);
    await expect(put(987_654, 1, 0, 'a', 'x')).rejects.toThrow('session 987654 is unknown or expired: open a new session');
    expect(await get('a')).toBe('y');
    expect(await put(0, 0, 0, 'a', 'x')).not.toBe(await put(0, 0, 0, 'a', 'x'));

    // The sessions travel in snapshots: a server restored from one answers the copy, unapplied.
    const restored = new KvStateMachine();
    restored.restore(await follower.sm.snapshot());
    expect(restored.apply(encodeSessionPut({ session, seq: 3, acked: 2 }, 'b', Buffer.from('other')), 1_000_000)).toBe(third);
    expect(text(restored.get('b'))).toBe('z');
  }, 30_000);

  it('replicates over mutual TLS; refuses a client without a certificate or with one from another CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-tls-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const ca = await testCa(dir);
    const certs = await Promise.all([1, 2, 3].map((id) => ca.issue(`member-${id}`)));
    // The members talk to each other with these certificates only: a leader, then a write
    // through a follower that every member applies, proves the transport runs over mutual TLS.
    const { servers, ports } = await threeMembers('raft-tls', { tls: (id) => certs[id - 1] as TlsMaterial });
    const follower = servers.find((s) => !s.node.isLeader()) as KvServer;
    const port = ports[servers.indexOf(follower)] as number;
    const KV = loadProto('raft').shoal.raft.v1.KeyValue;
    const clientWith = (credentials: ReturnType<typeof clientCredentials>) => {
      const c = new KV(`127.0.0.1:${port}`, credentials);
      cleanups.push(async () => c.close());
      return c;
    };
    const good = clientWith(clientCredentials(await ca.issue('operator')));
    await callUnary(good.Put.bind(good), { key: 'k', value: Buffer.from('over tls') }, 5000);
    await waitFor('the write on every member', () => servers.every((s) => text(s.sm.get('k')) === 'over tls'));

    const plain = clientWith(credentials.createInsecure());
    await expect(callUnary(plain.Put.bind(plain), { key: 'plain', value: Buffer.from('x') }, 2000)).rejects.toMatchObject({ kind: 'unavailable' });
    const other = await testCa(dir, 'another-ca');
    const stranger = clientWith(clientCredentials({ ...(await other.issue('stranger')), caPem: ca.caPem }));
    await expect(callUnary(stranger.Put.bind(stranger), { key: 'stranger', value: Buffer.from('x') }, 2000)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(servers.map((s) => [s.sm.get('plain'), s.sm.get('stranger')].filter((v) => v !== undefined))).toEqual([[], [], []]);
  }, 30_000);
});
