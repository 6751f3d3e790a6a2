import { describe, expect, it } from 'vitest';
import type { StoreObjectOf, TaskStatus } from '../store/types.js';
import { assignedTo, reportedStatus, taskMessage } from './assignments.js';

const task = (over: { nodeId?: string; desiredState?: string; state?: string } = {}): StoreObjectOf<'task'> =>
  ({
    kind: 'task',
    id: 't1',
    meta: { version: 7, createdAtMs: 1, updatedAtMs: 2 },
    spec: { name: 'web', image: 'busybox', desiredState: over.desiredState ?? 'running', labels: { a: 'b' }, nodeId: over.nodeId ?? 'n1', args: ['sleep', '1'], env: ['K=V'], ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], resources: { limits: { memoryBytes: 64, nanoCpus: 5e8 }, reservations: { memoryBytes: 32, nanoCpus: 0 } } },
    status: { state: over.state ?? 'assigned' },
  }) as unknown as StoreObjectOf<'task'>;

describe('assignments', () => {
  it('assigns a node the tasks that name it, but not finished ones the managers asked to remove', () => {
    expect(assignedTo(task(), 'n1')).toBe(true);
    expect(assignedTo(task(), 'n2')).toBe(false);
    expect(assignedTo(task({ state: 'complete' }), 'n1')).toBe(true); // kept, as docker ps -a shows it
    expect(assignedTo(task({ state: 'running', desiredState: 'remove' }), 'n1')).toBe(true); // to be stopped
    expect(assignedTo(task({ state: 'shutdown', desiredState: 'remove' }), 'n1')).toBe(false);
    expect(assignedTo(undefined, 'n1')).toBe(false);
  });

  it('maps a task onto what the agent runs', () => {
    expect(taskMessage(task())).toMatchObject({
      id: 't1', name: 'web', nodeId: 'n1', desiredState: 'running',
      spec: { image: 'busybox', args: ['sleep', '1'], env: ['K=V'], labels: { a: 'b' }, resources: { memoryBytes: 64, memoryReservationBytes: 32, nanoCpus: 5e8 }, ports: [{ hostPort: 8080, containerPort: 80, protocol: 'TCP' }] },
    });
  });

  it("carries what the agent does on its own: the restart policy (0 retries = no limit, Docker's) and the fencing stop", () => {
    const t = task();
    const withPolicies = { ...t, spec: { ...t.spec, restart: { condition: 'on-failure', maxRetries: 2 }, stopOnDisconnectMs: 30_000 } } as StoreObjectOf<'task'>;
    expect(taskMessage(withPolicies)).toMatchObject({ restart: { condition: 'on-failure', maxRetries: 2 }, stopOnDisconnectMs: 30_000 });
    const always = { ...t, spec: { ...t.spec, restart: { condition: 'always' } } } as StoreObjectOf<'task'>;
    expect(taskMessage(always)).toMatchObject({ restart: { condition: 'always', maxRetries: 0 }, stopOnDisconnectMs: 0 });
    expect(taskMessage(t).restart).toBeUndefined();
  });

  it('takes reports forward only; a finished task stays finished; an orphaned one runs again when its agent says so', () => {
    const at = (state: string, extra: Partial<TaskStatus> = {}): TaskStatus => ({ state, ...extra }) as TaskStatus;
    expect(reportedStatus(at('assigned'), { state: 'running', containerId: 'c1' })).toEqual({ state: 'running', containerId: 'c1' });
    expect(reportedStatus(at('running', { containerId: 'c1' }), { state: 'preparing' })).toBeUndefined();
    expect(reportedStatus(at('running', { containerId: 'c1' }), { state: 'running' })).toBeUndefined(); // nothing new
    expect(reportedStatus(at('running'), { state: 'failed', exit: { exitCode: 3 } })).toEqual({ state: 'failed', message: 'exit code 3' });
    expect(reportedStatus(at('running'), { state: 'failed', exit: { exitCode: 137, oomKilled: true } })?.message).toBe('exit code 137 (out of memory)');
    expect(reportedStatus(at('running'), { state: 'failed', exit: { signal: 'SIGKILL' } })?.message).toBe('killed by SIGKILL');
    expect(reportedStatus(at('complete'), { state: 'running' })).toBeUndefined();
    expect(reportedStatus(at('orphaned'), { state: 'running', containerId: 'c1' })).toEqual({ state: 'running', containerId: 'c1' });
    expect(reportedStatus(at('running'), { state: 'orphaned' })).toBeUndefined(); // the managers' state, not the agent's
    expect(reportedStatus(at('assigned'), { state: 'rejected', error: 'no such image' })).toEqual({ state: 'rejected', message: 'no such image' });
  });
});
