// The cgroup code on a real cgroup2 tree (root): mounted at a folder of the test's own, so the
// code sees the layout of a v2-only host at that root, whatever this host is. Everything
// happens below one test cgroup. On a hybrid host every controller is bound to v1, so the tree
// has the core files only (cgroup.procs, cgroup.freeze, cgroup.events, cpu.stat) and none of
// memory.*, pids.*, cpu.max: limits, OOM counts and passing controllers down (with the
// no-internal-processes rule) are covered over a v2-shaped folder in cgroups.test.ts instead.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { cgroupOf, detectCgroupLayout, freezerState, isDelegated, joinCgroup, readCgroupStats, removeCgroup, type CgroupLayout } from './cgroups.js';
import { lsetxattr } from './libc.js';

const CGROUPS_JS = fileURLToPath(new URL('../../dist/agent/sys/cgroups.js', import.meta.url));
const base = `/shoal-cgtest-${process.pid}`;
let work = '';
let mountDir = '';
let layout: CgroupLayout;
const children: ChildProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoal-cgroup2-'));
  mountDir = join(work, 'cgroup2');
  mkdirSync(mountDir);
  await run('mount', ['-t', 'cgroup2', 'none', mountDir]);
  layout = detectCgroupLayout(mountDir);
  mkdirSync(join(mountDir, base));
});

afterAll(async () => {
  await runAllCleanups('cgroup2 test', [
    ...children.map((c) => () => killAndWait(c)),
    async () => {
      // A killed process leaves its cgroup once reaped: retried briefly (50 × 20 ms).
      for (let i = 0; mountDir !== '' && existsSync(join(mountDir, base)); i++) {
        try {
          removeCgroup(base, layout);
        } catch (e) {
          if (i >= 50) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    () => (mountDir !== '' ? runUnchecked('umount', [mountDir]) : undefined),
    () => (work !== '' ? rmdir(mountDir).then(() => rm(work, { recursive: true, force: true })) : undefined),
  ]);
});

function killAndWait(c: ChildProcess): Promise<unknown> | undefined {
  if (c.exitCode !== null || c.signalCode !== null) return undefined;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGKILL');
  return exited;
}

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** Bounded wait for a cgroup's freezer to settle: the kernel stops the tasks asynchronously (100 × 10 ms). */
async function freezerSettles(path: string, want: string): Promise<string | undefined> {
  let state: string | undefined;
  for (let i = 0; i < 100 && (state = freezerState(path, layout)) !== want; i++) await new Promise((r) => setTimeout(r, 10));
  return state;
}

/** Where a process placed in `cgroup` (made here, relative to the mount) puts Shoal's cgroups, by the agent's own code. */
async function placementFrom(cgroup: string): Promise<{ base: string; why: string }> {
  mkdirSync(join(mountDir, cgroup), { recursive: true });
  const script = `import(${JSON.stringify(CGROUPS_JS)}).then((m) => console.log(JSON.stringify(m.agentCgroupPlacement(${JSON.stringify(mountDir)}))))`;
  const r = await run('sh', ['-c', `echo $$ > "$1/cgroup.procs" && exec "$2" --input-type=module -e "$3"`, 'placement', join(mountDir, cgroup), process.execPath, script]);
  return JSON.parse(r.stdout) as { base: string; why: string };
}

describe('cgroup code on a real cgroup2 tree (root)', () => {
  it('sees a v2 layout at the mount, places a process in a nested leaf, and leaves its own process where it was', () => {
    expect(layout).toEqual({ kind: 'v2', root: mountDir });
    const own = cgroupOf('self', layout);
    const child = sleeper();
    const leaf = `${base}/shoal/k/shim-1`;
    expect(joinCgroup(leaf, child.pid as number, layout)).toEqual([]);
    expect(cgroupOf(child.pid as number, layout)).toBe(leaf);
    expect(readFileSync(join(mountDir, leaf, 'cgroup.procs'), 'utf8')).toBe(`${child.pid}\n`);
    expect(cgroupOf('self', layout)).toBe(own);
    expect(readCgroupStats(leaf, layout).cpuUsageNs).toBeGreaterThanOrEqual(0);
  });

  it('reads the freezer through cgroup.freeze and cgroup.events as runc pause leaves them', async () => {
    const child = sleeper();
    const leaf = `${base}/freeze/c`;
    expect(joinCgroup(leaf, child.pid as number, layout)).toEqual([]);
    expect(freezerState(leaf, layout)).toBe('thawed');
    writeFileSync(join(mountDir, leaf, 'cgroup.freeze'), '1');
    expect(await freezerSettles(leaf, 'frozen')).toBe('frozen');
    writeFileSync(join(mountDir, leaf, 'cgroup.freeze'), '0');
    expect(await freezerSettles(leaf, 'thawed')).toBe('thawed');
  });

  it('refuses to remove a cgroup a process is in, and removes the nested ones once it has gone', async () => {
    const child = sleeper();
    const leaf = `${base}/busy/shoal/k/c`;
    joinCgroup(leaf, child.pid as number, layout);
    expect(() => removeCgroup(`${base}/busy`, layout)).toThrow(/cannot remove cgroup .*\/c: EBUSY/);
    await killAndWait(child);
    for (let i = 0; i < 50 && readFileSync(join(mountDir, leaf, 'cgroup.procs'), 'utf8') !== ''; i++) await new Promise((r) => setTimeout(r, 20));
    removeCgroup(`${base}/busy`, layout);
    expect(existsSync(join(mountDir, base, 'busy'))).toBe(false);
  });

  it("follows systemd's delegation mark: below the unit when the agent runs in its subgroup, at the root when it runs in the unit itself", async () => {
    const unit = `${base}/system.slice/shoal-agent.service`;
    mkdirSync(join(mountDir, unit), { recursive: true });
    expect(isDelegated(layout, unit)).toBe(false);
    lsetxattr(join(mountDir, unit), 'trusted.delegate', '1');
    expect(isDelegated(layout, unit)).toBe(true);
    expect(isDelegated(layout, `${base}/system.slice`)).toBe(false);

    expect((await placementFrom(`${unit}/agent`)).base).toBe(unit);
    const inUnit = await placementFrom(unit);
    expect(inUnit.base).toBe('/');
    expect(inUnit.why).toMatch(/runs in its delegated cgroup .* itself/);
    expect((await placementFrom(`${base}/system.slice/other.service`)).base).toBe('/');
  });
});
