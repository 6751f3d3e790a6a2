// One simulated server: the real RawNode over a MemoryStorage that stands for its disk, and a
// state machine (state-machines.ts: the simulator's key-value map or the real cluster store); the
// server records what it applied. `handleReady` is the same persist → send → apply
// → advance loop the real driver runs, minus the I/O.

import { SeededRng } from '../../../shared/rng.js';
import { decodeConfChange } from '../membership.js';
import { RawNode, sendableBeforePersist, type Ready } from '../rawnode.js';
import type { RaftConfig } from '../raft.js';
import type { ReadState } from '../read-only.js';
import { MemoryStorage } from '../storage.js';
import type { ConfState, Entry, HardState, Message, NodeId, Snapshot } from '../types.js';
import { makeSimStateMachine, SimKv, type SimStateMachine, type SimStateMachineName } from './state-machines.js';

/** What a server keeps across a crash: its storage, as of its last sync. */
export interface Disk {
  readonly storage: MemoryStorage;
}

export interface SimNodeOptions {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly seed: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly maxInflightMsgs?: number;
  readonly maxMsgBytes?: number;
  /** An existing disk (restart); a fresh one bootstrapped with `peers` as voters otherwise. */
  readonly disk?: Disk;
  /** The state machine: the simulator's key-value map (the default) or the real store. */
  readonly stateMachine?: SimStateMachineName;
  /**
   * Test only, with the key-value map: apply every copy of a client's command, as a state
   * machine without client sessions would. The exactly-once check must catch the writes applied twice.
   */
  readonly noSessions?: boolean;
  /** Test only, with the store: SimStateMachineOptions.localClock. */
  readonly localClock?: number;
}

export class SimNode {
  readonly id: NodeId;
  readonly node: RawNode;
  readonly disk: Disk;
  /** Normal entries applied, in order (the state machine's history). */
  readonly applied: Entry[] = [];
  /** Index of the last entry applied (normal or conf change), or of the restored snapshot. */
  appliedIndex: number;
  confState: ConfState;
  readonly readStates: ReadState[] = [];
  readonly sm: SimStateMachine;
  /** Indexes of snapshots this node restored from. */
  readonly restoredSnapshots: number[] = [];
  /** Told of every client write that takes effect (`session:seq`), at the index of its entry. */
  onEffect: ((node: SimNode, stamp: string, index: number) => void) | undefined;
  /** Told after each Ready's entries are applied, with this node's applied index (invariant checks). */
  onApplied: ((node: SimNode) => void) | undefined;
  /** Told of every entry applied, empty and conf change entries included (invariant checks). */
  onApply: ((node: SimNode, entry: Entry) => void) | undefined;
  /**
   * A hard state that only moved the commit index, held back as the real WAL holds it back
   * (wal.ts): it reaches the disk with the next write or snapshot, and a crash loses it.
   */
  private deferredHardState: HardState | undefined;

  constructor(options: SimNodeOptions) {
    this.id = options.id;
    this.sm = makeSimStateMachine(options.stateMachine ?? 'kv', {
      ...(options.noSessions === true ? { noSessions: true } : {}),
      ...(options.localClock !== undefined ? { localClock: options.localClock } : {}),
    });
    const fresh = options.disk === undefined;
    if (options.disk === undefined) {
      this.disk = { storage: new MemoryStorage() };
    } else {
      this.disk = options.disk;
    }
    const snap = this.disk.storage.snapshot();
    this.appliedIndex = snap.meta.index;
    this.confState = snap.meta.confState;
    if (snap.meta.index > 0) this.restoreStateMachine(snap);
    const config: RaftConfig = {
      id: options.id,
      storage: this.disk.storage,
      rng: new SeededRng(options.seed),
      applied: snap.meta.index,
      ...(options.electionTicks !== undefined ? { electionTicks: options.electionTicks } : {}),
      ...(options.heartbeatTicks !== undefined ? { heartbeatTicks: options.heartbeatTicks } : {}),
      ...(options.preVote !== undefined ? { preVote: options.preVote } : {}),
      ...(options.checkQuorum !== undefined ? { checkQuorum: options.checkQuorum } : {}),
      ...(options.maxInflightMsgs !== undefined ? { maxInflightMsgs: options.maxInflightMsgs } : {}),
      ...(options.maxMsgBytes !== undefined ? { maxMsgBytes: options.maxMsgBytes } : {}),
    };
    this.node = new RawNode(config);
    // A founding member writes the first membership into its log; a joining one (no peers)
    // starts empty and learns everything from the leader.
    if (fresh && options.peers.length > 0) this.node.bootstrap(options.peers.map((id) => ({ id, context: '' })));
  }

  /**
   * Runs one ready cycle; returns the messages to send (empty when there was nothing). With
   * `crashAfterEntries`, the server dies while writing: only that many of the Ready's entries
   * reach the disk (a torn write), nothing else does, nothing is applied, and only the messages
   * sent before the write (a leader's replication) went out.
   */
  handleReady(crashAfterEntries?: number): Message[] {
    if (!this.node.hasReady()) return [];
    const rd = this.node.ready();
    // As the real driver does, the leader's replication leaves before the write.
    const early = rd.messages.filter(sendableBeforePersist);
    if (crashAfterEntries !== undefined) {
      if (rd.snapshot === undefined) this.disk.storage.append(rd.entries.slice(0, crashAfterEntries));
      return early;
    }
    this.persist(rd);
    const out = [...early, ...rd.messages.filter((m) => !sendableBeforePersist(m))];
    this.apply(rd);
    if (rd.snapshot !== undefined || rd.committedEntries.length > 0) this.onApplied?.(this);
    this.readStates.push(...rd.readStates);
    this.node.advance(rd);
    return out;
  }

  private persist(rd: Ready): void {
    const storage = this.disk.storage;
    if (rd.snapshot === undefined && rd.entries.length === 0 && !rd.mustSync && rd.hardState !== undefined) {
      this.deferredHardState = rd.hardState;
      return;
    }
    if (rd.snapshot !== undefined) {
      this.flushDeferredHardState(); // the snapshot marker carries it
      storage.applySnapshot(rd.snapshot);
    }
    storage.append(rd.entries);
    const hs = rd.hardState ?? this.deferredHardState;
    this.deferredHardState = undefined;
    if (hs !== undefined) storage.setHardState(hs);
  }

  private flushDeferredHardState(): void {
    if (this.deferredHardState !== undefined) this.disk.storage.setHardState(this.deferredHardState);
    this.deferredHardState = undefined;
  }

  private apply(rd: Ready): void {
    if (rd.snapshot !== undefined) {
      this.restoreStateMachine(rd.snapshot);
      this.restoredSnapshots.push(rd.snapshot.meta.index);
    }
    for (const e of rd.committedEntries) {
      this.onApply?.(this, e);
      if (e.type === 'ENTRY_CONF_CHANGE') {
        this.confState = this.node.applyConfChange(decodeConfChange(e.data));
      } else if (e.data.length > 0) {
        this.applied.push(e);
        this.sm.apply(e.data, e.index, (stamp) => this.onEffect?.(this, stamp, e.index));
      }
      this.appliedIndex = e.index;
    }
  }

  /** The key-value map of a node that runs SimKv (tests of the Raft core read it). */
  get kv(): ReadonlyMap<string, string> {
    if (!(this.sm instanceof SimKv)) throw new Error(`node ${this.id} runs the ${this.sm.name} state machine, not the key-value map`);
    return this.sm.kv;
  }

  private restoreStateMachine(snap: Snapshot): void {
    const state = JSON.parse(new TextDecoder().decode(snap.data)) as { sm: string; applied: { index: number; term: number; data: string }[] };
    this.sm.restore(Buffer.from(state.sm, 'base64'));
    this.applied.length = 0;
    for (const a of state.applied) this.applied.push({ index: a.index, term: a.term, type: 'ENTRY_NORMAL', data: Buffer.from(a.data, 'base64') });
    this.appliedIndex = snap.meta.index;
    this.confState = snap.meta.confState;
  }

  /** Snapshots the state machine at what it applied and compacts the log before it. */
  snapshotAndCompact(keepEntries: number): Snapshot | undefined {
    const storage = this.disk.storage;
    if (this.appliedIndex <= storage.snapshot().meta.index) return undefined;
    const data = new TextEncoder().encode(
      JSON.stringify({
        sm: Buffer.from(this.sm.snapshot()).toString('base64'),
        applied: this.applied.map((e) => ({ index: e.index, term: e.term, data: Buffer.from(e.data).toString('base64') })),
      }),
    );
    const snap = storage.createSnapshot(this.appliedIndex, this.confState, data);
    this.flushDeferredHardState(); // as the real snapshot marker carries it (wal.ts)
    const compactTo = this.appliedIndex - keepEntries;
    if (compactTo > storage.firstIndex()) storage.compact(compactTo);
    return snap;
  }
}
