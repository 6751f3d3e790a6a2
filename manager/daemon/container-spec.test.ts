// `shoal run`'s request into a task spec: what is kept, where Swarm classic's forms go, and the
// one-line refusals of bad input. And the names made up for tasks run without --name.

import { describe, expect, it } from 'vitest';
import type { RunContainerRequest__Output } from '../../proto/gen/shoal/control/v1/RunContainerRequest.js';
import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { ShoalError } from '../../shared/errors.js';
import { SeededRng } from '../../shared/rng.js';
import { parseReschedule, parseRestart, RESCHEDULE_LABEL, STOP_ON_DISCONNECT_MS_MIN, taskSpecOf } from './container-spec.js';
import { generateTaskName } from './task-names.js';

const MIB = 1024 * 1024;

function request(spec: Partial<ContainerSpec__Output> = {}, over: Partial<RunContainerRequest__Output> = {}): RunContainerRequest__Output {
  return {
    name: '',
    constraints: [],
    restart: '',
    stopOnDisconnectMs: 0,
    ...over,
    spec: {
      image: 'busybox', command: [], args: [], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false,
      mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs: 0, stopSignal: '',
      ...spec,
    },
  };
}

const resources = (r: { memoryBytes?: number; memoryReservationBytes?: number; nanoCpus?: number; cpuShares?: number }) => ({
  memoryBytes: 0, memoryReservationBytes: 0, nanoCpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0, ...r,
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    const message = (err as ShoalError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a refusal');
}

describe('a run request into a task spec', () => {
  it('a plain run: the image as typed, desired running, nothing else set', () => {
    expect(taskSpecOf(request(), 'web')).toEqual({ name: 'web', image: 'busybox', desiredState: 'running', labels: {} });
  });

  it('keeps args, env, labels, restart, ports and resources; Swarm classic entries leave the environment', () => {
    const spec = taskSpecOf(
      request(
        {
          image: 'registry.example.com:5000/team/app:1.2',
          args: ['sh', '-c', 'sleep 3600'],
          env: ['A=1', 'EMPTY=', 'constraint:node==w1', 'affinity:container!=db', 'reschedule:on-node-failure'],
          labels: { team: 'blue' },
          ports: [{ hostPort: 8080, containerPort: 80, protocol: 'TCP' }, { hostPort: 8080, containerPort: 80, protocol: 'UDP' }],
          resources: resources({ memoryBytes: 64 * MIB, nanoCpus: 500_000_000 }),
        },
        { constraints: [' node.labels.zone==a '], restart: 'on-failure:3' },
      ),
      'app',
    );
    expect(spec).toEqual({
      name: 'app',
      image: 'registry.example.com:5000/team/app:1.2',
      desiredState: 'running',
      labels: { team: 'blue' },
      args: ['sh', '-c', 'sleep 3600'],
      env: ['A=1', 'EMPTY='],
      restart: { condition: 'on-failure', maxRetries: 3 },
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostPort: 8080, containerPort: 80, protocol: 'udp' }],
      resources: { limits: { memoryBytes: 64 * MIB, nanoCpus: 500_000_000 }, reservations: { memoryBytes: 64 * MIB, nanoCpus: 500_000_000 } },
      reschedule: 'on-node-failure',
      placement: { constraints: ['node.labels.zone==a'], env: ['constraint:node==w1', 'affinity:container!=db'] },
    });
  });

  it('a memory reservation smaller than the limit is what the node reserves', () => {
    const spec = taskSpecOf(request({ resources: resources({ memoryBytes: 256 * MIB, memoryReservationBytes: 64 * MIB }) }), 'x');
    expect(spec.resources).toEqual({ limits: { memoryBytes: 256 * MIB, nanoCpus: 0 }, reservations: { memoryBytes: 64 * MIB, nanoCpus: 0 } });
  });

  it('impossible resources are accepted (the task waits, pending, with the reason)', () => {
    const spec = taskSpecOf(request({ resources: resources({ memoryBytes: 1000 * 1024 * MIB, nanoCpus: 10_000 * 1_000_000_000 }) }), 'big');
    expect(spec.resources?.reservations).toEqual({ memoryBytes: 1000 * 1024 * MIB, nanoCpus: 10_000 * 1_000_000_000 });
  });

  it.each<[string, RunContainerRequest__Output, RegExp]>([
    ['no image', request({ image: '' }), /^image: needed$/],
    ['a bad image', request({ image: 'Busybox' }), /^image reference "Busybox" is not valid: the repository name must be lowercase$/],
    ['a bad constraint', request({}, { constraints: ['zone==b'] }), /^constraint "zone==b": unknown key "zone"/],
    ['a bad env constraint', request({ env: ['constraint:node=w1'] }), /^constraint "constraint:node=w1": no operator/],
    ['a bad affinity label', request({ labels: { 'com.docker.swarm.affinities': 'container==db' } }), /^label com\.docker\.swarm\.affinities: must be a JSON array/],
    ['an unknown reschedule policy', request({ env: ['reschedule:always'] }), /^reschedule policy "always": unknown \(on-node-failure or off\)$/],
    ['a reschedule label that is not JSON', request({ labels: { [RESCHEDULE_LABEL]: 'on-node-failure' } }), /^label com\.docker\.swarm\.reschedule-policies: must be a JSON array of strings/],
    ['contradicting policies', request({ env: ['reschedule:off'], labels: { [RESCHEDULE_LABEL]: '["on-node-failure"]' } }), /^reschedule policies: "off" and "on-node-failure" contradict each other: give one$/],
    ['an env entry without =', request({ env: ['FOO'] }), /^env "FOO": must be KEY=VALUE$/],
    ['an env entry without key', request({ env: ['=x'] }), /^env "=x": must be KEY=VALUE$/],
    ['a label without value', request({ labels: { team: '' } }), /^label "team": needs a value \(KEY=VALUE\)$/],
    ['a bad restart', request({}, { restart: 'sometimes' }), /^restart "sometimes": must be no, on-failure\[:N\] or always$/],
    ['a count with always', request({}, { restart: 'always:3' }), /^restart "always:3": a most-restarts count goes only with on-failure/],
    ['a stop-on-disconnect under 5 s', request({}, { stopOnDisconnectMs: 500 }), /^stop-on-disconnect 500 ms: must be from 5 s to 24 h$/],
    ['a negative stop-on-disconnect', request({}, { stopOnDisconnectMs: -1 }), /^stop-on-disconnect -1 ms: must be from 5 s to 24 h$/],
    ['a stop-on-disconnect over a day', request({}, { stopOnDisconnectMs: 25 * 3_600_000 }), /^stop-on-disconnect 90000000 ms: must be from 5 s to 24 h$/],
    ['a host port 0', request({ ports: [{ hostPort: 0, containerPort: 80, protocol: 'TCP' }] }), /^port 0:80\/tcp: the host port must be from 1 to 65535/],
    ['a host port twice', request({ ports: [{ hostPort: 80, containerPort: 80, protocol: 'TCP' }, { hostPort: 80, containerPort: 81, protocol: 'TCP' }] }), /^port 80:81\/tcp: host port 80\/tcp is published twice$/],
    ['negative memory', request({ resources: resources({ memoryBytes: -1 }) }), /^memory: -1 is not a whole number ≥ 0$/],
    ['negative cpus', request({ resources: resources({ nanoCpus: -5 }) }), /^cpus: -5 is not a whole number ≥ 0$/],
    ['a tiny memory limit', request({ resources: resources({ memoryBytes: 1024 }) }), /^memory: 1024 bytes: the smallest memory limit is 6 MiB$/],
    ['a reservation over the limit', request({ resources: resources({ memoryBytes: 64 * MIB, memoryReservationBytes: 128 * MIB }) }), /^memory reservation: 134217728 bytes is more than the memory limit/],
    ['cpu shares', request({ resources: resources({ cpuShares: 512 }) }), /^resources: CPU shares, cpusets and pid limits are not supported yet/],
    ['mounts', request({ mounts: [{ type: 'BIND', source: '/', target: '/x', readOnly: false, tmpfsSizeBytes: 0 }] }), /^container: mounts: not supported by the cluster yet$/],
    ['too many env entries', request({ env: Array.from({ length: 300 }, (_, i) => `V${i}=1`) }), /^container\.env: must be a list of at most 256 items$/],
  ])('refuses %s in one line', (_what, req, message) => {
    expect(refusal(() => taskSpecOf(req, 'web'))).toMatch(message);
  });

  it.each(['-web', 'web server', 'a/b', 'x'.repeat(129)])('refuses the name %j', (name) => {
    expect(refusal(() => taskSpecOf(request(), name))).toMatch(/must be a letter or digit, then letters, digits, _ \. or -/);
  });
});

describe("Swarm 1.2's reschedule policy and Docker's restart policy", () => {
  it('reads both forms of the reschedule policy; off and nothing mean off', () => {
    expect(parseReschedule(['on-node-failure'], {})).toBe('on-node-failure');
    expect(parseReschedule([], { [RESCHEDULE_LABEL]: '["on-node-failure"]' })).toBe('on-node-failure');
    expect(parseReschedule(['on-node-failure'], { [RESCHEDULE_LABEL]: '["on-node-failure"]' })).toBe('on-node-failure');
    expect(parseReschedule(['off'], {})).toBeUndefined();
    expect(parseReschedule([], { [RESCHEDULE_LABEL]: '[]' })).toBeUndefined();
    expect(parseReschedule([], {})).toBeUndefined();
  });

  it('keeps --stop-on-disconnect in ms; 0 is not asked', () => {
    expect(taskSpecOf(request({}, { stopOnDisconnectMs: 30_000 }), 'web').stopOnDisconnectMs).toBe(30_000);
    expect(taskSpecOf(request({}, { stopOnDisconnectMs: STOP_ON_DISCONNECT_MS_MIN }), 'web').stopOnDisconnectMs).toBe(STOP_ON_DISCONNECT_MS_MIN);
    expect(taskSpecOf(request(), 'web')).not.toHaveProperty('stopOnDisconnectMs');
  });

  it('reads no, on-failure[:N] and always', () => {
    expect(parseRestart('')).toEqual({ condition: 'no' });
    expect(parseRestart('no')).toEqual({ condition: 'no' });
    expect(parseRestart('always')).toEqual({ condition: 'always' });
    expect(parseRestart('on-failure')).toEqual({ condition: 'on-failure' });
    expect(parseRestart('on-failure:0')).toEqual({ condition: 'on-failure', maxRetries: 0 });
    expect(refusal(() => parseRestart('on-failure:-1'))).toMatch(/must be no, on-failure\[:N\] or always/);
    expect(refusal(() => parseRestart('unless-stopped'))).toMatch(/must be no, on-failure\[:N\] or always/);
  });
});

describe('names made up for tasks run without --name', () => {
  it('adjective_fish, free, and the same for a seed', () => {
    const name = generateTaskName(new SeededRng(7), 'abcdef0123456789', () => false);
    expect(name).toMatch(/^[a-z]+_[a-z]+$/);
    expect(generateTaskName(new SeededRng(7), 'abcdef0123456789', () => false)).toBe(name);
  });

  it('draws again when taken, adds a digit, and falls back to task-<id prefix>', () => {
    const taken = new Set<string>();
    const first = generateTaskName(new SeededRng(1), 'id', () => false);
    taken.add(first);
    expect(generateTaskName(new SeededRng(1), 'id', (n) => taken.has(n))).not.toBe(first);
    expect(generateTaskName(new SeededRng(1), 'id', (n) => !/\d$/.test(n))).toMatch(/^[a-z]+_[a-z]+\d$/);
    expect(generateTaskName(new SeededRng(1), 'abcdef0123456789', () => true)).toBe('task-abcdef012345');
  });
});
