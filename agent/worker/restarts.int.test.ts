// --restart and --stop-on-disconnect with a real agent (root: real supervisor, shim and runc),
// the worker driven through a small fake Dispatcher over real gRPC on loopback: a task that
// fails is started again in the same container (its log holds each run) until on-failure:2
// gives up; a task with --stop-on-disconnect is stopped when no manager answers, and says why.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { AssignmentsMessage } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { Agent } from '../daemon.js';
import { busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import { purgeAgent } from '../runtime/testing.js';
import { FakeDispatcher } from './test-dispatcher.js';
import { supervisorRuntime, Worker } from './worker.js';

const NODE = 'node-w1';
const cleanups: CleanupStep[] = [];
afterAll(() => runAllCleanups('worker restarts test', cleanups.splice(0).reverse()));

const task = (id: string, args: string[], over: Partial<Task>): Task => ({ id, nodeId: NODE, name: `t-${id}`, desiredState: 'running', spec: { image: 'busybox:local', args, labels: {} }, status: { state: 'assigned' }, ...over });

describe('restarts and fencing with a real agent (root)', () => {
  it('on-failure:2 runs the same container three times, then fails; --stop-on-disconnect stops a container without a manager', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-worker-restarts-'));
    cleanups.push(() => purgeAgent(dataDir));
    const d = new FakeDispatcher(NODE);
    await d.start();
    cleanups.push(() => d.stop());
    const client = d.client();
    cleanups.push(() => client.close());
    const agent = new Agent({ dataDir, socket: join(dataDir, 'agent.sock'), clock: systemClock, logger: silentLogger() });
    await agent.start();
    cleanups.push(() => agent.stop());
    await agent.supervisor.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:local'])), undefined);

    const w = new Worker({ nodeId: NODE, runtime: supervisorRuntime(agent.supervisor, [], systemClock), clock: systemClock, logger: silentLogger() });
    cleanups.push(() => w.stop());
    w.adopt();
    w.sessionOpened(client, 's1');
    await d.until('the stream', () => d.streams.length === 1);
    // No heartbeat is ever answered here (no managersReached): 'fenced' is stopped 2 s after the worker's start.
    const assignments: AssignmentsMessage = {
      full: true,
      changes: [
        { action: 'UPDATE', task: task('flaky', ['sh', '-c', 'echo run; exit 3'], { restart: { condition: 'on-failure', maxRetries: 2 } }) },
        { action: 'UPDATE', task: task('fenced', ['sleep', '3600'], { stopOnDisconnectMs: 2_000 }) },
      ],
    };
    d.send(assignments);

    await d.until('flaky gives up', () => d.last('flaky')?.state === 'failed');
    const flaky = agent.supervisor.find('t-flaky');
    expect(d.last('flaky')).toMatchObject({ error: 'exit code 3', message: 'not restarted again: restarted 2 times, the most --restart on-failure:2 allows', exit: { exitCode: 3 } });
    const messages = d.updates.filter((u) => u.taskId === 'flaky' && u.status?.state === 'running').map((u) => u.status?.message);
    expect(messages).toContain('restarted 2 times; last exit code 3');
    // One container for the three runs: its log holds each.
    expect(new Set(d.updates.filter((u) => u.taskId === 'flaky').map((u) => u.status?.containerId).filter((c) => c !== ''))).toEqual(new Set([flaky.id]));
    const lines: string[] = [];
    for await (const l of agent.supervisor.logs(flaky.id, false, 0, new AbortController().signal)) lines.push(l.log.trim());
    expect(lines).toEqual(['run', 'run', 'run']);

    await d.until('fenced stopped', () => d.last('fenced')?.state === 'shutdown');
    expect(d.last('fenced')?.message).toBe('stopped: no manager for 2 s (--stop-on-disconnect)');
    expect(agent.supervisor.find('t-fenced').state).toBe('stopped');
  });
});
