// The cgroup code over folders shaped like /sys/fs/cgroup on each kind of host (built here, no
// root needed): a cgroup-v2-only host, a v1 host, a hybrid one. The kernel's side is played by
// the files the test writes; what the code writes is read back.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cgroupHierarchies,
  cgroupOf,
  describeLayout,
  detectCgroupLayout,
  enableControllers,
  freezerState,
  joinCgroup,
  missingControllers,
  oomKills,
  readCgroupLimits,
  readCgroupStats,
  removeCgroup,
  removeCgroupIfUnused,
  type CgroupLayout,
} from './cgroups.js';

let root = '';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-cgroup-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function files(spec: Record<string, string>): void {
  for (const [path, content] of Object.entries(spec)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** A v2 host: the root offers controllers and passes some on; Shoal's parent exists already. */
function v2Host(): CgroupLayout {
  files({
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids\n',
    'cgroup.subtree_control': 'cpu memory\n',
    'cgroup.procs': '1\n',
    'shoal/cgroup.controllers': 'cpu memory\n',
    'shoal/cgroup.subtree_control': '\n',
    'shoal/cgroup.procs': '',
    'shoal/k/cgroup.controllers': '\n',
    'shoal/k/cgroup.subtree_control': '\n',
    'shoal/k/cgroup.procs': '',
  });
  return detectCgroupLayout(root);
}

/** A v1 (hybrid when `unified`) host: a tree per controller, cpu and cpuacct together behind two links. */
function v1Host(unified: boolean): CgroupLayout {
  for (const tree of ['cpu,cpuacct', 'memory', 'pids', 'freezer', 'systemd']) files({ [`${tree}/cgroup.procs`]: '' });
  symlinkSync('cpu,cpuacct', join(root, 'cpu'));
  symlinkSync('cpu,cpuacct', join(root, 'cpuacct'));
  if (unified) files({ 'unified/cgroup.procs': '', 'unified/cgroup.controllers': 'hugetlb\n' });
  return detectCgroupLayout(root);
}

describe('telling the layouts apart', () => {
  it('v2: the root is a cgroup2 tree', () => {
    const l = v2Host();
    expect(l).toEqual({ kind: 'v2', root });
    expect(cgroupHierarchies(l)).toEqual([root]);
    expect(describeLayout(l)).toBe(`cgroup v2 (unified at ${root})`);
  });

  it('v1: a tree per controller, links followed, each tree once', () => {
    const l = v1Host(false);
    expect(l.kind).toBe('v1');
    expect(cgroupHierarchies(l)).toEqual(['cpu,cpuacct', 'freezer', 'memory', 'pids', 'systemd'].map((t) => join(root, t)));
    expect(l.kind === 'v1' && l.controllers['cpuacct']).toBe(join(root, 'cpu,cpuacct'));
    expect(missingControllers('/', l)).toEqual([]);
  });

  it('hybrid: the v1 trees plus cgroup2 at unified/, which is joined but holds no controller Shoal reads', () => {
    const l = v1Host(true);
    expect(l.kind === 'v1' && l.unified).toBe(join(root, 'unified'));
    expect(cgroupHierarchies(l)).toContain(join(root, 'unified'));
    expect(describeLayout(l)).toMatch(/hybrid/);
  });

  it('nothing mounted: no trees, and every controller missing', () => {
    const l = detectCgroupLayout(join(root, 'absent'));
    expect(cgroupHierarchies(l)).toEqual([]);
    expect(missingControllers('/', l)).toEqual(['cpu', 'cpuacct', 'memory', 'pids', 'freezer']);
  });
});

describe('placing a process on v2', () => {
  it('passes down, from the base to the leaf\'s parent, every controller offered and not yet passed, then moves the process into the leaf', () => {
    const l = v2Host();
    expect(joinCgroup('/shoal/k/shim-1', 4242, l)).toEqual([]);
    expect(read('cgroup.subtree_control')).toBe('+cpuset +io +hugetlb +pids');
    expect(read('shoal/cgroup.subtree_control')).toBe('+cpu +memory');
    expect(read('shoal/k/cgroup.subtree_control')).toBe('\n'); // offered nothing (the kernel would offer what shoal/ passes)
    expect(read('shoal/k/shim-1/cgroup.procs')).toBe('4242');
  });

  it('never writes above its base: a delegated unit\'s parents are systemd\'s', () => {
    files({
      'cgroup.controllers': 'cpu memory pids\n',
      'cgroup.subtree_control': 'cpu memory\n',
      'system.slice/cgroup.controllers': 'cpu memory\n',
      'system.slice/cgroup.subtree_control': 'memory\n',
      'system.slice/a.service/cgroup.controllers': 'memory\n',
      'system.slice/a.service/cgroup.subtree_control': '',
      'system.slice/a.service/cgroup.procs': '',
    });
    const l = detectCgroupLayout(root);
    expect(joinCgroup('/system.slice/a.service/shoal/k/shim-1', 7, l)).toEqual([]);
    expect(read('cgroup.subtree_control')).toBe('cpu memory\n');
    expect(read('system.slice/cgroup.subtree_control')).toBe('memory\n');
    expect(read('system.slice/a.service/cgroup.subtree_control')).toBe('+memory');
  });

  it('reports a cgroup that holds processes instead of passing controllers on from it (no internal processes), and changes nothing there', () => {
    const l = v2Host();
    writeFileSync(join(root, 'shoal/cgroup.procs'), '99\n');
    const refused = joinCgroup('/shoal/k/shim-1', 4242, l);
    expect(refused).toEqual([`${join(root, 'shoal')} holds processes, so cgroup v2 lets it pass no controller (cpu memory) to the cgroups below it`]);
    expect(read('shoal/cgroup.subtree_control')).toBe('\n');
    expect(read('shoal/k/shim-1/cgroup.procs')).toBe('4242'); // the process is placed all the same
  });

  it('names each controller the kernel refuses', () => {
    const l = v2Host();
    rmSync(join(root, 'shoal/cgroup.subtree_control'));
    mkdirSync(join(root, 'shoal/cgroup.subtree_control')); // a write fails (EISDIR)
    expect(enableControllers(l as Extract<CgroupLayout, { kind: 'v2' }>, '/shoal', '/shoal')).toEqual([
      `${join(root, 'shoal')}: cannot enable cpu for the cgroups below it (EISDIR)`,
      `${join(root, 'shoal')}: cannot enable memory for the cgroups below it (EISDIR)`,
    ]);
  });

  it('refuses a path that leaves the tree, and the root, before touching anything', () => {
    const l = v2Host();
    expect(() => joinCgroup('../etc', 1, l)).toThrow(/must be absolute and stay inside/);
    expect(() => joinCgroup('/shoal/../../x', 1, l)).toThrow(/must be absolute and stay inside/);
    expect(() => removeCgroup('/', l)).toThrow(/refusing to remove the root cgroup/);
    expect(existsSync(join(root, 'x'))).toBe(false);
  });
});

describe('placing a process on v1 and hybrid hosts', () => {
  it('makes the cgroup in every tree (unified/ too) and writes the pid into each; no controller is passed anywhere', () => {
    const l = v1Host(true);
    expect(joinCgroup('/shoal/k/shim-1', 55, l)).toEqual([]);
    for (const tree of ['cpu,cpuacct', 'memory', 'pids', 'freezer', 'systemd', 'unified']) expect(read(`${tree}/shoal/k/shim-1/cgroup.procs`)).toBe('55');
    expect(existsSync(join(root, 'unified/shoal/cgroup.subtree_control'))).toBe(false);
  });
});

describe('removing', () => {
  it('removes a cgroup and the empty ones below it in every tree; a shared parent only once unused', () => {
    const l = v1Host(true);
    joinCgroup('/shoal/k/shim-1', 55, l);
    joinCgroup('/shoal/other/shim-2', 56, l);
    // The kernel's files vanish with an empty cgroup; here they are plain files, so clear them first.
    for (const t of cgroupHierarchies(l)) for (const leaf of ['k/shim-1', 'other/shim-2']) rmSync(join(t, 'shoal', leaf, 'cgroup.procs'));
    removeCgroup('/shoal/k', l);
    expect(cgroupHierarchies(l).filter((t) => existsSync(join(t, 'shoal/k')))).toEqual([]);
    removeCgroupIfUnused('/shoal', l);
    expect(cgroupHierarchies(l).every((t) => existsSync(join(t, 'shoal/other')))).toBe(true);
    removeCgroup('/shoal/other', l);
    removeCgroupIfUnused('/shoal', l);
    expect(cgroupHierarchies(l).filter((t) => existsSync(join(t, 'shoal')))).toEqual([]);
  });

  it('says which cgroup could not go', () => {
    const l = v2Host();
    expect(() => removeCgroup('/shoal/k', l)).toThrow(new RegExp(`cannot remove cgroup ${join(root, 'shoal/k')}: ENOTEMPTY`));
  });
});

describe("a container's figures", () => {
  it('v2: limits from memory.max, cpu.max, pids.max; usage from cpu.stat, memory.current, memory.stat, pids.current', () => {
    const l = v2Host();
    files({
      'shoal/k/c/memory.max': '67108864\n',
      'shoal/k/c/cpu.max': '50000 100000\n',
      'shoal/k/c/pids.max': 'max\n',
      'shoal/k/c/cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n',
      'shoal/k/c/memory.current': '1048576\n',
      'shoal/k/c/memory.stat': 'anon 4096\nfile 8192\nactive_file 4096\ninactive_file 4096\n',
      'shoal/k/c/pids.current': '3\n',
      'shoal/k/c/memory.events': 'low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n',
      'shoal/k/c/cgroup.events': 'populated 1\nfrozen 1\n',
      'shoal/k/c/cgroup.freeze': '1\n',
    });
    expect(readCgroupLimits('/shoal/k/c', l)).toEqual({ memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pidsLimit: 0 });
    expect(readCgroupStats('/shoal/k/c', l)).toEqual({ cpuUsageNs: 1_500_000, memoryUsageBytes: 1_048_576, memoryInactiveFileBytes: 4096, pidsCurrent: 3 });
    expect(oomKills('/shoal/k/c', l)).toBe(1);
    expect(freezerState('/shoal/k/c', l)).toBe('frozen');
  });

  it('v2 without the memory and pids controllers (a hybrid host\'s cgroup2): those figures are left out, not made 0', () => {
    const l = v2Host();
    files({ 'shoal/k/c/cpu.stat': 'usage_usec 10\n', 'shoal/k/c/cgroup.events': 'populated 1\nfrozen 0\n', 'shoal/k/c/cgroup.freeze': '0\n' });
    expect(readCgroupLimits('/shoal/k/c', l)).toEqual({});
    expect(readCgroupStats('/shoal/k/c', l)).toEqual({ cpuUsageNs: 10_000 });
    expect(oomKills('/shoal/k/c', l)).toBe(0);
    expect(freezerState('/shoal/k/c', l)).toBe('thawed');
    expect(freezerState('/shoal/k/gone', l)).toBeUndefined();
  });

  it('v1: each figure from its controller\'s tree', () => {
    const l = v1Host(true);
    files({
      'memory/shoal/k/c/memory.limit_in_bytes': '9223372036854771712\n',
      'memory/shoal/k/c/memory.usage_in_bytes': '2097152\n',
      'memory/shoal/k/c/memory.stat': 'cache 0\ninactive_file 1\ntotal_inactive_file 8192\n',
      'memory/shoal/k/c/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
      'cpu,cpuacct/shoal/k/c/cpu.cfs_quota_us': '25000\n',
      'cpu,cpuacct/shoal/k/c/cpu.cfs_period_us': '100000\n',
      'cpu,cpuacct/shoal/k/c/cpuacct.usage': '123456789\n',
      'pids/shoal/k/c/pids.max': '20\n',
      'pids/shoal/k/c/pids.current': '2\n',
      'freezer/shoal/k/c/freezer.state': 'FREEZING\n',
      // A hybrid host's cgroup2 has the same names: they must not be read.
      'unified/shoal/k/c/memory.events': 'oom_kill 9\n',
    });
    expect(readCgroupLimits('/shoal/k/c', l)).toEqual({ memoryBytes: 0, cpus: 0.25, pidsLimit: 20 });
    expect(readCgroupStats('/shoal/k/c', l)).toEqual({ cpuUsageNs: 123_456_789, memoryUsageBytes: 2_097_152, memoryInactiveFileBytes: 8192, pidsCurrent: 2 });
    expect(oomKills('/shoal/k/c', l)).toBe(2);
    expect(freezerState('/shoal/k/c', l)).toBe('freezing');
  });

  it('missing controllers, named for the start-up log: v2 from what the base is offered', () => {
    const l = v2Host();
    expect(missingControllers('/', l)).toEqual([]);
    expect(missingControllers('/shoal', l)).toEqual(['pids']);
  });
});

describe('this process', () => {
  it('is found in its own /proc/self/cgroup whatever the layout', () => {
    const l = v1Host(false);
    expect(cgroupOf('self', l)).toMatch(/^\//);
    expect(cgroupOf(2 ** 22 + 1, l)).toBeUndefined();
  });
});
