// Faults an agent must survive without destroying anything (root, real runc and shim): a shim
// it cannot talk to, an image it cannot read, a container record it cannot parse. In each, the
// containers and layers outlive the fault, and the fault is reported where a user looks.

import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock, type Timer } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { Agent } from '../daemon.js';
import { digestOf } from '../images/content-store.js';
import { hostPlatform } from '../images/manifest.js';
import { busyboxImage, dockerSaveArchive, tarOf, type TestImage } from '../images/test-images.js';
import { RuncDriver } from '../oci/runc.js';
import { purgeAgent, shimPids, shoalCtr } from './testing.js';


const cleanups: CleanupStep[] = [];
afterEach(async () => {
  await runAllCleanups('faults test', cleanups.splice(0).reverse());
});

interface Running {
  readonly agent: Agent;
  readonly client: RuntimeClient;
  /** Every log line of this agent, parsed. */
  readonly logs: { msg: string; level: number; [k: string]: unknown }[];
  /** Resolves once the agent has logged `msg` (at once if it has already). */
  untilLog(msg: string): Promise<void>;
  stop(): Promise<void>;
}

async function newDataDir(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-faults-'));
  cleanups.push(() => purgeAgent(dataDir));
  return dataDir;
}

/**
 * An agent on `dataDir` with short shim timeouts (300 ms, 3 attempts at start; in the background
 * every 50 ms doubling to 200 ms), its log lines kept.
 */
async function startAgent(dataDir: string): Promise<Running> {
  const logs: Running['logs'] = [];
  const logged = new EventEmitter();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        const parsed = JSON.parse(line) as Running['logs'][number];
        logs.push(parsed);
        logged.emit('line', parsed);
      }
      done();
    },
  });
  const untilLog = (msg: string): Promise<void> =>
    new Promise((resolve) => {
      if (logs.some((l) => l.msg === msg)) return resolve();
      const listener = (l: Running['logs'][number]): void => {
        if (l.msg !== msg) return;
        logged.off('line', listener);
        resolve();
      };
      logged.on('line', listener);
    });
  const agent = new Agent({
    dataDir,
    socket: join(dataDir, 'agent.sock'),
    clock: systemClock,
    logger: createLogger({ format: 'json', level: 'info', destination }),
    shimRequestTimeoutMs: 300,
    shimAttachBackoff: { initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, attemptsMax: 3 },
    shimReattachBackoff: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, attemptsMax: 200 },
  });
  await agent.start();
  const client = new RuntimeClient(join(dataDir, 'agent.sock'));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    client.close();
    await agent.stop();
  };
  cleanups.push(stop);
  return { agent, client, logs, untilLog, stop };
}

const ctr = shoalCtr;

/** A container running `sleep 1000` from busybox; returns its id and pid. */
async function sleeper(a: Running, name: string): Promise<{ id: string; pid: number }> {
  const images = await a.client.images();
  if (!images.some((i) => i.reference.endsWith('/busybox:test'))) await a.client.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])));
  const c = await a.client.create(name, { image: 'busybox:test', command: ['sleep', '1000'] });
  return { id: c.id, pid: (await a.client.start(c.id)).pid };
}

/** Lets a stopped process run again; one that is gone already (drained, killed) is fine, any other failure is not. */
function continueIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Whether a process runs (a zombie does not: it has exited and waits to be reaped). */
function runs(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** A call left pending when a test fails early is cancelled at teardown: that is no second failure. */
function quietOnTeardown(call: Promise<unknown>): void {
  call.catch(() => undefined);
}

/** `promise`, or a failure naming `what` once `ms` have passed. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = systemClock.setTimer(ms, () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    timer?.cancel();
  }
}

async function runcStatus(dataDir: string, id: string): Promise<string | undefined> {
  return (await new RuncDriver(join(dataDir, 'runc')).state(id))?.status;
}

/** An image whose one layer holds only a file: distinct layers from busybox's. */
async function markerImage(word: string): Promise<TestImage> {
  const layerTar = await tarOf([{ name: 'marker', type: 'file', mode: 0o644, body: word }]);
  const { os, architecture } = hostPlatform();
  const config = Buffer.from(JSON.stringify({ architecture, os, config: { Cmd: ['/marker'] }, rootfs: { type: 'layers', diff_ids: [digestOf(layerTar)] } }));
  return { layerTar, config, configDigest: digestOf(config) };
}

/** Stops (SIGSTOP) the agent's shim: its socket still accepts, but nothing answers. Resumed on teardown. */
async function stopShim(dataDir: string): Promise<number> {
  const [shimPid] = await shimPids(dataDir);
  if (shimPid === undefined) throw new Error(`no shim in ${dataDir}`);
  process.kill(shimPid, 'SIGSTOP');
  cleanups.push(() => continueIfAlive(shimPid));
  return shimPid;
}

/** A container named `name` whose shim hangs, and an agent started after it hung. */
async function agentWithHungShim(name: string): Promise<{ dataDir: string; a: Running; c: { id: string; pid: number }; shimPid: number }> {
  const dataDir = await newDataDir();
  const first = await startAgent(dataDir);
  const c = await sleeper(first, name);
  await first.stop();
  const shimPid = await stopShim(dataDir);
  return { dataDir, a: await startAgent(dataDir), c, shimPid };
}

describe('an agent that cannot talk to a shim (root)', () => {
  it('leaves the containers of a hung shim running after a restart, and reaches them once it answers', async () => {
    const { dataDir, a, c, shimPid } = await agentWithHungShim('hung');
    expect(a.logs.some((l) => l.msg === 'shim unreachable: its containers are left running, as last recorded')).toBe(true);
    expect((await a.client.get('hung')).state).toBe('running');
    expect(runs(c.pid)).toBe(true);
    expect(await runcStatus(dataDir, c.id)).toBe('running');
    // Told plainly, and still untouched.
    await expect(a.client.kill('hung', 'SIGTERM')).rejects.toThrow(/the shim of container hung is not reachable/);
    expect(runs(c.pid)).toBe(true);

    // Answering again: the next request reattaches, and the exit comes back through the shim.
    process.kill(shimPid, 'SIGCONT');
    expect(await a.client.stop('hung', 200)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(runs(c.pid)).toBe(false);
  });

  it('answers a kill sent to a shim that hangs while attached with a bounded error, and the container with it runs on', async () => {
    const dataDir = await newDataDir();
    const a = await startAgent(dataDir);
    const c = await sleeper(a, 'wedged');
    const shimPid = await stopShim(dataDir);
    await expect(a.client.kill('wedged', 'SIGTERM')).rejects.toThrow(/did not answer kill within 300 ms/);
    expect(runs(c.pid)).toBe(true);
    process.kill(shimPid, 'SIGCONT');
    expect(await a.client.stop('wedged', 200)).toMatchObject({ exitCode: 137 });
  });

  it('learns what the containers of a hung shim did once it answers again, without any request: ps and wait tell the truth', async () => {
    const { dataDir, a, c, shimPid } = await agentWithHungShim('hung');
    expect((await a.client.get('hung')).state).toBe('running');
    const waited = a.client.wait('hung');
    quietOnTeardown(waited);
    // The container dies while its shim cannot tell anyone; then the shim runs again. No request follows.
    process.kill(c.pid, 'SIGKILL');
    process.kill(shimPid, 'SIGCONT');
    expect(await within(10_000, 'the agent to learn the exit by itself', waited)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    const ps = await ctr(join(dataDir, 'agent.sock'), 'ps', '-a');
    expect(ps.stdout).toMatch(/hung\s.*exited \(137\)/);
  });

  it('ends the containers of a shim killed while the agent runs, without any request', async () => {
    const dataDir = await newDataDir();
    const a = await startAgent(dataDir);
    const c = await sleeper(a, 'lost');
    const [shimPid] = await shimPids(dataDir);
    const waited = a.client.wait('lost');
    quietOnTeardown(waited);
    process.kill(shimPid as number, 'SIGKILL');

    expect(await within(10_000, 'the agent to end the container of its dead shim', waited)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    const got = await a.client.get('lost');
    expect([got.state, got.exit?.exitCode]).toEqual(['stopped', 137]);
    expect(a.logs.some((l) => l.msg === 'shim gone: its running containers are ended')).toBe(true);
    expect(runs(c.pid)).toBe(false);
    expect(await runcStatus(dataDir, c.id)).toBeUndefined();
  });

  it('says a container has ended when asked to signal it just after its shim was killed', async () => {
    const dataDir = await newDataDir();
    const a = await startAgent(dataDir);
    const c = await sleeper(a, 'signalled');
    const [shimPid] = await shimPids(dataDir);
    process.kill(shimPid as number, 'SIGKILL');

    await expect(a.client.kill('signalled', 'SIGTERM')).rejects.toThrow(/container signalled is not running/);
    const got = await a.client.get('signalled');
    expect([got.state, got.exit?.exitCode]).toEqual(['stopped', 137]);
    expect(runs(c.pid)).toBe(false);
  });

  /**
   * Leaves a socket file at `path` that nobody listens on: a server's socket hard-linked there,
   * then the server closed (Node removes its own path on close, not the link).
   */
  async function refusingSocket(path: string): Promise<void> {
    const server = createServer();
    const bound = `${path}.bound`;
    await new Promise<void>((resolve) => server.listen(bound, resolve));
    await link(bound, path);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const breakings: [string, (sock: string) => Promise<unknown>][] = [
    ['missing', async () => undefined],
    // A socket file nobody listens on: connecting is refused (ECONNREFUSED), as after a crash, yet the shim lives.
    ['refusing connections', refusingSocket],
  ];
  it.each(breakings)('leaves the containers of a live shim whose socket is %s running, and reaches them once it is back', async (_what, breakSocket) => {
    const dataDir = await newDataDir();
    let a = await startAgent(dataDir);
    const c = await sleeper(a, 'nosock');
    await a.stop();
    const [shimId] = await readdir(join(dataDir, 'shims'));
    const sock = join(dataDir, 'shims', shimId as string, 'shim.sock');
    await rename(sock, `${sock}.away`);
    await breakSocket(sock);

    a = await startAgent(dataDir);
    expect(a.logs.some((l) => l.msg === 'shim unreachable: its containers are left running, as last recorded')).toBe(true);
    expect((await a.client.get('nosock')).state).toBe('running');
    expect(runs(c.pid)).toBe(true);
    expect(await runcStatus(dataDir, c.id)).toBe('running');

    await rename(`${sock}.away`, sock);
    expect(await a.client.stop('nosock', 200)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(runs(c.pid)).toBe(false);
  });

  it('ends the containers of a shim that is gone (socket refused, process dead), as containerd does', async () => {
    const dataDir = await newDataDir();
    let a = await startAgent(dataDir);
    const c = await sleeper(a, 'orphan');
    await a.stop();
    const [shimPid] = await shimPids(dataDir);
    process.kill(shimPid as number, 'SIGKILL');

    a = await startAgent(dataDir);
    const got = await a.client.get('orphan');
    expect([got.state, got.exit?.exitCode]).toEqual(['stopped', 137]);
    expect(await runcStatus(dataDir, c.id)).toBeUndefined();
  });
});

describe('an exit that cannot be recorded (root)', () => {
  it('is logged and recorded once the disk takes it again; the agent lives on', async () => {
    const dataDir = await newDataDir();
    const a = await startAgent(dataDir);
    const c = await sleeper(a, 'full');
    const record = join(dataDir, 'containers', c.id, 'container.json');
    const before = await readFile(record);
    // Saving fails as on a full disk: a folder holds the record's name, so the rename onto it fails.
    await rm(record);
    await mkdir(record);
    const waited = a.client.wait('full');
    quietOnTeardown(waited);
    process.kill(c.pid, 'SIGKILL');
    await within(10_000, 'the failure to be logged', a.untilLog('cannot record an exit: trying again'));
    expect((await a.client.get('full')).state).toBe('running');

    await rm(record, { recursive: true });
    await writeFile(record, before, { mode: 0o600 });
    expect(await within(10_000, 'the exit to be recorded on a retry', waited)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect((JSON.parse(await readFile(record, 'utf8')) as { state: string }).state).toBe('stopped');
    expect((await a.client.get('full')).state).toBe('stopped');
  });
});

describe('garbage collection that cannot read an image (root)', () => {
  it('deletes no layer or blob when one image is unreadable, says so on rm, and collects once it is removed', async () => {
    const dataDir = await newDataDir();
    const a = await startAgent(dataDir);
    const [damaged] = await a.client.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:damaged'])));
    await a.client.importImage(Readable.from(await dockerSaveArchive(await markerImage('b'), ['other:b'])));
    // Containers unpack each image's layer; removing them leaves the layers for the collector.
    for (const image of ['busybox:damaged', 'other:b']) {
      const made = await a.client.create('', { image, command: ['/marker'] });
      await a.client.remove(made.id, false);
    }
    const layersBefore = (await readdir(join(dataDir, 'layers'))).sort();
    const blobsBefore = (await readdir(join(dataDir, 'content', 'blobs', 'sha256'))).sort();
    expect(layersBefore).toHaveLength(2);
    await writeFile(join(dataDir, 'content', 'blobs', 'sha256', (damaged?.digest ?? '').slice('sha256:'.length)), 'not a manifest');

    const rm = await ctr(join(dataDir, 'agent.sock'), 'images', 'rm', 'other:b');
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toMatch(/^shoal: warning: no blob or layer was deleted: image docker\.io\/library\/busybox:damaged cannot be read: blob sha256:[0-9a-f]+: not valid JSON\n$/);
    expect(a.logs.some((l) => l.msg === 'image name removed, but garbage collection refused to run: no blob or layer deleted')).toBe(true);
    expect((await a.client.images()).map((i) => i.reference)).toEqual(['docker.io/library/busybox:damaged']);
    expect((await readdir(join(dataDir, 'layers'))).sort()).toEqual(layersBefore);
    expect((await readdir(join(dataDir, 'content', 'blobs', 'sha256'))).sort()).toEqual(blobsBefore);

    // The damaged image removed, nothing stands in the way.
    const second = await a.client.removeImage('busybox:damaged');
    expect(second.warnings).toEqual([]);
    expect(Number(second.layersDeleted)).toBe(2);
    expect(await readdir(join(dataDir, 'layers'))).toEqual([]);
  });
});

describe('a container record that cannot be read (root)', () => {
  it('is moved aside and reported, its folder kept and its process left running; collection holds off meanwhile', async () => {
    const dataDir = await newDataDir();
    let a = await startAgent(dataDir);
    const c = await sleeper(a, 'damaged');
    const other = await a.client.create('fine', { image: 'busybox:test', command: ['true'] });
    await a.client.importImage(Readable.from(await dockerSaveArchive(await markerImage('spare'), ['spare:1'])));
    await a.stop();
    const dir = join(dataDir, 'containers', c.id);
    await writeFile(join(dir, 'container.json'), '{"id": "trunc');

    a = await startAgent(dataDir);
    const aside = (await readdir(dir)).filter((f) => f.startsWith('container.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0] as string), 'utf8')).toBe('{"id": "trunc');
    expect(existsSync(join(dir, 'container.json'))).toBe(false);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
    expect(runs(c.pid)).toBe(true);
    expect(await runcStatus(dataDir, c.id)).toBe('running');
    expect(a.logs.some((l) => l.msg === 'unreadable container record: the folder and any process runc runs for it are left alone')).toBe(true);

    const ps = await ctr(join(dataDir, 'agent.sock'), 'ps', '-a');
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stderr).toBe(
      `shoal: warning: container ${c.id}: container.json is not valid JSON; moved to ${join(dir, aside[0] as string)}; left alone (its folder ${dir}, and its process if runc runs one): repair or remove it by hand\n`,
    );
    expect(ps.stdout).toMatch(/fine/);
    expect(ps.stdout).not.toMatch(/damaged/);
    // Its layers are unknown: nothing is collected while it is unreadable.
    expect((await a.client.removeImage('spare:1')).warnings).toEqual([expect.stringMatching(new RegExp(`container folder ${dir} has no readable record`))]);

    // Still reported, still whole, after another restart.
    await a.stop();
    a = await startAgent(dataDir);
    expect((await a.client.listWithWarnings(true)).warnings).toEqual([expect.stringMatching(new RegExp(`^container ${c.id}: its record was unreadable and is at `))]);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
    expect(runs(c.pid)).toBe(true);
    expect((await a.client.get(other.id)).name).toBe('fine');
  });
});
