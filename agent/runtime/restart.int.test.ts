// The shim outlives the agent (root): kill -9 the agent process, and its containers keep
// running and logging; a restarted agent re-attaches and learns the exits it missed; an
// upgraded agent (another shim version) starts a new shim for new containers while the old one
// serves its own until they are gone, then exits.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { Agent } from '../daemon.js';
import { busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import type { TaskRecord } from '../shim/protocol.js';
import { isAlive, purgeAgent, shimPids } from './testing.js';

const SHOAL = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));
let dataDir = '';
let socket = '';
let shared = '';
const processes: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-restart-'));
  socket = join(dataDir, 'agent.sock');
  shared = join(dataDir, 'shared');
  await mkdir(shared);
});

afterAll(async () => {
  await runAllCleanups('restart test', [...processes.map((p) => () => p.kill('SIGKILL')), () => (dataDir !== '' ? purgeAgent(dataDir) : undefined)]);
});

/** Starts `shoal agent --standalone` and resolves once it logs that it serves. */
async function startAgentProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SHOAL, 'agent', '--standalone', '--data-dir', dataDir, '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
  processes.push(child);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('agent serving')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`agent exited (${code}): ${seen}`)));
  });
  return child;
}

/** Bounded look at something only the disk shows (no process is left to send an event): 200 × 25 ms. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

function logLineCount(id: string): number {
  return readFileSync(join(dataDir, 'containers', id, 'json.log'), 'utf8').split('\n').filter((l) => l !== '').length;
}

async function taskRecord(id: string): Promise<TaskRecord | undefined> {
  for (const shim of await readdir(join(dataDir, 'shims'))) {
    const text = await readFile(join(dataDir, 'shims', shim, 'tasks', `${id}.json`), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined; // not written yet, or another shim's container
      throw e;
    });
    if (text !== undefined) return JSON.parse(text) as TaskRecord;
  }
  return undefined;
}

describe('containers outlive their agent (root)', () => {
  it('keeps running and logging through kill -9 of the agent; the restarted agent learns the exits; an upgraded agent uses a new shim and the old one drains', async () => {
    let agentProcess = await startAgentProcess();
    let client = new RuntimeClient(socket);
    await client.importImage(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:test'])));
    const mount = { type: 'BIND' as const, source: shared, target: '/shared' };
    const ticker = await client.create('ticker', { image: 'busybox:test', command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done'] });
    const waiter = await client.create('waiter', { image: 'busybox:test', command: ['sh', '-c', 'while [ ! -e /shared/go ]; do sleep 0.05; done; echo leaving; exit 7'], mounts: [mount] });
    const tickerPid = (await client.start(ticker.id)).pid;
    await client.start(waiter.id);
    await eventually('the ticker logs', () => (logLineCount(ticker.id) > 0 ? true : undefined));
    client.close();

    agentProcess.kill('SIGKILL');
    await new Promise((r) => agentProcess.once('exit', r));
    const linesAtKill = logLineCount(ticker.id);
    // While no agent runs: the waiter exits, its shim records the exit, the ticker logs on.
    await writeFile(join(shared, 'go'), '');
    const record = await eventually('the shim records the exit', async () => (await taskRecord(waiter.id))?.exit);
    expect(record.exitCode).toBe(7);
    await eventually('the ticker logs on without an agent', () => (logLineCount(ticker.id) > linesAtKill + 5 ? true : undefined));

    agentProcess = await startAgentProcess();
    client = new RuntimeClient(socket);
    const w = await client.get('waiter');
    expect(w.state).toBe('stopped');
    expect(w.exit?.exitCode).toBe(7);
    const t = await client.get('ticker');
    expect([t.state, t.pid]).toEqual(['running', tickerPid]);
    const lines: string[] = [];
    for await (const l of client.logs('waiter', false)) lines.push(l.line.toString());
    expect(lines).toEqual(['leaving\n']);
    client.close();
    agentProcess.kill('SIGKILL');
    await new Promise((r) => agentProcess.once('exit', r));

    // The upgrade: an agent whose shim differs.
    const [oldShimPid] = await shimPids(dataDir);
    const upgraded = new Agent({ dataDir, socket, clock: systemClock, logger: silentLogger(), shimVersion: 'upgraded-shim' });
    await upgraded.start();
    client = new RuntimeClient(socket);
    try {
      const fresh = await client.create('fresh', { image: 'busybox:test', command: ['sleep', '1000'] });
      const started = await client.start(fresh.id);
      expect(started.shimId).not.toBe(t.shimId);
      expect((await client.get('ticker')).state).toBe('running');
      expect(isAlive(oldShimPid as number)).toBe(true);

      // Its last containers gone, the old shim exits; the new one serves on.
      await client.remove('ticker', true);
      await client.remove('waiter', false);
      await eventually('the old shim exits', () => (isAlive(oldShimPid as number) ? undefined : true));
      expect((await client.get('fresh')).state).toBe('running');
      expect((await client.exec('fresh', ['echo', 'still here'])).stdout.toString()).toBe('still here\n');
      await client.remove('fresh', true);
    } finally {
      client.close();
      await upgraded.stop();
    }
  });
});
