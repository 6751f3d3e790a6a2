// validateMessage: what the network may hand the core. Each bad field is refused with one line
// naming it; everything the core itself sends, once through the real protobuf encoding, passes.

import { describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import type { MessageBatch__Output } from '../../proto/gen/shoal/raft/v1/MessageBatch.js';
import { encodeEnvelope } from './envelope.js';
import { encodeConfChange } from './membership.js';
import { encodeSnapshotData } from './snapshot-data.js';
import { Cluster } from './sim/cluster.js';
import { toPb } from './transport.js';
import { CAMPAIGN_TRANSFER, MEMBER_LIMITS, message, type Message } from './types.js';
import { validateMessage, validateSnapshotData, type Channel, type ReceiveContext, type WireMessage } from './validate.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A message as the receiving server gets it: encoded and decoded by the service's own codec. */
const stream = loadProto('raft').shoal.raft.v1.RaftTransport.service.Stream;
function overTheWire(m: Message): WireMessage {
  const batch = stream.requestDeserialize(stream.requestSerialize({ clusterId: 1, messages: [toPb(m)] })) as MessageBatch__Output;
  return batch.messages[0] as WireMessage;
}

/** Server 1 of members 1, 2, 3; the connection names no sender. */
const ctx = (o: Partial<ReceiveContext> = {}): ReceiveContext => ({ self: 1, isKnown: (id) => id === 2 || id === 3, ...o });

const channelOf = (m: Message): Channel => (m.type === 'MSG_SNAP' ? 'snapshot' : 'stream');
const check = (m: Message, c: ReceiveContext = ctx()) => validateMessage(overTheWire(m), c, channelOf(m));
/** A copy of `m` with fields replaced, as raw wire values (which may be anything). */
const withFields = (w: WireMessage, fields: Record<string, unknown>): WireMessage => ({ ...w, ...fields }) as WireMessage;
const mutated = (m: Message, fields: Record<string, unknown>): WireMessage => withFields(overTheWire(m), fields);
const fieldOf = (m: WireMessage, c: ReceiveContext = ctx(), channel: Channel = 'stream') => validateMessage(m, c, channel)?.field;

const entries = (from: number, terms: number[]) => terms.map((term, i) => ({ term, index: from + i, type: 'ENTRY_NORMAL' as const, data: enc(`e${from + i}`) }));
const append = message({ type: 'MSG_APP', from: 2, to: 1, term: 5, index: 10, logTerm: 4, commit: 9, entries: entries(11, [4, 5]) });
const proposal = message({ type: 'MSG_PROP', from: 2, to: 1, entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: encodeEnvelope(2, 7, enc('put')) }] });
const snap = message({
  type: 'MSG_SNAP',
  from: 2,
  to: 1,
  term: 5,
  snapshot: { meta: { index: 100, term: 4, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) },
});

describe('validateMessage: accepts what members send', () => {
  const valid: Message[] = [
    append,
    message({ type: 'MSG_APP', from: 2, to: 1, term: 5, index: 0, logTerm: 0, commit: 0 }),
    message({ type: 'MSG_APP_RESP', from: 2, to: 1, term: 5, index: 12, reject: true, rejectHint: 8, logTerm: 3 }),
    message({ type: 'MSG_VOTE', from: 3, to: 1, term: 6, index: 12, logTerm: 5, context: CAMPAIGN_TRANSFER }),
    message({ type: 'MSG_PRE_VOTE', from: 3, to: 1, term: 6, index: 12, logTerm: 5 }),
    message({ type: 'MSG_VOTE_RESP', from: 3, to: 1, term: 6, reject: true }),
    message({ type: 'MSG_PRE_VOTE_RESP', from: 3, to: 1, term: 6 }),
    message({ type: 'MSG_HEARTBEAT', from: 2, to: 1, term: 5, commit: 9, context: enc('read-0123456789a') }),
    message({ type: 'MSG_HEARTBEAT_RESP', from: 2, to: 1, term: 5 }),
    message({ type: 'MSG_TIMEOUT_NOW', from: 2, to: 1, term: 5 }),
    message({ type: 'MSG_READ_INDEX', from: 2, to: 1, context: enc('read-0123456789a') }),
    message({ type: 'MSG_READ_INDEX_RESP', from: 2, to: 1, term: 5, index: 9, context: enc('read-0123456789a') }),
    proposal,
    // Forwarded twice (the first follower's leader had moved): the sender is not the proposer.
    message({ type: 'MSG_PROP', from: 3, to: 1, entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: encodeEnvelope(2, 7, enc('put')) }] }),
    // Leadership to server 3, forwarded by a follower: `from` names the member to lead.
    message({ type: 'MSG_TRANSFER_LEADER', from: 3, to: 1 }),
    message({ type: 'MSG_TRANSFER_LEADER', from: 1, to: 1 }),
    snap,
  ];
  for (const m of valid) {
    it(`${m.type} from ${m.from}${m.reject ? ' (reject)' : ''}`, () => {
      expect(check(m)).toBeUndefined();
    });
  }

  it('a membership change in an append, when it decodes', () => {
    const cc = { term: 5, index: 11, type: 'ENTRY_CONF_CHANGE' as const, data: encodeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: 4, context: '127.0.0.1:7004' }) };
    expect(check({ ...append, entries: [cc] })).toBeUndefined();
  });

  it('a sender the connection names, when the message is from it', () => {
    expect(check(append, ctx({ claimedFrom: 2 }))).toBeUndefined();
  });
});

describe('validateMessage: refuses, naming the field', () => {
  const cases: [string, WireMessage, string, Partial<ReceiveContext>?][] = [
    ['an unknown type', mutated(append, { type: 99 }), 'type'],
    ['a proposal from 0 (once an assertion that killed the member)', mutated(proposal, { from: 0 }), 'from'],
    ['a sender this server does not know', mutated(append, { from: 9 }), 'from'],
    ['a sender claiming to be this server', mutated(append, { from: 1 }), 'from'],
    ['a sender other than the one the connection claims', overTheWire(append), 'from', { claimedFrom: 3 }],
    ['a member id past u32', mutated(append, { from: 2 ** 32 }), 'from'],
    ['a message for another server', mutated(append, { to: 3 }), 'to'],
    ['a message for nobody', mutated(append, { to: 0 }), 'to'],
    ['a term of 0 on a message a peer sends (it would pass for a local one)', mutated(append, { term: 0, logTerm: 0, entries: [] }), 'term'],
    ['a term on a forwarded proposal', mutated(proposal, { term: 3 }), 'term'],
    ['a term past 2^52 (the core could not add 1 to it)', mutated(append, { term: 2 ** 53 }), 'term'],
    ['a term that is not a whole number', mutated(append, { term: 5.5 }), 'term'],
    ['a negative index', mutated(append, { index: -1 }), 'index'],
    ['an index past 2^52', mutated(append, { index: 2 ** 60 }), 'index'],
    ['a log term newer than the message', mutated(append, { logTerm: 6 }), 'logTerm'],
    ['a commit index past 2^52', mutated(append, { commit: Number.MAX_SAFE_INTEGER }), 'commit'],
    ['a reject hint past the rejected index', withFields(overTheWire(message({ type: 'MSG_APP_RESP', from: 2, to: 1, term: 5, index: 12, reject: true })), { rejectHint: 13 }), 'rejectHint'],
    ['an oversized context', mutated(append, { entries: [], context: Buffer.alloc(2000) }), 'context'],
    ['a read without its id', withFields(overTheWire(message({ type: 'MSG_READ_INDEX', from: 2, to: 1, context: enc('r') })), { context: Buffer.alloc(0) }), 'context'],
    ['entries whose indexes do not follow the append', mutated(append, { entries: overTheWire(append).entries.map((e, i) => ({ ...e, index: 11 + 2 * i })) }), 'entries[1].index'],
    ['an entry older than the entry before it', mutated(append, { entries: overTheWire({ ...append, entries: entries(11, [5, 4]) }).entries }), 'entries[1].term'],
    ['an entry newer than the leader sending it', mutated(append, { entries: overTheWire({ ...append, entries: entries(11, [4, 6]) }).entries }), 'entries[1].term'],
    ['an entry of an unknown type', mutated(append, { entries: [{ ...overTheWire(append).entries[0], type: 7 }] }), 'entries[0].type'],
    ['a membership change that does not decode', mutated(append, { entries: [{ ...overTheWire(append).entries[0], type: 'ENTRY_CONF_CHANGE', data: Buffer.from('{nope') }] }), 'entries[0].data'],
    ['entries on a heartbeat', withFields(overTheWire(message({ type: 'MSG_HEARTBEAT', from: 2, to: 1, term: 5 })), { entries: overTheWire(append).entries }), 'entries'],
    ['a proposal without entries (once an assertion)', mutated(proposal, { entries: [] }), 'entries'],
    ['a forwarded membership change', mutated(proposal, { entries: [{ term: 0, index: 0, type: 'ENTRY_CONF_CHANGE', data: Buffer.from(encodeConfChange({ type: 'CONF_REMOVE', nodeId: 3, context: '' })) }] }), 'entries[0].type'],
    ['a proposal stamped as if in a log', mutated(proposal, { entries: [{ ...overTheWire(proposal).entries[0], index: 40, term: 2 }] }), 'entries[0].index'],
    ['a proposal that is not in an envelope', mutated(proposal, { entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: Buffer.from('raw') }] }), 'entries[0].data'],
    ['a proposal made by a stranger', mutated(proposal, { entries: [{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: Buffer.from(encodeEnvelope(77, 1, enc('x'))) }] }), 'entries[0].data'],
    ['a snapshot on the stream', mutated(append, { type: 'MSG_SNAP', entries: [] }), 'type'],
    ['a snapshot field on another type', mutated(append, { snapshot: overTheWire(snap).snapshot }), 'snapshot'],
    ['a leadership transfer to a stranger', withFields(overTheWire(message({ type: 'MSG_TRANSFER_LEADER', from: 3, to: 1 })), { from: 8 }), 'from'],
  ];
  for (const [what, m, field, c] of cases) {
    it(what, () => {
      const got = validateMessage(m, ctx(c), 'stream');
      expect(got?.field).toBe(field);
      expect(got?.reason.startsWith(`${field}: `)).toBe(true);
    });
  }

  it('refuses snapshot headers that are not snapshots, or whose metadata is impossible', () => {
    const s = overTheWire(snap);
    const meta = s.snapshot as NonNullable<WireMessage['snapshot']>;
    const cs = meta.confState as NonNullable<typeof meta.confState>;
    expect(fieldOf(overTheWire(append), ctx(), 'snapshot')).toBe('type');
    expect(fieldOf({ ...s, snapshot: null }, ctx(), 'snapshot')).toBe('snapshot');
    expect(fieldOf({ ...s, snapshot: { ...meta, index: 0 } }, ctx(), 'snapshot')).toBe('snapshot.index');
    expect(fieldOf({ ...s, snapshot: { ...meta, term: 6 } }, ctx(), 'snapshot')).toBe('snapshot.term');
    expect(fieldOf({ ...s, snapshot: { ...meta, confState: null } }, ctx(), 'snapshot')).toBe('snapshot.confState');
    expect(fieldOf({ ...s, snapshot: { ...meta, confState: { voters: [], learners: [] } } }, ctx(), 'snapshot')).toBe('snapshot.confState.voters');
    expect(fieldOf({ ...s, snapshot: { ...meta, confState: { ...cs, learners: [2] } } }, ctx(), 'snapshot')).toBe('snapshot.confState.learners');
    expect(fieldOf({ ...s, snapshot: { ...meta, confState: { ...cs, voters: [1, 0] } } }, ctx(), 'snapshot')).toBe('snapshot.confState.voters');
  });

  it("refuses snapshot data that is not RaftNode's: a restore that failed later would stop the server", () => {
    expect(validateSnapshotData(encodeSnapshotData(new Map([[2, '127.0.0.1:7002']]), enc('state')))).toBeUndefined();
    expect(validateSnapshotData(enc('xy'))?.reason).toBe('snapshot data: 2 bytes, shorter than its 4-byte header');
    expect(validateSnapshotData(Buffer.from([0, 0, 0, 200, 1]))?.reason).toMatch(/runs past its end/);
    const notJson = Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('[[')]);
    expect(validateSnapshotData(notJson)?.reason).toBe('snapshot data: its peer list is not JSON');
    const badPeer = Buffer.from(JSON.stringify([[0, 7]]));
    expect(validateSnapshotData(Buffer.concat([Buffer.from([0, 0, 0, badPeer.length]), badPeer]))?.reason).toMatch(/is not \[id, "address"\]/);
  });

  it("holds a snapshot's peer list to the member bounds its membership has (MEMBER_LIMITS): the largest id and the most members pass, one more does not", () => {
    const peers = (ids: number[]): Uint8Array => encodeSnapshotData(new Map(ids.map((id) => [id, `127.0.0.1:${id % 65536}`])), enc('state'));
    const most = Array.from({ length: MEMBER_LIMITS.membersMax }, (_, i) => i + 1);
    expect(validateSnapshotData(peers(most))).toBeUndefined();
    expect(validateSnapshotData(peers([...most, MEMBER_LIMITS.membersMax + 1]))?.reason).toBe(`snapshot data: ${MEMBER_LIMITS.membersMax + 1} peers, more than ${MEMBER_LIMITS.membersMax}`);
    expect(validateSnapshotData(peers([MEMBER_LIMITS.nodeIdMax]))).toBeUndefined();
    expect(validateSnapshotData(peers([MEMBER_LIMITS.nodeIdMax + 1]))?.reason).toMatch(/is not \[id, "address"\]/);
    // The header's membership is held to the same bounds.
    const header = (voters: number[]): Message => message({ type: 'MSG_SNAP', from: 2, to: 1, term: 3, snapshot: { meta: { index: 5, term: 3, confState: { voters, learners: [] } }, data: new Uint8Array(0) } });
    expect(check(header(most))).toBeUndefined();
    expect(check(header([...most, MEMBER_LIMITS.membersMax + 1]))?.field).toBe('snapshot.confState');
    expect(check(header([1, MEMBER_LIMITS.nodeIdMax]))).toBeUndefined();
    expect(check(header([1, MEMBER_LIMITS.nodeIdMax + 1]))?.field).toBe('snapshot.confState.voters');
  });
});

describe("validateMessage: the core's own traffic passes", () => {
  it('elections, replication, forwarded proposals and reads, membership changes, a snapshot and a transfer: nothing refused', () => {
    const c = new Cluster(3, { seed: 7 });
    const members = new Set([1, 2, 3]);
    const refused: string[] = [];
    const seen = new Set<string>();
    // Every message goes through the wire codec and the check, as the transport would, with its
    // sender as the connection's claim (MSG_TRANSFER_LEADER names the member to lead instead).
    c.filters.push((m) => {
      const r = validateMessage(overTheWire(m), { self: m.to, isKnown: (id) => members.has(id) && id !== m.to, ...(m.type === 'MSG_TRANSFER_LEADER' ? {} : { claimedFrom: m.from }) }, channelOf(m));
      seen.add(m.type);
      if (r !== undefined) refused.push(`${m.type} ${m.from}→${m.to}: ${r.reason}`);
      return true;
    });
    const put = (via: number, seq: number, text: string): void => {
      c.get(via).node.propose(encodeEnvelope(via, seq, enc(text)));
      c.settle();
    };
    c.elect(1);
    put(1, 1, 'a=1');
    put(2, 1, 'b=2'); // forwarded by a follower
    c.get(3).node.readIndex(enc('read-from-3'));
    c.settle();
    // A member joins, cut off until the log it needs is compacted: it gets a snapshot.
    members.add(4);
    c.nodes.set(4, c.makeNode(4, []));
    c.isolate(4);
    c.get(1).node.proposeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: 4, context: '' });
    c.settle();
    for (let i = 0; i < 10; i++) put(1, 10 + i, `k${i}=${i}`);
    c.get(1).snapshotAndCompact(0);
    c.filters.splice(1); // heal the partition, keep the check
    for (let i = 0; i < 3; i++) {
      c.tick(1);
      c.settle();
    }
    expect(c.get(4).restoredSnapshots).toHaveLength(1);
    c.get(1).node.proposeConfChange({ type: 'CONF_ADD_VOTER', nodeId: 4, context: '' });
    c.settle();
    c.get(1).node.transferLeadership(4);
    c.settle();
    expect(c.get(4).node.raft.role).toBe('leader');
    // Server 2 asks for the transfer back; it forwards the request to the leader.
    c.get(2).node.transferLeadership(1);
    c.settle();
    c.runUntil(() => c.leaders().length === 1);
    put(3, 2, 'after=1');
    expect(refused).toEqual([]);
    // Every type a peer sends went through the check at least once.
    expect([...seen].sort()).toEqual([
      'MSG_APP', 'MSG_APP_RESP', 'MSG_HEARTBEAT', 'MSG_HEARTBEAT_RESP', 'MSG_PRE_VOTE', 'MSG_PRE_VOTE_RESP', 'MSG_PROP',
      'MSG_READ_INDEX', 'MSG_READ_INDEX_RESP', 'MSG_SNAP', 'MSG_TIMEOUT_NOW', 'MSG_TRANSFER_LEADER', 'MSG_VOTE', 'MSG_VOTE_RESP',
    ]);
  });
});
