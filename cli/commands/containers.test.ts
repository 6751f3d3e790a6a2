import { describe, expect, it } from 'vitest';
import type { InspectTaskResponse__Output } from '../../proto/gen/shoal/control/v1/InspectTaskResponse.js';
import { imageSeparated } from './run.js';
import { exitCodeOf, inspectJson, viewOfEvent } from './containers.js';

const argv = (...a: string[]): string[] => ['node', 'shoal', ...a];

describe('shoal exec: what follows the container is the command', () => {
  it('puts -- after the container, past exec options and their values', () => {
    expect(imageSeparated(argv('exec', 'web', 'ls', '-l'))).toEqual(argv('exec', 'web', '--', 'ls', '-l'));
    expect(imageSeparated(argv('--format', 'json', 'exec', '-e', 'A=1', '--host', '10.0.0.1', 'web', 'sh', '-c', 'exit 3'))).toEqual(argv('--format', 'json', 'exec', '-e', 'A=1', '--host', '10.0.0.1', 'web', '--', 'sh', '-c', 'exit 3'));
  });
  it('leaves a command line that has its -- already, or no container', () => {
    expect(imageSeparated(argv('exec', 'web', '--', 'ls'))).toEqual(argv('exec', 'web', '--', 'ls'));
    expect(imageSeparated(argv('exec', '-w', '/tmp'))).toEqual(argv('exec', '-w', '/tmp'));
  });
});

describe('following a task through the watch', () => {
  const event = (action: string, object: unknown) => ({ action, id: 't1', version: 9, objectJson: JSON.stringify(object) });
  it("reads the task's state, message (a pending one's reason) and container", () => {
    expect(viewOfEvent(event('update', { spec: { name: 'web', desiredState: 'running' }, status: { state: 'pending', pendingReason: 'no node fits' } }), 't1')).toMatchObject({ name: 'web', state: 'pending', message: 'no node fits', containerId: '', removed: false, version: 9 });
    expect(viewOfEvent(event('update', { spec: { name: 'web' }, status: { state: 'running', containerId: 'c1' } }), 't1')).toMatchObject({ state: 'running', containerId: 'c1' });
    expect(viewOfEvent(event('remove', { spec: { name: 'web' }, status: { state: 'shutdown' } }), 't1')?.removed).toBe(true);
  });
  it('skips other tasks', () => {
    expect(viewOfEvent(event('update', {}), 't2')).toBeUndefined();
  });
});

describe('inspect', () => {
  const response = (container: InspectTaskResponse__Output['container'], containerError = ''): InspectTaskResponse__Output =>
    ({ task: { id: 't1', name: 'web', nodeId: 'n1', desiredState: 'running', spec: { image: 'box', args: [], env: [], labels: {} }, status: { state: 'complete', message: '', containerId: 'c1', atMs: 0 }, meta: { version: 1, createdAtMs: 0, updatedAtMs: 0 } }, node: { id: 'n1', hostname: 'w1', address: '10.0.0.2' }, container, containerError }) as unknown as InspectTaskResponse__Output;
  const stopped = { id: 'c1', name: 'web', state: 'stopped', pid: 0, exit: { exitCode: 137, signal: 'SIGKILL', oomKilled: false, exitedAtMs: 2_000 }, createdAtMs: 1_000, startedAtMs: 1_500, imageDigest: 'sha256:x' };
  it("gives the container's exit code once it has stopped, none while it runs", () => {
    expect(exitCodeOf(response(stopped))).toBe(137);
    expect(exitCodeOf(response({ ...stopped, state: 'running', pid: 42 }))).toBeUndefined();
    expect(exitCodeOf(response(null, 'node w1 is down'))).toBeUndefined();
  });
  it('shows the node, the states, the pid, the exit and the times; the reason when the agent could not be asked', () => {
    expect(inspectJson(response(stopped), 10_000)).toMatchObject({ id: 't1', name: 'web', node: 'w1', state: 'complete', container: { id: 'c1', state: 'stopped', exitCode: 137, signal: 'SIGKILL', startedAt: '1970-01-01T00:00:01.500Z', finishedAt: '1970-01-01T00:00:02.000Z' } });
    expect(inspectJson(response(null, "node w1 is down: its container can't be inspected now"), 10_000)).toMatchObject({ container: null, containerError: "node w1 is down: its container can't be inspected now" });
  });
});
