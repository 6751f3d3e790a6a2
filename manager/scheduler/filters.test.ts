// Each filter of the chain, through `schedule`: which nodes it keeps, and the pending reason a
// user reads when it removes the last ones.

import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../shared/rng.js';
import { schedule } from './schedule.js';
import { CPU, GIB, MIB, node, running, task, tcp, udp } from './testing.js';
import type { Decision, SchedulerNode, SchedulerTask } from './types.js';

function one(t: SchedulerTask, nodes: readonly SchedulerNode[]): Decision {
  const { decisions } = schedule([t], nodes, 'spread', new SeededRng(1));
  return decisions[0] as Decision;
}

/** The ids of the nodes `t` may land on: schedule it alone once per node, with only that node. */
function eligible(t: SchedulerTask, nodes: readonly SchedulerNode[]): string[] {
  return nodes.filter((n) => one(t, [n]).outcome === 'assigned').map((n) => n.id);
}

function reasonOf(d: Decision): { reason: string; step: string } {
  if (d.outcome !== 'pending') throw new Error(`expected pending, got ${JSON.stringify(d)}`);
  return { reason: d.reason, step: d.step };
}

describe('node state and availability', () => {
  it('takes only ready nodes', () => {
    const nodes = [node('a', { state: 'down' }), node('b', { state: 'unknown' }), node('c', { state: 'disconnected' }), node('d')];
    expect(eligible(task('t'), nodes)).toEqual(['d']);
  });

  it('says no node is ready, with the states', () => {
    const d = one(task('t'), [node('a', { state: 'down' }), node('b', { state: 'down' }), node('c', { state: 'unknown' })]);
    expect(reasonOf(d)).toEqual({ reason: 'no node is ready (0 of 3 nodes: 2 down, 1 unknown)', step: 'ready' });
  });

  it('counts a node no agent has reported for (a manager alone) as not ready, in those words', () => {
    const d = one(task('t'), [node('m1', { role: 'manager', state: 'no-agent' }), node('w1', { state: 'down' })]);
    expect(reasonOf(d)).toEqual({ reason: 'no node is ready (0 of 2 nodes: 1 without an agent, 1 down)', step: 'ready' });
  });

  it('takes only active nodes: not paused, not drained', () => {
    const nodes = [node('a', { availability: 'pause' }), node('b', { availability: 'drain' }), node('c')];
    expect(eligible(task('t'), nodes)).toEqual(['c']);
  });

  it('says no ready node is active, and what the other nodes were', () => {
    const d = one(task('t'), [node('a', { availability: 'pause' }), node('b', { availability: 'drain' }), node('c', { state: 'down' })]);
    expect(reasonOf(d)).toEqual({ reason: 'no ready node is active (0 of 2 nodes: 1 paused, 1 drained); of the other 1 node: 1 not ready', step: 'availability' });
  });

  it('says when there are no nodes at all', () => {
    expect(reasonOf(one(task('t'), []))).toEqual({ reason: 'no node has joined the cluster', step: 'nodes' });
  });
});

describe('constraints', () => {
  const nodes = [
    node('id-1', { hostname: 'h1', role: 'manager', labels: { zone: 'a' }, engineLabels: { storage: 'ssd' } }),
    node('id-2', { hostname: 'h2', labels: { zone: 'b' }, engineLabels: { storage: 'disk' } }),
    node('id-3', { hostname: 'h3', labels: {}, engineLabels: { storage: 'SSD' } }),
  ];
  const withConstraint = (c: string): SchedulerTask => task('t', { constraints: [c] });
  const withEnv = (...env: string[]): SchedulerTask => task('t', { env });

  it('node.id, node.hostname and node.role, with == and !=', () => {
    expect(eligible(withConstraint('node.id==id-2'), nodes)).toEqual(['id-2']);
    expect(eligible(withConstraint('node.id!=id-2'), nodes)).toEqual(['id-1', 'id-3']);
    expect(eligible(withConstraint('node.hostname==h3'), nodes)).toEqual(['id-3']);
    expect(eligible(withConstraint('node.role==manager'), nodes)).toEqual(['id-1']);
    expect(eligible(withConstraint('node.role!=manager'), nodes)).toEqual(['id-2', 'id-3']);
  });

  it('node.labels.K: == needs the label; != holds where it is absent', () => {
    expect(eligible(withConstraint('node.labels.zone==b'), nodes)).toEqual(['id-2']);
    expect(eligible(withConstraint('node.labels.zone!=b'), nodes)).toEqual(['id-1', 'id-3']);
    expect(eligible(withConstraint('node.labels.zone==*'), nodes)).toEqual(['id-1', 'id-2']);
  });

  it('engine.labels.K, compared without regard to case', () => {
    expect(eligible(withConstraint('engine.labels.storage==ssd'), nodes)).toEqual(['id-1', 'id-3']);
  });

  it("Swarm classic's constraint:node==X (id or hostname, globs) and constraint:K==V (an engine label)", () => {
    expect(eligible(withEnv('constraint:node==h2'), nodes)).toEqual(['id-2']);
    expect(eligible(withEnv('constraint:node==id-3'), nodes)).toEqual(['id-3']);
    expect(eligible(withEnv('constraint:node!=h*'), nodes)).toEqual([]);
    expect(eligible(withEnv('constraint:storage==disk'), nodes)).toEqual(['id-2']);
    expect(eligible(withEnv('constraint:storage==ssd', 'constraint:node!=h1'), nodes)).toEqual(['id-3']);
  });

  it('a label named like an Object property is only a label', () => {
    expect(eligible(withConstraint('node.labels.constructor==*'), nodes)).toEqual([]);
    expect(eligible(withConstraint('node.labels.toString!=x'), nodes)).toEqual(['id-1', 'id-2', 'id-3']);
  });

  it('says which constraint no node satisfies, of how many', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => node(id, { labels: { zone: 'a' } }));
    expect(reasonOf(one(withConstraint('node.labels.zone==b'), five))).toEqual({ reason: 'no node satisfies node.labels.zone==b (0 of 5 nodes)', step: 'constraint' });
  });

  it('names the constraint that removed the last nodes and tallies what the earlier ones removed', () => {
    const d = one(task('t', { constraints: ['node.role==worker', 'node.labels.zone==b'] }), [
      node('a', { state: 'down' }), node('b', { role: 'manager' }), node('c', { role: 'manager' }), node('d', { labels: { zone: 'a' } }),
    ]);
    expect(reasonOf(d).reason).toBe('no node satisfies node.labels.zone==b (0 of 1 node); of the other 3 nodes: 1 not ready, 2 do not satisfy node.role==worker');
  });
});

describe('affinities', () => {
  const nodes = [
    node('a', { tasks: [running('web', { image: 'nginx:1.27' })] }),
    node('b', { images: ['docker.io/library/redis:7'] }),
    node('c', { tasks: [running('web-2', { image: 'registry.local:5000/app:2' })] }),
  ];
  const withEnv = (...env: string[]): SchedulerTask => task('t', { env });

  it('container==NAME: the nodes running a live task of that name (globs too); != the others', () => {
    expect(eligible(withEnv('affinity:container==web'), nodes)).toEqual(['a']);
    expect(eligible(withEnv('affinity:container==WEB*'), nodes)).toEqual(['a', 'c']);
    expect(eligible(withEnv('affinity:container!=web'), nodes)).toEqual(['b', 'c']);
  });

  it("image==IMAGE: the nodes that have the image or run a task of it, by canonical name or by glob", () => {
    expect(eligible(withEnv('affinity:image==redis:7'), nodes)).toEqual(['b']);
    expect(eligible(withEnv('affinity:image==redis'), nodes)).toEqual([]);
    expect(eligible(withEnv('affinity:image==redis:*'), nodes)).toEqual(['b']);
    expect(eligible(withEnv('affinity:image==docker.io/library/nginx:1.27'), nodes)).toEqual(['a']);
    expect(eligible(withEnv('affinity:image==registry.local:5000/app:2'), nodes)).toEqual(['c']);
    expect(eligible(withEnv('affinity:image!=nginx:*'), nodes)).toEqual(['b', 'c']);
  });

  it('reads the com.docker.swarm.affinities label', () => {
    expect(eligible(task('t', { labels: { 'com.docker.swarm.affinities': '["container==web"]' } }), nodes)).toEqual(['a']);
  });

  it('says which affinity no node satisfies', () => {
    expect(reasonOf(one(withEnv('affinity:container==db'), nodes))).toEqual({ reason: 'no node satisfies affinity:container==db (0 of 3 nodes)', step: 'affinity' });
  });
});

describe('host ports', () => {
  const nodes = [
    node('a', { tasks: [running('x', { hostPorts: [tcp(8080)] })] }),
    node('b', { tasks: [running('y', { hostPorts: [udp(8080)] })] }),
    node('c'),
  ];

  it('a task publishing P/proto avoids nodes where a live task publishes P/proto, and only those', () => {
    expect(eligible(task('t', { hostPorts: [tcp(8080)] }), nodes)).toEqual(['b', 'c']);
    expect(eligible(task('t', { hostPorts: [udp(8080)] }), nodes)).toEqual(['a', 'c']);
    expect(eligible(task('t', { hostPorts: [tcp(8080), udp(8080)] }), nodes)).toEqual(['c']);
    expect(eligible(task('t', { hostPorts: [tcp(9090)] }), nodes)).toEqual(['a', 'b', 'c']);
  });

  it('says the port is taken on every node that fits, and what the others lacked', () => {
    const d = one(task('t', { hostPorts: [tcp(8080)], constraints: ['node.hostname!=b'] }), [...nodes.slice(0, 2), node('c', { tasks: [running('z', { hostPorts: [tcp(8080)] })] })]);
    expect(reasonOf(d)).toEqual({
      reason: 'host port 8080/tcp is taken on every node that fits (2 nodes); of the other 1 node: 1 does not satisfy node.hostname!=b',
      step: 'ports',
    });
  });

  it('names every port taken when a task publishes several', () => {
    const d = one(task('t', { hostPorts: [tcp(80), tcp(443)] }), [node('a', { tasks: [running('x', { hostPorts: [tcp(80)] })] }), node('b', { tasks: [running('y', { hostPorts: [tcp(443)] })] })]);
    expect(reasonOf(d).reason).toBe('host ports 80/tcp, 443/tcp: one or more is taken on every node that fits (2 nodes)');
  });
});

describe('memory and CPU reservations', () => {
  const nodes = [
    node('a', { capacity: { memoryBytes: GIB, nanoCpus: 2 * CPU }, tasks: [running('x', { reservations: { memoryBytes: 768 * MIB, nanoCpus: CPU } })] }),
    node('b', { capacity: { memoryBytes: 512 * MIB, nanoCpus: CPU } }),
    node('c', { capacity: { memoryBytes: 0, nanoCpus: 0 } }),
  ];

  it('a reservation needs that much free: capacity minus what live tasks reserve', () => {
    expect(eligible(task('t', { reservations: { memoryBytes: 256 * MIB, nanoCpus: 0 } }), nodes)).toEqual(['a', 'b']);
    expect(eligible(task('t', { reservations: { memoryBytes: 512 * MIB, nanoCpus: 0 } }), nodes)).toEqual(['b']);
    expect(eligible(task('t', { reservations: { memoryBytes: 0, nanoCpus: CPU } }), nodes)).toEqual(['a', 'b']);
    expect(eligible(task('t', { reservations: { memoryBytes: 0, nanoCpus: 1.5 * CPU } }), nodes)).toEqual([]);
  });

  it('a task that reserves nothing goes anywhere, even on a node that reports no capacity or is overcommitted', () => {
    const over = node('d', { capacity: { memoryBytes: MIB, nanoCpus: 0 }, tasks: [running('x', { reservations: { memoryBytes: GIB, nanoCpus: 0 } })] });
    expect(eligible(task('t'), [...nodes, over])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('says how many nodes have less memory free than asked, and the most any has', () => {
    const d = one(task('t', { reservations: { memoryBytes: GIB, nanoCpus: 0 } }), nodes);
    expect(reasonOf(d)).toEqual({ reason: 'not enough memory: 3 nodes have less than 1 GiB free (the most free is 512 MiB)', step: 'memory' });
  });

  it('says so for CPUs, after the nodes that lacked memory', () => {
    const d = one(task('t', { reservations: { memoryBytes: 256 * MIB, nanoCpus: 1.5 * CPU } }), nodes);
    expect(reasonOf(d)).toEqual({ reason: 'not enough CPU: 2 nodes have less than 1.5 CPUs free (the most free is 1 CPU); of the other 1 node: 1 lacks memory', step: 'cpu' });
  });

  it('an impossible reservation stays pending with the reason, as Swarm does', () => {
    const d = one(task('t', { reservations: { memoryBytes: 64 * GIB, nanoCpus: 0 } }), [node('a'), node('b'), node('c')]);
    expect(reasonOf(d).reason).toBe('not enough memory: 3 nodes have less than 64 GiB free (the most free is 4 GiB)');
  });
});

describe('rules that do not parse', () => {
  it('keep the task pending with the parse error', () => {
    expect(reasonOf(one(task('t', { constraints: ['zone=b'] }), [node('a')]))).toEqual({ reason: 'constraint "zone=b": no operator (==, !=, ==~ or !=~)', step: 'expression' });
  });
});
