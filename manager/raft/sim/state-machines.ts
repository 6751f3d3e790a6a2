// The state machines a SimNode can run. The simulator's clients write `key := value` (each value
// written once) and read a key back, so that their history can be checked for linearizability;
// each state machine turns those writes into its own commands:
// - SimKv: the simulator's own small key-value map ("session:seq:acked key=value"), with the
//   client sessions of sessions.ts. Its `noSessions` mode (a test of the checker) applies every
//   copy of a write, which the exactly-once check must catch.
// - SimStore: the real cluster store (manager/store). A write is a store transaction in the
//   client's session that creates a task named `key/value` labelled with the key; a read answers
//   the value of the key's task with the highest version (the last write applied). Its snapshot
//   and restore are the store's own bytes, so replicas can be compared byte for byte.

import { ShoalError } from '../../../shared/errors.js';
import { encodeCommand } from '../../store/command.js';
import type { EncodedObjects } from '../../store/snapshot.js';
import { Store } from '../../store/store.js';
import { SessionTable, type SessionStamp, type SessionsSnapshot } from '../sessions.js';

/** Client sessions 1..SIM_CLIENTS exist from the start on every server (the initial state). */
export const SIM_CLIENTS = 4;

export interface SimPut {
  readonly stamp?: SessionStamp;
  readonly key: string;
  readonly value: string;
}

export interface SimStateMachine {
  readonly name: 'kv' | 'store';
  encodePut(put: SimPut): Uint8Array;
  /** The put a command carries; undefined for anything else. */
  decodePut(data: Uint8Array): SimPut | undefined;
  /**
   * Applies a committed command; `onEffect` is told when a client's write takes effect (not
   * when a copy of it is answered from its session).
   */
  apply(data: Uint8Array, index: number, onEffect: (stamp: string) => void): void;
  get(key: string): string | undefined;
  snapshot(): Uint8Array;
  restore(data: Uint8Array): void;
}

export type SimStateMachineName = SimStateMachine['name'];

export interface SimStateMachineOptions {
  readonly noSessions?: boolean;
  /**
   * Test only, with the store: stamp objects with a clock of this server's own instead of the
   * command's `atMs`, as an apply that read the local clock would. The replica-equality check
   * must catch it.
   */
  readonly localClock?: number;
}

export function makeSimStateMachine(name: SimStateMachineName, options: SimStateMachineOptions = {}): SimStateMachine {
  return name === 'store' ? new SimStore(options.localClock) : new SimKv(options.noSessions === true);
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const stampText = (s: SessionStamp): string => `${s.session}:${s.seq}`;

export class SimKv implements SimStateMachine {
  readonly name = 'kv';
  readonly kv = new Map<string, string>();
  private readonly sessions = new SessionTable<number>();

  constructor(private readonly noSessions = false) {
    for (let id = 1; id <= SIM_CLIENTS; id++) this.sessions.open(id);
  }

  encodePut(put: SimPut): Uint8Array {
    const s = put.stamp;
    return bytes(s === undefined ? `${put.key}=${put.value}` : `${s.session}:${s.seq}:${s.acked} ${put.key}=${put.value}`);
  }

  decodePut(data: Uint8Array): SimPut | undefined {
    const m = /^(?:(\d+):(\d+):(\d+) )?([^=]+)=(.*)$/.exec(text(data));
    if (m === null) return undefined;
    const put = { key: m[4] as string, value: m[5] as string };
    return m[1] === undefined ? put : { ...put, stamp: { session: Number(m[1]), seq: Number(m[2]), acked: Number(m[3]) } };
  }

  apply(data: Uint8Array, _index: number, onEffect: (stamp: string) => void): void {
    const put = this.decodePut(data);
    if (put === undefined) return;
    const write = (): number => {
      this.kv.set(put.key, put.value);
      if (put.stamp !== undefined) onEffect(stampText(put.stamp));
      return 0;
    };
    if (put.stamp === undefined || this.noSessions) {
      write();
      return;
    }
    try {
      this.sessions.apply(put.stamp, write);
    } catch (err) {
      // A late copy of a command the client acknowledged: refused, as the proposer would be told.
      if (!(err instanceof ShoalError && err.code === 'raft.session_stale')) throw err;
    }
  }

  get(key: string): string | undefined {
    return this.kv.get(key);
  }

  snapshot(): Uint8Array {
    return bytes(JSON.stringify({ kv: [...this.kv], sessions: this.sessions.snapshot() }));
  }

  restore(data: Uint8Array): void {
    const state = JSON.parse(text(data)) as { kv: [string, string][]; sessions: SessionsSnapshot<number> };
    this.kv.clear();
    for (const [k, v] of state.kv) this.kv.set(k, v);
    this.sessions.restore(state.sessions);
  }
}

export class SimStore implements SimStateMachine {
  readonly name = 'store';
  readonly store = new Store();

  constructor(private readonly localClock?: number) {
    // The clients' sessions, opened by the first entries of the log on a real cluster; here
    // part of the initial state, as SimKv's are (indexes 1..SIM_CLIENTS, before any entry).
    this.store.restoreNow(bytes(JSON.stringify({ format: 1, appliedIndex: SIM_CLIENTS, objects: [], sessions: Array.from({ length: SIM_CLIENTS }, (_, i) => [i + 1, 0, []]) })));
  }

  encodePut(put: SimPut): Uint8Array {
    return encodeCommand({
      atMs: 0,
      ops: [{ op: 'create', kind: 'task', id: `${put.key}/${put.value}`, spec: { name: `${put.key}/${put.value}`, image: 'sim', desiredState: 'running', labels: { key: put.key } }, status: { state: 'new' } }],
      ...(put.stamp === undefined ? {} : { session: put.stamp }),
    });
  }

  decodePut(data: Uint8Array): SimPut | undefined {
    let cmd: { ops?: { id?: string }[]; session?: { id: number; seq: number; acked: number } };
    try {
      cmd = JSON.parse(text(data)) as typeof cmd;
    } catch {
      return undefined; // not a store command: the simulator's own markers are plain text
    }
    const id = cmd.ops?.[0]?.id;
    if (id === undefined) return undefined;
    const slash = id.indexOf('/');
    const put = { key: id.slice(0, slash), value: id.slice(slash + 1) };
    return cmd.session === undefined ? put : { ...put, stamp: { session: cmd.session.id, seq: cmd.session.seq, acked: cmd.session.acked } };
  }

  apply(data: Uint8Array, index: number, onEffect: (stamp: string) => void): void {
    // Raft's log starts at 1 while the initial state stands at SIM_CLIENTS: shifted, so that
    // every entry has an index above the store's.
    const at = index + SIM_CLIENTS;
    let version: number;
    try {
      version = this.localClock === undefined ? this.store.apply(data, at).version : this.applyWithLocalClock(data, at);
    } catch (err) {
      // A refused transaction (a copy whose answer was acknowledged, a taken name) changes
      // nothing, on every replica alike: the proposer would be told, the simulation goes on.
      if (err instanceof ShoalError) return;
      throw err;
    }
    const put = this.decodePut(data);
    if (put?.stamp !== undefined && version === at) onEffect(stampText(put.stamp));
  }

  private applyWithLocalClock(data: Uint8Array, at: number): number {
    const cmd = JSON.parse(text(data)) as Record<string, unknown>;
    if ('atMs' in cmd) cmd['atMs'] = (this.localClock as number) + at;
    return this.store.apply(bytes(JSON.stringify(cmd)), at).version;
  }

  get(key: string): string | undefined {
    let best: { version: number; value: string } | undefined;
    for (const t of this.store.list('task')) {
      if (t.spec.labels['key'] !== key) continue;
      if (best === undefined || t.meta.version > best.version) best = { version: t.meta.version, value: t.id.slice(key.length + 1) };
    }
    return best?.value;
  }

  /** Every replica is snapshotted after every step (the replica-equality check): each object is encoded once. */
  private readonly encoded: EncodedObjects = new WeakMap();

  snapshot(): Uint8Array {
    return this.store.snapshotNow(this.encoded);
  }

  restore(data: Uint8Array): void {
    this.store.restoreNow(data);
  }
}
