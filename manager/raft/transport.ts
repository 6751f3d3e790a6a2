// Raft messages between managers over gRPC (proto/raft.proto, service RaftTransport).
//
// Sending: one PeerSender per peer keeps one long-lived client stream open and writes queued
// messages to it in batches; while the stream is not writable (HTTP/2 flow control) messages
// queue, up to `queuedBytesMax` per peer, past which they are dropped (Raft retransmits) and the
// peer is reported unreachable. A broken stream is reopened after a backoff. Snapshots go on a
// call of their own in chunks, and their outcome is reported to Raft. Every call names its
// sender in metadata (SENDER_METADATA).
// Receiving: `transportHandlers` checks every incoming message (validate.ts) and turns batches
// and snapshot chunks back into messages; see there for the limits on snapshot uploads.
// TLS comes from shared/grpc's credentials, so mutual TLS needs no change here.

import { Metadata, type ChannelCredentials, type ChannelOptions, type ClientWritableStream, type ServerReadableStream, type ServiceError, type sendUnaryData } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { Message as PbMessage, Message__Output as PbMessageOut } from '../../proto/gen/shoal/raft/v1/Message.js';
import type { MessageBatch, MessageBatch__Output } from '../../proto/gen/shoal/raft/v1/MessageBatch.js';
import type { RaftTransportClient, RaftTransportHandlers } from '../../proto/gen/shoal/raft/v1/RaftTransport.js';
import type { SnapshotAck__Output } from '../../proto/gen/shoal/raft/v1/SnapshotAck.js';
import type { SnapshotChunk, SnapshotChunk__Output } from '../../proto/gen/shoal/raft/v1/SnapshotChunk.js';
import type { StreamAck__Output } from '../../proto/gen/shoal/raft/v1/StreamAck.js';
import type { Clock, Timer } from '../../shared/clock.js';
import { ShoalError, invalidArgument, oneLine, toGrpcStatus } from '../../shared/errors.js';
import { RateLimitedLog } from '../../shared/log-limit.js';
import type { Logger } from '../../shared/logger.js';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from '../../shared/retry.js';
import type { Rng } from '../../shared/rng.js';
import { entryBytes, type Entry, type Message, type NodeId } from './types.js';
import { VALIDATION_LIMITS, namesSender, validateMessage, validateSnapshotData, type ReceiveContext, type Rejection } from './validate.js';

export const TRANSPORT_DEFAULTS = {
  /** Bytes queued for one peer, at most; more is dropped. */
  queuedBytesMax: 64 * 1024 * 1024,
  /** Messages in one batch, at most (a larger batch received is dropped whole). */
  batchMessagesMax: 4096,
  snapshotChunkBytes: 1024 * 1024,
  /**
   * A snapshot upload larger than this is refused (resource_exhausted). It is held in memory
   * until complete, then once more as one buffer while it is checked, and one upload per member
   * at a time: members × this, twice, is the most the receiving side holds. 1 GiB is far above a
   * manager's store; `shoal raft-kv --snapshot-bytes-max` for larger key-value sets.
   */
  snapshotBytesMax: 1024 * 1024 * 1024,
  /** An upload with no chunk for this long is cut off and its chunks let go. */
  snapshotIdleTimeoutMs: 30_000,
  /** Dropped messages are logged once per kind per interval, with a count of the rest (heldBackSinceLast). */
  dropLogIntervalMs: 10_000,
} as const;

// ---- conversion ----

export function toPb(m: Message): PbMessage {
  return {
    type: m.type,
    to: m.to,
    from: m.from,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map((e) => ({ term: e.term, index: e.index, type: e.type, data: e.data })),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: m.context,
    snapshot:
      m.snapshot === undefined
        ? null
        : { index: m.snapshot.meta.index, term: m.snapshot.meta.term, confState: { voters: [...m.snapshot.meta.confState.voters], learners: [...m.snapshot.meta.confState.learners] } },
  };
}

export function fromPb(p: PbMessageOut, snapshotData?: Uint8Array): Message {
  const entries: Entry[] = p.entries.map((e) => ({ term: e.term, index: e.index, type: e.type, data: e.data }));
  return {
    type: p.type,
    to: p.to,
    from: p.from,
    term: p.term,
    logTerm: p.logTerm,
    index: p.index,
    entries,
    commit: p.commit,
    reject: p.reject,
    rejectHint: p.rejectHint,
    context: p.context,
    ...(p.snapshot !== null && snapshotData !== undefined
      ? {
          snapshot: {
            meta: { index: p.snapshot.index, term: p.snapshot.term, confState: { voters: p.snapshot.confState?.voters ?? [], learners: p.snapshot.confState?.learners ?? [] } },
            data: snapshotData,
          },
        }
      : {}),
  };
}

function messageBytes(m: Message): number {
  return 64 + m.entries.reduce((n, e) => n + entryBytes(e), 0);
}

// ---- receiving ----

/**
 * The gRPC metadata key under which a sender names itself on its streams and snapshot uploads,
 * so that a message whose `from` is another member is refused (validate.ts). A connection that
 * names nobody is held to the sender of the first message it delivers.
 */
export const SENDER_METADATA = 'shoal-raft-from';

export interface Receiver {
  readonly clusterId: number;
  /** This server's id. */
  readonly self: NodeId;
  /** Whether `id` is a member this server knows; messages from anyone else are dropped. */
  isKnown(id: NodeId): boolean;
  onMessage(m: Message): void;
}

/** Counters of what arrived, for status and tests. */
export interface ReceiveStats {
  messagesAccepted: number;
  messagesDropped: number;
  snapshotsReceived: number;
  snapshotsRefused: number;
  /** Uploads being received now (at most one per member). */
  snapshotsInProgress: number;
}

export function emptyReceiveStats(): ReceiveStats {
  return { messagesAccepted: 0, messagesDropped: 0, snapshotsReceived: 0, snapshotsRefused: 0, snapshotsInProgress: 0 };
}

export interface ReceiveOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** TRANSPORT_DEFAULTS.snapshotBytesMax. */
  readonly snapshotBytesMax?: number;
  /** TRANSPORT_DEFAULTS.snapshotIdleTimeoutMs. */
  readonly snapshotIdleTimeoutMs?: number;
  /** TRANSPORT_DEFAULTS.dropLogIntervalMs. */
  readonly dropLogIntervalMs?: number;
  readonly stats?: ReceiveStats;
}

/**
 * The kind a refusal of `field` is logged under: indexes in field names (entries[17].term) would
 * make one kind per entry, and a batch of bad entries would then log once per entry.
 */
function dropKind(field: string): string {
  return field.replace(/\[\d+\]/g, '[]');
}

/** The sender a call names in its metadata: an id, none, or something that is not an id. */
function claimedSender(metadata: Metadata): NodeId | undefined | 'bad' {
  const values = metadata.get(SENDER_METADATA);
  if (values.length === 0) return undefined;
  const raw = values[0];
  if (values.length > 1 || typeof raw !== 'string' || !/^\d{1,10}$/.test(raw)) return 'bad';
  const id = Number(raw);
  return id >= 1 && id <= VALIDATION_LIMITS.nodeIdMax ? id : 'bad';
}

const badSenderMetadata = (): ShoalError => invalidArgument('raft.bad_sender', `${SENDER_METADATA}: must be one member id from 1 to ${VALIDATION_LIMITS.nodeIdMax}`);
const wrongCluster = (theirs: number, ours: number): ShoalError =>
  new ShoalError('permission_denied', 'raft.wrong_cluster', `messages of cluster ${theirs} sent to cluster ${ours}`);

type StatusCallback<T> = sendUnaryData<T>;

/**
 * The RaftTransport service. Every message is checked by validateMessage before the core sees
 * it; a bad one is dropped, counted and logged (rate-limited), and the stream goes on, as after
 * a lost message. A call of the wrong cluster, or one whose metadata names no valid sender, is
 * refused with its status. Snapshot uploads: one at a time per member, at most snapshotBytesMax
 * each, cut off after snapshotIdleTimeoutMs without a chunk; a refused or broken upload's
 * chunks are let go at once. Nothing thrown here reaches grpc-js.
 */
export function transportHandlers(receiver: Receiver, o: ReceiveOptions): RaftTransportHandlers {
  const stats = o.stats ?? emptyReceiveStats();
  // A peer (or anyone who can connect) sending thousands of bad messages a second must not turn
  // the log into the damage: one line per kind per interval (shared/log-limit.ts).
  const drops = new RateLimitedLog(o.logger, o.clock, o.dropLogIntervalMs ?? TRANSPORT_DEFAULTS.dropLogIntervalMs);
  const snapshotBytesMax = o.snapshotBytesMax ?? TRANSPORT_DEFAULTS.snapshotBytesMax;
  const idleMs = o.snapshotIdleTimeoutMs ?? TRANSPORT_DEFAULTS.snapshotIdleTimeoutMs;
  /** Members whose snapshot is being received now. */
  const uploading = new Set<NodeId>();

  const context = (claimedFrom: NodeId | undefined): ReceiveContext => ({ self: receiver.self, isKnown: (id) => receiver.isKnown(id), claimedFrom });

  const drop = (p: PbMessageOut, r: Rejection): void => {
    stats.messagesDropped++;
    drops.note('warn', dropKind(r.field), { type: String(p.type), from: p.from, reason: r.reason }, 'raft message dropped');
  };

  /** Hands a checked message to the core. A throw there is a bug validation missed: logged, never let out. */
  const deliver = (m: Message): boolean => {
    try {
      receiver.onMessage(m);
      stats.messagesAccepted++;
      return true;
    } catch (err) {
      stats.messagesDropped++;
      drops.note('error', 'core', { type: m.type, from: m.from, err: oneLine(err) }, 'raft message failed in the core; dropped (validate.ts should have refused it)');
      return false;
    }
  };

  return {
    Stream(call: ServerReadableStream<MessageBatch__Output, never>, callback: StatusCallback<StreamAck__Output>) {
      let claimed = claimedSender(call.metadata);
      let done = false;
      const refuse = (err: ShoalError): void => {
        if (done) return;
        done = true;
        drops.note('warn', err.code, { reason: err.message }, 'raft stream refused');
        callback(toGrpcStatus(err) as Partial<ServiceError>);
      };
      if (claimed === 'bad') {
        refuse(badSenderMetadata());
        return;
      }
      call.on('data', (batch: MessageBatch__Output) => {
        if (done) return;
        if (batch.clusterId !== receiver.clusterId) {
          refuse(wrongCluster(batch.clusterId, receiver.clusterId));
          return;
        }
        if (batch.messages.length > TRANSPORT_DEFAULTS.batchMessagesMax) {
          stats.messagesDropped += batch.messages.length;
          drops.note('warn', 'batch', { messages: batch.messages.length }, `raft batch of more than ${TRANSPORT_DEFAULTS.batchMessagesMax} messages dropped`);
          return;
        }
        for (const p of batch.messages) {
          const rejection = validateMessage(p, context(claimed === 'bad' ? undefined : claimed), 'stream');
          if (rejection !== undefined) {
            drop(p, rejection);
            continue;
          }
          if (deliver(fromPb(p)) && claimed === undefined && namesSender(p.type)) claimed = p.from;
        }
      });
      call.on('end', () => {
        if (done) return;
        done = true;
        callback(null, {});
      });
      // A peer that goes away mid-stream: nothing to answer; Raft sends again on a new stream.
      call.on('error', () => undefined);
    },

    SendSnapshot(call: ServerReadableStream<SnapshotChunk__Output, never>, callback: StatusCallback<SnapshotAck__Output>) {
      const claimed = claimedSender(call.metadata);
      let upload: { from: NodeId; header: PbMessageOut; chunks: Buffer[]; bytes: number } | undefined;
      let idle: Timer | undefined;
      let done = false;
      const release = (): void => {
        idle?.cancel();
        idle = undefined;
        if (upload === undefined) return;
        uploading.delete(upload.from);
        stats.snapshotsInProgress = uploading.size;
        upload.chunks = [];
        upload = undefined;
      };
      const finish = (err?: ShoalError): void => {
        if (done) return;
        done = true;
        const from = upload?.from;
        release();
        if (err === undefined) {
          callback(null, { accepted: true });
          return;
        }
        stats.snapshotsRefused++;
        drops.note('warn', `snapshot:${err.code}`, { from, reason: err.message }, 'raft snapshot refused');
        callback(toGrpcStatus(err) as Partial<ServiceError>);
      };
      const armIdle = (): void => {
        idle?.cancel();
        idle = o.clock.setTimer(idleMs, () => finish(new ShoalError('deadline_exceeded', 'raft.snapshot_stalled', `snapshot: no chunk for ${idleMs} ms; dropped`)));
      };
      if (claimed === 'bad') {
        finish(badSenderMetadata());
        return;
      }
      armIdle();

      const onChunk = (chunk: SnapshotChunk__Output): void => {
        if (chunk.clusterId !== receiver.clusterId) return finish(wrongCluster(chunk.clusterId, receiver.clusterId));
        if (upload === undefined) {
          if (chunk.message === null) return finish(invalidArgument('raft.bad_snapshot', 'snapshot: the first chunk must carry its message'));
          const rejection = validateMessage(chunk.message, context(claimed), 'snapshot');
          if (rejection !== undefined) return finish(invalidArgument('raft.bad_message', `snapshot: ${rejection.reason}`));
          const from = chunk.message.from;
          if (uploading.has(from)) {
            return finish(new ShoalError('resource_exhausted', 'raft.snapshot_busy', `a snapshot from member ${from} is already being received; one at a time`));
          }
          uploading.add(from);
          stats.snapshotsInProgress = uploading.size;
          upload = { from, header: chunk.message, chunks: [], bytes: 0 };
        } else if (chunk.message !== null) {
          return finish(invalidArgument('raft.bad_snapshot', 'snapshot: only the first chunk carries the message'));
        }
        upload.bytes += chunk.data.length;
        if (upload.bytes > snapshotBytesMax) {
          return finish(new ShoalError('resource_exhausted', 'raft.snapshot_too_large', `snapshot from member ${upload.from}: more than snapshotBytesMax (${snapshotBytesMax} bytes)`));
        }
        upload.chunks.push(chunk.data);
        armIdle();
        if (!chunk.last) return;
        const { header, bytes } = upload;
        const data = Buffer.concat(upload.chunks);
        upload.chunks = [];
        const bad = validateSnapshotData(data);
        if (bad !== undefined) return finish(invalidArgument('raft.bad_snapshot', `snapshot from member ${header.from}: ${bad.reason}`));
        // The core threw (logged by deliver): the leader must hear that the snapshot was not
        // taken, or it would count this follower as caught up to a snapshot it never applied.
        if (!deliver(fromPb(header, data))) {
          return finish(new ShoalError('internal', 'raft.snapshot_not_applied', `snapshot from member ${header.from}: refused by this server's Raft core (see its log); not taken`));
        }
        stats.snapshotsReceived++;
        o.logger.info({ from: header.from, index: header.snapshot?.index, bytes }, 'snapshot received');
        finish();
      };

      call.on('data', (chunk: SnapshotChunk__Output) => {
        if (!done) onChunk(chunk);
      });
      call.on('end', () => finish(invalidArgument('raft.bad_snapshot', 'snapshot: the upload ended before its last chunk')));
      // Cut off (the sender cancelled, or the connection broke): let its chunks go.
      call.on('cancelled', () => finish(new ShoalError('cancelled', 'raft.snapshot_cut_off', 'snapshot: the upload was cut off')));
      call.on('error', (err: Error) => finish(new ShoalError('unavailable', 'raft.snapshot_cut_off', `snapshot: the upload broke (${oneLine(err)})`)));
    },
  };
}

// ---- sending ----

export interface SenderEvents {
  unreachable(peer: NodeId): void;
  snapshotStatus(peer: NodeId, ok: boolean): void;
}

export interface TransportOptions {
  readonly clusterId: number;
  /** This server's id, named in the metadata of every call. */
  readonly self: NodeId;
  readonly credentials: ChannelCredentials;
  /** gRPC channel options for every peer (the managers' TLS server name, for one). */
  readonly channelOptions?: ChannelOptions;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly events: SenderEvents;
  readonly backoff?: BackoffPolicy;
  readonly queuedBytesMax?: number;
}

class PeerSender {
  private client: RaftTransportClient;
  private stream: ClientWritableStream<MessageBatch> | undefined;
  private queue: Message[] = [];
  private queuedBytes = 0;
  private writable = true;
  private failures = 0;
  private reconnectTimer: Timer | undefined;
  private closed = false;
  /** Snapshot uploads in flight, cancelled on close so that their chunks are let go. */
  private readonly snapshotCalls = new Set<ClientWritableStream<SnapshotChunk>>();
  /** The newest upload: only its outcome is reported to Raft (an older one's would be about another snapshot). */
  private latestSnapshotCall: ClientWritableStream<SnapshotChunk> | undefined;

  constructor(
    readonly peer: NodeId,
    readonly address: string,
    private readonly o: TransportOptions,
  ) {
    const Client = loadProto('raft').shoal.raft.v1.RaftTransport;
    this.client = new Client(address, o.credentials, o.channelOptions ?? {});
  }

  send(m: Message): void {
    if (this.closed) return;
    const bytes = messageBytes(m);
    if (this.queuedBytes + bytes > (this.o.queuedBytesMax ?? TRANSPORT_DEFAULTS.queuedBytesMax)) {
      this.o.events.unreachable(this.peer);
      return; // dropped; Raft sends again
    }
    this.queue.push(m);
    this.queuedBytes += bytes;
  }

  /** Writes what is queued, in batches, while the stream takes it. */
  flush(): void {
    if (this.closed || this.queue.length === 0 || this.reconnectTimer !== undefined) return;
    const stream = this.ensureStream();
    while (this.queue.length > 0 && this.writable) {
      const batch = this.queue.splice(0, TRANSPORT_DEFAULTS.batchMessagesMax);
      for (const m of batch) this.queuedBytes -= messageBytes(m);
      this.writable = stream.write({ clusterId: this.o.clusterId, messages: batch.map(toPb) });
    }
  }

  private ensureStream(): ClientWritableStream<MessageBatch> {
    if (this.stream !== undefined) return this.stream;
    const stream = this.client.Stream(this.metadata(), (err) => {
      if (err !== null) this.broken(err.message);
    });
    stream.on('drain', () => {
      this.writable = true;
      this.failures = 0;
      this.flush();
    });
    stream.on('error', (err: Error) => this.broken(err.message));
    this.stream = stream;
    this.writable = true;
    return stream;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    md.set(SENDER_METADATA, String(this.o.self));
    return md;
  }

  private broken(why: string): void {
    if (this.stream === undefined || this.closed) return;
    this.stream = undefined;
    this.failures++;
    this.o.events.unreachable(this.peer);
    this.queue = [];
    this.queuedBytes = 0;
    const delay = backoffDelayMs(this.o.backoff ?? { ...DEFAULT_BACKOFF, initialDelayMs: 50, maxDelayMs: 2000 }, Math.min(this.failures, 10), this.o.rng);
    this.o.logger.debug({ peer: this.peer, why, delayMs: delay }, 'raft stream broken; reconnecting');
    this.reconnectTimer = this.o.clock.setTimer(delay, () => {
      this.reconnectTimer = undefined;
      this.flush();
    });
  }

  sendSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (snap === undefined || this.closed) return;
    const call = this.client.SendSnapshot(this.metadata(), (err, ack) => {
      this.snapshotCalls.delete(call);
      if (err !== null) this.o.logger.warn({ peer: this.peer, index: snap.meta.index, code: err.code, details: err.details }, 'snapshot not taken by the peer');
      if (this.latestSnapshotCall !== call) return;
      this.latestSnapshotCall = undefined;
      this.o.events.snapshotStatus(this.peer, err === null && ack?.accepted === true);
    });
    this.snapshotCalls.add(call);
    this.latestSnapshotCall = call;
    const header = toPb({ ...m, snapshot: { meta: snap.meta, data: new Uint8Array(0) } });
    const data = Buffer.from(snap.data.buffer, snap.data.byteOffset, snap.data.byteLength);
    const size = TRANSPORT_DEFAULTS.snapshotChunkBytes;
    const chunks: SnapshotChunk[] = [];
    for (let off = 0; off < data.length || off === 0; off += size) {
      const last = off + size >= data.length;
      chunks.push({ clusterId: this.o.clusterId, message: off === 0 ? header : null, data: data.subarray(off, off + size), last });
      if (last) break;
    }
    const writeNext = (): void => {
      if (!this.snapshotCalls.has(call)) {
        chunks.length = 0; // cancelled, or refused already: let the chunks go
        return;
      }
      while (chunks.length > 0) {
        const c = chunks.shift() as SnapshotChunk;
        if (!call.write(c)) {
          call.once('drain', writeNext);
          return;
        }
      }
      call.end();
    };
    writeNext();
  }

  close(): void {
    this.closed = true;
    for (const call of this.snapshotCalls) call.cancel();
    this.snapshotCalls.clear();
    this.reconnectTimer?.cancel();
    this.stream?.end();
    this.client.close();
  }
}

export class RaftTransport {
  private readonly peers = new Map<NodeId, PeerSender>();

  constructor(private readonly o: TransportOptions) {}

  /** Sets the address of a peer (adding it, or replacing it when it moved). */
  setPeer(id: NodeId, address: string): void {
    const existing = this.peers.get(id);
    if (existing?.address === address) return;
    existing?.close();
    this.peers.set(id, new PeerSender(id, address, this.o));
  }

  removePeer(id: NodeId): void {
    this.peers.get(id)?.close();
    this.peers.delete(id);
  }

  send(messages: readonly Message[]): void {
    const touched = new Set<PeerSender>();
    for (const m of messages) {
      const p = this.peers.get(m.to);
      if (p === undefined) {
        this.o.events.unreachable(m.to);
        continue;
      }
      if (m.type === 'MSG_SNAP') p.sendSnapshot(m);
      else {
        p.send(m);
        touched.add(p);
      }
    }
    for (const p of touched) p.flush();
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
  }
}
