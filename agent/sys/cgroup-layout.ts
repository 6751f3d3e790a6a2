// The cgroup layouts a host can have, as data: cgroup v2 alone (one unified tree at the root),
// or cgroup v1 (a tree per controller at <root>/<controller>, and on a hybrid host an empty
// cgroup2 tree at <root>/unified). Which file holds which figure in each, how the files read,
// and where Shoal's own cgroups go. No I/O here: cgroups.ts reads and writes the files.
// The layouts and the decisions are written down in agent/README.md ("Cgroups").

import { posix } from 'node:path';

/** cgroup v2 only: every controller in one tree mounted at `root`. */
export interface CgroupV2Layout {
  readonly kind: 'v2';
  readonly root: string;
}

/** cgroup v1, or hybrid (v1 controllers plus a cgroup2 tree that holds none Shoal uses). */
export interface CgroupV1Layout {
  readonly kind: 'v1';
  readonly root: string;
  /** Every mounted tree's folder: one per controller (or group, cpu,cpuacct), named ones (name=systemd), a hybrid host's unified/. */
  readonly hierarchies: readonly string[];
  /** Controller → its tree's folder (cpu and cpuacct both → <root>/cpu,cpuacct). */
  readonly controllers: Readonly<Record<string, string>>;
  /** A hybrid host's cgroup2 tree (<root>/unified), joined as well so a process sits in one place in every tree. */
  readonly unified?: string;
}

export type CgroupLayout = CgroupV2Layout | CgroupV1Layout;

/** The controllers whose absence Shoal's users notice: limits on them fail (memory, cpu, pids) or pause does (freezer, v1). */
export const CONTROLLERS_USED_V2 = ['cpu', 'memory', 'pids'] as const;
export const CONTROLLERS_USED_V1 = ['cpu', 'cpuacct', 'memory', 'pids', 'freezer'] as const;

export function describeLayout(l: CgroupLayout): string {
  if (l.kind === 'v2') return `cgroup v2 (unified at ${l.root})`;
  if (l.hierarchies.length === 0) return `no cgroup hierarchy mounted at ${l.root}`;
  return l.unified !== undefined ? `cgroup v1, hybrid (v1 controllers under ${l.root}, cgroup2 at ${l.unified})` : `cgroup v1 (controllers under ${l.root})`;
}

/** A cgroup path must be absolute and stay inside its tree. */
export function isCgroupPath(path: string): boolean {
  return path.startsWith('/') && !path.split('/').includes('..');
}

/** The folder of cgroup `path` in the tree that holds `controller` (v2: the one tree); undefined when no tree holds it. */
export function controllerDir(l: CgroupLayout, controller: string, path: string): string | undefined {
  if (l.kind === 'v2') return posix.join(l.root, path);
  const tree = l.controllers[controller];
  return tree === undefined ? undefined : posix.join(tree, path);
}

/** The folders of cgroup `path` in every tree a process is placed in (v2: one). */
export function cgroupDirs(l: CgroupLayout, path: string): string[] {
  return l.kind === 'v2' ? [posix.join(l.root, path)] : l.hierarchies.map((h) => posix.join(h, path));
}

// ---- /proc/<pid>/cgroup ----

export interface ProcCgroupEntry {
  readonly hierarchyId: number;
  /** v1: the tree's controllers (or name=...); the v2 line has none. */
  readonly controllers: readonly string[];
  readonly path: string;
}

/** The lines of /proc/<pid>/cgroup: `id:controllers:path` (`0::path` for cgroup v2). */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m === null) continue;
    out.push({ hierarchyId: Number(m[1]), controllers: m[2] === '' ? [] : (m[2] as string).split(','), path: m[3] as string });
  }
  return out;
}

/**
 * The one path that says where a process is: v2 its `0::` line; v1 its pids tree (memory, then
 * any controller's, where there is no pids tree). Shoal places a process at the same path in
 * every tree, so one tree answers for all.
 */
export function primaryCgroupPath(kind: CgroupLayout['kind'], entries: readonly ProcCgroupEntry[]): string | undefined {
  if (kind === 'v2') return entries.find((e) => e.hierarchyId === 0 && e.controllers.length === 0)?.path;
  const withControllers = entries.filter((e) => e.controllers.some((c) => !c.startsWith('name=')));
  return (withControllers.find((e) => e.controllers.includes('pids')) ?? withControllers.find((e) => e.controllers.includes('memory')) ?? withControllers[0])?.path;
}

// ---- where Shoal's cgroups go ----

export interface CgroupPlacement {
  /** The cgroup below which Shoal makes `shoal/<agent key>` ('/' = the tree's root). */
  readonly base: string;
  /** Why, for the agent's start-up log. */
  readonly why: string;
}

/**
 * Where an agent puts its cgroups. v1, and v2 unless told otherwise: `/shoal/<key>` at the
 * root of every tree, as before. On v2, below the agent's own unit when systemd delegated that
 * cgroup to it (`Delegate=yes`) and placed the agent in a subgroup of it (`DelegateSubgroup=`,
 * systemd 254): the unit's cgroup then holds no process and can pass controllers down. When the
 * agent sits in the delegated cgroup itself (older systemd), the root is used instead: enabling
 * controllers there would make the next start of the unit fail, since systemd must put the new
 * agent into that very cgroup and v2 refuses processes in a cgroup that passes controllers on.
 * `isDelegated` reads systemd's mark (the trusted.delegate attribute) of a cgroup.
 */
export function choosePlacement(kind: CgroupLayout['kind'], ownCgroup: string | undefined, isDelegated: (path: string) => boolean): CgroupPlacement {
  if (kind === 'v1') return { base: '/', why: 'cgroup v1: /shoal/<agent key> at the root of every tree' };
  if (ownCgroup === undefined || ownCgroup === '/') return { base: '/', why: 'cgroup v2, the agent in the root cgroup (of its namespace): /shoal/<agent key> at the root' };
  const parent = posix.dirname(ownCgroup);
  if (parent !== '/' && isDelegated(parent)) {
    return { base: parent, why: `cgroup v2: ${parent} is delegated to the agent, which runs in its subgroup ${ownCgroup}: Shoal's cgroups go below ${parent}` };
  }
  if (isDelegated(ownCgroup)) {
    return {
      base: '/',
      why: `cgroup v2: the agent runs in its delegated cgroup ${ownCgroup} itself (no DelegateSubgroup=, systemd before 254), which must stay free to take the next agent: /shoal/<agent key> at the root`,
    };
  }
  return { base: '/', why: `cgroup v2: the agent's cgroup ${ownCgroup} is not delegated to it: /shoal/<agent key> at the root` };
}

/** An agent's cgroup parent: `<base>/shoal/<agent key>`; its shim's and its containers' cgroups are the leaves below. */
export function shoalCgroupParent(base: string, agentKey: string): string {
  return posix.join(base, 'shoal', agentKey);
}

/**
 * The cgroup from which controllers are passed down to `leaf`: the base of a Shoal path
 * `<base>/shoal/<key>/<leaf>`, else the leaf's parent. Shoal never writes above its base (on a
 * delegated unit, the cgroups above belong to systemd).
 */
export function shoalBaseOf(leaf: string): string {
  const parts = leaf.split('/').filter((p) => p !== '');
  if (parts.length >= 3 && parts[parts.length - 3] === 'shoal') return `/${parts.slice(0, -3).join('/')}`;
  return posix.dirname(leaf);
}

/** `from` and each cgroup below it down to `to` (which lies below `from` or is it). */
export function cgroupChain(from: string, to: string): string[] {
  const rel = posix.relative(from, to);
  if (rel.startsWith('..') || posix.isAbsolute(rel)) return [];
  const out = [from];
  let at = from;
  for (const part of rel.split('/').filter((p) => p !== '')) out.push((at = posix.join(at, part)));
  return out;
}

// ---- reading the files ----

/** Whitespace-separated words (cgroup.controllers, cgroup.subtree_control). */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** `key value` lines (memory.events, cpu.stat, memory.oom_control, cgroup.events, memory.stat). */
export function flatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)$/.exec(line.trim());
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** A v1 memory limit at or above this is "no limit" (the kernel reports PAGE_COUNTER_MAX pages: 9223372036854771712 with 4 KiB pages). */
const V1_MEMORY_UNLIMITED_MIN = 2 ** 62;

/** A limit file (v2 memory.max, pids.max; v1 memory.limit_in_bytes, pids.max): bytes or count, 0 for none ("max"). */
export function parseLimit(text: string): number {
  const t = text.trim();
  if (t === 'max') return 0;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n < V1_MEMORY_UNLIMITED_MIN ? n : 0;
}

/** v2 cpu.max ("max 100000" or "50000 100000") as CPUs, 0 for none. */
export function parseCpuMax(text: string): number {
  const [quota, period] = words(text);
  if (quota === undefined || quota === 'max') return 0;
  const q = Number(quota);
  const p = Number(period ?? '100000');
  return q > 0 && p > 0 ? q / p : 0;
}

/** v1 cpu.cfs_quota_us and cpu.cfs_period_us as CPUs, 0 for none (quota -1). */
export function cpusFromV1(quotaText: string, periodText: string): number {
  const q = Number(quotaText.trim());
  const p = Number(periodText.trim());
  return q > 0 && p > 0 ? q / p : 0;
}

/**
 * Freezer states: `frozen` once every process is stopped; `freezing` while asked to freeze
 * and not yet there (v1 FREEZING; v2 cgroup.freeze 1, cgroup.events frozen 0); else `thawed`.
 */
export type FreezerState = 'thawed' | 'freezing' | 'frozen';

export function freezerStateV1(text: string): FreezerState {
  const t = text.trim();
  return t === 'FROZEN' ? 'frozen' : t === 'FREEZING' ? 'freezing' : 'thawed';
}

export function freezerStateV2(eventsText: string, freezeText: string): FreezerState {
  if (flatKeyed(eventsText).get('frozen') === 1) return 'frozen';
  return freezeText.trim() === '1' ? 'freezing' : 'thawed';
}
