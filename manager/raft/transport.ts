// Raft messages between managers over gRPC (proto/raft.proto, service RaftTransport).
//
// Sending: one PeerSender per peer keeps one long-lived client stream open and writes queued
// messages to it in batches; while the stream is not writable (HTTP/2 flow control) messages
// queue, up to `queuedBytesMax` per peer, past which they are dropped (Raft retransmits) and the
// peer is reported unreachable. A broken stream is reopened after a backoff. Snapshots go on a
// call of their own in chunks, and their outcome is reported to Raft.
// Receiving: `transportHandlers` turns incoming batches and snapshot chunks back into messages.
// TLS comes from shared/grpc's credentials, so mutual TLS needs no change here.

import type { ChannelCredentials, ClientWritableStream, ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { Message as PbMessage, Message__Output as PbMessageOut } from '../../proto/gen/shoal/raft/v1/Message.js';
import type { MessageBatch, MessageBatch__Output } from '../../proto/gen/shoal/raft/v1/MessageBatch.js';
import type { RaftTransportClient, RaftTransportHandlers } from '../../proto/gen/shoal/raft/v1/RaftTransport.js';
import type { SnapshotAck__Output } from '../../proto/gen/shoal/raft/v1/SnapshotAck.js';
import type { SnapshotChunk, SnapshotChunk__Output } from '../../proto/gen/shoal/raft/v1/SnapshotChunk.js';
import type { StreamAck__Output } from '../../proto/gen/shoal/raft/v1/StreamAck.js';
import type { Clock, Timer } from '../../shared/clock.js';
import { ShoalError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from '../../shared/retry.js';
import type { Rng } from '../../shared/rng.js';
import { entryBytes, type Entry, type Message, type NodeId } from './types.js';

export const TRANSPORT_DEFAULTS = {
  /** Bytes queued for one peer, at most; more is dropped. */
  queuedBytesMax: 64 * 1024 * 1024,
  /** Messages in one batch, at most. */
  batchMessagesMax: 4096,
  snapshotChunkBytes: 1024 * 1024,
  /** A snapshot larger than this is refused on receipt. */
  snapshotBytesMax: 4 * 1024 * 1024 * 1024,
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

export interface Receiver {
  readonly clusterId: number;
  onMessage(m: Message): void;
}

export function transportHandlers(receiver: Receiver, logger: Logger): RaftTransportHandlers {
  return {
    Stream(call: ServerReadableStream<MessageBatch__Output, never>, callback: sendUnaryData<StreamAck__Output>) {
      call.on('data', (batch: MessageBatch__Output) => {
        if (batch.clusterId !== receiver.clusterId) {
          call.destroy(new ShoalError('permission_denied', 'raft.wrong_cluster', `messages of cluster ${batch.clusterId} sent to cluster ${receiver.clusterId}`));
          return;
        }
        for (const m of batch.messages) receiver.onMessage(fromPb(m));
      });
      call.on('end', () => callback(null, {}));
      call.on('error', () => undefined);
    },
    SendSnapshot(call: ServerReadableStream<SnapshotChunk__Output, never>, callback: sendUnaryData<SnapshotAck__Output>) {
      let header: PbMessageOut | null = null;
      const chunks: Buffer[] = [];
      let bytes = 0;
      call.on('data', (chunk: SnapshotChunk__Output) => {
        if (chunk.clusterId !== receiver.clusterId) {
          call.destroy(new Error('wrong cluster'));
          return;
        }
        if (header === null) header = chunk.message;
        bytes += chunk.data.length;
        if (bytes > TRANSPORT_DEFAULTS.snapshotBytesMax) {
          call.destroy(new Error('snapshot too large'));
          return;
        }
        chunks.push(chunk.data);
        if (chunk.last) {
          if (header === null) {
            callback(null, { accepted: false });
            return;
          }
          receiver.onMessage(fromPb(header, Buffer.concat(chunks)));
          logger.info({ from: header.from, index: header.snapshot?.index, bytes }, 'snapshot received');
          callback(null, { accepted: true });
        }
      });
      call.on('error', () => undefined);
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
  readonly credentials: ChannelCredentials;
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

  constructor(
    readonly peer: NodeId,
    readonly address: string,
    private readonly o: TransportOptions,
  ) {
    const Client = loadProto('raft').shoal.raft.v1.RaftTransport;
    this.client = new Client(address, o.credentials);
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
    const stream = this.client.Stream((err) => {
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
    const call = this.client.SendSnapshot((err, ack) => {
      this.o.events.snapshotStatus(this.peer, err === null && ack?.accepted === true);
    });
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
