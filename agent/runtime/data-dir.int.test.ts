// The agent's data dir as another user of the host sees it (root; the other user is nobody,
// through setpriv): nothing to list, nothing to read — not a container's environment, not its
// spec — and no setuid-root binary to run, whether a container made it in its upper folder or
// a volume or its image ships it (the class of Docker's CVE-2021-41091). Inside the container
// the setuid bits and the root's mount stay as they were.

import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { runAllCleanups } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { asNobody } from '../../shared/test-nobody.js';
import { Agent } from '../daemon.js';
import { BUSYBOX_PATH, busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import { AGENT_PRIVATE_FOLDERS } from './data-dir.js';
import { purgeAgent } from './testing.js';

interface LogLine {
  msg: string;
  level: number;
  [k: string]: unknown;
}

interface Running {
  readonly agent: Agent;
  readonly client: RuntimeClient;
  readonly logs: LogLine[];
  stop(): Promise<void>;
}

let dataDir = '';
let socketRoot = '';
let socket = '';
let current: Running | undefined;

async function startAgent(): Promise<Running> {
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const agent = new Agent({ dataDir, socket, clock: systemClock, logger: createLogger({ format: 'json', level: 'info', destination }) });
  await agent.start();
  const client = new RuntimeClient(socket);
  let stopped = false;
  current = {
    agent,
    client,
    logs,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      client.close();
      await agent.stop();
    },
  };
  return current;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-private-'));
  // As `mkdir -p` or an older version leaves it: open to everyone.
  await chmod(dataDir, 0o755);
  socketRoot = await mkdtemp(join(tmpdir(), 'shoal-private-run-'));
  await chmod(socketRoot, 0o755);
  socket = join(socketRoot, 'shoal', 'agent.sock');
  const { client } = await startAgent();
  const busybox = await readFile(BUSYBOX_PATH);
  // An image that ships a setuid-root binary, as images ship su or ping.
  const image = await busyboxImage(['sh'], [{ name: 'bin/suid', type: 'file', mode: 0o4755, uid: 0, gid: 0, body: busybox }]);
  await client.importImage(Readable.from(await dockerSaveArchive(image, ['suid:test'])));
});

afterAll(async () => {
  await runAllCleanups('data dir test', [() => current?.stop(), () => (dataDir !== '' ? purgeAgent(dataDir) : undefined), () => (socketRoot !== '' ? rm(socketRoot, { recursive: true, force: true }) : undefined)]);
});

const modeOf = async (path: string): Promise<string> => ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');

/** Runs a container to its end; its output and exit code. */
async function run(client: RuntimeClient, command: string[], over: Partial<ContainerSpec> = {}): Promise<{ id: string; exitCode: number; output: string }> {
  const c = await client.create('', { image: 'suid:test', command, ...over });
  await client.start(c.id);
  const exit = await client.wait(c.id);
  let output = '';
  for await (const l of client.logs(c.id, false)) output += l.line.toString();
  return { id: c.id, exitCode: exit.exitCode, output };
}

/** Every regular file under `dir` (as root sees it) whose content holds `needle`. */
async function filesHolding(dir: string, needle: string, depth = 0): Promise<string[]> {
  if (depth > 12) return [];
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const st = await lstat(path);
    if (st.isDirectory()) out.push(...(await filesHolding(path, needle, depth + 1)));
    else if (st.isFile() && st.size < 8 * 1024 * 1024 && (await readFile(path)).includes(needle)) out.push(path);
  }
  return out;
}

describe("an agent's data dir, to another user of the host (root)", () => {
  it('is 0700 with every folder the agent made, its records 0600; nobody can list it or read an environment passed with -e', async () => {
    const { client, logs } = current as Running;
    const secret = `s3cret-${randomBytes(8).toString('hex')}`;
    const r = await run(client, ['sh', '-c', 'echo "$SECRET_TOKEN"'], { env: [`SECRET_TOKEN=${secret}`] });
    expect(r.output.trim()).toBe(secret);

    expect(await modeOf(dataDir)).toBe('0700');
    expect(logs.filter((l) => l.msg.startsWith('data dir: removed other users'))).toMatchObject([{ tightened: { count: 1, paths: [`${dataDir} 0755→0700`] } }]);
    for (const f of AGENT_PRIVATE_FOLDERS) expect([f, await modeOf(join(dataDir, f))]).toEqual([f, '0700']);
    const container = join(dataDir, 'containers', r.id);
    expect(await modeOf(container)).toBe('0700');
    for (const f of ['config.json', 'container.json']) expect([f, await modeOf(join(container, f))]).toEqual([f, '0600']);
    expect(await modeOf(join(dataDir, 'content', 'images.json'))).toBe('0600');
    const [shim] = await readdir(join(dataDir, 'shims'));
    expect(await modeOf(join(dataDir, 'shims', shim as string, 'shim.json'))).toBe('0600');
    expect(await modeOf(join(dataDir, 'shims', shim as string, 'tasks', `${r.id}.json`))).toBe('0600');

    expect(await asNobody('list', dataDir)).toBe('EACCES');
    expect(await asNobody('list', join(dataDir, 'containers'))).toBe('EACCES');
    expect(await asNobody('read', join(container, 'config.json'))).toBe('EACCES');
    // Wherever the secret landed (the spec, the record, runc's state, the log), nobody reads it.
    const holding = await filesHolding(dataDir, secret);
    expect(holding).toEqual(expect.arrayContaining([join(container, 'config.json'), join(container, 'container.json')]));
    for (const path of holding) expect([path, await asNobody('read', path)]).toEqual([path, 'EACCES']);
    await client.remove(r.id, false);
  });

  it('gives nobody no setuid-root binary to run: not one a container made in its upper dir or a volume, nor one its image ships; inside, the bits and the mount are unchanged', async () => {
    const { client } = current as Running;
    const script = [
      'busybox cp /bin/busybox /tmp/x && busybox chmod 4755 /tmp/x',
      'busybox cp /bin/busybox /data/x && busybox chmod 4755 /data/x',
      'busybox stat -c "%a %u %n" /tmp/x /data/x /bin/suid',
      'busybox grep " / " /proc/mounts',
    ].join(' && ');
    const r = await run(client, ['sh', '-c', script], { mounts: [{ type: 'VOLUME', source: 'suidvol', target: '/data' }] });
    expect(r.exitCode).toBe(0);
    // Inside: setuid bits kept, the root mounted without nosuid (as Docker mounts it).
    expect(r.output).toContain('4755 0 /tmp/x');
    expect(r.output).toContain('4755 0 /data/x');
    expect(r.output).toContain('4755 0 /bin/suid');
    const rootMount = r.output.split('\n').find((l) => / \/ overlay /.test(l));
    expect(rootMount).toBeDefined();
    expect(rootMount).not.toMatch(/nosuid/);

    // On the host they are setuid-root files; only the folders above them keep nobody out.
    const upperCopy = join(dataDir, 'containers', r.id, 'upper', 'tmp', 'x');
    const volumeCopy = join(dataDir, 'volumes', 'suidvol', '_data', 'x');
    const shipped: string[] = [];
    for (const l of await readdir(join(dataDir, 'layers'))) {
      const path = join(dataDir, 'layers', l, 'bin', 'suid');
      if (await lstat(path).then(() => true, () => false)) shipped.push(path);
    }
    expect(shipped).toHaveLength(1);
    for (const path of [upperCopy, volumeCopy, ...shipped]) {
      const st = await stat(path);
      expect([path, (st.mode & 0o7777).toString(8), st.uid]).toEqual([path, '4755', 0]);
      expect([path, await asNobody('exec', path, ['id', '-u'])]).toEqual([path, 'EACCES']);
    }
    // The container's root, still mounted while the container exists.
    expect(await asNobody('exec', join(dataDir, 'containers', r.id, 'rootfs', 'tmp', 'x'), ['id', '-u'])).toBe('EACCES');
    await client.remove(r.id, false);

    // What the container's own users see is as before: `/`, /etc/hosts, /tmp, a volume.
    const asUser = await run(client, ['sh', '-c', 'busybox ls / >/dev/null && busybox cat /etc/hosts /etc/resolv.conf >/dev/null && echo hi >/tmp/mine && busybox ls /data && echo fine'], {
      user: 'nobody',
      mounts: [{ type: 'VOLUME', source: 'suidvol', target: '/data' }],
    });
    expect([asUser.exitCode, asUser.output]).toEqual([0, 'x\nfine\n']);
    expect(await modeOf(join(dataDir, 'volumes', 'suidvol', '_data'))).toBe('0755');
    expect(await modeOf(join(dataDir, 'containers', asUser.id, 'upper'))).toBe('0755');
    await client.remove(asUser.id, false);
  });

  it('writes a task record 0600 even over a temporary file a crash left 0644 beside it', async () => {
    const { client } = current as Running;
    // A shim to write the record, started by a first container.
    const first = await run(client, ['true']);
    await client.remove(first.id, false);
    // Running: the record written at start is the one read (an exit would write it again).
    const c = await client.create('', { image: 'suid:test', command: ['sleep', '1000'] });
    const [shim] = await readdir(join(dataDir, 'shims'));
    const record = join(dataDir, 'shims', shim as string, 'tasks', `${c.id}.json`);
    await writeFile(`${record}.tmp`, '{}', { mode: 0o644 });
    await chmod(`${record}.tmp`, 0o644);
    await client.start(c.id);
    expect(await modeOf(record)).toBe('0600');
    await client.remove(c.id, true);
  });

  it('serves its API socket 0600 in a folder it made 0700: nobody cannot connect', async () => {
    expect(await modeOf(join(socketRoot, 'shoal'))).toBe('0700');
    expect(await modeOf(socket)).toBe('0600');
    expect(await asNobody('connect', socket)).toBe('EACCES');
  });

  it('tightens what an older version left open when it starts, and says so in one line', async () => {
    const { client } = current as Running;
    const c = await client.create('old', { image: 'suid:test', command: ['true'], env: ['SECRET_TOKEN=old'] });
    const [shim] = await readdir(join(dataDir, 'shims'));
    await (current as Running).stop();
    // The layout an older version left: folders 0755, records 0644.
    const container = join(dataDir, 'containers', c.id);
    const loose: [string, number][] = [
      [dataDir, 0o755],
      ...AGENT_PRIVATE_FOLDERS.map((f): [string, number] => [join(dataDir, f), 0o755]),
      [container, 0o755],
      [join(container, 'config.json'), 0o644],
      [join(container, 'container.json'), 0o644],
      [join(dataDir, 'content', 'images.json'), 0o644],
      [join(dataDir, 'shims', shim as string, 'shim.json'), 0o644],
    ];
    for (const [path, mode] of loose) await chmod(path, mode);
    expect(await asNobody('read', join(container, 'config.json'))).toBe('ok');

    const { client: again, logs } = await startAgent();
    expect((await again.get('old')).id).toBe(c.id);
    for (const [path, mode] of loose) expect([path, await modeOf(path)]).toEqual([path, mode === 0o755 ? '0700' : '0600']);
    expect(await asNobody('read', join(container, 'config.json'))).toBe('EACCES');
    const said = logs.filter((l) => l.msg.startsWith('data dir: removed other users'));
    expect(said).toHaveLength(1);
    const tightened = said[0]?.['tightened'] as { count: number; paths: string[] };
    expect(tightened.count).toBe(loose.length);
    expect(tightened.paths).toEqual(expect.arrayContaining(loose.map(([path, mode]) => `${path} 0${mode.toString(8)}→${mode === 0o755 ? '0700' : '0600'}`)));
    await again.remove(c.id, false);
  });
});
