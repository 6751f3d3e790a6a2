// The strategies (spread, binpack, random) and the soft rules, which rank nodes without
// filtering any out.

import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../shared/rng.js';
import { schedule } from './schedule.js';
import { CPU, GIB, MIB, node, running, task } from './testing.js';
import type { SchedulerNode, SchedulerTask, Strategy } from './types.js';

/** Where each task went, in order (a pending one as "-"). */
function placements(tasks: readonly SchedulerTask[], nodes: readonly SchedulerNode[], strategy: Strategy = 'spread', seed = 1): string[] {
  return schedule(tasks, nodes, strategy, new SeededRng(seed)).decisions.map((d) => (d.outcome === 'assigned' ? d.nodeId : '-'));
}

const tasks = (n: number, over: Partial<SchedulerTask> = {}): SchedulerTask[] => Array.from({ length: n }, (_, i) => task(`t${i}`, over));

describe('spread', () => {
  it('puts a task on the node with the fewest live tasks', () => {
    const nodes = [node('a', { tasks: [running('x'), running('y')] }), node('b', { tasks: [running('z')] }), node('c', { tasks: [running('w'), running('v')] })];
    expect(placements([task('t')], nodes)).toEqual(['b']);
  });

  it('breaks a tie by the fewest tasks of the same service, then by the lowest id', () => {
    const nodes = [
      node('a', { tasks: [running('web.1', { serviceId: 'web' })] }),
      node('b', { tasks: [running('db.1', { serviceId: 'db' })] }),
      node('c', { tasks: [running('web.2', { serviceId: 'web' })] }),
    ];
    expect(placements([task('web.3', { serviceId: 'web' })], nodes)).toEqual(['b']);
    expect(placements([task('db.2', { serviceId: 'db' })], nodes)).toEqual(['a']);
  });

  it('spreads a standalone container away from a live task of its name (a replacement while the old copy lives)', () => {
    const nodes = [node('a', { tasks: [running('app')] }), node('b', { tasks: [running('other')] })];
    expect(placements([task('app-new', { name: 'app' })], nodes)).toEqual(['b']);
  });

  it('is the default strategy, and ignores reservations', () => {
    const nodes = [node('a', { capacity: { memoryBytes: 64 * GIB, nanoCpus: 64 * CPU } }), node('b')];
    expect(placements(tasks(4, { reservations: { memoryBytes: 256 * MIB, nanoCpus: 0 } }), nodes)).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('binpack', () => {
  it('puts a task on the node whose reserved share is highest once it is added', () => {
    const nodes = [
      node('a', { capacity: { memoryBytes: 4 * GIB, nanoCpus: 4 * CPU }, tasks: [running('x', { reservations: { memoryBytes: GIB, nanoCpus: 0 } })] }),
      node('b', { capacity: { memoryBytes: 2 * GIB, nanoCpus: 4 * CPU }, tasks: [running('y', { reservations: { memoryBytes: GIB, nanoCpus: 0 } })] }),
      node('c', { capacity: { memoryBytes: 4 * GIB, nanoCpus: 4 * CPU } }),
    ];
    expect(placements([task('t', { reservations: { memoryBytes: 512 * MIB, nanoCpus: CPU } })], nodes, 'binpack')).toEqual(['b']);
  });

  it('fills one node before the next, then moves on when it is full', () => {
    const nodes = [node('a', { capacity: { memoryBytes: GIB, nanoCpus: CPU } }), node('b', { capacity: { memoryBytes: GIB, nanoCpus: CPU } })];
    const t = tasks(5, { reservations: { memoryBytes: 512 * MIB, nanoCpus: 0 } });
    expect(placements(t, nodes, 'binpack')).toEqual(['a', 'a', 'b', 'b', '-']);
  });

  it('without reservations, piles tasks on the node with the most live tasks', () => {
    const nodes = [node('a'), node('b', { tasks: [running('x')] }), node('c')];
    expect(placements(tasks(3), nodes, 'binpack')).toEqual(['b', 'b', 'b']);
  });

  it('counts CPU and memory alike', () => {
    const nodes = [
      node('a', { capacity: { memoryBytes: 4 * GIB, nanoCpus: 4 * CPU }, tasks: [running('x', { reservations: { memoryBytes: 0, nanoCpus: 3 * CPU } })] }),
      node('b', { capacity: { memoryBytes: 4 * GIB, nanoCpus: 4 * CPU }, tasks: [running('y', { reservations: { memoryBytes: 2 * GIB, nanoCpus: 0 } })] }),
    ];
    expect(placements([task('t', { reservations: { memoryBytes: 0, nanoCpus: 1 } })], nodes, 'binpack')).toEqual(['a']);
  });
});

describe('random', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id));

  it('replays exactly for a seed, and differs between seeds', () => {
    const run = (seed: number): string[] => placements(tasks(20), nodes, 'random', seed);
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('does not depend on the order the nodes are given in', () => {
    expect(placements(tasks(20), nodes, 'random', 3)).toEqual(placements(tasks(20), [...nodes].reverse(), 'random', 3));
  });

  it('reaches every node that fits, and only those', () => {
    const mixed = [...nodes, node('e', { state: 'down' })];
    expect(new Set(placements(tasks(200), mixed, 'random', 5))).toEqual(new Set(['a', 'b', 'c', 'd']));
  });
});

describe('soft constraints and affinities', () => {
  const nodes = [node('a', { labels: { zone: 'a' } }), node('b', { labels: { zone: 'b' } }), node('c', { labels: { zone: 'b' } })];

  it('rank the nodes that satisfy them first, the strategy choosing among those', () => {
    expect(placements(tasks(4, { constraints: ['node.labels.zone==~b'] }), nodes)).toEqual(['b', 'c', 'b', 'c']);
  });

  it('filter nothing out when no node satisfies them', () => {
    expect(placements([task('t', { constraints: ['node.labels.zone==~z'] })], nodes)).toEqual(['a']);
    expect(placements([task('t', { env: ['affinity:container==~db'] })], nodes)).toEqual(['a']);
  });

  it('prefer the nodes that satisfy the most of them', () => {
    const withDb = [nodes[0] as SchedulerNode, nodes[1] as SchedulerNode, node('c', { labels: { zone: 'b' }, tasks: [running('db')] })];
    const t = task('t', { constraints: ['node.labels.zone==~b'], env: ['affinity:container==~db'] });
    expect(placements([t], withDb)).toEqual(['c']);
  });

  it('a soft != prefers the nodes without the thing', () => {
    const withWeb = [node('a', { tasks: [running('web')] }), node('b', { tasks: [running('web-x')] })];
    expect(placements([task('t', { env: ['affinity:container!=~web'] })], withWeb)).toEqual(['b']);
  });

  it('rank within the hard filters: a soft rule never brings back a node a hard one removed', () => {
    const t = task('t', { constraints: ['node.labels.zone==~a', 'node.labels.zone!=a'] });
    expect(placements([t], nodes)).toEqual(['b']);
  });

  it('apply to every strategy', () => {
    const t = tasks(6, { constraints: ['node.labels.zone==~b'] });
    expect(new Set(placements(t, nodes, 'random', 9))).toEqual(new Set(['b', 'c']));
    expect(placements(t.slice(0, 2), nodes, 'binpack')).toEqual(['b', 'b']);
  });
});
