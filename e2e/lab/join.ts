// `shoal lab join-manager HOST`: a host made a manager of the lab's cluster after `up`, as an
// operator adds one (`shoal manager join` on it with the manager token), to grow the managers
// online or to bring back a host whose manager was lost (after `shoal manager recover`): the host
// is taken as freshly installed — its link up, a fresh data dir (an old one is kept beside it,
// never reused: a lost manager must not come back with its old Raft log), the join awaited until
// the managers list it as a voter. From then on the lab counts it as a manager host (`lab ls`,
// `lab env`, `lab start`).

import { rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { systemClock, type Clock } from '../../shared/clock.js';
import { failedPrecondition, internal } from '../../shared/errors.js';
import { readLab, resolveLabHost } from './lab.js';
import { LAB_KILL_WAIT_MS, checkManagerStopped, joinLabManager, managerPids } from './managers.js';
import { LAB_MANAGERS_MAX, hostPaths, labEnv, managerAddress, managerHosts, rolesOf, type LabHostPlan, type LabPlan } from './plan.js';
import { updateState } from './state.js';
import * as sys from './sys.js';

export interface LabJoinOptions {
  /** How to run `shoal`: the manager is this binary. */
  readonly shoalCommand: readonly string[];
  readonly clock?: Clock;
  readonly managerUpTimeoutMs?: number;
}

export interface LabJoinReport {
  readonly host: string;
  readonly address: string;
  /** Where the host's old manager data dir was moved, when it had one. */
  readonly oldDataDirKeptAt?: string;
}

export async function labJoinManager(stateDir: string, lab: string, host: string, o: LabJoinOptions): Promise<LabJoinReport> {
  const { plan, host: target } = await resolveLabHost(stateDir, lab, host);
  const others = managerHosts(plan).filter((h) => h.name !== target.name);
  if (others.length === 0) throw failedPrecondition('lab.no_managers', `lab ${lab} runs no manager for ${target.name} to join (make one with shoal lab up --managers N)`);
  if (rolesOf(target).includes('agent') && !rolesOf(target).includes('manager')) {
    // Its agent is a worker node named after the host: a manager joining there would find the name taken.
    throw failedPrecondition('lab.host_is_worker', `lab ${lab}: ${target.name} runs an agent, a worker of the cluster; join-manager takes a host that runs none (a spare host of --hosts)`);
  }
  if (others.length >= LAB_MANAGERS_MAX) throw failedPrecondition('lab.too_many_managers', `lab ${lab}: ${target.name} would be its manager number ${others.length + 1}; a lab runs ${LAB_MANAGERS_MAX} at most`);
  await checkManagerStopped(stateDir, lab, target);

  const clock = o.clock ?? systemClock;
  const { managerDataDir } = hostPaths(stateDir, lab, target.name);
  const keptAt = `${managerDataDir}.old-${new Date(clock.wallMs()).toISOString().replace(/[:.]/g, '')}`;
  const moved = await rename(managerDataDir, keptAt).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false; // never a manager here: nothing to keep
      throw err;
    },
  );
  // The lab's admin bundle (`lab env`) lives in its first manager's data dir: while that host
  // joins again it is used from the old dir, and then moved into the new one.
  const { adminTlsDir } = hostPaths(stateDir, lab, target.name);
  const keptAdmin = moved && labEnv(plan, stateDir).SHOAL_TLS_DIR === adminTlsDir ? join(keptAt, basename(adminTlsDir)) : undefined;
  const linkWasUp = (await sys.listLinkStates()).some((l) => l.name === target.veth && l.up);
  await sys.setLink(target.veth, 'up');
  try {
    await joinLabManager(
      {
        plan,
        stateDir,
        shoalCommand: o.shoalCommand,
        clock,
        ...(o.managerUpTimeoutMs !== undefined ? { timeoutMs: o.managerUpTimeoutMs } : {}),
        ...(keptAdmin !== undefined ? { adminTlsDir: keptAdmin } : {}),
      },
      others,
      target,
    );
    if (keptAdmin !== undefined) await rename(keptAdmin, adminTlsDir);
  } catch (err) {
    // A manager that did not come up is not left running half-joined, and the host keeps its
    // data dir and link as they were (a refused join, e.g. its hostname still a member's,
    // changes nothing).
    await stopManager(stateDir, lab, target, clock);
    if (moved) {
      await rm(managerDataDir, { recursive: true, force: true });
      await rename(keptAt, managerDataDir);
    }
    if (!linkWasUp) await sys.setLink(target.veth, 'down');
    throw err;
  }
  await recordManagerRole(stateDir, lab, target.name);
  return { host: target.name, address: managerAddress(target), ...(moved ? { oldDataDirKeptAt: keptAt } : {}) };
}

/** The lab's state file names the host a manager host from now on. */
async function recordManagerRole(stateDir: string, lab: string, host: string): Promise<void> {
  const state = await readLab(stateDir, lab);
  const plan: LabPlan = {
    ...state.plan,
    hosts: state.plan.hosts.map((h) => (h.name === host && !rolesOf(h).includes('manager') ? { ...h, roles: [...rolesOf(h), 'manager' as const] } : h)),
  };
  await updateState(stateDir, { ...state, plan });
}

/** SIGKILLs the host's manager (its other processes live on) and waits until it is gone. */
async function stopManager(stateDir: string, lab: string, host: LabHostPlan, clock: Clock): Promise<void> {
  const pids = await managerPids(stateDir, lab, host);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: gone already
    }
  }
  const deadline = clock.nowMs() + LAB_KILL_WAIT_MS;
  while ((await managerPids(stateDir, lab, host)).length > 0) {
    if (clock.nowMs() >= deadline) throw internal('lab.kill_timeout', `lab ${lab}: the manager of ${host.name} (pid ${pids.join(', ')}) still runs ${LAB_KILL_WAIT_MS} ms after SIGKILL`);
    await clock.sleep(20);
  }
}
