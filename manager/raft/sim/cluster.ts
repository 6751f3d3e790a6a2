// A deterministic cluster of SimNodes over an in-memory network, for tests: messages are
// delivered when the test says, in order, and can be dropped by filters (partitions). The
// randomized simulator (sim.ts) builds on the same SimNode with a faulty network.

import type { Message, NodeId } from '../types.js';
import { SimNode, type SimNodeOptions } from './node.js';

export type Filter = (m: Message) => boolean;

export interface ClusterOptions extends Omit<SimNodeOptions, 'id' | 'peers' | 'seed' | 'disk'> {
  readonly seed?: number;
}

export class Cluster {
  readonly nodes = new Map<NodeId, SimNode>();
  /** Messages waiting to be delivered, in send order. */
  queue: Message[] = [];
  /** A message is dropped when any filter returns false for it. */
  readonly filters: Filter[] = [];
  readonly options: ClusterOptions;
  readonly ids: NodeId[];

  constructor(size: number, options: ClusterOptions = {}) {
    this.options = options;
    this.ids = Array.from({ length: size }, (_, i) => i + 1);
    for (const id of this.ids) this.nodes.set(id, this.makeNode(id, this.ids));
    // Apply the bootstrap membership entries, as a real server does on its first Ready.
    this.settle();
  }

  makeNode(id: NodeId, peers: readonly NodeId[], disk?: SimNode['disk']): SimNode {
    return new SimNode({ ...this.options, id, peers, seed: (this.options.seed ?? 1) * 1000 + id, ...(disk ? { disk } : {}) });
  }

  get(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Collects every node's ready output into the queue. */
  collect(): void {
    for (const n of this.nodes.values()) this.queue.push(...n.handleReady());
  }

  /** Delivers messages (and the ones they cause) until nothing is left; bounded. */
  settle(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      this.collect();
      if (this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) this.deliver(m);
    }
    throw new Error(`cluster did not settle in ${maxRounds} rounds`);
  }

  deliver(m: Message): void {
    if (!this.filters.every((f) => f(m))) return;
    this.nodes.get(m.to)?.node.step(m);
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.get(id).node.tick();
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const n of this.nodes.values()) n.node.tick();
  }

  /** Ticks every node once and delivers what follows, until `done` holds; bounded. */
  runUntil(done: () => boolean, maxTicks = 500): void {
    for (let t = 0; t < maxTicks; t++) {
      if (done()) return;
      this.tickAll();
      this.settle();
    }
    if (!done()) throw new Error(`condition not reached within ${maxTicks} ticks`);
  }

  /** Starts an election at `id` and lets it finish. */
  elect(id: NodeId): void {
    this.get(id).node.campaign();
    this.settle();
  }

  propose(id: NodeId, data: string): void {
    this.get(id).node.propose(new TextEncoder().encode(data));
    this.settle();
  }

  /** Cuts `id` off from everyone, both ways. */
  isolate(id: NodeId): void {
    this.filters.push((m) => m.from !== id && m.to !== id);
  }

  /** Drops messages between a and b, both ways. */
  cut(a: NodeId, b: NodeId): void {
    this.filters.push((m) => !((m.from === a && m.to === b) || (m.from === b && m.to === a)));
  }

  heal(): void {
    this.filters.length = 0;
  }

  leaders(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.node.raft.role === 'leader');
  }

  /** Crash and restart: keeps only the disk (everything the node persisted). */
  restart(id: NodeId): SimNode {
    const old = this.get(id);
    const fresh = this.makeNode(id, this.ids, old.disk);
    this.nodes.set(id, fresh);
    return fresh;
  }

  appliedData(id: NodeId): string[] {
    return this.get(id).applied.map((e) => new TextDecoder().decode(e.data));
  }
}
