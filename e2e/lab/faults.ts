// What goes wrong with a lab host, on purpose: a power loss (`kill`), the reboot after it
// (`start`), and a cut of its network (`partition`, `heal`).
//
// Both the power loss and the partition take the host's underlay link down: the bridge's end of
// its veth (sl-<lab>-<i>), in the root namespace. Inside the host, eth0 only loses its carrier:
// its address and routes stay, and what it sends is dropped at the device without an error to
// the sender, as on a machine whose cable was pulled; frames to it are not forwarded by the
// bridge. Nothing reaches it or leaves it, the root namespace (the CLI) included. A drop rule
// would do worse: in FORWARD it sees bridged frames only where br_netfilter is loaded, and inside
// the host an OUTPUT DROP fails the sender's calls with EPERM, which no real partition does.
//
// `kill` takes the link down first, then SIGKILLs every process of the host and waits until
// they are gone: the FIN or RST the kernel sends for their sockets never leaves the host, so its
// peers learn of its death only by silence, as after a power loss. A host's processes are those
// in its network namespace (manager, agent, shim) and, for an agent's host, those in the agent's
// cgroups (its containers, which have namespaces of their own); the shim goes first, so that it
// records no container's exit, as none is recorded when the power goes.

import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../shared/clock.js';
import { failedPrecondition } from '../../shared/errors.js';
import { checkAgentStopped, hostAgentKey, restartAgent } from './agents.js';
import { killHostProcesses, killUntilNone, resolveLabHost, signalHostProcesses } from './lab.js';
import { checkManagerStopped, restartManager } from './managers.js';
import { hostPaths, rolesOf, type LabRole } from './plan.js';
import * as sys from './sys.js';

export interface LabKillReport {
  readonly host: string;
  readonly signal: NodeJS.Signals;
  readonly processes: number;
  /** Whether its underlay link was taken down (a power loss: SIGKILL only). */
  readonly linkDown: boolean;
}

/**
 * With SIGKILL (the default): a power loss — the underlay link down, then every process of the
 * host killed. Another signal only signals the processes (SIGTERM for a clean stop, SIGSTOP for
 * a hang), and leaves the link as it is.
 */
export async function labKill(stateDir: string, lab: string, host: string, signal: NodeJS.Signals = 'SIGKILL', clock: Clock = systemClock): Promise<LabKillReport> {
  const target = (await resolveLabHost(stateDir, lab, host)).host;
  if (signal !== 'SIGKILL') {
    const signalled = await signalHostProcesses(target.netns, signal);
    return { host: target.name, signal, processes: signalled.length, linkDown: false };
  }
  await sys.setLink(target.veth, 'down');
  let processes = await killHostProcesses(target.netns, clock);
  if (rolesOf(target).includes('agent')) {
    const keys = new Set([hostAgentKey(stateDir, lab, target)]);
    processes += await killUntilNone(() => sys.pidsInAgentCgroups(keys), `lab ${lab}: the containers of ${target.name}`, clock);
    // A shim's child forked while its containers died is in the host's namespace: once more.
    processes += await killHostProcesses(target.netns, clock);
  }
  return { host: target.name, signal, processes, linkDown: true };
}

export interface LabStartOptions {
  /** How to run `shoal`: the daemons are this binary. */
  readonly shoalCommand: readonly string[];
  readonly clock?: Clock;
  readonly managerUpTimeoutMs?: number;
}

/**
 * The reboot after a `kill`: the underlay link up, then the host's daemons started again on
 * their data dirs, and awaited (a manager: until it answers as a voter; then an agent: until it
 * holds a session and its node is ready). A daemon that still runs is refused before anything
 * changes: two managers on one data dir would both write it, two agents both run its containers.
 */
export async function labStart(stateDir: string, lab: string, host: string, o: LabStartOptions): Promise<{ host: string; started: readonly LabRole[] }> {
  const { plan, host: target } = await resolveLabHost(stateDir, lab, host);
  const roles = rolesOf(target);
  if (roles.includes('manager')) {
    await checkManagerStopped(stateDir, lab, target);
    const dataDir = hostPaths(stateDir, lab, target.name).managerDataDir;
    if (!(await exists(join(dataDir, 'manager.json')))) {
      throw failedPrecondition('lab.no_manager_data', `lab ${lab}: ${target.name} has no manager data in ${dataDir} (its lab up did not get that far); remove the lab and make it again`);
    }
  }
  if (roles.includes('agent')) await checkAgentStopped(stateDir, lab, target);
  await sys.setLink(target.veth, 'up');
  const daemons = {
    plan,
    stateDir,
    shoalCommand: o.shoalCommand,
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...(o.managerUpTimeoutMs !== undefined ? { timeoutMs: o.managerUpTimeoutMs } : {}),
  };
  if (roles.includes('manager')) await restartManager(daemons, target);
  if (roles.includes('agent')) await restartAgent(daemons, target);
  return { host: target.name, started: roles };
}

/** Cuts the host off the underlay (its link down); its processes run on. */
export async function labPartition(stateDir: string, lab: string, host: string): Promise<string> {
  const target = (await resolveLabHost(stateDir, lab, host)).host;
  await sys.setLink(target.veth, 'down');
  return target.name;
}

/** Puts the host back on the underlay (its link up). */
export async function labHeal(stateDir: string, lab: string, host: string): Promise<string> {
  const target = (await resolveLabHost(stateDir, lab, host)).host;
  await sys.setLink(target.veth, 'up');
  return target.name;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
