// The fields a standalone container (`shoal run`) and the scheduler added to tasks, nodes and the
// cluster: each checked in validate.ts, and all optional, so that tasks, nodes and clusters
// written before them (in the log or a snapshot) load as they were.

import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { checkCommand, type StoreOp } from './command.js';
import { Store } from './store.js';
import { nodeCreate, taskCreate } from './testing.js';
import type { TaskSpec } from './types.js';

const MIB = 1024 * 1024;

const fullSpec: Partial<TaskSpec> = {
  args: ['sh', '-c', ''],
  env: ['A=1', 'EMPTY='],
  restart: { condition: 'on-failure', maxRetries: 3 },
  stopOnDisconnectMs: 30_000,
  ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostPort: 53, containerPort: 53, protocol: 'udp' }],
  resources: { limits: { memoryBytes: 64 * MIB, nanoCpus: 500_000_000 }, reservations: { memoryBytes: 64 * MIB, nanoCpus: 500_000_000 } },
  reschedule: 'on-node-failure',
  placement: { constraints: ['node.hostname==w1'], env: ['affinity:container==db'] },
};

function refusal(ops: unknown[]): string {
  try {
    checkCommand({ format: 1, atMs: 1, ops });
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe('store.bad_command');
    return (err as ShoalError).message;
  }
  throw new Error('expected a refusal');
}

const taskWith = (spec: Record<string, unknown>): unknown => {
  const op = taskCreate('t1', 'web') as { spec: object };
  return { ...op, spec: { ...op.spec, ...spec } };
};

describe('task fields of a standalone container', () => {
  it('a task with every container field is kept as written, its status with the pending reason', () => {
    const s = new Store();
    const op = taskCreate('t1', 'web', fullSpec);
    s.applyCommand({ atMs: 1, ops: [{ ...op, status: { state: 'pending', pendingReason: 'no node is ready (0 of 1 node: 1 unknown)' } } as StoreOp] }, 1);
    const t = s.get('task', 't1');
    expect(t?.spec).toMatchObject(fullSpec);
    expect(t?.status.pendingReason).toBe('no node is ready (0 of 1 node: 1 unknown)');
    // And through a snapshot.
    const again = new Store();
    again.restoreNow(s.snapshotNow());
    expect(again.get('task', 't1')).toEqual(t);
  });

  it('a task, node and cluster written without the new fields (an older snapshot) still load', () => {
    const old = {
      format: 1,
      appliedIndex: 3,
      objects: [
        { kind: 'cluster', id: 'c1', meta: { version: 1, createdAtMs: 1, updatedAtMs: 1 }, spec: { name: 'default', heartbeatPeriodMs: 1000 }, status: {} },
        { kind: 'node', id: 'n1', meta: { version: 2, createdAtMs: 1, updatedAtMs: 1 }, spec: { hostname: 'h1', role: 'manager', availability: 'active', labels: {} }, status: { state: 'ready' } },
        { kind: 'task', id: 't1', meta: { version: 3, createdAtMs: 1, updatedAtMs: 1 }, spec: { name: 'web', image: 'busybox', desiredState: 'running', labels: {} }, status: { state: 'new' } },
      ],
      sessions: [],
    };
    const s = new Store();
    s.restoreNow(Buffer.from(JSON.stringify(old)));
    expect(s.get('task', 't1')?.spec).toEqual({ name: 'web', image: 'busybox', desiredState: 'running', labels: {} });
    expect(s.get('cluster', 'c1')?.spec.strategy).toBeUndefined();
    expect(s.get('node', 'n1')?.status.description).toBeUndefined();
  });

  it('desired state remove (shut down, then delete) is a desired state, not an observed one', () => {
    expect(() => checkCommand({ format: 1, atMs: 1, ops: [taskWith({ desiredState: 'remove' })] })).not.toThrow();
    const op = taskCreate('t1', 'web') as { status: object };
    expect(refusal([{ ...op, status: { state: 'remove' } }])).toMatch(/status\.state: must be one of new, pending/);
  });

  it.each([
    [{ args: 'sleep 1' }, /spec\.args: must be a list of at most 256 items/],
    [{ args: [1] }, /spec\.args\[0\]: must be a string of at most 4096 characters/],
    [{ env: [''] }, /spec\.env\[0\]: must not be empty/],
    [{ env: Array.from({ length: 257 }, (_, i) => `V${i}=1`) }, /spec\.env: must be a list of at most 256 items/],
    [{ restart: { condition: 'sometimes' } }, /spec\.restart\.condition: must be one of no, on-failure, always/],
    [{ restart: { condition: 'always', maxRetries: 3 } }, /spec\.restart\.maxRetries: only with on-failure/],
    [{ stopOnDisconnectMs: 0 }, /spec\.stopOnDisconnectMs: must be a whole number from 1 to 86400000/],
    [{ stopOnDisconnectMs: 86_400_001 }, /spec\.stopOnDisconnectMs: must be a whole number from 1 to 86400000/],
    [{ ports: [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }] }, /spec\.ports\[0\]\.hostPort: must be a whole number from 1 to 65535/],
    [{ ports: [{ hostPort: 80, containerPort: 80, protocol: 'icmp' }] }, /spec\.ports\[0\]\.protocol: must be one of tcp, udp, sctp/],
    [{ resources: { limits: { memoryBytes: -1, nanoCpus: 0 }, reservations: { memoryBytes: 0, nanoCpus: 0 } } }, /spec\.resources\.limits\.memoryBytes: must be a whole number from 0/],
    [{ resources: { limits: { memoryBytes: 0, nanoCpus: 0.5 }, reservations: { memoryBytes: 0, nanoCpus: 0 } } }, /spec\.resources\.limits\.nanoCpus: must be a whole number/],
    [{ reschedule: 'always' }, /spec\.reschedule: must be one of on-node-failure/],
    [{ placement: { constraints: [''], env: [] } }, /spec\.placement\.constraints\[0\]: must be a string of 1 to 1024/],
    [{ placement: { constraints: [] } }, /spec\.placement\.env: must be a list/],
    [{ command: ['x'] }, /spec\.command: unknown field/],
  ])('refuses a malformed task field, naming it: %j', (spec, message) => {
    expect(refusal([taskWith(spec)])).toMatch(message);
  });
});

describe('node description and cluster strategy', () => {
  it('a node carries what its agent reported: engine labels, capacity, images', () => {
    const s = new Store();
    const op = nodeCreate('n1', 'w1') as { status: object };
    const description = { agentVersion: '0.1.0', engineLabels: { disk: 'ssd' }, capacity: { memoryBytes: 8 * 1024 * MIB, nanoCpus: 4_000_000_000 }, images: ['docker.io/library/busybox:latest'] };
    s.applyCommand({ atMs: 1, ops: [{ ...op, status: { state: 'ready', description } } as unknown as StoreOp] }, 1);
    expect(s.get('node', 'n1')?.status.description).toEqual(description);
    expect(refusal([{ ...op, status: { state: 'ready', description: { engineLabels: {} } } }])).toMatch(/status\.description\.capacity: must be an object/);
    expect(refusal([{ ...op, status: { state: 'ready', description: { engineLabels: { a: '' }, capacity: { memoryBytes: 0, nanoCpus: 0 } } } }])).toMatch(/description\.engineLabels\.a: must be a string of 1/);
  });

  it('a cluster strategy is spread, binpack or random', () => {
    const cluster = (strategy: string): unknown => ({ op: 'create', kind: 'cluster', id: 'c1', spec: { name: 'default', heartbeatPeriodMs: 1000, strategy }, status: {} });
    for (const strategy of ['spread', 'binpack', 'random']) expect(() => checkCommand({ format: 1, atMs: 1, ops: [cluster(strategy)] })).not.toThrow();
    expect(refusal([cluster('fastest')])).toMatch(/spec\.strategy: must be one of spread, binpack, random/);
  });
});
