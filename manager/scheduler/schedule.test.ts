// A batch: each placement counts against the next (reservations, ports, names, images, spread),
// decisions come in the tasks' order, a seed replays exactly, and the limit on a call holds.

import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../shared/errors.js';
import { SeededRng } from '../../shared/rng.js';
import { schedule } from './schedule.js';
import { CPU, GIB, MIB, node, running, task, tcp } from './testing.js';
import { SCHEDULER_LIMITS, STRATEGIES, type Decision, type SchedulerNode, type SchedulerTask, type Strategy } from './types.js';

const where = (decisions: readonly Decision[]): string[] => decisions.map((d) => (d.outcome === 'assigned' ? d.nodeId : `pending: ${d.reason}`));
const run = (tasks: readonly SchedulerTask[], nodes: readonly SchedulerNode[], strategy: Strategy = 'spread', seed = 1): string[] =>
  where(schedule(tasks, nodes, strategy, new SeededRng(seed)).decisions);

describe('a batch counts each placement against the next', () => {
  it('memory: two tasks that each fit alone do not both go on a node with room for one', () => {
    const nodes = [node('a', { capacity: { memoryBytes: GIB, nanoCpus: CPU } })];
    const t = { reservations: { memoryBytes: 768 * MIB, nanoCpus: 0 } };
    expect(run([task('t1', t), task('t2', t)], nodes)).toEqual(['a', 'pending: not enough memory: 1 node has less than 768 MiB free (the most free is 256 MiB)']);
  });

  it('CPU likewise', () => {
    const nodes = [node('a', { capacity: { memoryBytes: GIB, nanoCpus: CPU } }), node('b', { capacity: { memoryBytes: GIB, nanoCpus: CPU } })];
    const t = { reservations: { memoryBytes: 0, nanoCpus: 0.6 * CPU } };
    expect(run([task('t1', t), task('t2', t), task('t3', t)], nodes)).toEqual(['a', 'b', 'pending: not enough CPU: 2 nodes have less than 0.6 CPUs free (the most free is 0.4 CPUs)']);
  });

  it('host ports: the second task publishing 8080/tcp goes elsewhere, the third finds none', () => {
    const nodes = [node('a'), node('b')];
    const t = { hostPorts: [tcp(8080)] };
    expect(run([task('t1', t), task('t2', t), task('t3', t)], nodes, 'binpack')).toEqual(['a', 'b', 'pending: host port 8080/tcp is taken on every node that fits (2 nodes)']);
  });

  it('spread: tasks of one batch spread as if the earlier ones were already running', () => {
    const nodes = [node('a'), node('b'), node('c', { tasks: [running('x')] })];
    expect(run(['t1', 't2', 't3', 't4', 't5'].map((id) => task(id)), nodes)).toEqual(['a', 'b', 'a', 'b', 'c']);
  });

  it('container affinity: a task follows one placed earlier in the same batch', () => {
    const nodes = [node('a'), node('b')];
    const tasks = [task('x'), task('db', { constraints: ['node.hostname==b'] }), task('app', { env: ['affinity:container==db'] })];
    expect(run(tasks, nodes)).toEqual(['a', 'b', 'b']);
  });

  it('image affinity: a node counts as having the image of a task placed on it earlier in the batch', () => {
    const nodes = [node('a'), node('b')];
    const tasks = [task('x', { image: 'redis:7', constraints: ['node.id==b'] }), task('y', { env: ['affinity:image==redis:7'] })];
    expect(run(tasks, nodes)).toEqual(['b', 'b']);
  });

  it('a pending task takes nothing from the tasks after it', () => {
    const nodes = [node('a', { capacity: { memoryBytes: GIB, nanoCpus: CPU } })];
    const tasks = [task('big', { reservations: { memoryBytes: 2 * GIB, nanoCpus: 0 } }), task('small', { reservations: { memoryBytes: GIB, nanoCpus: 0 } })];
    expect(run(tasks, nodes)[1]).toBe('a');
  });
});

describe('decisions', () => {
  it('come one per task, in the order given, naming the task', () => {
    const { decisions } = schedule([task('z'), task('a', { constraints: ['node.id==none'] }), task('m')], [node('n1')], 'spread', new SeededRng(1));
    expect(decisions).toEqual([
      { taskId: 'z', outcome: 'assigned', nodeId: 'n1' },
      { taskId: 'a', outcome: 'pending', reason: 'no node satisfies node.id==none (0 of 1 node)', step: 'constraint' },
      { taskId: 'm', outcome: 'assigned', nodeId: 'n1' },
    ]);
  });

  it('do not depend on the order of the nodes, for every strategy', () => {
    const nodes = Array.from({ length: 7 }, (_, i) => node(`n${i}`, { tasks: i % 3 === 0 ? [running(`x${i}`)] : [] }));
    const tasks = Array.from({ length: 15 }, (_, i) => task(`t${i}`, { reservations: { memoryBytes: (i % 4) * 300 * MIB, nanoCpus: 0 } }));
    for (const strategy of STRATEGIES) expect(run(tasks, [...nodes].reverse(), strategy, 4)).toEqual(run(tasks, nodes, strategy, 4));
  });

  it('replay exactly for a seed', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`));
    const tasks = Array.from({ length: 50 }, (_, i) => task(`t${i}`, { hostPorts: i % 5 === 0 ? [tcp(80)] : [] }));
    for (const strategy of STRATEGIES) expect(run(tasks, nodes, strategy, 99)).toEqual(run(tasks, nodes, strategy, 99));
  });

  it('leave the input untouched', () => {
    const nodes = [node('a', { tasks: [running('x')] })];
    const before = JSON.stringify(nodes);
    schedule([task('t1'), task('t2')], nodes, 'spread', new SeededRng(1));
    expect(JSON.stringify(nodes)).toBe(before);
  });
});

describe('limits and bugs', () => {
  it('considers at most tasksPerCallMax tasks and hands the rest back, untouched, for the next call', () => {
    const tasks = ['t1', 't2', 't3', 't4'].map((id) => task(id));
    const result = schedule(tasks, [node('a')], 'spread', new SeededRng(1), { ...SCHEDULER_LIMITS, tasksPerCallMax: 3 });
    expect(result.decisions.map((d) => d.taskId)).toEqual(['t1', 't2', 't3']);
    expect(result.deferred).toEqual(['t4']);
  });

  it('cuts a pending reason at reasonCharsMax, ending in …', () => {
    const constraints = Array.from({ length: 40 }, (_, i) => `node.labels.label-number-${i}!=x`).concat('node.id==nowhere');
    const nodes = Array.from({ length: 41 }, (_, i) => node(`n${i}`, { labels: i < 40 ? { [`label-number-${i}`]: 'x' } : {} }));
    const d = schedule([task('t', { constraints })], nodes, 'spread', new SeededRng(1)).decisions[0] as Decision;
    expect(d.outcome === 'pending' && d.reason.length).toBe(SCHEDULER_LIMITS.reasonCharsMax);
    expect(d.outcome === 'pending' && d.reason).toMatch(/^no node satisfies node\.id==nowhere \(0 of 1 node\); of the other 40 nodes: 1 does not satisfy .*…$/);
  });

  it('a duplicate id, a resource that is not a whole number ≥ 0 or an unknown strategy is a bug, not a pending reason', () => {
    expect(() => schedule([task('t'), task('t')], [node('a')], 'spread', new SeededRng(1))).toThrow(AssertionError);
    expect(() => schedule([task('t')], [node('a'), node('a')], 'spread', new SeededRng(1))).toThrow(AssertionError);
    expect(() => schedule([task('t', { reservations: { memoryBytes: -1, nanoCpus: 0 } })], [node('a')], 'spread', new SeededRng(1))).toThrow(AssertionError);
    expect(() => schedule([task('t')], [node('a', { capacity: { memoryBytes: 0.5, nanoCpus: 0 } })], 'spread', new SeededRng(1))).toThrow(AssertionError);
    expect(() => schedule([task('t')], [node('a')], 'fastest' as Strategy, new SeededRng(1))).toThrow(AssertionError);
  });
});
