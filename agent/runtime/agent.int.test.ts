// A standalone agent end to end (root, real runc, overlayfs, the real shim process), driven
// through its gRPC API on a unix socket exactly as `shoal ctr` drives it.

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import type { ContainerSpec } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { systemClock } from '../../shared/clock.js';
import { runUnchecked } from '../../shared/exec.js';
import { silentLogger } from '../../shared/logger.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { busyboxImage, dockerSaveArchive, ociLayoutArchive } from '../images/test-images.js';
import { Agent } from '../daemon.js';
import { agentKey } from './supervisor.js';
import { agentCgroupParent, cgroupOf, freezerState, readCgroupLimits } from '../sys/cgroups.js';
import { purgeAgent, shimPids } from './testing.js';

let dataDir = '';
let agent: Agent;
let client: RuntimeClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-agent-'));
  const socket = join(dataDir, 'agent.sock');
  agent = new Agent({ dataDir, socket, clock: systemClock, logger: silentLogger(), logMaxBytes: 64 * 1024, logMaxFiles: 2 });
  await agent.start();
  client = new RuntimeClient(socket);
  await client.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])));
});

afterAll(async () => {
  await runAllCleanups('agent test', [() => client?.close(), () => agent?.stop(), () => (dataDir !== '' ? purgeAgent(dataDir) : undefined)]);
});

function spec(command: string[], over: Partial<ContainerSpec> = {}): ContainerSpec {
  return { image: 'busybox:test', command, ...over };
}

async function run(command: string[], over: Partial<ContainerSpec> = {}) {
  const c = await client.create('', spec(command, over));
  await client.start(c.id);
  const exit = await client.wait(c.id);
  const lines = [];
  for await (const l of client.logs(c.id, false)) lines.push(l);
  await client.remove(c.id, false);
  return { exit, lines: lines.map((l) => ({ stream: l.stream, text: l.line.toString() })) };
}

describe('a standalone agent (root)', () => {
  it('runs a container: its output in the log by stream, its exit code, events in order', async () => {
    const events = await client.events();
    const r = await run(['sh', '-c', 'echo out; echo err >&2; echo direct > /dev/stdout; exit 3']);
    expect(r.exit.exitCode).toBe(3);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', text: 'out\n' },
        { stream: 'stderr', text: 'err\n' },
        { stream: 'stdout', text: 'direct\n' },
      ]),
    );
    const types: string[] = [];
    for await (const e of events) {
      types.push(e.type);
      if (e.type === 'container.deleted') break;
    }
    expect(types).toEqual(['container.created', 'task.started', 'task.exited', 'container.deleted']);
  });

  it('follows a log until the container exits', async () => {
    const c = await client.create('', spec(['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.1; done']));
    await client.start(c.id);
    const seen: string[] = [];
    for await (const l of client.logs(c.id, true)) seen.push(l.line.toString().trim());
    expect(seen).toEqual(['line 1', 'line 2', 'line 3']);
    await client.remove(c.id, false);
  });

  it('stops with SIGTERM, and with SIGKILL once the grace period is over', async () => {
    const polite = await client.create('', spec(['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.05; done']));
    await client.start(polite.id);
    expect((await client.stop(polite.id, 10_000)).exitCode).toBe(0);

    const stubborn = await client.create('', spec(['sh', '-c', 'trap "" TERM; while true; do sleep 0.05; done']));
    await client.start(stubborn.id);
    const started = Date.now();
    const exit = await client.stop(stubborn.id, 300);
    expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await client.remove(polite.id, false);
    await client.remove(stubborn.id, false);
  });

  it('reports an OOM kill as an event and in the exit status', async () => {
    const events = await client.events(['task.oom', 'task.exited']);
    const c = await client.create('', spec(['sh', '-c', 'exec dd if=/dev/zero of=/dev/null bs=64M count=1'], { resources: { memoryBytes: 16 * 1024 * 1024 } }));
    await client.start(c.id);
    const exit = await client.wait(c.id);
    expect(exit).toMatchObject({ exitCode: 137, oomKilled: true });
    const got: string[] = [];
    for await (const e of events) {
      if (e.id !== c.id) continue;
      got.push(e.type);
      if (e.type === 'task.exited') break;
    }
    expect(got).toEqual(['task.oom', 'task.exited']);
    await client.remove(c.id, false);
  });

  it('pauses and resumes, updates limits live, reports stats and runs exec', async () => {
    const c = await client.create('web', spec(['sh', '-c', 'echo ready; exec sleep 1000'], { env: ['GREETING=hi'], resources: { memoryBytes: 64 * 1024 * 1024, pidsLimit: 50 } }));
    await client.start(c.id);
    // Its cgroup, read through the agent's own cgroup code whatever the host's layout.
    const cgroup = `${agent.supervisor.cgroupParent}/${c.id}`;
    expect(readCgroupLimits(cgroup)).toMatchObject({ memoryBytes: 64 * 1024 * 1024, pidsLimit: 50 });
    await client.pause('web');
    expect((await client.get('web')).state).toBe('paused');
    expect(freezerState(cgroup)).toBe('frozen');
    await client.resume('web');
    expect((await client.get('web')).state).toBe('running');
    expect(freezerState(cgroup)).toBe('thawed');

    await client.update('web', { memoryBytes: 96 * 1024 * 1024, pidsLimit: 20 });
    const stats = await client.stats('web');
    expect([stats.memoryLimitBytes, stats.pidsLimit]).toEqual([96 * 1024 * 1024, 20]);
    expect(readCgroupLimits(cgroup)).toMatchObject({ memoryBytes: 96 * 1024 * 1024, pidsLimit: 20 });
    expect(stats.pidsCurrent).toBeGreaterThanOrEqual(1);
    expect((await client.get('web')).spec?.resources?.memoryBytes).toBe(96 * 1024 * 1024);

    const ex = await client.exec('web', ['sh', '-c', 'echo "$GREETING $EXTRA"; cat; echo oops >&2; exit 4'], { env: ['EXTRA=there'], stdin: Buffer.from('from stdin\n') });
    expect(ex.exitCode).toBe(4);
    expect(ex.stdout.toString()).toBe('hi there\nfrom stdin\n');
    expect(ex.stderr.toString()).toBe('oops\n');

    // An exec'd process has its container's capabilities (Docker's default set), not none.
    const caps = (await client.exec('web', ['sh', '-c', 'grep CapEff /proc/self/status /proc/1/status'])).stdout.toString().trim().split('\n');
    const [own, init] = caps.map((l) => l.split(/\s+/).pop());
    expect(own).toBe(init);
    expect(own).not.toBe('0000000000000000');

    await expect(client.exec('web', ['/no/such/tool'])).rejects.toThrow(/no such file or directory/i);
    await client.remove('web', true);
    await expect(client.get('web')).rejects.toThrow(/no container/);
  });

  it('mounts the root of a stopped container again after a reboot, from the image it was made from even when its name has moved on', async () => {
    // Two images under one name, each with a file of its own in its layer.
    const saying = async (word: string): Promise<Buffer> =>
      dockerSaveArchive(await busyboxImage(['cat', '/which'], [{ name: 'which', type: 'file', body: `${word}\n` }]), ['busybox:moving']);
    await client.importImage(Readable.from(await saying('first')));
    const c = await client.create('', { image: 'busybox:moving' });
    await client.importImage(Readable.from(await saying('second')));
    // A reboot takes every mount with it: the container's root is gone until it starts again.
    const rootfs = join(dataDir, 'containers', c.id, 'rootfs');
    expect((await runUnchecked('umount', [rootfs])).exitCode).toBe(0);
    await client.start(c.id);
    expect((await client.wait(c.id)).exitCode).toBe(0);
    const lines = [];
    for await (const l of client.logs(c.id, false)) lines.push(l.line.toString());
    expect(lines).toEqual(['first\n']);
    await client.remove(c.id, false);
    await client.removeImage('busybox:moving');
  });

  it('gives containers and their exec processes the kernel\'s OOM score, not the one their shim has', async () => {
    await run(['true']); // the shim starts with the first container
    const [shimPid] = await shimPids(dataDir);
    // Under shoal-agent.service the shim inherits the agent's OOMScoreAdjust=-500. Lowering a
    // score needs CAP_SYS_RESOURCE, which this machine withholds; raising it shows the same thing.
    await writeFile(`/proc/${shimPid}/oom_score_adj`, '500');
    const c = await client.create('', spec(['sleep', '100']));
    await client.start(c.id);
    const own = (await client.exec(c.id, ['cat', '/proc/1/oom_score_adj', '/proc/self/oom_score_adj'])).stdout.toString();
    await client.remove(c.id, true);
    expect(own).toBe('0\n0\n');
  });

  it('runs its one shim detached: its own session, its own cgroup beside the containers, not the agent\'s', async () => {
    const [shimPid] = await shimPids(dataDir);
    expect(shimPid).toBeDefined();
    const sessionOf = (pid: number | string): string => (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')[3] ?? '';
    expect(sessionOf(shimPid as number)).toBe(String(shimPid));
    expect(sessionOf('self')).not.toBe(String(shimPid));
    // A leaf of its own beside the containers' (cgroup v2 lets only leaves hold processes), below the agent's parent.
    const parent = agent.supervisor.cgroupParent;
    expect(parent).toBe(agentCgroupParent(agentKey(dataDir)));
    expect(parent).toMatch(new RegExp(`/shoal/${agentKey(dataDir)}$`));
    expect(cgroupOf(shimPid as number)).toMatch(new RegExp(`^${parent}/shim-[^/]+$`));
    expect(cgroupOf('self')).not.toMatch(/shoal/);
  });

  it('mounts binds (read-only when asked), named volumes that outlive containers, and tmpfs', async () => {
    const host = await mkdtemp(join(tmpdir(), 'shoal-bind-'));
    try {
      await writeFile(join(host, 'in.txt'), 'from the host\n');
      const mounts = [
        { type: 'BIND' as const, source: host, target: '/host', readOnly: true },
        { type: 'VOLUME' as const, source: 'keep', target: '/data' },
        { type: 'TMPFS' as const, target: '/scratch', tmpfsSizeBytes: 1024 * 1024 },
      ];
      const first = await run(['sh', '-c', 'cat /host/in.txt; echo kept > /data/v.txt; touch /host/x 2>/dev/null || echo read-only; grep -c " /scratch tmpfs" /proc/mounts'], { mounts });
      expect(first.lines.map((l) => l.text)).toEqual(['from the host\n', 'read-only\n', '1\n']);
      const second = await run(['cat', '/data/v.txt'], { mounts: [mounts[1] as (typeof mounts)[1]] });
      expect(second.lines.map((l) => l.text)).toEqual(['kept\n']);
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });

  it('keeps two agents on one host apart: same container name, separate runc roots and cgroups', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'shoal-agent2-'));
    const other = new Agent({ dataDir: otherDir, socket: join(otherDir, 'agent.sock'), clock: systemClock, logger: silentLogger() });
    const otherClient = new RuntimeClient(join(otherDir, 'agent.sock'));
    try {
      await other.start();
      await otherClient.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])));
      const a = await client.create('twin', spec(['sleep', '1000']));
      const b = await otherClient.create('twin', spec(['sleep', '1000']));
      await client.start(a.id);
      await otherClient.start(b.id);
      expect((await client.list(true)).map((c) => c.id)).toEqual([a.id]);
      expect((await otherClient.list(true)).map((c) => c.id)).toEqual([b.id]);
      expect(agentKey(dataDir)).not.toBe(agentKey(otherDir));
      expect(cgroupOf((await otherClient.get('twin')).pid)).toBe(`${other.supervisor.cgroupParent}/${b.id}`);
      expect(other.supervisor.cgroupParent).toMatch(new RegExp(`/shoal/${agentKey(otherDir)}$`));
      await client.remove('twin', true);
      expect((await otherClient.get('twin')).state).toBe('running');
      await otherClient.remove('twin', true);
    } finally {
      otherClient.close();
      await other.stop();
      await purgeAgent(otherDir);
    }
  });

  it("surfaces runc's own message when a container cannot start, and keeps it startable once fixed", async () => {
    const c = await client.create('', spec(['/no/such/binary']));
    await expect(client.start(c.id)).rejects.toThrow(/runc create [0-9a-f]+: .*no such file or directory/i);
    expect((await client.get(c.id)).state).toBe('created');
    await client.remove(c.id, false);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const before = await readdir(join(dataDir, 'containers'));
    await expect(client.create('', spec(['true'], { image: 'nope:1' }))).rejects.toThrow(/no image nope:1/);
    await expect(client.create('', spec(['true'], { resources: { memoryBytes: 1024 * 1024 } }))).rejects.toThrow(/memory: must be at least 6 MiB/);
    await expect(client.create('bad name', spec(['true']))).rejects.toThrow(/container name "bad name" is not valid/);
    const a = await client.create('dup', spec(['true']));
    await expect(client.create('dup', spec(['true']))).rejects.toThrow(/the name dup is already in use/);
    await client.remove(a.id, false);
    await expect(client.kill('nothing-here', 'TERM')).rejects.toThrow(/no container "nothing-here"/);
    await expect(client.importImage(Readable.from([Buffer.from('not a tar archive at all, and long enough to look like one'.repeat(20))]))).rejects.toThrow(/image archive/);
    expect(await readdir(join(dataDir, 'containers'))).toEqual(before);
  });

  it('imports an OCI layout, refuses to remove an image in use, and collects its blobs and layers once removed', async () => {
    const image = await busyboxImage(['echo', 'from oci']);
    const [rec] = await client.importImage(Readable.from(await ociLayoutArchive(image, 'oci-box:1')));
    expect(rec?.reference).toBe('docker.io/library/oci-box:1');
    const r = await run([], { image: 'oci-box:1' });
    expect(r.lines.map((l) => l.text)).toEqual(['from oci\n']);

    const c = await client.create('holder', spec([], { image: 'oci-box:1' }));
    await expect(client.removeImage('docker.io/library/oci-box:1')).rejects.toThrow(/^image docker\.io\/library\/oci-box:1 is used by container holder/);
    await client.remove(c.id, false);
    const blobsBefore = (await readdir(join(dataDir, 'content', 'blobs', 'sha256'))).length;
    await client.removeImage('oci-box:1');
    expect((await client.images()).map((i) => i.reference)).toEqual(['docker.io/library/busybox:test']);
    // The config and manifest blobs were its own; the layer is shared with busybox:test and stays.
    expect((await readdir(join(dataDir, 'content', 'blobs', 'sha256'))).length).toBeLessThan(blobsBefore);
    expect(existsSync(join(dataDir, 'layers'))).toBe(true);
  });
});
