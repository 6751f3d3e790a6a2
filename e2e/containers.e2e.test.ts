// Containers on any node through the managers (root): 2 managers on loopback, an agent joined as
// w1 to the leader, a registry on loopback. The CLI talks to the follower, which reads the store
// and dials w1's agent (its TaskAccess port, mutual TLS, managers only) for `logs` (whole, --tail,
// -f), `exec` (exit code, options after the container) and `inspect`; `stop` then `start` (a
// fresh task under the same name); `run` without -d prints the output and exits with the
// container's code; one line for an unknown container, a pending one, exec in a stopped one, a
// node that is down; the agent's port refuses an admin's and a worker's certificate.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../proto/load.js';
import type { TaskAccessClient } from '../proto/gen/shoal/access/v1/TaskAccess.js';
import { AGENT_ACCESS_PORT, AGENT_ACCESS_SERVER_NAME } from '../shared/agent-access.js';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import type { TlsMaterial } from '../shared/grpc.js';
import { testCa } from '../shared/test-pki.js';
import { readTlsDir } from '../shared/tls-dir.js';
import { hostPlatform } from '../agent/images/manifest.js';
import { multiPlatformLayoutArchive } from '../agent/images/test-images.js';
import { startRegistry } from '../agent/images/test-registry.js';
import { purgeAgent } from '../agent/runtime/testing.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';
import { repoRoot, shoalBin } from '../manager/raft/kv/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('containers test', cleanups.splice(0).reverse()));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type PsRow = { id: string; name: string; node: string; state: string; desiredState: string; status: string };
type Inspected = { id: string; name: string; node: string; state: string; container: { id: string; state: string; pid: number; exitCode: number | null; startedAt: string } | null; containerError?: string };

/** Bounded polling of the managers' view (400 × 50 ms). */
async function eventually<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, p: Proc): Promise<T> {
  let v: T | undefined;
  for (let k = 0; k < 400; k++) {
    v = await get();
    if (ok(v)) return v;
    await systemClock.sleep(50);
  }
  throw new Error(`${what} did not happen (last: ${JSON.stringify(v)}); stderr:\n${p.stderr()}`);
}

/** `shoal ARGS` with `input` on its stdin. */
async function withStdin(args: readonly string[], input: string): Promise<{ code: number | null; stdout: string }> {
  const p = spawn(process.execPath, [shoalBin, '--log-level', 'warn', ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  p.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
  return { code, stdout };
}

/** TaskAccess.Inspect on the agent's port with the given certificate; resolves with the refusal's message. */
async function agentRefusal(tls: TlsMaterial, taskId: string): Promise<string> {
  const TaskAccess = loadProto('agent').shoal.access.v1.TaskAccess;
  const creds = credentials.createSsl(tls.caPem, tls.keyPem, tls.certPem, { checkServerIdentity: () => undefined });
  const client = new TaskAccess(`127.0.0.1:${AGENT_ACCESS_PORT}`, creds, { 'grpc.ssl_target_name_override': AGENT_ACCESS_SERVER_NAME }) as unknown as TaskAccessClient;
  try {
    return await new Promise<string>((resolve, reject) => {
      client.Inspect({ taskId }, { deadline: Date.now() + 5_000 }, (err: ServiceError | null) => (err === null ? reject(new Error('the agent answered')) : resolve(err.details)));
    });
  } finally {
    client.close();
  }
}

describe('containers through the managers (root)', () => {
  it('logs, exec, inspect, stop and start, run without -d, through a follower; refusals in one line', async () => {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const c = await managers(2);
    const archive = join(c.dir, 'box.tar');
    await writeFile(archive, await multiPlatformLayoutArchive('box:1', [hostPlatform()]));
    await registry.push(archive, 'box:1', ['--all']);
    const image = `${registry.host}/box:1`;

    const via = c.via(1); // the follower: not the manager the agent's session is with
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...via])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const agent = shoal(['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--hostname', 'w1', '--insecure-registry', registry.host, '--token', token, c.addr[0] as string]);
    await eventually('w1 ready', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);
    const byName = async (): Promise<Record<string, PsRow>> => Object.fromEntries((await json<PsRow[]>(['ps', '-a', ...via])).map((t) => [t.name, t]));

    // run without -d: the output as it comes, the container's exit code.
    const attached = await cli(['run', ...via, '--name', 'short', image, 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(attached.stdout).toBe('out\n');
    expect(attached.stderr).toBe('err\n');
    expect(attached.code).toBe(7);
    // Ctrl-C detaches: it says so, and the container goes on.
    const long = shoal(['run', ...via, '--name', 'long', image, 'sh', '-c', 'echo hello; exec sleep 3600']);
    await eventually('its first line', async () => long.stdout(), (out) => out === 'hello\n', long);
    long.kill('SIGINT');
    expect(await long.exited).toBe(0);
    expect(long.stderr()).toBe('detached from long: it goes on (shoal logs -f long, shoal stop long)\n');
    expect((await byName())['long']?.state).toBe('running');

    expect((await cli(['run', '-d', ...via, '--name', 'web', image, 'sh', '-c', 'echo one; echo two; echo three; exec sleep 3600'])).stderr).toBe('');
    const first = await eventually('web running', byName, (t) => t['web']?.state === 'running', agent);

    // logs: whole and --tail, through the follower.
    expect(await eventually('web logs', () => cli(['logs', ...via, 'web']), (r) => r.stdout === 'one\ntwo\nthree\n', agent)).toMatchObject({ code: 0, stderr: '' });
    expect((await cli(['logs', '--tail', '2', ...via, 'web'])).stdout).toBe('two\nthree\n');
    expect((await cli(['node', 'ps', 'w1', ...via, '--format', 'json'])).stdout).toContain('"name": "web"');

    // logs -f: lines while it runs, and the end once it exits.
    expect((await cli(['run', '-d', ...via, '--name', 'ticker', image, 'sh', '-c', 'echo first; sleep 2; echo second'])).code).toBe(0);
    await eventually('ticker running', byName, (t) => t['ticker']?.state === 'running' || t['ticker']?.state === 'complete', agent);
    const follow = shoal(['logs', '-f', ...via, 'ticker']);
    await eventually('the first line followed', async () => follow.stdout(), (out) => out.includes('first'), follow);
    expect(await follow.exited).toBe(0);
    expect(follow.stdout()).toBe('first\nsecond\n');

    // exec: the command's output and exit code; options after the container are the command's.
    const ex = await cli(['exec', ...via, 'web', 'sh', '-c', 'echo in-web; echo oops >&2; exit 3']);
    expect(ex).toMatchObject({ stdout: 'in-web\n', stderr: 'oops\n', code: 3 });
    expect((await cli(['exec', ...via, 'web', 'ls', '-d', '/bin'])).stdout).toBe('/bin\n');
    // A figure: the CLI's exec through the follower and w1's agent, against the CLI doing nothing.
    const timed = async (args: string[]): Promise<number> => {
      const t0 = systemClock.nowMs();
      expect((await cli(args)).code).toBe(0);
      return systemClock.nowMs() - t0;
    };
    const execMs = [await timed(['exec', ...via, 'web', 'true']), await timed(['exec', ...via, 'web', 'true']), await timed(['exec', ...via, 'web', 'true'])];
    const bareMs = [await timed(['--version']), await timed(['--version'])];
    console.log(`shoal exec web true through the follower: ${execMs.map(Math.round).join(', ')} ms; shoal --version: ${bareMs.map(Math.round).join(', ')} ms`);
    expect(await withStdin(['exec', '-i', ...via, 'web', 'sh', '-c', 'tr a-z A-Z; echo done'], 'from stdin\n')).toEqual({ code: 0, stdout: 'FROM STDIN\ndone\n' });

    // inspect: the task and its container as w1's agent has it.
    const [seen] = await json<Inspected[]>(['inspect', ...via, 'web']);
    expect(seen).toMatchObject({ id: first['web']?.id, name: 'web', node: 'w1', state: 'running', container: { state: 'running', exitCode: null } });
    expect(seen?.container?.pid).toBeGreaterThan(0);

    // Unknown and not yet placed containers: one line each.
    for (const cmd of [['logs', 'nothing'], ['exec', 'nothing', 'ls'], ['inspect', 'nothing']]) {
      const r = await cli([cmd[0] as string, ...via, ...cmd.slice(1)]);
      expect(r.stderr).toBe('shoal: nothing: no such container\n');
      expect(r.code).toBe(1);
    }
    expect((await cli(['run', '-d', ...via, '--name', 'nowhere', '--constraint', 'node.hostname==h9', image])).code).toBe(0);
    const pending = await cli(['logs', ...via, 'nowhere']);
    expect(pending.stderr).toMatch(/^shoal: container nowhere is pending on no node yet \(.*\): it has no container to read or run in\n$/);

    // The agent's port: a manager's certificate only.
    const taskId = first['web']?.id as string;
    const admin = await readTlsDir(join(c.dataDir(0), 'admin'), 'admin bundle');
    expect(await agentRefusal(admin, taskId)).toMatch(/^agent: admin .*: only managers may read logs, exec or inspect/);
    expect(await agentRefusal(await readTlsDir(join(dataDir, 'cluster', 'tls'), 'worker bundle'), taskId)).toMatch(/^agent: worker .*: only managers may/);
    const intruder = await (await testCa(c.dir, 'other-ca')).issue('intruder');
    expect(await agentRefusal({ ...intruder, caPem: admin.caPem }, taskId)).toMatch(/without a verified client certificate/);

    // stop, then start: a fresh task under the same name, running again.
    const stopped = await cli(['stop', '-t', '1', ...via, 'web']);
    expect(stopped).toMatchObject({ stdout: 'web\n', stderr: '', code: 0 });
    expect((await byName())['web']).toMatchObject({ state: 'shutdown', desiredState: 'shutdown' });
    const [down] = await json<Inspected[]>(['inspect', ...via, 'web']);
    expect(down?.container).toMatchObject({ state: 'stopped' });
    const execStopped = await cli(['exec', ...via, 'web', 'ls']);
    expect(execStopped.stderr).toBe('shoal: container web is shutdown on w1, not running: exec needs a running container\n');
    const started = await cli(['start', ...via, 'web']);
    expect(started).toMatchObject({ stdout: 'web\n', stderr: '', code: 0 });
    const again = (await byName())['web'];
    expect(again).toMatchObject({ state: 'running', node: 'w1' });
    expect(again?.id).not.toBe(taskId);
    expect((await eventually('the new run logs', () => cli(['logs', ...via, 'web']), (r) => r.stdout === 'one\ntwo\nthree\n', agent)).code).toBe(0);

    // Its node down: one line saying so.
    agent.kill('SIGKILL');
    await agent.exited;
    await eventually('w1 down', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'down'), agent);
    const nodeDown = await cli(['logs', ...via, 'web']);
    expect(nodeDown.stderr).toBe("shoal: node w1 is down: its logs can't be read now\n");
    const [orphan] = await json<Inspected[]>(['inspect', ...via, 'web']);
    expect(orphan?.containerError).toMatch(/^node w1 is down/);
  }, 180_000);
});
