// The key-value state machine's snapshot, encoded over several turns of the event loop while
// writes go on: it holds the state of the moment it was asked for, later writes are seen by
// reads at once and kept afterwards, and a restore in between is not undone by it.

import { describe, expect, it } from 'vitest';
import { KvStateMachine, encodePut } from './state-machine.js';

const put = (sm: KvStateMachine, index: number, key: string, value: string): void => {
  sm.apply(encodePut(key, Buffer.from(value)), index);
};
const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());

/** More keys than one turn encodes, so that the snapshot spans several turns. */
function filled(keys: number): KvStateMachine {
  const sm = new KvStateMachine();
  for (let i = 0; i < keys; i++) put(sm, i + 1, `k${i}`, `v${i}`);
  return sm;
}

describe('KvStateMachine snapshots', () => {
  it('holds the state as of the call, while writes made before it completes are read at once and kept', async () => {
    const sm = filled(5_000);
    const pending = sm.snapshot();
    put(sm, 5_001, 'k1', 'changed');
    put(sm, 5_002, 'new', 'key');
    expect(text(sm.get('k1'))).toBe('changed');
    expect(text(sm.get('new'))).toBe('key');
    expect(sm.keys()).toHaveLength(5_001);

    const restored = new KvStateMachine();
    restored.restore(await pending);
    expect(text(restored.get('k1'))).toBe('v1');
    expect(restored.get('new')).toBeUndefined();
    expect(restored.keys()).toHaveLength(5_000);
    expect(text(restored.get('k4999'))).toBe('v4999');

    // After it, the writes made meanwhile are part of the state, and of the next snapshot.
    expect(text(sm.get('k1'))).toBe('changed');
    const next = new KvStateMachine();
    next.restore(await sm.snapshot());
    expect(text(next.get('k1'))).toBe('changed');
    expect(text(next.get('new'))).toBe('key');
  });

  it('still holds its state when a restore comes while it encodes, and does not put that state back', async () => {
    const sm = filled(5_000);
    const other = new KvStateMachine();
    put(other, 1, 'only', 'this');
    const pending = sm.snapshot();
    sm.restore(await other.snapshot());
    put(sm, 2, 'after', 'restore');
    const taken = new KvStateMachine();
    taken.restore(await pending);
    expect(taken.keys()).toHaveLength(5_000);
    expect(sm.keys().sort()).toEqual(['after', 'only']);
  });
});
