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
import { credentials, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import type { AssignmentsMessage } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { AssignmentsRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsRequest.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { Task } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskStatusUpdate__Output } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { UpdateTaskStatusRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/UpdateTaskStatusRequest.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { Agent } from '../daemon.js';
import { hostPlatform } from '../images/manifest.js';
import { busyboxImage, dockerSaveArchive, multiPlatformLayoutArchive } from '../images/test-images.js';
import { startRegistry, type TestRegistry } from '../images/test-registry.js';
import { purgeAgent } from '../runtime/testing.js';
import { NODE_LABEL, supervisorRuntime, TASK_LABEL, Worker } from './worker.js';

const NODE = 'node-w1';
const cleanups: CleanupStep[] = [];
let dataDir = '';
let registry: TestRegistry;

/** The managers' side, faked: hands out the streams it is asked for and keeps every update. */
class FakeDispatcher {
  readonly server = new Server();
  readonly streams: { sessionId: string; call: ServerWritableStream<AssignmentsRequest__Output, AssignmentsMessage> }[] = [];
  readonly updates: TaskStatusUpdate__Output[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  async start(): Promise<void> {
    const def = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    this.server.addService(def.service, {
      Assignments: (call: ServerWritableStream<AssignmentsRequest__Output, AssignmentsMessage>) => {
        this.streams.push({ sessionId: call.request.sessionId, call });
        this.wake();
      },
      UpdateTaskStatus: (call: ServerUnaryCall<UpdateTaskStatusRequest__Output, object>, cb: sendUnaryData<object>) => {
        this.updates.push(...call.request.updates);
        this.wake();
        cb(null, {});
      },
      Session: (call: ServerWritableStream<unknown, unknown>) => call.emit('error', { code: status.UNIMPLEMENTED }),
      Heartbeat: (_: unknown, cb: sendUnaryData<object>) => cb({ code: status.UNIMPLEMENTED }),
    });
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err !== null ? reject(err) : resolve(port))));
  }

  client(): DispatcherClient {
    const def = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    return new def(`127.0.0.1:${this.port}`, credentials.createInsecure()) as unknown as DispatcherClient;
  }

  send(m: AssignmentsMessage): void {
    const s = this.streams.at(-1);
    if (s === undefined) throw new Error('no assignment stream open');
    s.call.write(m);
  }

  last(taskId: string): TaskStatusUpdate__Output['status'] | undefined {
    return this.updates.filter((u) => u.taskId === taskId).at(-1)?.status;
  }

  /** Resolves once `ok` holds, woken by each call; bounded by the test's timeout. */
  async until(what: string, ok: () => boolean): Promise<void> {
    for (let k = 0; k < 1_000 && !ok(); k++) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!ok()) throw new Error(`${what} did not happen; updates: ${JSON.stringify(this.updates.map((u) => [u.taskId, u.status?.state]))}`);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

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
    const d = new FakeDispatcher();
    await d.start();
    cleanups.push(() => d.server.forceShutdown());
    const client = d.client();
    cleanups.push(() => client.close());

    let agent = await startAgent();
    let agentStopped = false;
    cleanups.push(() => (agentStopped ? undefined : agent.stop()));
    await agent.supervisor.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:local'])), undefined);
    // A container made by hand (shoal ctr): no label, never the worker's.
    const byHand = await agent.supervisor.create('by-hand', { image: 'busybox:local', command: [], args: ['sleep', '3600'], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs: 0, stopSignal: '' });
    await agent.supervisor.start(byHand.id);

    let w = new Worker({ nodeId: NODE, runtime: supervisorRuntime(agent.supervisor, [registry.host]), clock: systemClock, logger: silentLogger() });
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
    w = new Worker({ nodeId: NODE, runtime: supervisorRuntime(agent.supervisor, [registry.host]), clock: systemClock, logger: silentLogger() });
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
