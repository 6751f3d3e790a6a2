// Placing processes in cgroups and removing cgroup folders, for cgroup v1 (one hierarchy per
// controller) and v2 (unified) alike: every hierarchy mounted under /sys/fs/cgroup is handled.
// runc creates and removes the containers' own cgroups; this is for the shim's and for the
// agent's parent folder.

import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '../../shared/errors.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The mounted hierarchies (real folders holding cgroup.procs; aliases such as cpu,cpuacct links skipped). */
export function cgroupHierarchies(root = CGROUP_ROOT): string[] {
  if (existsSync(join(root, 'cgroup.procs'))) return [root]; // v2 only, mounted at the root
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return []; // no cgroup file system mounted there: no hierarchies to use
  }
  return names.map((n) => join(root, n)).filter((p) => !lstatSync(p).isSymbolicLink() && existsSync(join(p, 'cgroup.procs')));
}

function checkPath(path: string): void {
  if (!path.startsWith('/') || path.split('/').includes('..')) throw new ShoalError('invalid_argument', 'cgroup.bad_path', `cgroup path ${JSON.stringify(path)} must be absolute and stay inside the hierarchy`);
}

/**
 * Moves `pid` into cgroup `path` of every hierarchy, creating it. Returns the hierarchies that
 * refused (for a warning): a process outside some controller's cgroup still runs.
 */
export function joinCgroup(path: string, pid: number, root = CGROUP_ROOT): string[] {
  checkPath(path);
  const refused: string[] = [];
  for (const h of cgroupHierarchies(root)) {
    try {
      mkdirSync(join(h, path), { recursive: true });
      writeFileSync(join(h, path, 'cgroup.procs'), String(pid));
    } catch {
      refused.push(h); // the caller logs which hierarchies refused
    }
  }
  return refused;
}

function rmdirTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(join(dir, e.name));
  rmdirSync(dir);
}

/** Removes cgroup `path` and the empty cgroups under it in every hierarchy; one still holding a process is an error. */
export function removeCgroup(path: string, root = CGROUP_ROOT): void {
  checkPath(path);
  if (path === '/') throw new ShoalError('invalid_argument', 'cgroup.bad_path', 'refusing to remove the root cgroup');
  for (const h of cgroupHierarchies(root)) {
    const dir = join(h, path);
    if (!existsSync(dir)) continue;
    try {
      rmdirTree(dir);
    } catch (e) {
      throw new ShoalError('failed_precondition', 'cgroup.busy', `cannot remove cgroup ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (a process is still in it?)`);
    }
  }
}
