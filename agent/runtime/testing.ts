// Test support for whole agents (root): removing everything an agent made — its containers
// (runc state and cgroups), its shims, its overlay mounts, its networks' devices and iptables
// chains, and its data folder — whatever state a failed test left them in. Every step runs even
// when an earlier one fails; the failures are reported together at the end (shared/cleanup.ts).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { runUnchecked } from '../../shared/exec.js';
import { netnsRunner, rootRunner } from '../network/exec.js';
import { removeFirewall } from '../network/firewall.js';
import { netnsName } from '../network/manager.js';
import { bridgeName, isShoalBridge, vxlanName } from '../network/plan.js';
import { VXLAN_FILTER_CHAIN, parseVxlanFilter, vxlanFilterChain } from '../network/vxlan-filter.js';
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

/** `argv` as run in the network namespace /run/netns/<netns>, or in the caller's when none is named. */
function inNetns(netns: string | undefined, argv: readonly string[]): [string, string[]] {
  if (netns === undefined) return [argv[0] as string, argv.slice(1)];
  return ['nsenter', [`--net=/run/netns/${netns}`, '--', ...argv]];
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

/** Runs a command (in a network namespace when named) and returns its output; a failure throws with its message. */
async function output(netns: string | undefined, argv: readonly string[]): Promise<string> {
  const r = await runUnchecked(...inNetns(netns, argv));
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
  return r.stdout;
}

/**
 * Removes the iptables chains of an agent's networks, by their VNIs: SHOAL-VXLAN-<vni> and the
 * rules of SHOAL-VXLAN that lead to them (agent/network/vxlan-filter.ts). The chains all of a
 * host's networks share — SHOAL-VXLAN with its jump from INPUT, SHOAL-FORWARD and SHOAL-DNAT with
 * theirs (agent/network/firewall.ts) — go only when no other Shoal network is left in that network
 * namespace: no SHOAL-VXLAN-<vni> chain of another VNI and no Shoal bridge (an agent makes both for
 * every network it has). Call it after the agent's bridges are removed.
 */
async function removeNetworkChains(vnis: readonly number[], netns?: string): Promise<void> {
  const ours = new Set(vnis.map(vxlanFilterChain));
  const filter = parseVxlanFilter(await output(netns, ['iptables', '-w', '-S']));
  const present = Object.keys(filter.chains).filter((c) => ours.has(c));
  const toOurs = (filter.chains[VXLAN_FILTER_CHAIN] ?? []).filter((rule) => present.some((c) => rule.endsWith(` -j ${c}`)));
  // One transaction, in iptables-restore's syntax (it reads the quoted u32 match as `iptables -S` prints it).
  const restore = async (lines: readonly string[]): Promise<void> => {
    if (lines.length > 0) await (netns === undefined ? rootRunner : netnsRunner(netns))(['iptables-restore', '-w', '--noflush'], `*filter\n${lines.join('\n')}\nCOMMIT\n`);
  };
  await restore([...toOurs.map((r) => r.replace(/^-A /, '-D ')), ...present.map((c) => `-F ${c}`), ...present.map((c) => `-X ${c}`)]);

  const otherChains = Object.keys(filter.chains).filter((c) => c !== VXLAN_FILTER_CHAIN && !ours.has(c));
  const links = JSON.parse((await output(netns, ['ip', '-j', 'link', 'show'])) || '[]') as { ifname: string }[];
  const otherBridges = links.filter((l) => isShoalBridge(l.ifname)).map((l) => l.ifname);
  if (otherChains.length > 0 || otherBridges.length > 0) return; // another agent's networks still use the shared chains
  const shared = filter.chains[VXLAN_FILTER_CHAIN] === undefined ? [] : [...filter.jumps.map((j) => j.replace(/^-A /, '-D ')), `-F ${VXLAN_FILTER_CHAIN}`, `-X ${VXLAN_FILTER_CHAIN}`];
  await restore(shared);
  await removeFirewall(netns === undefined ? rootRunner : netnsRunner(netns));
}

export interface PurgeOptions {
  /** The network namespace the agent ran in (a lab host's: /run/netns/<name>); default the caller's. */
  readonly netns?: string;
}

export async function purgeAgent(dataDir: string, o: PurgeOptions = {}): Promise<void> {
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
    ...networks.flatMap((n) => [() => removeWith(...inNetns(o.netns, ['ip', 'link', 'del', bridgeName(n.vni)])), () => removeWith(...inNetns(o.netns, ['ip', 'link', 'del', vxlanName(n.vni)]))]),
    // Then their iptables chains (after the bridges: another bridge left means another agent's network).
    ...(networks.length > 0 ? [() => removeNetworkChains(networks.map((n) => n.vni), o.netns)] : []),
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
