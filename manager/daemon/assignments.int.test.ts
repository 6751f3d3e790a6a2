// Dispatcher.Assignments and UpdateTaskStatus on a real manager (loopback), driven by a test
// client that holds a real worker certificate and session, as an agent does: the full set then
// the changes, status reports forward only and for its own tasks only, `rm -f` reaching it as
// desired `remove`, then a REMOVE once the task is gone.

import { afterEach, describe, expect, it } from 'vitest';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { SessionMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/SessionMessage.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { callUnary, clientCredentials } from '../../shared/grpc.js';
import { obtainCertificate } from '../../shared/join-client.js';
import { MANAGER_CHANNEL_OPTIONS, parseManagerAddress } from '../../shared/manager-hosts.js';
import { managerProcesses } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('assignments test', cleanups.splice(0)));
const { cli, json, managers } = managerProcesses(cleanups);

type Ps = { name: string; node: string; state: string; desiredState: string; status: string; message: string };

/** Polls `probe` until `ok`, for at most 15 s; the error shows what was seen last. */
async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = systemClock.nowMs() + 15_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (systemClock.nowMs() > deadline) throw new Error(`${what} did not happen; last seen: ${JSON.stringify(v)}`);
    await systemClock.sleep(50);
  }
}

describe('assignments and task status (a real manager, a hand-driven agent)', () => {
  it('gives the node its tasks and takes its reports, forward only and for its own tasks only', async () => {
    const c = await managers(1);
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...c.via(0)])).token;
    const at = parseManagerAddress(c.addr[0] as string, 'manager');
    const { tls } = await obtainCertificate(at, token, { advertiseAddr: '127.0.0.1', hostname: 'w1' });
    const Dispatcher = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    const d = new Dispatcher(c.addr[0] as string, clientCredentials(tls), MANAGER_CHANNEL_OPTIONS) as unknown as DispatcherClient;
    cleanups.push(() => d.close());

    // The session, with heartbeats to keep the node up meanwhile.
    const session: ClientReadableStream<SessionMessage__Output> = d.Session({ description: { hostname: 'w1', advertiseAddress: '127.0.0.1', cpus: 2, memoryBytes: 4 * 2 ** 30, labels: {} }, sessionId: '' });
    cleanups.push(() => session.cancel());
    session.on('error', () => undefined); // cancelled at the end
    const first = await new Promise<SessionMessage__Output>((resolve, reject) => {
      session.once('data', resolve);
      session.once('error', reject);
    });
    const sessionId = first.sessionId;
    const beat = systemClock.setTimer(0, function tick() {
      void callUnary(d.Heartbeat.bind(d), { sessionId }, 2000).catch(() => undefined); // a missed beat shows as the node going down
      beatTimer = systemClock.setTimer(500, tick);
    });
    let beatTimer = beat;
    cleanups.push(() => beatTimer.cancel());

    await json(['run', '-d', '--name', 't1', ...c.via(0), 'busybox', 'sleep', '100']);
    await until('t1 assigned', () => json<Ps[]>(['ps', '-a', ...c.via(0)]), (p) => p.some((t) => t.name === 't1' && t.state === 'assigned'));

    const messages: AssignmentsMessage__Output[] = [];
    const stream = d.Assignments({ sessionId });
    cleanups.push(() => stream.cancel());
    stream.on('data', (m: AssignmentsMessage__Output) => messages.push(m));
    stream.on('error', () => undefined); // cancelled at the end
    await until('the full set', async () => messages.length, (n) => n >= 1);
    expect(messages[0]).toMatchObject({ full: true });
    const t1 = messages[0]?.changes[0]?.task;
    expect(messages[0]?.changes.map((ch) => [ch.action, ch.task?.name, ch.task?.desiredState, ch.task?.spec?.image, ch.task?.spec?.args])).toEqual([['UPDATE', 't1', 'running', 'busybox', ['sleep', '100']]]);
    const id = t1?.id as string;

    const report = (taskId: string, state: string, extra: object = {}) => callUnary(d.UpdateTaskStatus.bind(d), { sessionId, updates: [{ taskId, status: { state, ...extra } }] }, 5000);
    for (const state of ['accepted', 'preparing', 'starting']) await report(id, state);
    await report(id, 'running', { containerId: 'c0ffee' });
    await report(id, 'preparing'); // late: states only move forward
    const running = await until('t1 running', () => json<Ps[]>(['ps', ...c.via(0)]), (p) => p.some((t) => t.name === 't1' && t.state === 'running'));
    expect(running.find((t) => t.name === 't1')).toMatchObject({ node: 'w1', state: 'running' });
    // A report sent after the late one is written: the late one was not (reports are written in order).
    await report(id, 'running', { containerId: 'c0ffee', message: 'still running' });
    const after = await until('the next report', () => json<Ps[]>(['ps', ...c.via(0)]), (p) => p.some((t) => t.name === 't1' && t.message === 'still running'));
    expect(after.find((t) => t.name === 't1')).toMatchObject({ state: 'running', message: 'still running' });

    // Another node's task, or one that does not exist: refused, nothing written.
    await json(['run', '-d', '--name', 't2', '--constraint', 'node.hostname==nowhere', ...c.via(0), 'busybox']);
    const t2 = (await json<{ id: string; name: string }[]>(['ps', '-a', ...c.via(0)])).find((t) => t.name === 't2')?.id as string;
    await expect(report(t2, 'running')).rejects.toMatchObject({ code: 'dispatcher.not_assigned' });
    await expect(callUnary(d.UpdateTaskStatus.bind(d), { sessionId: 'nope', updates: [] }, 5000)).rejects.toMatchObject({ kind: 'not_found' });

    // rm -f: the agent is told `remove`; it reports the container gone; the task goes, and so does its assignment.
    const rm = await cli(['rm', '-f', 't1', ...c.via(0)]);
    expect(rm.code).toBe(0);
    await until('desired remove', async () => messages.flatMap((m) => m.changes).some((ch) => ch.task?.id === id && ch.task.desiredState === 'remove'), Boolean);
    await report(id, 'shutdown');
    await until('the REMOVE', async () => messages.flatMap((m) => m.changes).some((ch) => ch.action === 'REMOVE' && ch.task?.id === id), Boolean);
    expect((await json<Ps[]>(['ps', '-a', ...c.via(0)])).map((t) => t.name)).toEqual(['t2']);
  }, 60_000);
});
