import { describe, expect, it } from 'vitest';
import type { StoreObjectOf, TaskSpec, TaskState } from '../store/types.js';
import { heardStatus } from './node-return.js';

const node = (state: 'down' | 'unknown' | 'ready', message?: string): StoreObjectOf<'node'> => ({
  kind: 'node', id: 'n1', meta: { version: 3, createdAtMs: 0, updatedAtMs: 0 },
  spec: { hostname: 'h1', role: 'worker', availability: 'active', labels: {} },
  status: { state, addr: '10.0.0.1', ...(message !== undefined ? { message } : {}), ...(state === 'down' ? { downAtMs: 5 } : {}) },
});
const task = (id: string, state: TaskState, spec: Partial<TaskSpec> = {}): StoreObjectOf<'task'> => ({
  kind: 'task', id, meta: { version: 2, createdAtMs: 0, updatedAtMs: 0 },
  spec: { name: id, image: 'busybox', desiredState: 'running', labels: {}, nodeId: 'n1', ...spec }, status: { state },
});
const replaced = (id: string, state: TaskState) => task(id, state, { replacedBy: `${id}-copy`, desiredState: 'remove' });

describe('a node heard again', () => {
  it('is ready, without the down message and time, when it holds no replaced container', () => {
    expect(heardStatus(node('down', 'no heartbeat for 3 periods'), [task('a', 'orphaned')])).toEqual({ status: { state: 'ready', addr: '10.0.0.1' }, returning: false });
  });

  it('is unknown, saying how many replaced containers it must stop first, until they are all stopped', () => {
    const held = [replaced('a', 'orphaned'), replaced('b', 'running'), replaced('c', 'shutdown'), task('d', 'running')];
    const first = heardStatus(node('down'), held);
    expect(first).toEqual({ status: { state: 'unknown', addr: '10.0.0.1', message: 'back; stopping 2 replaced containers first' }, returning: true });
    // Written already: nothing to write, still returning.
    expect(heardStatus(node('unknown', 'back; stopping 2 replaced containers first'), held)).toEqual({ status: undefined, returning: true });
    expect(heardStatus(node('unknown', 'back; stopping 2 replaced containers first'), [replaced('a', 'shutdown'), replaced('b', 'failed')])).toEqual({ status: { state: 'ready', addr: '10.0.0.1' }, returning: false });
  });

  it('a ready node (a drain under way keeps replaced copies running on purpose) stays ready', () => {
    expect(heardStatus(node('ready'), [replaced('a', 'running')])).toEqual({ status: undefined, returning: false });
  });
});
