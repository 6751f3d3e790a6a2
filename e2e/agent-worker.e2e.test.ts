// The worker in a real `shoal agent` process (root) against a fake Dispatcher over mutual TLS on
// loopback (agent/worker/test-dispatcher.ts: the managers' side of Assignments and
// UpdateTaskStatus is not in this test, it sends what the managers would): the task runs;
// after `kill -9` of the agent the new agent opens a new session and stream, finds its container
// by label still running (same pid), reports nothing new for it, and still reports its exit.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AssignmentsMessage } from '../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task } from '../proto/gen/shoal/dispatcher/v1/Task.js';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { run } from '../shared/exec.js';
import { MANAGER_SERVER_NAME } from '../shared/manager-hosts.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { testCa } from '../shared/test-pki.js';
import { writeBundle } from '../shared/tls-bundle.js';
import { busyboxImage, dockerSaveArchive } from '../agent/images/test-images.js';
import { purgeAgent } from '../agent/runtime/testing.js';
import { clusterPaths, writeAgentIdentity, AGENT_IDENTITY_FORMAT } from '../agent/worker/identity.js';
import { FakeDispatcher } from '../agent/worker/test-dispatcher.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('agent worker test', cleanups.splice(0).reverse()));
const { shoal } = managerProcesses(cleanups);
const NODE = 'node-w1';

/** A server certificate for the name agents check on managers, signed by the test CA in `dir`. */
async function managerCert(dir: string, caPem: Buffer): Promise<{ caPem: Buffer; certPem: Buffer; keyPem: Buffer }> {
  const [key, csr, cert, ext] = ['m.key', 'm.csr', 'm.crt', 'm.ext'].map((f) => join(dir, f)) as [string, string, string, string];
  await writeFile(ext, `subjectAltName=DNS:${MANAGER_SERVER_NAME},IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=manager']);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, 'shoal-test-ca.crt'), '-CAkey', join(dir, 'shoal-test-ca.key'), '-set_serial', '0x1234', '-out', cert, '-days', '1', '-extfile', ext]);
  return { caPem, certPem: await readFile(cert), keyPem: await readFile(key) };
}

const task = (id: string, state = 'assigned'): Task => ({ id, nodeId: NODE, name: `t-${id}`, desiredState: 'running', spec: { image: 'busybox:local', args: ['sleep', '3600'] }, status: { state } });
const full = (...tasks: Task[]): AssignmentsMessage => ({ full: true, changes: tasks.map((t) => ({ action: 'UPDATE', task: t })) });

describe('the worker in a real agent process (root)', () => {
  it('runs a task, and after kill -9 of the agent finds it by label still running without restarting it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-agent-worker-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const ca = await testCa(dir);
    const d = new FakeDispatcher(NODE);
    await d.start(await managerCert(dir, ca.caPem));
    cleanups.push(() => d.stop());
    // The agent's membership, as a join would have left it.
    await writeBundle(clusterPaths(dataDir).tls, await ca.issue('w1'));
    await writeAgentIdentity(dataDir, { format: AGENT_IDENTITY_FORMAT, clusterId: 'c1', nodeId: NODE, managers: [`127.0.0.1:${d.port}`] });
    const socket = join(dataDir, 'agent.sock');
    const agentArgs = ['agent', '--data-dir', dataDir, '--socket', socket, '--advertise', '127.0.0.1', '--hostname', 'w1', `127.0.0.1:${d.port}`];
    let agent: Proc = shoal(agentArgs);
    await d.until('the first stream', () => d.streams.length === 1);
    expect(d.streams[0]?.sessionId).toBe('s1');
    const ctr = new RuntimeClient(socket);
    cleanups.push(() => ctr.close());
    await ctr.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:local'])));

    d.send(full(task('t1')));
    await d.until('t1 running', () => d.last('t1')?.state === 'running');
    const first = await ctr.get('t-t1');
    expect(first.state).toBe('running');
    expect(d.last('t1')?.containerId).toBe(first.id);

    agent.kill('SIGKILL');
    await agent.exited;
    const before = d.updates.length;
    agent = shoal(agentArgs);
    await d.until('a new session and stream', () => d.streams.length === 2);
    expect(d.streams[1]?.sessionId).toBe(`s${d.sessions.length}`);
    d.send(full(task('t1', 'running')));
    const ctr2 = new RuntimeClient(socket);
    cleanups.push(() => ctr2.close());
    const again = await ctr2.get('t-t1');
    expect(again).toMatchObject({ id: first.id, state: 'running', pid: first.pid });
    // Its end is seen by the new agent's worker.
    await ctr2.kill(first.id, 'SIGKILL');
    await d.until('t1 failed', () => d.last('t1')?.state === 'failed');
    expect(d.last('t1')).toMatchObject({ containerId: first.id, exit: { exitCode: 137, signal: 'SIGKILL' } });
    expect(d.updates.slice(before).map((u) => u.status?.state)).toEqual(['failed']);
    expect(agent.stderr()).not.toMatch(/"level":(50|60)/);
  });
});
