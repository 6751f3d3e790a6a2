// The worker with a real agent (root: real supervisor, shim and runc) against a small fake
// Dispatcher over real gRPC on loopback (the managers' side of Assignments/UpdateTaskStatus is
// not in this test): a task pulled from a real registry over plain HTTP (--insecure-registry),
// run named and labelled, its exit reported; shutdown and remove; a new session's stream; a
// restart of the agent that adopts the running container without restarting it, removes the
// container of a task no longer assigned, and leaves a container made by hand alone.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignmentsMessage } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { Agent } from '../daemon.js';
import { hostPlatform } from '../images/manifest.js';
import { busyboxImage, dockerSaveArchive, multiPlatformLayoutArchive } from '../images/test-images.js';
import { startRegistry, type TestRegistry } from '../images/test-registry.js';
import { purgeAgent } from '../runtime/testing.js';
import { FakeDispatcher } from './test-dispatcher.js';
import { NODE_LABEL, supervisorRuntime, TASK_LABEL, Worker } from './worker.js';

const NODE = 'node-w1';
const cleanups: CleanupStep[] = [];
let dataDir = '';
let registry: TestRegistry;

const task = (id: string, args: string[], image: string, desiredState = 'running', state = 'assigned'): Task => ({ id, nodeId: NODE, name: `t-${id}`, desiredState, spec: { image, args, env: ['GREETING=hi'], labels: { app: 'x' } }, status: { state } });
const full = (...tasks: Task[]): AssignmentsMessage => ({ full: true, changes: tasks.map((t) => ({ action: 'UPDATE', task: t })) });
const changes = (...c: AssignmentsMessage['changes'] & object): AssignmentsMessage => ({ full: false, changes: c });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-worker-'));
  cleanups.push(() => purgeAgent(dataDir));
  registry = await startRegistry();
  cleanups.push(() => registry.stop());
  const archive = join(dataDir, 'box.tar');
  await writeFile(archive, await multiPlatformLayoutArchive('box:1', [hostPlatform()]));
  await registry.push(archive, 'box:1', ['--all']);
});

afterAll(() => runAllCleanups('worker test', cleanups.splice(0).reverse()));

function startAgent(): Promise<Agent> {
  const agent = new Agent({ dataDir, socket: join(dataDir, 'agent.sock'), clock: systemClock, logger: silentLogger() });
  return agent.start().then(() => agent);
}

describe('worker with a real agent and a fake dispatcher (root)', () => {
  it('runs, reports, stops and removes tasks; a restart adopts its containers without restarting them', async () => {
    const d = new FakeDispatcher(NODE);
    await d.start();
    cleanups.push(() => d.stop());
    const client = d.client();
    cleanups.push(() => client.close());

    let agent = await startAgent();
    let agentStopped = false;
    cleanups.push(() => (agentStopped ? undefined : agent.stop()));
    await agent.supervisor.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:local'])), undefined);
    // A container made by hand (shoal ctr): no label, never the worker's.
    const byHand = await agent.supervisor.create('by-hand', { image: 'busybox:local', command: [], args: ['sleep', '3600'], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs: 0, stopSignal: '' });
    await agent.supervisor.start(byHand.id);

    let w = new Worker({ nodeId: NODE, runtime: supervisorRuntime(agent.supervisor, [registry.host], systemClock), clock: systemClock, logger: silentLogger() });
    w.adopt();
    w.sessionOpened(client, 's1');
    await d.until('the stream', () => d.streams.length === 1);
    expect(d.streams[0]?.sessionId).toBe('s1');
    const pulled = `${registry.host}/box:1`;
    d.send(full(task('long', ['sleep', '3600'], pulled), task('three', ['sh', '-c', 'exit 3'], 'busybox:local'), task('gone', ['true'], `${registry.host}/nothing:1`), task('stay', ['sleep', '3600'], 'busybox:local')));
    await d.until('long running, three failed, gone rejected', () => d.last('long')?.state === 'running' && d.last('three')?.state === 'failed' && d.last('gone')?.state === 'rejected' && d.last('stay')?.state === 'running');
    const long = agent.supervisor.find('t-long');
    expect(long.state).toBe('running');
    expect(long.spec.labels).toEqual({ app: 'x', [TASK_LABEL]: 'long', [NODE_LABEL]: NODE });
    expect(long.spec.env).toContain('GREETING=hi');
    expect(d.last('long')?.containerId).toBe(long.id);
    expect(d.last('three')).toMatchObject({ error: 'exit code 3', exit: { exitCode: 3 } });
    expect(d.last('gone')?.error).toMatch(/^image 127\.0\.0\.1:\d+\/nothing:1: .+$/);
    expect(d.last('gone')?.error).not.toContain('\n');
    // Every state of 'long' went forward.
    const order = ['accepted', 'preparing', 'starting', 'running'];
    const seen = d.updates.filter((u) => u.taskId === 'long').map((u) => order.indexOf(u.status?.state ?? ''));
    expect([...seen].sort()).toEqual(seen);

    // Shutdown keeps the container (stopped); remove takes it away.
    d.send(changes({ action: 'UPDATE', task: task('three', [], 'busybox:local', 'remove', 'failed') }, { action: 'UPDATE', task: task('stay', ['sleep', '3600'], 'busybox:local', 'shutdown', 'running') }));
    await d.until('stay shut down', () => d.last('stay')?.state === 'shutdown');
    await w.applied(2);
    await w.settled();
    expect(agent.supervisor.find('t-stay').state).toBe('stopped');
    expect(() => agent.supervisor.find('t-three')).toThrow(/no container/);

    // A new session (leader change): a new stream, with its id; the full set again changes nothing.
    w.sessionEnded();
    w.sessionOpened(client, 's2');
    await d.until('the second stream', () => d.streams.length === 2);
    expect(d.streams[1]?.sessionId).toBe('s2');
    d.send(full(task('long', ['sleep', '3600'], pulled, 'running', 'running'), task('stay', [], 'busybox:local', 'shutdown', 'shutdown')));
    await w.applied(3);
    await w.settled();
    expect(agent.supervisor.find('t-long').id).toBe(long.id);

    // The agent stops (its shim and containers go on) and comes back: it adopts 'long', still
    // running, and removes 'stay', which the new full set no longer holds.
    w.stop();
    await agent.stop();
    agentStopped = true;
    agent = await startAgent();
    agentStopped = false;
    w = new Worker({ nodeId: NODE, runtime: supervisorRuntime(agent.supervisor, [registry.host], systemClock), clock: systemClock, logger: silentLogger() });
    w.adopt();
    const before = d.updates.length;
    w.sessionOpened(client, 's3');
    await d.until('the third stream', () => d.streams.length === 3);
    d.send(full(task('long', ['sleep', '3600'], pulled, 'running', 'running')));
    await w.applied(1);
    await w.settled();
    const again = agent.supervisor.find('t-long');
    expect(again).toMatchObject({ id: long.id, state: 'running', pid: long.pid });
    expect(() => agent.supervisor.find('t-stay')).toThrow(/no container/);
    expect(agent.supervisor.find('by-hand').state).toBe('running');
    // Its exit is still seen by the new worker.
    await agent.supervisor.kill(long.id, 'SIGKILL');
    await d.until('long failed', () => d.last('long')?.state === 'failed');
    expect(d.last('long')).toMatchObject({ containerId: long.id, exit: { exitCode: 137, signal: 'SIGKILL' } });
    expect(d.updates.slice(before).some((u) => u.taskId === 'long' && u.status?.state === 'running')).toBe(false);
    w.stop();
  });
});
