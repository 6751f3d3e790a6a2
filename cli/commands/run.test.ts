// The parsing of `shoal run`'s and `shoal ps`'s command lines, and how `shoal ps` shows tasks.

import { describe, expect, it } from 'vitest';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import { ShoalError } from '../../shared/errors.js';
import { cpus, envEntries, imageSeparated, parsePublish, stopOnDisconnect, taskFilters } from './run.js';
import { commandText, humanDuration, namesText, portsText, statusText } from './tasks-format.js';

const argv = (...a: string[]): string[] => ['node', 'shoal.js', ...a];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return (err as ShoalError).message;
  }
  throw new Error('expected a refusal');
}

describe('shoal run: the command line', () => {
  it("everything after the image is the container's command, options included", () => {
    expect(imageSeparated(argv('run', '-d', '--name', 'web', '-e', 'A=1', 'busybox', 'sh', '-c', 'sleep 1'))).toEqual(argv('run', '-d', '--name', 'web', '-e', 'A=1', 'busybox', '--', 'sh', '-c', 'sleep 1'));
    expect(imageSeparated(argv('--format', 'json', 'run', '-d', '--memory=64m', '-p', '80:80', 'nginx'))).toEqual(argv('--format', 'json', 'run', '-d', '--memory=64m', '-p', '80:80', 'nginx', '--'));
    expect(imageSeparated(argv('run', '-d', 'busybox', '--', 'ls'))).toEqual(argv('run', '-d', 'busybox', '--', 'ls'));
    expect(imageSeparated(argv('run', '-d', '--', 'busybox', 'ls'))).toEqual(argv('run', '-d', '--', 'busybox', 'ls'));
    // Other commands are left alone.
    expect(imageSeparated(argv('node', 'ls', '--format', 'json'))).toEqual(argv('node', 'ls', '--format', 'json'));
    expect(imageSeparated(argv('ps', 'run'))).toEqual(argv('ps', 'run'));
  });

  it('-p HOST:CONTAINER[/PROTO], --cpus as nano CPUs, -e KEY from this environment', () => {
    expect(parsePublish('8080:80')).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'TCP' });
    expect(parsePublish('53:53/udp')).toEqual({ hostPort: 53, containerPort: 53, protocol: 'UDP' });
    expect(refusal(() => parsePublish('80'))).toBe('-p "80": must be HOST:CONTAINER[/tcp|udp|sctp], like 8080:80 or 53:53/udp');
    expect(cpus('0.5', '--cpus')).toBe(500_000_000);
    expect(cpus('2', '--cpus')).toBe(2_000_000_000);
    expect(refusal(() => cpus('-1', '--cpus'))).toBe('--cpus: "-1" is not a number of CPUs like 0.5 or 2');
    expect(refusal(() => cpus('lots', '--cpus'))).toBe('--cpus: "lots" is not a number of CPUs like 0.5 or 2');
    expect(stopOnDisconnect('30s', '--stop-on-disconnect')).toBe(30_000);
    expect(stopOnDisconnect('1m', '--stop-on-disconnect')).toBe(60_000);
    expect(refusal(() => stopOnDisconnect('0s', '--stop-on-disconnect'))).toBe('--stop-on-disconnect: "0s" is not a duration above zero, like 30s or 1m');
    expect(refusal(() => stopOnDisconnect('soon', '--stop-on-disconnect'))).toBe('--stop-on-disconnect: "soon" is not a duration like 500ms, 10s or 2m');
    expect(refusal(() => stopOnDisconnect('-5s', '--stop-on-disconnect'))).toBe('--stop-on-disconnect: "-5s" is not a duration like 500ms, 10s or 2m');
    expect(envEntries(['A=1', 'HOME_DIR', 'UNSET', 'constraint:node==w1', 'reschedule:on-node-failure'], { HOME_DIR: '/root' })).toEqual(['A=1', 'HOME_DIR=/root', 'constraint:node==w1', 'reschedule:on-node-failure']);
  });

  it('ps --filter: node, name, label, state (status as Docker says it); anything else refused', () => {
    expect(taskFilters(['node=w1', 'name=web', 'label=team=blue', 'status=pending', 'state=running'])).toEqual({ nodes: ['w1'], names: ['web'], labels: ['team=blue'], states: ['pending', 'running'] });
    expect(refusal(() => taskFilters(['image=busybox']))).toBe('--filter "image=busybox": must be node=..., name=..., label=..., state=...');
    expect(refusal(() => taskFilters(['node=']))).toMatch(/^--filter "node=": must be/);
  });
});

describe('shoal ps: how tasks look', () => {
  const task = (over: Partial<Task__Output> & { state?: string; message?: string; atMs?: number }): Task__Output => ({
    id: 'abcdefabcdef0123456789', meta: { version: 1, createdAtMs: 0, updatedAtMs: 0 }, serviceId: '', slot: 0, nodeId: '', name: 'web',
    spec: null, desiredState: 'running', networks: [], restart: null, stopOnDisconnectMs: 0,
    status: { state: over.state ?? 'pending', message: over.message ?? '', error: '', exit: null, atMs: over.atMs ?? 0, containerId: '', lost: false },
    ...over,
  });

  it("durations as Docker's", () => {
    expect(humanDuration(400)).toBe('Less than a second');
    expect(humanDuration(1_000)).toBe('1 second');
    expect(humanDuration(45_000)).toBe('45 seconds');
    expect(humanDuration(70_000)).toBe('About a minute');
    expect(humanDuration(5 * 60_000)).toBe('5 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(30 * 3_600_000)).toBe('30 hours');
    expect(humanDuration(3 * 24 * 3_600_000)).toBe('3 days');
  });

  it('the command quoted and cut at 20 characters', () => {
    expect(commandText([])).toBe('""');
    expect(commandText(['sleep', '3600'])).toBe('"sleep 3600"');
    expect(commandText(['sh', '-c', 'while true; do sleep 1; done'])).toBe('"sh -c \'while true; …"');
  });

  it('STATUS: a pending task with its reason, a running one up, others with their age; NAMES node/name', () => {
    expect(statusText(task({ state: 'pending', message: 'no node is ready (0 of 1 node: 1 without an agent)' }), 5_000)).toBe('Pending: no node is ready (0 of 1 node: 1 without an agent)');
    expect(statusText(task({ state: 'running', atMs: 0 }), 300_000)).toBe('Up 5 minutes');
    expect(statusText(task({ state: 'running', atMs: 0, message: 'restarted 2 times; last exit code 1' }), 3_000)).toBe('Up 3 seconds (restarted 2 times; last exit code 1)');
    expect(statusText(task({ state: 'running', atMs: 0, message: 'restarting: exit code 1, restart 3 of 5 in 400 ms' }), 1_000)).toBe('Restarting: exit code 1, restart 3 of 5 in 400 ms (1 second ago)');
    expect(statusText(task({ state: 'assigned', atMs: 0, desiredState: 'remove' }), 3_000)).toBe('Assigned 3 seconds ago (being removed)');
    expect(statusText(task({ state: 'failed', message: 'exit 1' }), 60_000)).toBe('Failed About a minute ago: exit 1');
    const placed = { task: task({ nodeId: 'n1', spec: { image: 'nginx', command: [], args: [], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [{ protocol: 'TCP', hostPort: 8080, containerPort: 80 }], stopGracePeriodMs: 0, stopSignal: '' } }), node: { id: 'n1', hostname: 'w1', address: '10.0.0.5' } };
    expect(namesText(placed)).toBe('w1/web');
    expect(namesText({ task: task({}), node: undefined })).toBe('web');
    expect(portsText(placed.task, placed.node)).toBe('10.0.0.5:8080->80/tcp');
  });
});
