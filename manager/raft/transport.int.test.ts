// The receiving side of the Raft transport over real gRPC on loopback: a bad message is dropped
// and logged (once per kind per interval), never handed to the core; snapshot uploads are one at
// a time per member, bounded in size and in idle time, and a refusal is a clear gRPC status.

import { Writable } from 'node:stream';
import { Metadata, Server, credentials, status as GrpcStatus, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import type { Message as PbMessage } from '../../proto/gen/shoal/raft/v1/Message.js';
import type { MessageBatch } from '../../proto/gen/shoal/raft/v1/MessageBatch.js';
import type { RaftTransportClient } from '../../proto/gen/shoal/raft/v1/RaftTransport.js';
import type { SnapshotAck__Output } from '../../proto/gen/shoal/raft/v1/SnapshotAck.js';
import type { SnapshotChunk } from '../../proto/gen/shoal/raft/v1/SnapshotChunk.js';
import { ManualClock, systemClock, waitUntil, type Clock } from '../../shared/clock.js';
import { listen, shutdown } from '../../shared/grpc.js';
import { createLogger } from '../../shared/logger.js';
import { encodeEnvelope } from './envelope.js';
import { encodeSnapshotData } from './snapshot-data.js';
import { SENDER_METADATA, TRANSPORT_DEFAULTS, emptyReceiveStats, toPb, transportHandlers, type ReceiveStats } from './transport.js';
import { message, type Message } from './types.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CLUSTER = 7;
const SNAPSHOT_BYTES_MAX = 64 * 1024;
const IDLE_MS = 300;

interface Receiving {
  readonly client: RaftTransportClient;
  readonly delivered: Message[];
  readonly stats: ReceiveStats;
  /** Log lines written, parsed. */
  readonly logs: { msg: string; reason?: string; heldBackSinceLast?: number }[];
}

interface ReceivingOptions {
  /** Stands in for the Raft core: it may throw, as an assertion in the core would. Default: takes everything. */
  readonly core?: (m: Message) => void;
  /** The receiver's clock (drop log, snapshot idle timers). Default: the system clock. */
  readonly clock?: Clock;
}

/** Server 1 of members 1, 2, 3, receiving on loopback, with a client to it. */
async function receiving(o: ReceivingOptions = {}): Promise<Receiving> {
  const delivered: Message[] = [];
  const onMessage = (m: Message): void => {
    o.core?.(m);
    delivered.push(m);
  };
  const stats = emptyReceiveStats();
  const logs: Receiving['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l !== '')) logs.push(JSON.parse(line) as Receiving['logs'][number]);
      done();
    },
  });
  const server = new Server();
  const raft = loadProto('raft').shoal.raft.v1;
  server.addService(
    raft.RaftTransport.service,
    transportHandlers(
      { clusterId: CLUSTER, self: 1, isKnown: (id) => id === 2 || id === 3, onMessage },
      { logger: createLogger({ level: 'info', format: 'json', destination: sink }), clock: o.clock ?? systemClock, stats, snapshotBytesMax: SNAPSHOT_BYTES_MAX, snapshotIdleTimeoutMs: IDLE_MS },
    ),
  );
  const address = await listen(server, { kind: 'tcp', host: '127.0.0.1', port: 0 });
  cleanups.push(() => shutdown(server, systemClock, 1000));
  const client = new raft.RaftTransport(`127.0.0.1:${address.kind === 'tcp' ? address.port : 0}`, credentials.createInsecure());
  cleanups.push(async () => client.close());
  return { client, delivered, stats, logs };
}

const sender = (id: number): Metadata => {
  const md = new Metadata();
  md.set(SENDER_METADATA, String(id));
  return md;
};

const heartbeat = (from: number, commit = 0): Message => message({ type: 'MSG_HEARTBEAT', from, to: 1, term: 3, commit });

/** Sends batches on one stream and ends it; resolves with the call's outcome. */
function streamBatches(client: RaftTransportClient, batches: PbMessage[][], md = new Metadata(), clusterId = CLUSTER): Promise<ServiceError | null> {
  return new Promise((resolve) => {
    const call = client.Stream(md, (err) => resolve(err));
    for (const messages of batches) call.write({ clusterId, messages } satisfies MessageBatch);
    call.end();
  });
}

describe('RaftTransport receiving: messages', () => {
  it('drops a bad message, delivers the good ones around it, and goes on', async () => {
    const r = await receiving();
    const proposalFrom0: PbMessage = { ...toPb(message({ type: 'MSG_PROP', from: 2, to: 1, entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: encodeEnvelope(2, 1, new Uint8Array([1])) }] })), from: 0 };
    const unknownType = { ...toPb(heartbeat(2)), type: 42 } as unknown as PbMessage;
    const err = await streamBatches(r.client, [[toPb(heartbeat(2, 1)), proposalFrom0, unknownType, toPb(heartbeat(2, 2))]]);
    expect(err).toBeNull();
    expect(r.delivered.map((m) => [m.type, m.commit])).toEqual([
      ['MSG_HEARTBEAT', 1],
      ['MSG_HEARTBEAT', 2],
    ]);
    expect(r.stats).toMatchObject({ messagesAccepted: 2, messagesDropped: 2 });
    expect(r.logs.filter((l) => l.msg === 'raft message dropped').map((l) => l.reason)).toEqual(['from: 0 names no member', 'type: 42 is not a Raft message type']);
  });

  it('logs a flood of bad messages once per kind per interval, counting the rest', async () => {
    const clock = new ManualClock();
    const r = await receiving({ clock });
    const bad = { ...toPb(heartbeat(2)), to: 3 };
    const err = await streamBatches(r.client, Array.from({ length: 10 }, () => Array.from({ length: 100 }, () => bad)));
    expect(err).toBeNull();
    expect(r.stats.messagesDropped).toBe(1000);
    expect(r.delivered).toEqual([]);
    // One line for the first; the other 999 wait for the next line of that kind, an interval on.
    expect(r.logs.filter((l) => l.msg === 'raft message dropped')).toHaveLength(1);
    clock.advance(TRANSPORT_DEFAULTS.dropLogIntervalMs);
    expect(await streamBatches(r.client, [[bad]])).toBeNull();
    expect(r.logs.filter((l) => l.msg === 'raft message dropped').map((l) => l.heldBackSinceLast)).toEqual([undefined, 999]);
  });

  it('logs a bad entry once whatever its place in the list: entries[3] and entries[40] are one kind', async () => {
    const r = await receiving({ clock: new ManualClock() });
    const entry = (type: 'ENTRY_NORMAL' | 'ENTRY_CONF_CHANGE') => ({ term: 0, index: 0, type, data: encodeEnvelope(2, 1, new Uint8Array([1])) });
    // Proposals whose first bad entry sits at a different place in each.
    const proposals = Array.from({ length: 50 }, (_, i) => toPb(message({ type: 'MSG_PROP', from: 2, to: 1, entries: [...Array.from({ length: i }, () => entry('ENTRY_NORMAL')), entry('ENTRY_CONF_CHANGE')] })));
    expect(await streamBatches(r.client, [proposals])).toBeNull();
    expect(r.stats.messagesDropped).toBe(50);
    expect(r.logs.filter((l) => l.msg === 'raft message dropped').map((l) => l.reason)).toEqual(['entries[0].type: ENTRY_CONF_CHANGE: a forwarded proposal holds normal entries only']);
  });

  it('holds a stream to the sender its metadata names, or else to its first sender', async () => {
    const r = await receiving();
    expect(await streamBatches(r.client, [[toPb(heartbeat(2)), toPb(heartbeat(3))]], sender(3))).toBeNull();
    expect(await streamBatches(r.client, [[toPb(heartbeat(2)), toPb(heartbeat(3)), toPb(heartbeat(2))]])).toBeNull();
    expect(r.delivered.map((m) => m.from)).toEqual([3, 2, 2]);
    expect(r.logs.filter((l) => l.msg === 'raft message dropped').map((l) => l.reason)).toEqual(['from: 2 is not the sender this connection claims (3)']);
  });

  it('refuses a stream of another cluster, or one that names no valid sender, with its status', async () => {
    const r = await receiving();
    expect(await streamBatches(r.client, [[toPb(heartbeat(2))]], new Metadata(), 8)).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: 'messages of cluster 8 sent to cluster 7' });
    const md = new Metadata();
    md.set(SENDER_METADATA, 'two');
    expect(await streamBatches(r.client, [[toPb(heartbeat(2))]], md)).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: `${SENDER_METADATA}: must be one member id from 1 to 4294967295` });
    expect(r.delivered).toEqual([]);
  });
});

// ---- snapshots ----

const snapshotHeader = (from: number, o: { term?: number } = {}): PbMessage =>
  toPb(message({ type: 'MSG_SNAP', from, to: 1, term: o.term ?? 3, snapshot: { meta: { index: 50, term: 3, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) } }));

const snapshotData = (stateBytes: number): Buffer => Buffer.from(encodeSnapshotData(new Map([[2, '127.0.0.1:7002']]), Buffer.alloc(stateBytes, 7)));

interface Upload {
  readonly call: ClientWritableStream<SnapshotChunk>;
  readonly outcome: Promise<{ err: ServiceError | null; ack: SnapshotAck__Output | undefined }>;
}

function upload(client: RaftTransportClient, from: number): Upload {
  let call!: ClientWritableStream<SnapshotChunk>;
  const outcome = new Promise<{ err: ServiceError | null; ack: SnapshotAck__Output | undefined }>((resolve) => {
    call = client.SendSnapshot(sender(from), (err, ack) => resolve({ err, ack }));
  });
  call.on('error', () => undefined); // the outcome says it
  return { call, outcome };
}

/** Writes `data` in chunks of 16 KB after the header; `last` on the final one unless told otherwise. */
function writeSnapshot(u: Upload, header: PbMessage | null, data: Buffer, o: { last?: boolean; clusterId?: number } = {}): void {
  const size = 16 * 1024;
  for (let off = 0; off === 0 || off < data.length; off += size) {
    const end = off + size >= data.length;
    u.call.write({ clusterId: o.clusterId ?? CLUSTER, message: off === 0 ? header : null, data: data.subarray(off, off + size), last: end && o.last !== false });
    if (end) break;
  }
  if (o.last !== false) u.call.end();
}

describe('RaftTransport receiving: snapshots', () => {
  it('takes a snapshot sent in chunks and hands it over whole', async () => {
    const r = await receiving();
    const data = snapshotData(40 * 1024);
    const u = upload(r.client, 2);
    writeSnapshot(u, snapshotHeader(2), data);
    expect(await u.outcome).toMatchObject({ err: null, ack: { accepted: true } });
    expect(r.delivered).toHaveLength(1);
    expect(Buffer.from(r.delivered[0]?.snapshot?.data ?? []).equals(data)).toBe(true);
    expect(r.stats).toMatchObject({ snapshotsReceived: 1, snapshotsInProgress: 0 });
  });

  it('answers an upload the core throws on with internal, not accepted, so the leader does not count it taken', async () => {
    const r = await receiving({
      core: (m) => {
        if (m.type === 'MSG_SNAP') throw new Error('assertion failed in the core');
      },
    });
    const u = upload(r.client, 2);
    writeSnapshot(u, snapshotHeader(2), snapshotData(1024));
    const { err, ack } = await u.outcome;
    expect(ack?.accepted).not.toBe(true);
    expect(err).toMatchObject({ code: GrpcStatus.INTERNAL, details: "snapshot from member 2: refused by this server's Raft core (see its log); not taken" });
    expect(r.stats).toMatchObject({ snapshotsReceived: 0, snapshotsRefused: 1, snapshotsInProgress: 0 });
    expect(r.logs.map((l) => l.msg)).toEqual(['raft message failed in the core; dropped (validate.ts should have refused it)', 'raft snapshot refused']);
  });

  it('refuses an upload past snapshotBytesMax with resource_exhausted, and logs it', async () => {
    const r = await receiving();
    const u = upload(r.client, 2);
    writeSnapshot(u, snapshotHeader(2), snapshotData(SNAPSHOT_BYTES_MAX));
    const { err } = await u.outcome;
    expect(err).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: `snapshot from member 2: more than snapshotBytesMax (${SNAPSHOT_BYTES_MAX} bytes)` });
    expect(r.delivered).toEqual([]);
    expect(r.logs.find((l) => l.msg === 'raft snapshot refused')?.reason).toBe(err?.details);
    expect(r.stats).toMatchObject({ snapshotsRefused: 1, snapshotsInProgress: 0 });
  });

  it('takes one upload per member at a time; a second is refused, and one cut off frees its place', async () => {
    const r = await receiving();
    const first = upload(r.client, 2);
    writeSnapshot(first, snapshotHeader(2), snapshotData(1024), { last: false });
    await waitUntil(systemClock, 'the first upload to be under way', () => r.stats.snapshotsInProgress === 1);

    const second = upload(r.client, 2);
    writeSnapshot(second, snapshotHeader(2), snapshotData(1024));
    expect((await second.outcome).err).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'a snapshot from member 2 is already being received; one at a time' });
    // Another member's upload is not held up by it.
    const fromThree = upload(r.client, 3);
    writeSnapshot(fromThree, snapshotHeader(3), snapshotData(1024));
    expect((await fromThree.outcome).err).toBeNull();

    first.call.cancel();
    await waitUntil(systemClock, 'the cut-off upload to be let go', () => r.stats.snapshotsInProgress === 0);
    const third = upload(r.client, 2);
    writeSnapshot(third, snapshotHeader(2), snapshotData(1024));
    expect((await third.outcome).err).toBeNull();
    expect(r.delivered.map((m) => m.from)).toEqual([3, 2]);
  });

  it('cuts off an upload that stops sending, after snapshotIdleTimeoutMs', async () => {
    const r = await receiving();
    const stalled = upload(r.client, 2);
    writeSnapshot(stalled, snapshotHeader(2), snapshotData(1024), { last: false });
    expect((await stalled.outcome).err).toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED, details: `snapshot: no chunk for ${IDLE_MS} ms; dropped` });
    expect(r.stats.snapshotsInProgress).toBe(0);
    stalled.call.cancel();
  });

  it('refuses uploads that are not snapshots of this cluster from a member, naming what is wrong', async () => {
    const r = await receiving();
    const refusal = async (header: PbMessage | null, data: Buffer, clusterId = CLUSTER): Promise<ServiceError | null> => {
      const u = upload(r.client, 2);
      writeSnapshot(u, header, data, { clusterId });
      return (await u.outcome).err;
    };
    expect(await refusal(snapshotHeader(2), snapshotData(10), 9)).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    expect(await refusal(null, snapshotData(10))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'snapshot: the first chunk must carry its message' });
    expect(await refusal(toPb(heartbeat(2)), snapshotData(10))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'snapshot: type: MSG_HEARTBEAT is not a snapshot; only MSG_SNAP is uploaded' });
    expect(await refusal(snapshotHeader(3), snapshotData(10))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'snapshot: from: 3 is not the sender this connection claims (2)' });
    expect(await refusal(snapshotHeader(2), Buffer.from('not a snapshot'))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: expect.stringMatching(/^snapshot from member 2: snapshot data: /) as unknown });
    expect(r.delivered).toEqual([]);
    expect(r.stats.snapshotsInProgress).toBe(0);
  });
});
