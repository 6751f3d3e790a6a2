import { describe, expect, it } from 'vitest';
import { dockerLeaderAtMs, incidentComplete, lastOf, logIncident, storeIncident, type StoreEvent } from './incident.js';

const KILL = Date.parse('2026-11-30T18:00:00.000Z');

const node = (id: string, atMs: number, hostname: string, from: string, to: string): StoreEvent => ({
  action: 'update',
  kind: 'node',
  id,
  atMs,
  objectJson: JSON.stringify({ spec: { hostname }, status: { state: to } }),
  previousJson: JSON.stringify({ spec: { hostname }, status: { state: from } }),
});
const task = (action: string, id: string, atMs: number, spec: object, state: string): StoreEvent => ({ action, kind: 'task', id, atMs, objectJson: JSON.stringify({ spec, status: { state } }) });

describe('storeIncident: the failover as the store tells it', () => {
  const events: StoreEvent[] = [
    // Before the kill: ignored, even a node going down.
    node('n9', KILL - 5_000, 'h9', 'ready', 'down'),
    task('create', 'old', KILL - 4_000, { name: 'fo1', replaces: 'older' }, 'pending'),
    node('n1', KILL + 3_900, 'h1', 'ready', 'down'),
    // The same node written down again (a retried write): the first one counts.
    node('n1', KILL + 4_500, 'h1', 'down', 'down'),
    task('create', 'c1', KILL + 3_950, { name: 'fo1', replaces: 'a1' }, 'pending'),
    task('create', 'c2', KILL + 3_950, { name: 'fo2', replaces: 'a2' }, 'pending'),
    // An ordinary task created after the kill is no copy.
    task('create', 'x', KILL + 3_960, { name: 'other' }, 'pending'),
    task('update', 'c1', KILL + 4_000, { name: 'fo1', replaces: 'a1', nodeId: 'n2' }, 'assigned'),
    task('update', 'c2', KILL + 4_010, { name: 'fo2', replaces: 'a2', nodeId: 'n3' }, 'assigned'),
    task('update', 'c1', KILL + 4_300, { name: 'fo1', replaces: 'a1', nodeId: 'n2' }, 'running'),
  ];

  it('names when the dead node went down and when each copy was created, placed and running', () => {
    const i = storeIncident(events, KILL, 'n1');
    expect(i.deadDownAtMs).toBe(3_900);
    expect(i.otherDowns).toEqual([]);
    expect(i.copies).toEqual([
      { id: 'c1', name: 'fo1', createdAtMs: 3_950, placedAtMs: 4_000, nodeId: 'n2', runningAtMs: 4_300 },
      { id: 'c2', name: 'fo2', createdAtMs: 3_950, placedAtMs: 4_010, nodeId: 'n3' },
    ]);
    // One copy is not running yet: the story is not complete, and there is no last running time.
    expect(incidentComplete(i, 2)).toBe(false);
    expect(lastOf(i.copies, 'placedAtMs')).toBe(4_010);
    expect(lastOf(i.copies, 'runningAtMs')).toBeUndefined();
    const done = storeIncident([...events, task('update', 'c2', KILL + 4_400, { name: 'fo2', replaces: 'a2', nodeId: 'n3' }, 'running')], KILL, 'n1');
    expect(incidentComplete(done, 2)).toBe(true);
    expect(lastOf(done.copies, 'runningAtMs')).toBe(4_400);
  });

  it('reports any other node written down after the kill as a false down', () => {
    const i = storeIncident([...events, node('n3', KILL + 3_100, 'h3', 'ready', 'down')], KILL, 'n1');
    expect(i.otherDowns).toEqual([{ nodeId: 'n3', hostname: 'h3', atMs: 3_100 }]);
  });

  it('is not complete before the dead node is down, nor with fewer copies than expected', () => {
    expect(incidentComplete(storeIncident(events.slice(0, 2), KILL, 'n1'), 2)).toBe(false);
    expect(incidentComplete({ deadDownAtMs: 1, otherDowns: [], copies: [] }, 2)).toBe(false);
  });
});

describe('logIncident and dockerLeaderAtMs: what the logs say', () => {
  const line = (atMs: number, msg: string, fields: object = {}): string => JSON.stringify({ level: 30, time: new Date(atMs).toISOString(), pid: 1, ...fields, msg });

  it('takes the first manager that says it leads, every node-down line and each agent’s first session after the kill', () => {
    const managers = new Map([
      ['h2', ['# manager started', line(KILL - 100, 'leader changed: this manager leads'), line(KILL + 800, 'leader changed: this manager leads'), line(KILL + 3_900, 'node down: its heartbeats stopped', { nodeId: 'n1' })].join('\n')],
      ['h3', [line(KILL + 790, 'leader changed', { lead: 2 }), 'not json'].join('\n')],
    ]);
    const agents = new Map([
      ['h2', [line(KILL - 50, 'session with the managers'), line(KILL + 1_500, 'session with the managers'), line(KILL + 2_000, 'session with the managers')].join('\n')],
      ['h3', line(KILL + 300, 'session with a manager ended; trying the next')],
    ]);
    expect(logIncident(managers, agents, KILL)).toEqual({ leads: { host: 'h2', atMs: 800 }, downs: [{ host: 'h2', nodeId: 'n1', atMs: 3_900 }], sessions: [{ host: 'h2', atMs: 1_500 }] });
  });

  it("reads swarmkit's election from dockerd's log, nanoseconds and all", () => {
    const log = [
      'time="2026-11-30T17:59:59.000000001Z" level=info msg="a became leader at term 2" module=raft',
      'time="2026-11-30T18:00:14.123456789Z" level=info msg="b became leader at term 3" module=raft',
    ].join('\n');
    expect(dockerLeaderAtMs(log, KILL)).toBe(KILL + 14_123);
    expect(dockerLeaderAtMs('', KILL)).toBeUndefined();
  });
});
