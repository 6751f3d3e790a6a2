// Real containers (root): a busybox image imported into a content store, its layer unpacked,
// an overlayfs root per container, config.json from buildRuntimeSpec, and the real runc.

import { closeSync, createReadStream, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { ContentStore, type Digest } from '../images/content-store.js';
import { ImageIndex, importArchive } from '../images/import.js';
import { parseConfig, parseManifest } from '../images/manifest.js';
import { mountOverlay, overlayMount, unmount } from '../images/snapshot.js';
import { busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import { unpackLayer } from '../images/unpack.js';
import { freezerState, readCgroupLimits } from '../sys/cgroups.js';
import { ownNofileLimit } from '../sys/limits.js';
import { RuncDriver } from './runc.js';
import { learnHost, type RuntimeHost } from './host.js';
import { buildRuntimeSpec, type ContainerInput, type ImageConfig } from './spec.js';
import { resolveUser } from './user.js';

let root = '';
let layerDir = '';
let imageConfig: ImageConfig = {};
let runc: RuncDriver;
let host: RuntimeHost;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shoal-runc-'));
  runc = new RuncDriver(join(root, 'runc-root'));
  host = await learnHost(runc);
  const store = new ContentStore(join(root, 'content'));
  const [image] = await importArchive(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])), store, new ImageIndex(join(root, 'content')));
  const manifest = parseManifest(await store.readJson(image?.digest as Digest), 'manifest');
  imageConfig = parseConfig(await store.readJson(manifest.config.digest), 'config').config;
  layerDir = join(root, 'layers', 'l0');
  await unpackLayer(createReadStream(store.blobPath((manifest.layers[0] as { digest: Digest }).digest)), layerDir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  await runAllCleanups('runc test', cleanups.splice(0).reverse());
});

interface Ran {
  readonly exitCode: number;
  readonly output: string;
  readonly upper: string;
}

let seq = 0;

async function prepare(over: Partial<ContainerInput>): Promise<{ id: string; dir: string; upper: string; logPath: string }> {
  const id = `shoal-test-${process.pid}-${++seq}`;
  const dir = join(root, 'containers', id);
  const m = overlayMount([layerDir], dir);
  await mountOverlay(m);
  cleanups.push(async () => {
    await runc.delete(id, true);
    await unmount(m.target);
  });
  const etc = join(dir, 'etc');
  await mkdir(etc, { recursive: true });
  await writeFile(join(etc, 'hosts'), '127.0.0.1\tlocalhost\n');
  await writeFile(join(etc, 'resolv.conf'), 'nameserver 127.0.0.11\n');
  await writeFile(join(etc, 'hostname'), `${over.hostname ?? 'box'}\n`);
  const input: ContainerInput = {
    id,
    hostname: 'box',
    env: [],
    user: { uid: 0, gid: 0, additionalGids: [] },
    labels: { 'test.id': id },
    readOnlyRootfs: false,
    mounts: [],
    resources: { memoryBytes: 64 * 1024 * 1024, memoryReservationBytes: 0, cpus: 0.5, cpuShares: 0, cpusetCpus: '', pidsLimit: 64 },
    rootfsPath: m.target,
    nofile: ownNofileLimit(),
    cgroupsPath: `/${id}`,
    etcFiles: { hosts: join(etc, 'hosts'), resolvConf: join(etc, 'resolv.conf'), hostname: join(etc, 'hostname') },
    seccomp: { mode: 'default' },
    host,
    ...over,
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(buildRuntimeSpec(imageConfig, input), null, 2));
  return { id, dir, upper: m.upper, logPath: join(dir, 'output.log') };
}

async function runContainer(over: Partial<ContainerInput>): Promise<Ran> {
  const { id, dir, upper, logPath } = await prepare(over);
  const fd = openSync(logPath, 'w');
  let exitCode: number;
  try {
    exitCode = await runc.runToExit(id, dir, fd, fd);
  } finally {
    closeSync(fd);
  }
  const output = await readFile(logPath, 'utf8');
  if (process.env['SHOAL_DEBUG'] === '1') console.error(output);
  return { exitCode, output, upper };
}

/**
 * Polls runc's state until `status`: without a shim (which reports exits as events) there is
 * nothing to await, so this is bounded: 100 looks, 20 ms apart.
 */
async function until(id: string, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await runc.state(id))?.status === status) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`container ${id} never reached ${status}`);
}

describe('containers under real runc (root)', () => {
  it('pauses and resumes through the freezer, updates limits while running, and reports stats', async () => {
    const { id, dir, logPath } = await prepare({ command: ['sh', '-c', 'echo started; exec sleep 1000'] });
    const fd = openSync(logPath, 'w');
    try {
      await runc.runDetached(id, dir, fd, fd);
    } finally {
      closeSync(fd);
    }
    expect((await runc.state(id))?.status).toBe('running');
    const before = await runc.stats(id);
    expect(before.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(before.pidsLimit).toBe(64);
    expect(before.pidsCurrent).toBeGreaterThanOrEqual(1);

    // The cgroup itself, read by the agent's own code whatever the layout (v2 cgroup.freeze and memory.max, or v1's freezer and memory trees).
    expect(readCgroupLimits(`/${id}`)).toEqual({ memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pidsLimit: 64 });
    await runc.pause(id);
    expect((await runc.state(id))?.status).toBe('paused');
    expect(freezerState(`/${id}`)).toBe('frozen');
    await runc.resume(id);
    expect((await runc.state(id))?.status).toBe('running');
    expect(freezerState(`/${id}`)).toBe('thawed');

    await runc.update(id, { memoryBytes: 128 * 1024 * 1024, memoryReservationBytes: 0, cpus: 0.25, cpuShares: 0, cpusetCpus: '', pidsLimit: 32 });
    const after = await runc.stats(id);
    expect([after.memoryLimitBytes, after.pidsLimit]).toEqual([128 * 1024 * 1024, 32]);
    expect(readCgroupLimits(`/${id}`)).toEqual({ memoryBytes: 128 * 1024 * 1024, cpus: 0.25, pidsLimit: 32 });

    await runc.kill(id, 'KILL');
    await until(id, 'stopped');
    expect(await readFile(logPath, 'utf8')).toBe('started\n');
  });

  it('runs the command, captures its output and returns its exit code', async () => {
    const r = await runContainer({ command: ['sh', '-c', 'echo hello from shoal; echo to stderr >&2; exit 3'] });
    expect(r.exitCode).toBe(3);
    expect(r.output).toContain('hello from shoal');
    expect(r.output).toContain('to stderr');
  });

  it('gives the process the hostname, environment, directory and user asked for', async () => {
    const passwd = await readFile(join(layerDir, 'etc', 'passwd'), 'utf8');
    const group = await readFile(join(layerDir, 'etc', 'group'), 'utf8');
    const r = await runContainer({
      hostname: 'web-7',
      env: ['GREETING=hi'],
      workingDir: '/tmp',
      user: resolveUser('nobody', passwd, group),
      command: ['sh', '-c', 'echo "$(hostname) $GREETING $(pwd) $(id -u):$(id -g)"'],
    });
    expect(r.exitCode).toBe(0);
    expect(r.output.trim()).toBe('web-7 hi /tmp 65534:65534');
  });

  it('keeps the image read-only: writes go to the container only, and a read-only root refuses them', async () => {
    const rw = await runContainer({ command: ['sh', '-c', 'echo data > /tmp/written && cat /tmp/written'] });
    expect(rw.output.trim()).toBe('data');
    expect(await readFile(join(rw.upper, 'tmp', 'written'), 'utf8')).toBe('data\n');
    expect(await readdir(join(layerDir, 'tmp'))).toEqual([]); // copy-on-write: the layer is untouched

    const ro = await runContainer({ readOnlyRootfs: true, command: ['sh', '-c', 'echo x > /tmp/nope'] });
    expect(ro.exitCode).not.toBe(0);
    expect(ro.output).toMatch(/Read-only file system/);
  });

  it('masks sensitive kernel files that the host shows', async () => {
    // On the host they have content, so the check below can fail.
    expect((await readFile('/proc/timer_list', 'utf8')).length).toBeGreaterThan(0);
    expect((await readdir('/sys/firmware')).length).toBeGreaterThan(0);
    const r = await runContainer({ command: ['sh', '-c', 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l'] });
    expect(r.output.trim().split(/\s+/)).toEqual(['0', '0']);
  });

  it('applies the default seccomp profile: no new user or mount namespace from inside, and the everyday applets still work', async () => {
    const r = await runContainer({
      command: [
        'sh',
        '-c',
        'grep Seccomp: /proc/self/status; unshare -U -r true; echo "userns $?"; unshare -m true; echo "mountns $?"; linux32 uname -m; echo x > /tmp/f && cat /tmp/f; ls / | wc -l; id -u; hostname',
      ],
    });
    expect(r.exitCode).toBe(0);
    const lines = r.output.trim().split('\n');
    expect(lines[0]).toMatch(/^Seccomp:\s+2$/);
    expect(r.output).toMatch(/unshare\(0x10000000\): Operation not permitted/);
    expect(r.output).toMatch(/unshare\(0x20000\): Operation not permitted/);
    // busybox runs some applets in the shell's own process: stderr and stdout lines interleave in any order.
    expect(lines).toEqual(expect.arrayContaining(['userns 1', 'mountns 1', process.arch === 'x64' ? 'i686' : 'armv8l', 'x', '0', 'box']));
  });

  it('runs unconfined when asked: inside a new user namespace, a tmpfs mount succeeds', async () => {
    const r = await runContainer({ seccomp: { mode: 'unconfined' }, command: ['sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U -r -m sh -c "mount -t tmpfs none /tmp && echo mounted"'] });
    expect(r.output.trim().split('\n')).toEqual([expect.stringMatching(/^Seccomp:\s+0$/), 'mounted']);
    expect(r.exitCode).toBe(0);
  });

  it('gives the container a cgroup namespace of its own: it sees its cgroup as /', async () => {
    expect(host.cgroupNamespace).toBe(true);
    const r = await runContainer({ command: ['cat', '/proc/self/cgroup'] });
    expect(r.exitCode).toBe(0);
    // One line per tree: many on v1 and hybrid hosts, the single 0:: line on v2; every one at /.
    const lines = r.output.trim().split('\n');
    expect(lines.filter((l) => !/^\d+:[^:]*:\/$/.test(l))).toEqual([]);
  });

  it("surfaces runc's own message when the command does not exist", async () => {
    const r = await runContainer({ command: ['/no/such/binary'] });
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/no such file or directory/i);
  });
});
