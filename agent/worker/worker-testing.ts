// Test support for the worker's unit tests (restarts.test.ts, fencing.test.ts): tasks and
// assignment messages as the Dispatcher's stream hands them, a worker over fake-runtime.ts with a
// manual clock, and the statuses it sent.

import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskStatus } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import type { TaskStatusUpdate } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import type { TaskExit } from '../shim/protocol.js';
import { FakeRuntime } from './fake-runtime.js';
import type { RestartLedger } from './restart-ledger.js';
import { Worker } from './worker.js';

export const NODE = 'node-1';

export function spec(over: Partial<ContainerSpec__Output> = {}): ContainerSpec__Output {
  return { image: 'busybox', command: [], args: ['sleep', '3600'], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs: 0, stopSignal: '', ...over };
}

export function task(id: string, over: Partial<Task__Output> = {}): Task__Output {
  return {
    id, meta: null, serviceId: '', slot: 0, nodeId: NODE, name: `n-${id}`, spec: spec(), desiredState: 'running',
    status: { state: 'assigned', message: '', error: '', exit: null, atMs: 0, containerId: '', lost: false }, networks: [], restart: null, stopOnDisconnectMs: 0,
    ...over,
  };
}

export const full = (...tasks: Task__Output[]): AssignmentsMessage__Output => ({ full: true, version: 1, changes: tasks.map((t) => ({ action: 'UPDATE', task: t, item: 'task' })) }) as AssignmentsMessage__Output;
export const update = (...tasks: Task__Output[]): AssignmentsMessage__Output => ({ full: false, version: 2, changes: tasks.map((t) => ({ action: 'UPDATE', task: t, item: 'task' })) }) as AssignmentsMessage__Output;

export const exitWith = (exitCode: number): TaskExit => ({ exitCode, signal: '', oomKilled: false, exitedAtMs: 1 });

export function setup(o: { rt?: FakeRuntime; clock?: ManualClock; restartLedger?: RestartLedger } = {}) {
  const rt = o.rt ?? new FakeRuntime();
  rt.images.add('busybox');
  const clock = o.clock ?? new ManualClock();
  const w = new Worker({ nodeId: NODE, runtime: rt, clock, logger: silentLogger(), ...(o.restartLedger !== undefined ? { restartLedger: o.restartLedger } : {}) });
  const sent: TaskStatusUpdate[][] = [];
  w.reporter.setSender((u) => {
    sent.push(u);
    return Promise.resolve();
  });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await w.settled();
      await w.reporter.drained();
    }
  };
  const statuses = (id: string): TaskStatus[] => sent.flat().filter((u) => u.taskId === id).map((u) => u.status as TaskStatus);
  const last = (id: string): TaskStatus => statuses(id).at(-1) as TaskStatus;
  /** Advances the clock, then lets what its timers started finish. */
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  const containerOf = (name: string): string => {
    const c = [...rt.containers.values()].find((x) => x.name === name && !x.removed);
    if (c === undefined) throw new Error(`no container ${name}`);
    return c.id;
  };
  return { rt, clock, w, sent, settle, statuses, last, advance, containerOf };
}
