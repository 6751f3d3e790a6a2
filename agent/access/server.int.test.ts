// TaskAccess over real mutual TLS on loopback (no root): a manager's certificate reads logs (tail,
// limits), execs and inspects the containers of this node's tasks, and nothing else; a worker's,
// another cluster's and another CA's certificates are refused in one line; the limits on streams
// end them saying so.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import type { TaskAccessClient } from '../../proto/gen/shoal/access/v1/TaskAccess.js';
import type { TaskLogLine__Output } from '../../proto/gen/shoal/access/v1/TaskLogLine.js';
import { AGENT_ACCESS_SERVER_NAME } from '../../shared/agent-access.js';
import { systemClock } from '../../shared/clock.js';
import type { TlsMaterial } from '../../shared/grpc.js';
import { createLogger } from '../../shared/logger.js';
import { testCa, type TestCa } from '../../shared/test-pki.js';
import type { ContainerRecord } from '../runtime/supervisor.js';
import { NODE_LABEL, TASK_LABEL } from '../worker/worker.js';
import { TaskAccessServer, type AccessLimits, type AccessRuntime } from './server.js';

const LINES = ['one', 'two', 'three'];

function record(id: string, labels: Record<string, string>): ContainerRecord {
  return { id, name: id, imageReference: 'box', imageDigest: 'sha256:x', spec: { labels }, createdAtMs: 1, state: 'running', pid: 42, shimId: 's', startedAtMs: 2 } as unknown as ContainerRecord;
}

/** A runtime whose task t1 (this node, n1) writes three lines and, followed, nothing more until the stream ends. */
const runtime: AccessRuntime = {
  list: () => [record('c1', { [TASK_LABEL]: 't1', [NODE_LABEL]: 'n1' }), record('c2', { [TASK_LABEL]: 't2', [NODE_LABEL]: 'n9' }), record('by-hand', {})],
  logs: async function* (_id: string, follow: boolean, tail: number, signal: AbortSignal) {
    for (const log of tail > 0 ? LINES.slice(-tail) : LINES) yield { time: new Date(0).toISOString(), stream: 'stdout', log: `${log}\n` };
    if (follow && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  } as AccessRuntime['logs'],
  exec: async (id, args) => ({ stdout: Buffer.from(`${id}:${args.join(' ')}\n`), stderr: Buffer.alloc(0), exitCode: 3 }),
};

let dir: string;
let ca: TestCa;
let manager: TlsMaterial;
const servers: TaskAccessServer[] = [];

async function serve(limits: Partial<AccessLimits> = {}): Promise<number> {
  const tls = await ca.issue(`agent-${servers.length}`, '/CN=n1/OU=worker/O=c1');
  const server = new TaskAccessServer({ runtime, nodeId: 'n1', clusterId: 'c1', tls, clock: systemClock, logger: createLogger({ level: 'silent' }), limits });
  servers.push(server);
  const address = await server.start('127.0.0.1', 0);
  return address.kind === 'tcp' ? address.port : 0;
}

function client(port: number, tls: TlsMaterial): TaskAccessClient {
  const TaskAccess = loadProto('agent').shoal.access.v1.TaskAccess;
  return new TaskAccess(`127.0.0.1:${port}`, credentials.createSsl(ca.caPem, tls.keyPem, tls.certPem, { checkServerIdentity: () => undefined }), { 'grpc.ssl_target_name_override': AGENT_ACCESS_SERVER_NAME }) as unknown as TaskAccessClient;
}

const inspect = (c: TaskAccessClient, taskId: string) =>
  new Promise<{ id: string; state: string }>((resolve, reject) => c.Inspect({ taskId }, (err: ServiceError | null, v?: { id: string; state: string }) => (err === null ? resolve(v as { id: string; state: string }) : reject(err))));

/** The lines of a logs stream, and how it ended (undefined: it ended well). */
function readLogs(c: TaskAccessClient, req: { taskId: string; follow?: boolean; tailLines?: number }): Promise<{ lines: string[]; error?: string }> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const s = c.Logs({ taskId: req.taskId, follow: req.follow ?? false, tailLines: req.tailLines ?? 0 });
    s.on('data', (l: TaskLogLine__Output) => lines.push(l.line.toString()));
    s.on('error', (err: ServiceError) => resolve({ lines, error: err.details }));
    s.on('end', () => resolve({ lines }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-access-'));
  ca = await testCa(dir);
  manager = await ca.issue('m1', '/CN=m1/OU=manager/O=c1');
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the agent's TaskAccess", () => {
  it("lets a manager read logs (all, --tail), exec and inspect its tasks' containers, and only those", async () => {
    const c = client(await serve(), manager);
    try {
      expect(await inspect(c, 't1')).toMatchObject({ id: 'c1', state: 'running' });
      expect(await readLogs(c, { taskId: 't1' })).toEqual({ lines: ['one\n', 'two\n', 'three\n'] });
      expect(await readLogs(c, { taskId: 't1', tailLines: 2 })).toEqual({ lines: ['two\n', 'three\n'] });
      const r = await new Promise<{ stdout: Buffer; exitCode: number }>((resolve, reject) => c.Exec({ taskId: 't1', args: ['ls', '-l'] }, (err: ServiceError | null, v?: { stdout: Buffer; exitCode: number }) => (err === null ? resolve(v as { stdout: Buffer; exitCode: number }) : reject(err))));
      expect({ out: r.stdout.toString(), code: r.exitCode }).toEqual({ out: 'c1:ls -l\n', code: 3 });
      // Another node's task, a container without the labels: out of reach.
      await expect(inspect(c, 't2')).rejects.toMatchObject({ details: 'task t2 has no container on this node' });
      await expect(inspect(c, 'by-hand')).rejects.toMatchObject({ details: 'task by-hand has no container on this node' });
      expect((await readLogs(c, { taskId: 't1', tailLines: -1 })).error).toBe('tail: -1 lines: must be from 0 to 1000000');
    } finally {
      c.close();
    }
  });

  it("refuses a worker's certificate, another cluster's and another CA's, in one line", async () => {
    const port = await serve();
    const worker = await ca.issue('w2', '/CN=w2/OU=worker/O=c1');
    const otherCluster = await ca.issue('m9', '/CN=m9/OU=manager/O=c9');
    const otherCa = await (await testCa(dir, 'other-ca')).issue('m1', '/CN=m1/OU=manager/O=c1');
    const refusal = async (tls: TlsMaterial): Promise<string> => {
      const c = client(port, tls);
      try {
        return await inspect(c, 't1').then(() => 'answered', (err: ServiceError) => err.details);
      } finally {
        c.close();
      }
    };
    expect(await refusal(worker)).toBe('agent: worker w2: only managers may read logs, exec or inspect the containers of this agent');
    expect(await refusal(otherCluster)).toBe("agent: node m9's certificate is for another cluster");
    expect(await refusal(otherCa)).toMatch(/^the call came without a verified client certificate/);
  });

  it('ends a stream at its byte or time limit, saying so, and refuses one stream too many', async () => {
    const small = client(await serve({ streamBytesMax: 6 }), manager);
    const timed = client(await serve({ followMsMax: 200, streamsMax: 1 }), manager);
    try {
      expect(await readLogs(small, { taskId: 't1' })).toEqual({ lines: ['one\n'], error: 'logs: a stream carries at most 6 bytes; ask for less with --tail' });
      const first = readLogs(timed, { taskId: 't1', follow: true });
      // The first follow holds the only stream until its time is up.
      let second = await readLogs(timed, { taskId: 't1' });
      for (let k = 0; k < 20 && second.error === undefined; k++) second = await readLogs(timed, { taskId: 't1' });
      expect(second.error).toBe('this agent serves 1 logs streams at once, its most; try again');
      expect(await first).toEqual({ lines: ['one\n', 'two\n', 'three\n'], error: 'logs: a followed stream lasts at most 200 ms; follow again to go on' });
    } finally {
      small.close();
      timed.close();
    }
  });
});
