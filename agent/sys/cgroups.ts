// Shoal's cgroups on the host, whichever layout it has (cgroup-layout.ts): placing a process
// in a cgroup, passing controllers down on v2, removing cgroups, and reading the figures of one
// (limits, usage, OOM kills, freezer state). runc creates, limits, pauses and removes the
// containers' own cgroups; the agent makes its shim's and its parent folder, reads the OOM-kill
// count after an exit, and tests read limits and states through here. Decisions and layouts:
// agent/README.md ("Cgroups").

import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError, oneLine } from '../../shared/errors.js';
import {
  CONTROLLERS_USED_V1,
  CONTROLLERS_USED_V2,
  cgroupChain,
  cgroupDirs,
  choosePlacement,
  controllerDir,
  cpusFromV1,
  flatKeyed,
  freezerStateV1,
  freezerStateV2,
  isCgroupPath,
  parseCpuMax,
  parseLimit,
  parseProcCgroup,
  primaryCgroupPath,
  shoalBaseOf,
  shoalCgroupParent,
  words,
  type CgroupLayout,
  type CgroupPlacement,
  type CgroupV2Layout,
  type FreezerState,
} from './cgroup-layout.js';
import { lgetxattr } from './libc.js';

export type { CgroupLayout, CgroupPlacement, FreezerState } from './cgroup-layout.js';
export { describeLayout } from './cgroup-layout.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** A layout, or the root to detect one at. */
export type CgroupWhere = CgroupLayout | string;

function layoutOf(where: CgroupWhere): CgroupLayout {
  return typeof where === 'string' ? detectCgroupLayout(where) : where;
}

/**
 * The layout mounted at `root`: v2 when the root itself is a cgroup2 tree (it has
 * cgroup.controllers, which no v1 tree has); else one v1 tree per folder holding cgroup.procs,
 * the controllers named by the folder names (cpu,cpuacct; the cpu and cpuacct links to it).
 */
export function detectCgroupLayout(root = CGROUP_ROOT): CgroupLayout {
  if (existsSync(join(root, 'cgroup.controllers'))) return { kind: 'v2', root };
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return { kind: 'v1', root, hierarchies: [], controllers: {} }; // nothing mounted there: no tree to use
  }
  const hierarchies: string[] = [];
  const controllers: Record<string, string> = {};
  let unified: string | undefined;
  for (const name of names.sort()) {
    const path = join(root, name);
    if (!existsSync(join(path, 'cgroup.procs'))) continue;
    const link = lstatSync(path).isSymbolicLink();
    if (!link) hierarchies.push(path);
    if (existsSync(join(path, 'cgroup.controllers'))) unified = path;
    else for (const c of name.split(',')) controllers[c] ??= link ? realpathSync(path) : path;
  }
  return { kind: 'v1', root, hierarchies, controllers, ...(unified !== undefined ? { unified } : {}) };
}

/** The mounted trees a process is placed in (v2: the root alone). */
export function cgroupHierarchies(where: CgroupWhere = CGROUP_ROOT): string[] {
  const l = layoutOf(where);
  return l.kind === 'v2' ? [l.root] : [...l.hierarchies];
}

function checkPath(path: string): void {
  if (!isCgroupPath(path)) throw new ShoalError('invalid_argument', 'cgroup.bad_path', `cgroup path ${JSON.stringify(path)} must be absolute and stay inside the hierarchy`);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the controller is not enabled there, or the cgroup is gone: no figure
  }
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? oneLine(e);
}

/**
 * cgroup v2: passes every controller a cgroup is offered on to the cgroups below it, for each
 * cgroup from `from` down to `to`, as runc does for a container's path. v2 lets only a cgroup
 * without processes do that (the root excepted): one that holds some is reported, not changed.
 * Returns what could not be done, one line each; nothing is written where nothing is missing.
 */
export function enableControllers(l: CgroupV2Layout, from: string, to: string): string[] {
  const problems: string[] = [];
  for (const path of cgroupChain(from, to)) {
    const dir = join(l.root, path);
    const enabled = new Set(words(readText(join(dir, 'cgroup.subtree_control')) ?? ''));
    const missing = words(readText(join(dir, 'cgroup.controllers')) ?? '').filter((c) => !enabled.has(c));
    if (missing.length === 0) continue;
    if (path !== '/' && (readText(join(dir, 'cgroup.procs')) ?? '').trim() !== '') {
      problems.push(`${dir} holds processes, so cgroup v2 lets it pass no controller (${missing.join(' ')}) to the cgroups below it`);
      continue;
    }
    try {
      writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    } catch {
      // The kernel takes all or none: one at a time, to name each that it refuses.
      for (const c of missing) {
        try {
          writeFileSync(join(dir, 'cgroup.subtree_control'), `+${c}`);
        } catch (e) {
          problems.push(`${dir}: cannot enable ${c} for the cgroups below it (${errCode(e)})`);
        }
      }
    }
  }
  return problems;
}

/**
 * Moves `pid` into cgroup `path` (a leaf: v2 allows processes only there), creating it, in every
 * tree. On v2 the controllers are first passed down from Shoal's base (shoalBaseOf) to its
 * parent. Returns what was refused, one line each, for a warning: a process outside some
 * controller's cgroup still runs.
 */
export function joinCgroup(path: string, pid: number, where: CgroupWhere = CGROUP_ROOT): string[] {
  checkPath(path);
  const l = layoutOf(where);
  const refused: string[] = [];
  for (const dir of cgroupDirs(l, path)) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      refused.push(`${dir}: cannot create (${errCode(e)})`);
    }
  }
  if (l.kind === 'v2') refused.push(...enableControllers(l, shoalBaseOf(path), join(path, '..')));
  for (const dir of cgroupDirs(l, path)) {
    if (!existsSync(dir)) continue; // reported above
    try {
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    } catch (e) {
      refused.push(`${dir}: cannot take pid ${pid} (${errCode(e)})`);
    }
  }
  return refused;
}

function rmdirTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(join(dir, e.name));
  rmdirSync(dir);
}

/** Removes cgroup `path` and the empty cgroups under it in every tree; one still holding a process is an error. */
export function removeCgroup(path: string, where: CgroupWhere = CGROUP_ROOT): void {
  checkPath(path);
  if (path === '/') throw new ShoalError('invalid_argument', 'cgroup.bad_path', 'refusing to remove the root cgroup');
  for (const dir of cgroupDirs(layoutOf(where), path)) {
    if (!existsSync(dir)) continue;
    try {
      rmdirTree(dir);
    } catch (e) {
      // Name the cgroup that refused (the one a process is in), not only the top of the tree.
      const at = (e as NodeJS.ErrnoException).path ?? dir;
      throw new ShoalError('failed_precondition', 'cgroup.busy', `cannot remove cgroup ${at}: ${errCode(e)} (a process is still in it?)`);
    }
  }
}

/** Removes cgroup `path` in every tree where nothing is in or below it any more (a parent shared by several agents). */
export function removeCgroupIfUnused(path: string, where: CgroupWhere = CGROUP_ROOT): void {
  checkPath(path);
  if (path === '/') throw new ShoalError('invalid_argument', 'cgroup.bad_path', 'refusing to remove the root cgroup');
  for (const dir of cgroupDirs(layoutOf(where), path)) {
    try {
      rmdirSync(dir);
    } catch (e) {
      // Gone already, or still in use (another agent's cgroups below it, or a process in it): kept.
      if (!['ENOENT', 'EBUSY', 'ENOTEMPTY'].includes(errCode(e))) throw e;
    }
  }
}

/** Where process `pid` is (its path in the tree that answers for all, primaryCgroupPath); undefined once it is gone. */
export function cgroupOf(pid: number | 'self', where: CgroupWhere = CGROUP_ROOT): string | undefined {
  const text = readText(`/proc/${pid}/cgroup`);
  return text === undefined ? undefined : primaryCgroupPath(layoutOf(where).kind, parseProcCgroup(text));
}

/** Whether systemd delegated cgroup `path` (v2) to the processes in it: its trusted.delegate attribute is "1". */
export function isDelegated(l: CgroupLayout, path: string): boolean {
  if (l.kind !== 'v2') return false;
  try {
    return lgetxattr(join(l.root, path), 'trusted.delegate') === '1';
  } catch {
    return false; // an attribute that cannot be read marks nothing
  }
}

/** Where this agent's cgroups go on this host, and why (choosePlacement). */
export function agentCgroupPlacement(where: CgroupWhere = CGROUP_ROOT): CgroupPlacement {
  const l = layoutOf(where);
  return choosePlacement(l.kind, cgroupOf('self', l), (p) => isDelegated(l, p));
}

/** The cgroup parent of the agent keyed `agentKey`: `<base>/shoal/<key>`. */
export function agentCgroupParent(agentKey: string, where: CgroupWhere = CGROUP_ROOT): string {
  return shoalCgroupParent(agentCgroupPlacement(where).base, agentKey);
}

/** The controllers Shoal uses that cgroups below `base` cannot have (v2: not offered to it; v1: no tree mounted). */
export function missingControllers(base: string, where: CgroupWhere = CGROUP_ROOT): string[] {
  const l = layoutOf(where);
  if (l.kind === 'v1') return CONTROLLERS_USED_V1.filter((c) => l.controllers[c] === undefined);
  const available = new Set(words(readText(join(l.root, base, 'cgroup.controllers')) ?? ''));
  return CONTROLLERS_USED_V2.filter((c) => !available.has(c));
}

// ---- figures of one cgroup ----

function readIn(l: CgroupLayout, controller: string, path: string, file: string): string | undefined {
  const dir = controllerDir(l, controller, path);
  return dir === undefined ? undefined : readText(join(dir, file));
}

/** A cgroup's limits as Shoal sets them: 0 means none; undefined, that the controller's file is not there. */
export interface CgroupLimits {
  readonly memoryBytes?: number;
  readonly cpus?: number;
  readonly pidsLimit?: number;
}

export function readCgroupLimits(path: string, where: CgroupWhere = CGROUP_ROOT): CgroupLimits {
  checkPath(path);
  const l = layoutOf(where);
  const v2 = l.kind === 'v2';
  const memory = readIn(l, 'memory', path, v2 ? 'memory.max' : 'memory.limit_in_bytes');
  const pids = readIn(l, 'pids', path, 'pids.max');
  let cpus: number | undefined;
  if (v2) {
    const max = readIn(l, 'cpu', path, 'cpu.max');
    cpus = max === undefined ? undefined : parseCpuMax(max);
  } else {
    const quota = readIn(l, 'cpu', path, 'cpu.cfs_quota_us');
    const period = readIn(l, 'cpu', path, 'cpu.cfs_period_us');
    cpus = quota === undefined || period === undefined ? undefined : cpusFromV1(quota, period);
  }
  return {
    ...(memory !== undefined ? { memoryBytes: parseLimit(memory) } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(pids !== undefined ? { pidsLimit: parseLimit(pids) } : {}),
  };
}

/** A cgroup's usage (the figures `runc events --stats` gives); a figure whose file is not there is left out. */
export interface CgroupStats {
  readonly cpuUsageNs?: number;
  readonly memoryUsageBytes?: number;
  /** Page cache the kernel reclaims first (inactive_file): usage minus this is the working set docker stats shows. */
  readonly memoryInactiveFileBytes?: number;
  readonly pidsCurrent?: number;
}

export function readCgroupStats(path: string, where: CgroupWhere = CGROUP_ROOT): CgroupStats {
  checkPath(path);
  const l = layoutOf(where);
  const v2 = l.kind === 'v2';
  const cpuStat = v2 ? readIn(l, 'cpu', path, 'cpu.stat') : undefined;
  const usageUs = cpuStat === undefined ? undefined : flatKeyed(cpuStat).get('usage_usec');
  const cpuacct = v2 ? undefined : readIn(l, 'cpuacct', path, 'cpuacct.usage');
  const cpuUsageNs = usageUs !== undefined ? usageUs * 1000 : cpuacct !== undefined ? Number(cpuacct.trim()) : undefined;
  const usage = readIn(l, 'memory', path, v2 ? 'memory.current' : 'memory.usage_in_bytes');
  const memoryStat = readIn(l, 'memory', path, 'memory.stat');
  const inactive = memoryStat === undefined ? undefined : flatKeyed(memoryStat).get(v2 ? 'inactive_file' : 'total_inactive_file');
  const pids = readIn(l, 'pids', path, 'pids.current');
  return {
    ...(cpuUsageNs !== undefined ? { cpuUsageNs } : {}),
    ...(usage !== undefined ? { memoryUsageBytes: Number(usage.trim()) } : {}),
    ...(inactive !== undefined ? { memoryInactiveFileBytes: inactive } : {}),
    ...(pids !== undefined ? { pidsCurrent: Number(pids.trim()) } : {}),
  };
}

/** How many processes the kernel's OOM killer has killed in a cgroup (v2 memory.events, v1 memory.oom_control: `oom_kill`); 0 when it cannot say. */
export function oomKills(path: string, where: CgroupWhere = CGROUP_ROOT): number {
  checkPath(path);
  const l = layoutOf(where);
  const text = readIn(l, 'memory', path, l.kind === 'v2' ? 'memory.events' : 'memory.oom_control');
  return text === undefined ? 0 : (flatKeyed(text).get('oom_kill') ?? 0);
}

/** Whether a cgroup is frozen (runc pause): v2 cgroup.events and cgroup.freeze, v1 freezer.state; undefined when it cannot say. */
export function freezerState(path: string, where: CgroupWhere = CGROUP_ROOT): FreezerState | undefined {
  checkPath(path);
  const l = layoutOf(where);
  if (l.kind === 'v1') {
    const state = readIn(l, 'freezer', path, 'freezer.state');
    return state === undefined ? undefined : freezerStateV1(state);
  }
  const events = readText(join(l.root, path, 'cgroup.events'));
  const freeze = readText(join(l.root, path, 'cgroup.freeze'));
  return events === undefined || freeze === undefined ? undefined : freezerStateV2(events, freeze);
}
