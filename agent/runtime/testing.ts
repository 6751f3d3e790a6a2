// Test support for whole agents (root): removing everything an agent made — its containers
// (runc state and cgroups), its shims, its overlay mounts and its data folder — whatever state
// a failed test left them in. Every step runs even when an earlier one fails; the failures are
// reported together at the end (shared/cleanup.ts).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { runUnchecked } from '../../shared/exec.js';
import { netnsName } from '../network/manager.js';
import { bridgeName, vxlanName } from '../network/plan.js';
import { RuncDriver } from '../oci/runc.js';
import { agentCgroupParent, removeCgroup, removeCgroupIfUnused } from '../sys/cgroups.js';
import { agentKey } from './supervisor.js';

/** A folder's entries; a folder that is not there has none. */
async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
}

/** Pids of the shims an agent started (from their shim.json), alive or not. */
export async function shimPids(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const id of await entries(join(dataDir, 'shims'))) {
    const info = await readFile(join(dataDir, 'shims', id, 'shim.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined; // a shim that never finished starting
      throw e;
    });
    if (info !== undefined) out.push((JSON.parse(info) as { pid: number }).pid);
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // ESRCH: gone already
  }
}

/** Runs a command that removes something; "not there" is success, any other failure throws. */
async function removeWith(command: string, args: string[]): Promise<void> {
  const r = await runUnchecked(command, args);
  if (r.exitCode !== 0 && !/Cannot find|No such file|does not exist|not mounted|no mount point/i.test(r.stderr)) {
    throw new Error(`${command} ${args.join(' ')}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
  }
}

/** A killed shim leaves the cgroup only once the kernel has reaped it: retry briefly (50 × 20 ms). */
async function removeAgentCgroup(dataDir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      removeCgroup(agentCgroupParent(agentKey(dataDir)));
      return;
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export async function purgeAgent(dataDir: string): Promise<void> {
  const runc = new RuncDriver(join(dataDir, 'runc'));
  const errors: unknown[] = [];
  // What there is to remove, read first; a failure to read is reported with the rest.
  const read = async <T>(fn: () => Promise<T>, fallback: T): Promise<T> => fn().catch((e: unknown) => (errors.push(e), fallback));
  const containers = await read(() => runc.list(), []);
  const pids = await read(() => shimPids(dataDir), []);
  const containerDirs = await read(() => entries(join(dataDir, 'containers')), []);
  const stored = await read(
    () =>
      readFile(join(dataDir, 'networks.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined; // the agent made no network
        throw e;
      }),
    undefined,
  );
  const networks = stored === undefined ? [] : (JSON.parse(stored) as { networks: { vni: number }[] }).networks;
  const steps: CleanupStep[] = [
    ...containers.map((c) => () => runc.delete(c.id, true)),
    ...pids.map((pid) => () => killIfAlive(pid)),
    // Deepest first, lazily: a mount still busy goes once its last user does.
    ...mountsUnder(dataDir).map((m) => () => removeWith('umount', ['-l', m])),
    // Containers' network namespaces, and the devices of the agent's networks.
    ...containerDirs.map((id) => () => removeWith('ip', ['netns', 'del', netnsName(id)])),
    ...networks.flatMap((n) => [() => removeWith('ip', ['link', 'del', bridgeName(n.vni)]), () => removeWith('ip', ['link', 'del', vxlanName(n.vni)])]),
    () => removeAgentCgroup(dataDir),
    // The shared parent goes too once no agent uses it; another agent's cgroups keep it.
    () => removeCgroupIfUnused(dirname(agentCgroupParent(agentKey(dataDir)))),
    () => rm(dataDir, { recursive: true, force: true }),
  ];
  await runAllCleanups(`purge agent ${dataDir}`, [...errors.map((e) => () => Promise.reject(e)), ...steps]);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

const SHOAL_BIN = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));

/** `shoal ctr --socket SOCKET ARGS` as a user types it: its exit code and what it printed. */
export function shoalCtr(socket: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SHOAL_BIN, 'ctr', '--socket', socket, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
