// The cluster store: Shoal's replicated state machine (DESIGN.md). Pure: every replica that
// applies the same commands at the same indexes holds the same objects, indexes and events.
// `apply(bytes, index)` is the Raft StateMachine's method; what it returns resolves the
// proposer's promise, and what it throws (a ShoalError) rejects it.

import { alreadyExists, assert, failedPrecondition, invalidArgument, notFound, ShoalError, type ErrorKind } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { checkCommand, COMMAND_FORMAT, decodeCommand, isOpenSession, type StoreCommand, type StoreEntry, type StoreOp } from './command.js';
import { decodeSnapshot, decodeSnapshotInSlices, encodeSnapshot, encodeSnapshotInSlices, nextTurn, type EncodedObjects } from './snapshot.js';
import { KINDS, nameOf, type Kind, type StoreObject, type StoreObjectOf } from './types.js';
import type { StateMachine } from '../raft/node.js';
import { SESSION_LIMITS, SessionTable, type SessionLimits } from '../raft/sessions.js';
import { deepFreeze } from './validate.js';
import { EventLog, Watcher, type StoreEvent, type TimeStart } from './watch.js';

export interface StoreLimits {
  /** Events kept in memory for watchers that resume from a version. */
  readonly watchHistoryMax: number;
  /** Events a watcher may have unread before it is cut off. */
  readonly watchQueueMax: number;
  /**
   * Objects encoded per turn of the event loop while a snapshot is taken (sorting them takes
   * turns of the same length): about 5 ms a turn here (DESIGN.md, "Measured").
   */
  readonly snapshotObjectsPerTurn: number;
}

export const STORE_LIMITS: StoreLimits = { watchHistoryMax: 10_000, watchQueueMax: 10_000, snapshotObjectsPerTurn: 500 };

/**
 * Client sessions kept (least recently used evicted first) and answers kept per session. Each
 * manager opens one session for the writes it proposes (its own and the ones it forwards), so a
 * few hundred would do; the answers a session keeps bound what a slow client may have in flight.
 */
export const STORE_SESSION_LIMITS: SessionLimits = { maxSessions: 1_000, maxPending: SESSION_LIMITS.maxPending };

export interface StoreOptions {
  readonly limits?: Partial<StoreLimits>;
  /** Where a hit limit is told (a cut-off watcher); silent by default. */
  readonly logger?: Logger;
  readonly sessionLimits?: SessionLimits;
}

/** What a transaction that took effect returns: the version it gave every object it wrote. */
export interface ApplyResult {
  readonly version: number;
}

interface Change {
  readonly type: StoreEvent['type'];
  readonly before: StoreObject | undefined;
  readonly after: StoreObject | undefined;
}

type ObjectMaps = { [K in Kind]: Map<string, StoreObjectOf<K>> };
type NameMaps = Record<Kind, Map<string, string>>;

const NO_SESSION = { session: 0, seq: 0, acked: 0 } as const;
const key = (kind: Kind, id: string): string => `${kind}\u0000${id}`;
const emptyMaps = <V>(): Record<Kind, Map<string, V>> => ({ node: new Map(), task: new Map(), service: new Map(), network: new Map(), cluster: new Map() });

export class Store implements StateMachine {
  private objects: ObjectMaps = emptyMaps() as ObjectMaps;
  private byName: NameMaps = emptyMaps();
  /** Task ids per node id and per service id; a key is present only while it has tasks. */
  private tasksOfNode = new Map<string, Set<string>>();
  private tasksOfService = new Map<string, Set<string>>();
  private readonly watchers = new Set<Watcher>();
  private readonly log: EventLog;
  private sessions: SessionTable<ApplyResult>;
  private readonly limits: StoreLimits;
  private readonly sessionLimits: SessionLimits;
  private readonly logger: Logger;
  /** The Raft index of the last command applied (refused commands included). */
  private applied = 0;

  constructor(options: StoreOptions = {}) {
    this.limits = { ...STORE_LIMITS, ...options.limits };
    this.logger = options.logger ?? silentLogger();
    this.log = new EventLog(this.limits.watchHistoryMax);
    this.sessions = new SessionTable(options.sessionLimits ?? STORE_SESSION_LIMITS);
    this.sessionLimits = options.sessionLimits ?? STORE_SESSION_LIMITS;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  // ---- reads --------------------------------------------------------------------------------

  get<K extends Kind>(kind: K, id: string): StoreObjectOf<K> | undefined {
    return (this.objects[kind] as Map<string, StoreObjectOf<K>>).get(id);
  }

  /** Every object of a kind, ordered by id. */
  list<K extends Kind>(kind: K): StoreObjectOf<K>[] {
    return [...(this.objects[kind] as Map<string, StoreObjectOf<K>>).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  count(kind: Kind): number {
    return this.objects[kind].size;
  }

  /** The live object of this kind with this name (a node's: its hostname). */
  byNameOf<K extends Kind>(kind: K, name: string): StoreObjectOf<K> | undefined {
    const id = this.byName[kind].get(name);
    return id === undefined ? undefined : this.get(kind, id);
  }

  tasksOnNode(nodeId: string): StoreObjectOf<'task'>[] {
    return this.tasksIn(this.tasksOfNode.get(nodeId));
  }

  tasksOfServiceId(serviceId: string): StoreObjectOf<'task'>[] {
    return this.tasksIn(this.tasksOfService.get(serviceId));
  }

  private tasksIn(ids: Set<string> | undefined): StoreObjectOf<'task'>[] {
    return [...(ids ?? [])].sort().map((id) => this.objects.task.get(id) as StoreObjectOf<'task'>);
  }

  // ---- writes -------------------------------------------------------------------------------

  /** The Raft StateMachine's apply: decodes, checks and applies one transaction. */
  apply(command: Uint8Array, index: number): ApplyResult {
    return this.applyAt(index, () => decodeCommand(command));
  }

  /** Applies a command built in memory (checked like one from the network). */
  applyCommand(command: StoreEntry, index: number): ApplyResult {
    return this.applyAt(index, () => checkCommand({ format: COMMAND_FORMAT, ...command }));
  }

  /**
   * Opening a session answers with its id as `version`. A transaction in a session that was
   * already applied answers what it answered then (its version, or the same refusal).
   */
  private applyAt(index: number, decode: () => StoreEntry): ApplyResult {
    assert(Number.isSafeInteger(index) && index > this.applied, `store: apply at index ${index} after ${this.applied}`);
    try {
      const entry = decode();
      if (isOpenSession(entry)) {
        this.sessions.open(index);
        return { version: index };
      }
      return this.sessions.apply(entry.session ?? NO_SESSION, () => {
        const changes = this.plan(entry, index);
        this.commit(changes, index, entry.atMs);
        return { version: index };
      });
    } finally {
      // A refused command still used its log entry: the applied index moves, nothing else does.
      this.applied = index;
    }
  }

  /** Every check, against the store as the earlier operations of the batch leave it; no change made. */
  private plan(cmd: StoreCommand, index: number): Change[] {
    const staged = new Map<string, StoreObject | null>();
    const stagedNames = new Map<string, string | null>();
    const current = (kind: Kind, id: string): StoreObject | undefined => {
      const k = key(kind, id);
      return staged.has(k) ? (staged.get(k) ?? undefined) : this.objects[kind].get(id);
    };
    const holder = (kind: Kind, name: string): string | undefined => {
      const k = key(kind, name);
      return stagedNames.has(k) ? (stagedNames.get(k) ?? undefined) : this.byName[kind].get(name);
    };
    const changes: Change[] = [];
    cmd.ops.forEach((op, i) => {
      const what = `${op.kind} ${op.id}`;
      if (staged.has(key(op.kind, op.id))) throw invalidArgument('store.bad_command', `ops[${i}]: ${what} is written twice in one transaction`, { fields: { kind: op.kind, id: op.id } });
      const before = current(op.kind, op.id);
      const after = this.written(op, before, cmd.atMs, index);
      const nameBefore = before === undefined ? undefined : nameOf(before);
      const nameAfter = after === undefined ? undefined : nameOf(after);
      if (nameBefore !== undefined && nameBefore !== nameAfter) stagedNames.set(key(op.kind, nameBefore), null);
      if (nameAfter !== undefined && nameBefore !== nameAfter) {
        const taken = holder(op.kind, nameAfter);
        if (taken !== undefined) {
          throw alreadyExists('store.name_taken', `${what}: the name ${JSON.stringify(nameAfter)} is taken by ${op.kind} ${taken}`, { fields: { kind: op.kind, id: op.id, name: nameAfter, holder: taken } });
        }
        stagedNames.set(key(op.kind, nameAfter), op.id);
      }
      staged.set(key(op.kind, op.id), after ?? null);
      changes.push({ type: op.op, before, after });
    });
    return changes;
  }

  /** The object as `op` leaves it (undefined: deleted), or the refusal. */
  private written(op: StoreOp, before: StoreObject | undefined, atMs: number, index: number): StoreObject | undefined {
    const what = `${op.kind} ${op.id}`;
    const fields = { kind: op.kind, id: op.id };
    if (op.op === 'create') {
      if (before !== undefined) throw alreadyExists('store.id_taken', `${what}: already exists (version ${before.meta.version})`, { fields });
      return deepFreeze({ kind: op.kind, id: op.id, meta: { version: index, createdAtMs: atMs, updatedAtMs: atMs }, spec: op.spec, status: op.status } as StoreObject);
    }
    if (before === undefined) throw notFound('store.not_found', `${what}: no such object`, { fields });
    if (op.version !== undefined && op.version !== before.meta.version) {
      throw new ShoalError('aborted' satisfies ErrorKind, 'store.conflict', `${what}: written at version ${before.meta.version} since it was read at version ${op.version}; read it again`, {
        fields: { ...fields, readVersion: op.version, currentVersion: before.meta.version },
      });
    }
    if (op.op === 'delete') return undefined;
    return deepFreeze({
      kind: op.kind, id: op.id,
      meta: { version: index, createdAtMs: before.meta.createdAtMs, updatedAtMs: atMs },
      spec: op.spec ?? before.spec, status: op.status ?? before.status,
    } as StoreObject);
  }

  private commit(changes: readonly Change[], index: number, atMs: number): void {
    const events: StoreEvent[] = [];
    for (const c of changes) {
      const o = (c.after ?? c.before) as StoreObject;
      if (c.before !== undefined) this.unindex(c.before);
      if (c.after !== undefined) this.index(c.after);
      else this.objects[o.kind].delete(o.id);
      events.push({ type: c.type, version: index, atMs, object: o, ...(c.type === 'update' && c.before !== undefined ? { before: c.before } : {}) });
    }
    this.log.append(events);
    for (const e of events) for (const w of [...this.watchers]) {
      if (!w.push(e)) this.logger.warn({ limit: 'watchQueueMax', value: this.limits.watchQueueMax }, 'store: a watcher fell behind and was cut off');
    }
  }

  private index(o: StoreObject): void {
    (this.objects[o.kind] as Map<string, StoreObject>).set(o.id, o);
    const name = nameOf(o);
    if (name !== undefined) this.byName[o.kind].set(name, o.id);
    if (o.kind === 'task') {
      if (o.spec.nodeId !== undefined) addTo(this.tasksOfNode, o.spec.nodeId, o.id);
      if (o.spec.serviceId !== undefined) addTo(this.tasksOfService, o.spec.serviceId, o.id);
    }
  }

  private unindex(o: StoreObject): void {
    const name = nameOf(o);
    if (name !== undefined && this.byName[o.kind].get(name) === o.id) this.byName[o.kind].delete(name);
    if (o.kind === 'task') {
      if (o.spec.nodeId !== undefined) removeFrom(this.tasksOfNode, o.spec.nodeId, o.id);
      if (o.spec.serviceId !== undefined) removeFrom(this.tasksOfService, o.spec.serviceId, o.id);
    }
  }

  // ---- watch --------------------------------------------------------------------------------

  /**
   * The changes after `fromVersion` (default: from now on), in order. Refused with
   * `store.watch_compacted` when events after `fromVersion` were already dropped from the log.
   */
  watch(fromVersion: number = this.applied): Watcher {
    const w = new Watcher(this.backlog(fromVersion), this.limits.watchQueueMax, (closed) => this.watchers.delete(closed));
    this.watchers.add(w);
    return w;
  }

  /** The events held after `fromVersion`, or the refusal when some of them were dropped. */
  private backlog(fromVersion: number): StoreEvent[] {
    const backlog = this.log.since(fromVersion);
    if (backlog === undefined) {
      this.logger.info({ limit: 'watchHistoryMax', value: this.limits.watchHistoryMax, fromVersion, floor: this.log.floor }, 'store: a watch from a version older than the event log was refused');
      throw failedPrecondition('store.watch_compacted', `watch: the events after version ${fromVersion} are no longer kept (the oldest kept follow version ${this.log.floor}); list again and watch from the listed version`, {
        fields: { fromVersion, floor: this.log.floor },
      });
    }
    return backlog;
  }

  /**
   * Where a watch from a wall-clock time starts (`shoal events --since 10m`): after the version
   * before the first event held at or after `atMs`, and whether the log reaches back that far.
   */
  versionAt(atMs: number): TimeStart {
    return this.log.versionAt(atMs, this.applied);
  }

  /**
   * The events after `fromVersion` held now, without following (`shoal events --until`); refused
   * as `watch` refuses a version older than the log.
   */
  history(fromVersion: number): StoreEvent[] {
    return this.backlog(fromVersion);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  // ---- snapshot -----------------------------------------------------------------------------

  /**
   * Raft's snapshot: the whole store and its applied index as of this call, in the bytes
   * `snapshotNow()` gives at this moment, encoded over several turns of the event loop while
   * apply and restore go on. The objects are frozen and a write replaces them, never changes
   * them, so copying the maps' values (pointers; ~1 ms at 100,000) holds that moment's state.
   */
  async snapshot(): Promise<Uint8Array> {
    const objects = this.objects;
    const byKind = KINDS.map((k) => [...objects[k].values()] as StoreObject[]);
    const count = byKind.reduce((n, l) => n + l.length, 0);
    const { bytes, turns } = await encodeSnapshotInSlices(this.applied, byKind, this.sessions.snapshot(), this.limits.snapshotObjectsPerTurn);
    if (turns > 1) this.logger.debug({ limit: 'snapshotObjectsPerTurn', value: this.limits.snapshotObjectsPerTurn, objects: count, turns, bytes: bytes.byteLength }, 'store: a snapshot was encoded over several turns of the event loop');
    return bytes;
  }

  /** The same bytes in one piece, for tests and the simulator (stalls the loop on a large store). */
  snapshotNow(cache?: EncodedObjects): Uint8Array {
    return encodeSnapshot(this.applied, KINDS.flatMap((k) => this.list(k) as StoreObject[]), this.sessions.snapshot(), cache);
  }

  /**
   * Replaces everything with a snapshot's content. Checked in full first: a bad snapshot is
   * refused (`store.bad_snapshot`) and the store is left as it was. Every watcher is ended with
   * `store.watch_reset`: what it saw may not lead to the new state, so it must list again.
   * In one piece: for tests and the simulator (Raft calls `restore`, which takes turns).
   */
  restoreNow(data: Uint8Array): void {
    const { appliedIndex, objects, sessions } = decodeSnapshot(data, this.sessionLimits);
    const fresh = this.empty();
    for (const o of objects) fresh.admit(o, appliedIndex);
    fresh.sessions.restore(sessions);
    this.replaceWith(fresh, appliedIndex);
  }

  /**
   * Raft's restore: `restoreNow` over several turns of the event loop (decoding, checking and
   * indexing `snapshotObjectsPerTurn` objects a turn), into a fresh store swapped in at the
   * end, all at once. Raft awaits it and applies nothing meanwhile (the store asserts so). A
   * bad snapshot changes nothing.
   */
  async restore(data: Uint8Array): Promise<void> {
    const appliedBefore = this.applied;
    const perTurn = Math.max(1, this.limits.snapshotObjectsPerTurn);
    const { appliedIndex, objects, sessions } = await decodeSnapshotInSlices(data, perTurn, this.sessionLimits);
    const fresh = this.empty();
    fresh.sessions.restore(sessions);
    for (let i = 0; i < objects.length; i++) {
      fresh.admit(objects[i] as StoreObject, appliedIndex);
      if ((i + 1) % (perTurn * 4) === 0) await nextTurn(); // indexing costs about a fourth of decoding
    }
    assert(this.applied === appliedBefore, `store: commands applied (index ${appliedBefore} to ${this.applied}) during a restore`);
    this.replaceWith(fresh, appliedIndex);
  }

  /** One snapshot object into a store being filled by a restore, checked against those before it. */
  private admit(o: StoreObject, appliedIndex: number): void {
    if (this.objects[o.kind].has(o.id)) throw invalidArgument('store.bad_snapshot', `snapshot: ${o.kind} ${o.id} appears twice`);
    const name = nameOf(o);
    const holder = name === undefined ? undefined : this.byName[o.kind].get(name);
    if (holder !== undefined) throw invalidArgument('store.bad_snapshot', `snapshot: ${o.kind} ${o.id} and ${holder} share the name ${JSON.stringify(name)}`);
    if (o.meta.version > appliedIndex) throw invalidArgument('store.bad_snapshot', `snapshot: ${o.kind} ${o.id} has version ${o.meta.version}, after the snapshot's index ${appliedIndex}`);
    this.index(o);
  }

  private empty(): Store {
    return new Store({ limits: this.limits, logger: this.logger, sessionLimits: this.sessionLimits });
  }

  private replaceWith(fresh: Store, appliedIndex: number): void {
    this.objects = fresh.objects;
    this.sessions = fresh.sessions;
    this.byName = fresh.byName;
    this.tasksOfNode = fresh.tasksOfNode;
    this.tasksOfService = fresh.tasksOfService;
    this.applied = appliedIndex;
    this.log.reset(appliedIndex);
    const reset = failedPrecondition('store.watch_reset', `watch: the store was replaced by a snapshot at index ${appliedIndex}; list again and watch from the listed version`, { fields: { appliedIndex } });
    for (const w of [...this.watchers]) w.fail(reset);
  }

  // ---- checks for tests and the simulator ---------------------------------------------------

  /** What is wrong with the indexes, compared with a recomputation from the objects (empty: nothing). */
  indexProblems(): string[] {
    const again = new Store();
    for (const kind of KINDS) for (const o of this.objects[kind].values()) again.index(o);
    const problems: string[] = [];
    const same = (what: string, a: unknown, b: unknown): void => {
      if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${what}: kept ${JSON.stringify(a)}, recomputed ${JSON.stringify(b)}`);
    };
    for (const kind of KINDS) {
      same(`names of ${kind}`, sortedEntries(this.byName[kind]), sortedEntries(again.byName[kind]));
      const named = [...this.objects[kind].values()].filter((o) => nameOf(o) !== undefined).length;
      if (this.byName[kind].size !== named) problems.push(`names of ${kind}: ${this.byName[kind].size} names for ${named} named objects`);
    }
    same('tasks by node', setEntries(this.tasksOfNode), setEntries(again.tasksOfNode));
    same('tasks by service', setEntries(this.tasksOfService), setEntries(again.tasksOfService));
    return problems;
  }
}

function addTo(index: Map<string, Set<string>>, k: string, id: string): void {
  let ids = index.get(k);
  if (ids === undefined) index.set(k, (ids = new Set()));
  ids.add(id);
}

function removeFrom(index: Map<string, Set<string>>, k: string, id: string): void {
  const ids = index.get(k);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(k);
}

const sortedEntries = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
const setEntries = (m: Map<string, Set<string>>): [string, string[]][] => [...m].map(([k, ids]): [string, string[]] => [k, [...ids].sort()]).sort(([a], [b]) => (a < b ? -1 : 1));
