// The store as the scheduler's input, and its decisions as bounded writes.

import { describe, expect, it } from 'vitest';
import type { StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import { nodeCreate, taskCreate } from '../store/testing.js';
import { decisionOps, inBatches, schedulerNode, schedulerTask, waitingTasks } from './from-store.js';

function storeWith(...ops: StoreOp[]): Store {
  const s = new Store();
  ops.forEach((op, i) => s.applyCommand({ atMs: 1_000 + i, ops: [op] }, i + 1));
  return s;
}

const description = { engineLabels: { disk: 'ssd' }, capacity: { memoryBytes: 1024, nanoCpus: 2_000_000_000 } };

describe('the store as the scheduler reads it', () => {
  it("a node without its agent's description is no-agent; with it, its state, engine labels and capacity", () => {
    const s = storeWith({ ...nodeCreate('m1', 'm1', { role: 'manager' }), status: { state: 'ready' } } as StoreOp, { ...nodeCreate('w1', 'w1'), status: { state: 'down', description } } as StoreOp);
    expect(schedulerNode(s.get('node', 'm1')!, s)).toMatchObject({ state: 'no-agent', engineLabels: {}, capacity: { memoryBytes: 0, nanoCpus: 0 }, images: [] });
    expect(schedulerNode(s.get('node', 'w1')!, s)).toMatchObject({ state: 'down', engineLabels: { disk: 'ssd' }, capacity: description.capacity });
  });

  it("a node's live tasks hold their ports until they end, whatever their desired state", () => {
    const port = { ports: [{ hostPort: 80, containerPort: 80, protocol: 'tcp' as const }] };
    const s = storeWith(
      { ...nodeCreate('w1', 'w1'), status: { state: 'ready', description } } as StoreOp,
      { ...taskCreate('a', 'a', { nodeId: 'w1', desiredState: 'remove', ...port }), status: { state: 'running' } } as StoreOp,
      { ...taskCreate('b', 'b', { nodeId: 'w1', ...port }), status: { state: 'complete' } } as StoreOp,
    );
    expect(schedulerNode(s.get('node', 'w1')!, s).tasks).toEqual([{ name: 'a', image: 'busybox', hostPorts: [{ port: 80, protocol: 'tcp' }], reservations: { memoryBytes: 0, nanoCpus: 0 } }]);
  });

  it('waiting tasks: pending, desired running, on no node, oldest first; their rules as typed', () => {
    const s = storeWith(
      { ...taskCreate('z', 'first', { placement: { constraints: ['node.role==worker'], env: ['affinity:image==redis'] } }), status: { state: 'pending' } } as StoreOp,
      { ...taskCreate('a', 'second'), status: { state: 'pending' } } as StoreOp,
      { ...taskCreate('b', 'removed', { desiredState: 'remove' }), status: { state: 'pending' } } as StoreOp,
      { ...taskCreate('c', 'new'), status: { state: 'new' } } as StoreOp,
    );
    const waiting = waitingTasks(s);
    expect(waiting.map((t) => t.id)).toEqual(['z', 'a']);
    expect(schedulerTask(waiting[0]!)).toMatchObject({ constraints: ['node.role==worker'], env: ['affinity:image==redis'], hostPorts: [], reservations: { memoryBytes: 0, nanoCpus: 0 } });
  });

  it('decisions become writes: an assignment always, a reason only when it changed', () => {
    const s = storeWith({ ...taskCreate('t1', 't1'), status: { state: 'pending', pendingReason: 'no node has joined the cluster' } } as StoreOp, { ...taskCreate('t2', 't2'), status: { state: 'pending' } } as StoreOp);
    const ops = decisionOps(s, [
      { taskId: 't1', outcome: 'pending', reason: 'no node has joined the cluster', step: 'nodes' },
      { taskId: 't2', outcome: 'assigned', nodeId: 'w1' },
      { taskId: 'gone', outcome: 'assigned', nodeId: 'w1' },
    ]);
    expect(ops).toEqual([{ op: 'update', kind: 'task', id: 't2', version: 2, spec: { ...s.get('task', 't2')!.spec, nodeId: 'w1' }, status: { state: 'assigned' } }]);
  });

  it('cuts writes by count and by size; an operation too large goes alone', () => {
    const op = (id: string, chars: number): StoreOp => ({ op: 'delete', kind: 'task', id: id.padEnd(chars, 'x') });
    const size = (o: StoreOp): number => JSON.stringify(o).length;
    expect(inBatches([op('a', 1), op('b', 1), op('c', 1)], { opsMax: 2, bytesMax: 1_000 }).map((b) => b.length)).toEqual([2, 1]);
    const big = op('big', 500);
    expect(inBatches([op('a', 1), big, op('c', 1)], { opsMax: 10, bytesMax: size(big) }).map((b) => b.length)).toEqual([1, 1, 1]);
    expect(inBatches([], { opsMax: 10, bytesMax: 10 })).toEqual([]);
  });
});
