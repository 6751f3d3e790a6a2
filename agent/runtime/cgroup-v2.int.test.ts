// The agent on a cgroup-v2-only host (root). Where the host is v1 or hybrid (as CI's is), the
// agent is shown one: it runs in a mount namespace of its own with a cgroup2 tree mounted at
// /sys/fs/cgroup, and in a cgroup namespace rooted at a test cgroup, so everything it, its shim
// and runc do to cgroups happens below that test cgroup and nowhere else. The agent sits in a
// leaf of it (`agent`), as v2 wants. The real `shoal agent` runs there; the test talks to it over
// its socket and reads the cgroups from outside through a cgroup2 mount of its own.
//
// What a hybrid host cannot show: its controllers (memory, pids, cpu) are all bound to v1, so
// the v2 tree has none of their files — limits, memory usage and OOM kills on v2 are covered by
// the unit tests over a v2-shaped tree (agent/sys/cgroups.test.ts), and by the ordinary
// integration tests when they run on a v2 host.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import { cgroupOf, detectCgroupLayout, freezerState, removeCgroup, type CgroupLayout } from '../sys/cgroups.js';
import { agentKey } from './supervisor.js';
import { isAlive, purgeAgent, shimPids } from './testing.js';

/**
 * Moves itself into the test cgroup ($1), then into new mount and cgroup namespaces (the cgroup
 * namespace rooted there), mounts cgroup2 at /sys/fs/cgroup, moves into the leaf `agent` and runs
 * the rest of its arguments: the agent.
 */
const ENTER_V2 = `set -e
echo $$ > "$1/cgroup.procs"
shift
exec unshare --cgroup --mount --propagation private sh -c 'set -e
mount -t cgroup2 none /sys/fs/cgroup
mkdir /sys/fs/cgroup/agent
echo $$ > /sys/fs/cgroup/agent/cgroup.procs
exec "$@"' shoal-v2 "$@"`;

const SHOAL = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));
let work = '';
let hostMount = '';
let host: CgroupLayout;
const testCgroup = `/shoal-v2test-${process.pid}`;
let dataDir = '';
let socket = '';
let agent: ChildProcessByStdio<null, Readable, Readable> | undefined;
let agentExited: Promise<unknown> = Promise.resolve();
let agentLog = '';
let client: RuntimeClient | undefined;

/** Runs a command in the agent's namespaces (its view of /sys/fs/cgroup). */
function inAgentNamespaces(command: string[]): Promise<unknown> {
  const pid = agent?.pid;
  return pid === undefined || !isAlive(pid) ? Promise.resolve() : run('nsenter', ['-t', String(pid), '-m', '-C', '--', ...command]);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoal-v2-'));
  hostMount = join(work, 'cgroup2');
  mkdirSync(hostMount);
  await run('mount', ['-t', 'cgroup2', 'none', hostMount]);
  host = detectCgroupLayout(hostMount);
  mkdirSync(join(hostMount, testCgroup));
  dataDir = join(work, 'agent');
  socket = join(dataDir, 'agent.sock');
  mkdirSync(dataDir);
  const child = spawn('sh', ['-c', ENTER_V2, 'enter-v2', join(hostMount, testCgroup), process.execPath, SHOAL, 'agent', '--standalone', '--data-dir', dataDir, '--socket', socket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agent = child;
  agentExited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      agentLog += b.toString();
      if (agentLog.includes('"agent serving"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the agent exited at start (${code}): ${agentLog}`)));
  });
  client = new RuntimeClient(socket);
  await client.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])));
});

afterAll(async () => {
  const runcRoot = join(dataDir, 'runc');
  await runAllCleanups('cgroup v2 agent test', [
    () => client?.close(),
    // runc's records name v2 paths: only the agent's own view can delete what is left.
    () => inAgentNamespaces(['sh', '-c', `for id in $(runc --root ${runcRoot} list -q); do runc --root ${runcRoot} delete -f "$id"; done`]),
    async () => {
      if (agent?.pid !== undefined && isAlive(agent.pid)) agent.kill('SIGTERM');
      await agentExited;
    },
    async () => {
      for (const pid of await shimPids(dataDir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    },
    () => (dataDir !== '' ? purgeAgent(dataDir) : undefined),
    // Killed processes leave their cgroup once reaped: retried briefly (50 × 20 ms).
    async () => {
      for (let i = 0; existsSync(join(hostMount, testCgroup)); i++) {
        try {
          removeCgroup(testCgroup, host);
        } catch (e) {
          if (i >= 50) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    () => (hostMount !== '' ? runUnchecked('umount', [hostMount]) : undefined),
    () => (work !== '' ? rmdir(hostMount).then(() => rm(work, { recursive: true, force: true })) : undefined),
  ]);
});

/** A path of the agent's view of cgroups, as the host sees it. */
const onHost = (path: string): string => (path === '/' ? testCgroup : `${testCgroup}${path}`);

describe('an agent on a cgroup-v2-only host (root; emulated on v1 and hybrid hosts)', () => {
  it('sees v2, says where its cgroups go, and names the controllers its containers cannot have', () => {
    expect(host.kind).toBe('v2');
    const lines = agentLog.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['msg'] === 'cgroups')).toMatchObject({ layout: 'cgroup v2 (unified at /sys/fs/cgroup)', cgroupParent: `/shoal/${agentKey(dataDir)}` });
    // What the test cgroup is offered is what the agent's root offers (none of these on a hybrid host).
    const offered = readFileSync(join(hostMount, testCgroup, 'cgroup.controllers'), 'utf8').split(/\s+/);
    const missing = ['cpu', 'memory', 'pids'].filter((c) => !offered.includes(c));
    expect(lines.find((l) => l['msg']?.toString().startsWith('cgroup controllers missing'))?.['missing'] ?? []).toEqual(missing);
  });

  it('runs a container in a leaf below /shoal/<key>, its shim in another, the agent outside; pauses through cgroup.freeze; removes its cgroup', async () => {
    const c = await (client as RuntimeClient).create('v2', { image: 'busybox:test', command: ['sh', '-c', 'echo up; exec sleep 1000'] });
    await (client as RuntimeClient).start(c.id);
    const pid = (await (client as RuntimeClient).get('v2')).pid;
    const parent = `/shoal/${agentKey(dataDir)}`;
    const cgroup = onHost(`${parent}/${c.id}`);
    expect(cgroupOf(pid, host)).toBe(cgroup);
    const [shimPid] = await shimPids(dataDir);
    expect(cgroupOf(shimPid as number, host)).toMatch(new RegExp(`^${onHost(parent)}/shim-[^/]+$`));
    expect(cgroupOf(agent?.pid as number, host)).toBe(onHost('/agent'));
    // Inner cgroups hold no process: the v2 rule that lets them pass controllers on.
    for (const inner of [parent, '/shoal']) expect(readFileSync(join(hostMount, onHost(inner), 'cgroup.procs'), 'utf8')).toBe('');

    // The container's own view: its cgroup namespace shows its own v2 cgroup at /sys/fs/cgroup.
    const view = await (client as RuntimeClient).exec('v2', ['sh', '-c', 'ls /sys/fs/cgroup; grep -qx 1 /sys/fs/cgroup/cgroup.procs && echo its PID 1 is in it']);
    expect(view.stdout.toString().split('\n')).toEqual(expect.arrayContaining(['cgroup.controllers', 'cgroup.freeze', 'its PID 1 is in it']));
    expect(view.stdout.toString()).not.toMatch(/^(memory|pids|cpu,cpuacct)$/m); // no v1 tree in its view

    await (client as RuntimeClient).pause('v2');
    expect(freezerState(cgroup, host)).toBe('frozen');
    await (client as RuntimeClient).resume('v2');
    expect(freezerState(cgroup, host)).toBe('thawed');
    const stats = await (client as RuntimeClient).stats('v2');
    expect(stats.pidsCurrent).toBe(1);
    expect(stats.cpuUsageNs).toBeGreaterThan(0);

    await (client as RuntimeClient).remove('v2', true);
    expect(existsSync(join(hostMount, cgroup))).toBe(false);
    expect(existsSync(join(hostMount, onHost(parent)))).toBe(true); // the shim's leaf is still in use
  });

  it('reports an exit, and the shim finds no OOM count where v2 has no memory controller', async () => {
    const c = await (client as RuntimeClient).create('', { image: 'busybox:test', command: ['sh', '-c', 'exit 7'] });
    await (client as RuntimeClient).start(c.id);
    expect(await (client as RuntimeClient).wait(c.id)).toMatchObject({ exitCode: 7, oomKilled: false });
    await (client as RuntimeClient).remove(c.id, false);
  });
});
