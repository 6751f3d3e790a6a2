import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { encodeCommand, type StoreCommand, type StoreOp } from './command.js';
import { Store } from './store.js';
import { nodeCreate, serviceCreate, taskCreate } from './testing.js';

const cmd = (...ops: StoreOp[]): StoreCommand => ({ atMs: 1_000, ops });

function refusal(fn: () => unknown): ShoalError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return err as ShoalError;
  }
  throw new Error('expected a refusal');
}

function storeWithNode(): Store {
  const s = new Store();
  s.applyCommand(cmd(nodeCreate('n1', 'host-a')), 5);
  return s;
}

describe('transactions', () => {
  it('a create stamps the Raft index as version and the command time as created/updated', () => {
    const s = storeWithNode();
    expect(s.get('node', 'n1')?.meta).toEqual({ version: 5, createdAtMs: 1_000, updatedAtMs: 1_000 });
    expect(s.appliedIndex).toBe(5);
  });

  it('an update at the version it read moves the version to its index and keeps createdAtMs', () => {
    const s = storeWithNode();
    const n = s.get('node', 'n1');
    s.applyCommand({ atMs: 2_000, ops: [{ op: 'update', kind: 'node', id: 'n1', version: 5, spec: { ...n!.spec, availability: 'drain' } }] }, 7);
    expect(s.get('node', 'n1')?.spec.availability).toBe('drain');
    expect(s.get('node', 'n1')?.status.state).toBe('unknown');
    expect(s.get('node', 'n1')?.meta).toEqual({ version: 7, createdAtMs: 1_000, updatedAtMs: 2_000 });
  });

  it('an update with a stale version is a conflict naming the object and both versions, and writes nothing', () => {
    const s = storeWithNode();
    s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'n1', version: 5, status: { state: 'ready' } }), 6);
    const err = refusal(() => s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'n1', version: 5, status: { state: 'down' } }), 7));
    expect(err.code).toBe('store.conflict');
    expect(err.message).toMatch(/node n1: written at version 6 since it was read at version 5/);
    expect(s.get('node', 'n1')?.status.state).toBe('ready');
    expect(s.appliedIndex).toBe(7);
  });

  it('refuses a duplicate id, a taken name, and an update or delete of a missing object', () => {
    const s = storeWithNode();
    expect(refusal(() => s.applyCommand(cmd(nodeCreate('n1', 'host-b')), 6)).code).toBe('store.id_taken');
    const taken = refusal(() => s.applyCommand(cmd(nodeCreate('n2', 'host-a')), 7));
    expect(taken.code).toBe('store.name_taken');
    expect(taken.message).toMatch(/node n2: the name "host-a" is taken by node n1/);
    expect(refusal(() => s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'nx', version: 1, status: { state: 'ready' } }), 8)).code).toBe('store.not_found');
    expect(refusal(() => s.applyCommand(cmd({ op: 'delete', kind: 'task', id: 'tx' }), 9)).code).toBe('store.not_found');
    expect(s.count('node')).toBe(1);
  });

  it('names are unique per kind, not across kinds', () => {
    const s = new Store();
    s.applyCommand(cmd(serviceCreate('s1', 'web'), taskCreate('t1', 'web')), 1);
    expect(s.byNameOf('service', 'web')?.id).toBe('s1');
    expect(s.byNameOf('task', 'web')?.id).toBe('t1');
  });

  it('a batch whose last operation fails changes nothing and bumps no version', () => {
    const s = storeWithNode();
    const before = Buffer.from(s.snapshotNow()).toString();
    const err = refusal(() =>
      s.applyCommand(cmd(
        { op: 'update', kind: 'node', id: 'n1', version: 5, status: { state: 'ready' } },
        taskCreate('t1', 'a', { nodeId: 'n1' }),
        { op: 'delete', kind: 'service', id: 'missing' },
      ), 6),
    );
    expect(err.code).toBe('store.not_found');
    expect(s.get('node', 'n1')?.meta.version).toBe(5);
    expect(s.count('task')).toBe(0);
    expect(s.tasksOnNode('n1')).toEqual([]);
    // Only the applied index moved (the refused entry was consumed).
    expect(Buffer.from(s.snapshotNow()).toString()).toBe(before.replace('"appliedIndex":5', '"appliedIndex":6'));
  });

  it('checks each operation against the store as the earlier ones in the batch leave it', () => {
    const s = new Store();
    s.applyCommand(cmd(taskCreate('t1', 'web.1')), 1);
    // Replacement with the same name: delete and create in one transaction.
    s.applyCommand(cmd({ op: 'delete', kind: 'task', id: 't1', version: 1 }, taskCreate('t2', 'web.1')), 2);
    expect(s.byNameOf('task', 'web.1')?.id).toBe('t2');
    // The other order is refused: the name is still held when the create is checked.
    const err = refusal(() => s.applyCommand(cmd(taskCreate('t3', 'web.1'), { op: 'delete', kind: 'task', id: 't2' }), 3));
    expect(err.code).toBe('store.name_taken');
    expect(refusal(() => s.applyCommand(cmd(taskCreate('t4', 'x'), { op: 'delete', kind: 'task', id: 't4' }), 4)).code).toBe('store.bad_command');
  });

  it('a delete that names a version is refused when the object changed since', () => {
    const s = storeWithNode();
    s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'n1', version: 5, status: { state: 'ready' } }), 6);
    expect(refusal(() => s.applyCommand(cmd({ op: 'delete', kind: 'node', id: 'n1', version: 5 }), 7)).code).toBe('store.conflict');
    s.applyCommand(cmd({ op: 'delete', kind: 'node', id: 'n1', version: 6 }), 8);
    expect(s.get('node', 'n1')).toBeUndefined();
    expect(s.byNameOf('node', 'host-a')).toBeUndefined();
  });

  it('objects handed out are frozen, so a reader cannot change the store behind Raft', () => {
    const s = storeWithNode();
    const n = s.get('node', 'n1')!;
    expect(() => {
      (n.spec.labels as Record<string, string>).x = 'y';
    }).toThrow(TypeError);
  });
});

describe('indexes', () => {
  it('tasks by node and by service follow creates, moves and deletes', () => {
    const s = new Store();
    s.applyCommand(cmd(serviceCreate('s1', 'web'), taskCreate('t1', 'web.1', { serviceId: 's1', nodeId: 'n1' }), taskCreate('t2', 'web.2', { serviceId: 's1' }), taskCreate('t3', 'solo', { nodeId: 'n1' })), 1);
    expect(s.tasksOnNode('n1').map((t) => t.id)).toEqual(['t1', 't3']);
    expect(s.tasksOfServiceId('s1').map((t) => t.id)).toEqual(['t1', 't2']);
    const t2 = s.get('task', 't2')!;
    s.applyCommand(cmd({ op: 'update', kind: 'task', id: 't2', version: 1, spec: { ...t2.spec, nodeId: 'n2' } }, { op: 'delete', kind: 'task', id: 't1' }), 2);
    expect(s.tasksOnNode('n1').map((t) => t.id)).toEqual(['t3']);
    expect(s.tasksOnNode('n2').map((t) => t.id)).toEqual(['t2']);
    expect(s.tasksOfServiceId('s1').map((t) => t.id)).toEqual(['t2']);
    expect(s.indexProblems()).toEqual([]);
  });

  it('a rename frees the old name and takes the new one', () => {
    const s = storeWithNode();
    const n = s.get('node', 'n1')!;
    s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'n1', version: 5, spec: { ...n.spec, hostname: 'host-b' } }, nodeCreate('n2', 'host-a')), 6);
    expect(s.byNameOf('node', 'host-b')?.id).toBe('n1');
    expect(s.byNameOf('node', 'host-a')?.id).toBe('n2');
  });

  it('a replaced task gives its name to its replacement in the same transaction, and a snapshot keeps both', () => {
    const s = storeWithNode();
    s.applyCommand(cmd(taskCreate('t1', 'web', { nodeId: 'n1' })), 6);
    const t1 = s.get('task', 't1')!;
    // The replacement first: the name is still held.
    expect(refusal(() => s.applyCommand(cmd(taskCreate('t2', 'web', { replaces: 't1' }), { op: 'update', kind: 'task', id: 't1', version: 6, spec: { ...t1.spec, replacedBy: 't2' } }), 7)).code).toBe('store.name_taken');
    s.applyCommand(cmd({ op: 'update', kind: 'task', id: 't1', version: 6, spec: { ...t1.spec, replacedBy: 't2', desiredState: 'remove' } }, taskCreate('t2', 'web', { replaces: 't1' })), 8);
    expect(s.byNameOf('task', 'web')?.id).toBe('t2');
    expect(s.list('task').map((t) => [t.id, t.spec.name])).toEqual([['t1', 'web'], ['t2', 'web']]);
    expect(s.indexProblems()).toEqual([]);
    const again = new Store();
    again.restoreNow(s.snapshotNow());
    expect(again.byNameOf('task', 'web')?.id).toBe('t2');
    expect(again.indexProblems()).toEqual([]);
    // Deleting the replaced one frees nothing the replacement holds.
    again.applyCommand(cmd({ op: 'delete', kind: 'task', id: 't1' }), 9);
    expect(again.byNameOf('task', 'web')?.id).toBe('t2');
  });
});

describe('commands from the network', () => {
  const bad: [string, unknown, RegExp][] = [
    ['an unknown kind', { format: 1, atMs: 0, ops: [{ op: 'create', kind: 'volume', id: 'v', spec: {}, status: {} }] }, /ops\[0\]\.kind: must be one of node, task/],
    ['a wrong format', { format: 'one', atMs: 0, ops: [] }, /command\.format: must be 1/],
    ['no operations', { format: 1, atMs: 0, ops: [] }, /command\.ops/],
    ['an unknown field in a spec', { format: 1, atMs: 0, ops: [{ ...nodeCreate('n', 'h'), spec: { hostname: 'h', role: 'worker', availability: 'active', labels: {}, extra: 1 } }] }, /ops\[0\] \(node n\)\.spec\.extra: unknown field/],
    ['an unknown availability', { format: 1, atMs: 0, ops: [nodeCreate('n', 'h', { availability: 'gone' as never })] }, /spec\.availability: must be one of active, pause, drain/],
    ['an update with neither spec nor status', { format: 1, atMs: 0, ops: [{ op: 'update', kind: 'node', id: 'n', version: 1 }] }, /an update needs spec or status/],
    ['an update without a version', { format: 1, atMs: 0, ops: [{ op: 'update', kind: 'node', id: 'n', status: { state: 'ready' } }] }, /version: must be a whole number/],
    ['a negative time', { format: 1, atMs: -1, ops: [nodeCreate('n', 'h')] }, /command\.atMs/],
    ['an empty id', { format: 1, atMs: 0, ops: [nodeCreate('', 'h')] }, /ops\[0\]\.id/],
    ['a label that is not text', { format: 1, atMs: 0, ops: [nodeCreate('n', 'h', { labels: { a: 1 } as never })] }, /labels\.a: must be a string/],
  ];
  for (const [what, raw, message] of bad) {
    it(`refuses ${what} with one line naming the field, and changes nothing`, () => {
      const s = storeWithNode();
      const err = refusal(() => s.apply(Buffer.from(JSON.stringify(raw)), 6));
      expect(err.code).toBe('store.bad_command');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
      expect(s.count('node')).toBe(1);
    });
  }

  it('refuses bytes that are not JSON, and JSON that is not an object, as bad commands', () => {
    const s = new Store();
    for (const [i, text] of ['{', 'null', '[]', '"x"', '{"format":1,"atMs":0,"ops":[null]}', '\u00ff\u00fe'].entries()) {
      expect(refusal(() => s.apply(Buffer.from(text), i + 1)).code).toBe('store.bad_command');
    }
  });

  it('a "__proto__" label is data, not a prototype', () => {
    const s = new Store();
    s.apply(Buffer.from(`{"format":1,"atMs":0,"ops":[{"op":"create","kind":"node","id":"n","spec":{"hostname":"h","role":"worker","availability":"active","labels":{"__proto__":"x"}},"status":{"state":"unknown"}}]}`), 1);
    const labels = s.get('node', 'n')!.spec.labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels)).toEqual(['__proto__']);
  });

  it('encodes and decodes a command to the same effect', () => {
    const a = new Store();
    const b = new Store();
    const c = cmd(nodeCreate('n1', 'h1', { labels: { zone: 'a' } }), taskCreate('t1', 'x', { nodeId: 'n1' }));
    a.applyCommand(c, 3);
    b.apply(encodeCommand(c), 3);
    expect(Buffer.from(b.snapshotNow())).toEqual(Buffer.from(a.snapshotNow()));
  });
});

describe('snapshot and restore', () => {
  it('round trip: a restored store holds the same objects, indexes and applied index', () => {
    const a = new Store();
    a.applyCommand(cmd(nodeCreate('n1', 'h1'), serviceCreate('s1', 'web'), taskCreate('t1', 'web.1', { nodeId: 'n1', serviceId: 's1' })), 4);
    a.applyCommand(cmd({ op: 'create', kind: 'network', id: 'net1', spec: { name: 'backend', driver: 'overlay', labels: {} }, status: { vni: 4097 } }, { op: 'create', kind: 'cluster', id: 'c1', spec: { name: 'default', heartbeatPeriodMs: 1000 }, status: {} }), 9);
    const b = new Store();
    b.applyCommand(cmd(nodeCreate('old', 'old')), 1);
    b.restoreNow(a.snapshotNow());
    expect(b.appliedIndex).toBe(9);
    expect(b.get('node', 'old')).toBeUndefined();
    expect(b.tasksOnNode('n1').map((t) => t.id)).toEqual(['t1']);
    expect(b.byNameOf('network', 'backend')?.status.vni).toBe(4097);
    expect(Buffer.from(b.snapshotNow())).toEqual(Buffer.from(a.snapshotNow()));
    expect(b.indexProblems()).toEqual([]);
  });

  it('the same content gives the same bytes whatever the order it was written in', () => {
    const a = new Store();
    a.applyCommand(cmd(nodeCreate('n1', 'h1'), nodeCreate('n2', 'h2')), 1);
    const b = new Store();
    b.applyCommand(cmd(nodeCreate('n2', 'h2'), nodeCreate('n1', 'h1')), 1);
    expect(Buffer.from(a.snapshotNow()).toString()).toBe(Buffer.from(b.snapshotNow()).toString());
  });

  it('a bad snapshot is refused and the store is left as it was', () => {
    const s = storeWithNode();
    const before = Buffer.from(s.snapshotNow()).toString();
    const dup = JSON.parse(before) as { objects: unknown[] };
    dup.objects.push({ ...(dup.objects[0] as object), id: 'n2' });
    for (const data of ['nope', '{"format":9,"appliedIndex":1,"objects":[]}', JSON.stringify(dup)]) {
      expect(refusal(() => s.restoreNow(Buffer.from(data))).code).toBe('store.bad_snapshot');
    }
    expect(Buffer.from(s.snapshotNow()).toString()).toBe(before);
  });
});

describe('client sessions', () => {
  const inSession = (session: number, seq: number, acked: number, ...ops: StoreOp[]): StoreCommand => ({ atMs: 1_000, ops, session: { session, seq, acked } });

  it('a transaction sent twice in its session takes effect once, and the copy answers what the first did', () => {
    const s = new Store();
    expect(s.apply(encodeCommand({ openSession: true }), 1)).toEqual({ version: 1 }); // the session is named 1
    const create = inSession(1, 1, 0, nodeCreate('n1', 'h1'));
    expect(s.apply(encodeCommand(create), 2)).toEqual({ version: 2 });
    // The copy (a retry after a lost answer) comes later in the log: same answer, nothing written.
    expect(s.apply(encodeCommand(create), 5)).toEqual({ version: 2 });
    expect(s.get('node', 'n1')?.meta.version).toBe(2);
    expect(s.appliedIndex).toBe(5);
    // A refusal is answered again the same way, even though the store changed in between.
    const stale = inSession(1, 2, 1, { op: 'update', kind: 'node', id: 'n1', version: 1, status: { state: 'ready' } });
    expect(refusal(() => s.apply(encodeCommand(stale), 6)).code).toBe('store.conflict');
    s.applyCommand(cmd({ op: 'delete', kind: 'node', id: 'n1' }), 7);
    expect(refusal(() => s.apply(encodeCommand(stale), 8)).code).toBe('store.conflict');
    // Once acknowledged (acked 2), a late copy is refused, not applied.
    s.apply(encodeCommand(inSession(1, 3, 2, nodeCreate('n3', 'h3'))), 9);
    expect(refusal(() => s.apply(encodeCommand(create), 10)).code).toBe('raft.session_stale');
    expect(s.get('node', 'n1')).toBeUndefined();
  });

  it('refuses a transaction of an unknown session and a malformed stamp, changing nothing', () => {
    const s = storeWithNode();
    const before = Buffer.from(s.snapshotNow()).toString();
    expect(refusal(() => s.apply(encodeCommand(inSession(99, 1, 0, nodeCreate('n2', 'h2'))), 6)).code).toBe('raft.session_unknown');
    let index = 6;
    for (const session of [{ id: 0, seq: 1, acked: 0 }, { id: 6, seq: 1, acked: 1 }, { id: 6, seq: 1, acked: 0, x: 1 }, 'x']) {
      const bad = Buffer.from(JSON.stringify({ format: 1, atMs: 1, ops: [nodeCreate('n2', 'h2')], session }));
      expect(refusal(() => s.apply(bad, ++index)).code).toBe('store.bad_command');
    }
    expect(refusal(() => s.apply(Buffer.from('{"format":1,"openSession":true,"ops":[]}'), ++index)).code).toBe('store.bad_command');
    expect(Buffer.from(s.snapshotNow()).toString()).toBe(before.replace('"appliedIndex":5', `"appliedIndex":${index}`));
  });

  it('the session table travels in the snapshot: after a restore, a copy still answers the first outcome', async () => {
    const a = new Store();
    a.apply(encodeCommand({ openSession: true }), 1);
    const create = inSession(1, 1, 0, nodeCreate('n1', 'h1'));
    a.apply(encodeCommand(create), 2);
    for (const restore of [(b: Store, d: Uint8Array) => b.restoreNow(d), (b: Store, d: Uint8Array) => b.restore(d)]) {
      const b = new Store();
      await Promise.resolve(restore(b, a.snapshotNow()));
      expect(b.apply(encodeCommand(create), 3)).toEqual({ version: 2 });
      expect(b.count('node')).toBe(1);
    }
  });

  it('refuses a snapshot whose session table is malformed or names a session after its index', async () => {
    const a = new Store();
    a.apply(encodeCommand({ openSession: true }), 1);
    a.apply(encodeCommand(inSession(1, 1, 0, nodeCreate('n1', 'h1'))), 2);
    const good = JSON.parse(Buffer.from(a.snapshotNow()).toString()) as Record<string, unknown>;
    const bad = [
      { ...good, sessions: 'x' },
      { ...good, sessions: [[1, 0, []], [1, 0, []]] },
      { ...good, sessions: [[3, 0, []]] },
      { ...good, sessions: [[1, 0, [[1, { ok: true, result: { version: 7 } }]]]] },
      { ...good, sessions: [[1, 0, [[1, { ok: false, kind: 'nonsense', code: 'x', message: 'y' }]]]] },
      { ...good, extra: 1 },
    ];
    for (const snap of bad) {
      const data = Buffer.from(JSON.stringify(snap));
      expect(refusal(() => new Store().restoreNow(data)).code).toBe('store.bad_snapshot');
      await expect(new Store().restore(data)).rejects.toMatchObject({ code: 'store.bad_snapshot' });
    }
  });
});

describe('a command of a newer format', () => {
  it('is not refused but cannot be applied here (CannotApply): a newer manager wrote it, this one must stop', async () => {
    const { CannotApply } = await import('../raft/cannot-apply.js');
    const s = storeWithNode();
    const newer = Buffer.from(JSON.stringify({ format: 2, atMs: 1, ops: [nodeCreate('n2', 'h2')] }));
    expect(() => s.apply(newer, 6)).toThrow(CannotApply);
    expect(() => s.apply(newer, 7)).toThrow(/format 2, written by a newer Shoal than this manager \(which reads format 1\): upgrade this manager/);
    // An older or nonsense format is an ordinary refusal.
    expect(refusal(() => s.apply(Buffer.from(JSON.stringify({ format: 0, atMs: 1, ops: [] })), 8)).code).toBe('store.bad_command');
    expect(s.get('node', 'n2')).toBeUndefined();
  });
});
