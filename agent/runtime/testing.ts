// Test support for whole agents (root): removing everything an agent made — its containers
// (runc state and cgroups), its shims, its overlay mounts and its data folder — whatever state
// a failed test left them in.

import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runUnchecked } from '../../shared/exec.js';
import { netnsName } from '../network/manager.js';
import { bridgeName, vxlanName } from '../network/plan.js';
import { RuncDriver } from '../oci/runc.js';
import { cgroupHierarchies, removeCgroup } from '../sys/cgroups.js';
import { agentKey } from './supervisor.js';

/** Pids of the shims an agent started (from their shim.json), alive or not. */
export async function shimPids(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const id of await readdir(join(dataDir, 'shims')).catch(() => [] as string[])) {
    const info = await readFile(join(dataDir, 'shims', id, 'shim.json'), 'utf8').catch(() => undefined);
    if (info !== undefined) out.push((JSON.parse(info) as { pid: number }).pid);
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function purgeAgent(dataDir: string): Promise<void> {
  const runc = new RuncDriver(join(dataDir, 'runc'));
  for (const c of await runc.list().catch(() => [])) await runc.delete(c.id, true).catch(() => undefined);
  for (const pid of await shimPids(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dataDir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await runUnchecked('umount', ['-l', m]);
  // Containers' network namespaces, and the devices of the agent's networks.
  for (const id of await readdir(join(dataDir, 'containers')).catch(() => [] as string[])) await runUnchecked('ip', ['netns', 'del', netnsName(id)]);
  const stored = await readFile(join(dataDir, 'networks.json'), 'utf8').catch(() => undefined);
  for (const n of stored === undefined ? [] : (JSON.parse(stored) as { networks: { vni: number }[] }).networks) {
    await runUnchecked('ip', ['link', 'del', bridgeName(n.vni)]);
    await runUnchecked('ip', ['link', 'del', vxlanName(n.vni)]);
  }
  // A killed shim leaves the cgroup only once the kernel has reaped it: retry briefly.
  for (let i = 0; ; i++) {
    try {
      removeCgroup(`/shoal/${agentKey(dataDir)}`);
      break;
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  // The shared parent goes too once no agent uses it (rmdir refuses a non-empty one).
  for (const h of cgroupHierarchies()) await rmdir(join(h, 'shoal')).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
}
