// Linearizable reads by read-index (Raft thesis §6.4): the leader notes its commit index when a
// read arrives, confirms it is still leader by a round of heartbeats acknowledged by a majority,
// and then the read may be served once the state machine has applied that index.

import type { Message, NodeId } from './types.js';

export interface ReadState {
  /** Serve the read once the state machine has applied at least this index. */
  readonly index: number;
  /** The request's id, as given to readIndex(). */
  readonly context: Uint8Array;
}

interface PendingRead {
  readonly index: number;
  /** The request: from the leader itself, or forwarded by a follower. */
  readonly request: Message;
  readonly acks: Set<NodeId>;
}

export const key = (ctx: Uint8Array): string => Buffer.from(ctx).toString('hex');

export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  private readonly queue: string[] = [];

  add(index: number, request: Message): void {
    const k = key(request.context);
    if (this.pending.has(k)) return;
    this.pending.set(k, { index, request, acks: new Set() });
    this.queue.push(k);
  }

  /** Records a heartbeat acknowledgement; returns who has acknowledged this read so far. */
  ack(from: NodeId, ctx: Uint8Array): Set<NodeId> | undefined {
    const p = this.pending.get(key(ctx));
    if (p === undefined) return undefined;
    p.acks.add(from);
    return p.acks;
  }

  /** Releases the read `ctx` and every read queued before it (a later quorum confirms them too). */
  advance(ctx: Uint8Array): { index: number; request: Message }[] {
    const k = key(ctx);
    const at = this.queue.indexOf(k);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    const out = [];
    for (const d of done) {
      const p = this.pending.get(d);
      this.pending.delete(d);
      if (p !== undefined) out.push({ index: p.index, request: p.request });
    }
    return out;
  }

  lastPendingContext(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)?.request.context;
  }
}
