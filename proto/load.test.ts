import { describe, expect, it } from 'vitest';
import { loadProto } from './load.js';

describe('proto loading', () => {
  it('loads every API with its services', () => {
    expect(typeof loadProto('runtime').shoal.runtime.v1.Containers).toBe('function');
    expect(typeof loadProto('runtime').shoal.runtime.v1.Tasks).toBe('function');
    expect(typeof loadProto('raft').shoal.raft.v1.RaftTransport).toBe('function');
    expect(typeof loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher).toBe('function');
    expect(typeof loadProto('control').shoal.control.v1.Control).toBe('function');
    expect(typeof loadProto('agent').shoal.access.v1.TaskAccess).toBe('function');
  });

  it('encodes 64-bit fields as numbers and enums as strings, as the generated types say', () => {
    const Msg = loadProto('raft').shoal.raft.v1.Message;
    const encoded = Msg.serialize({ type: 'MSG_APP', term: 7, index: 2 ** 40, entries: [{ term: 7, index: 2 ** 40, data: Buffer.from('x') }] });
    const decoded = Msg.deserialize(encoded);
    expect(decoded.type).toBe('MSG_APP');
    expect(decoded.index).toBe(2 ** 40);
    expect(decoded.entries[0]?.data.toString()).toBe('x');
  });
});
