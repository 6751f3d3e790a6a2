import { describe, expect, it } from 'vitest';
import {
  cgroupChain,
  choosePlacement,
  cpusFromV1,
  flatKeyed,
  freezerStateV1,
  freezerStateV2,
  parseCpuMax,
  parseLimit,
  parseProcCgroup,
  primaryCgroupPath,
  shoalBaseOf,
  shoalCgroupParent,
} from './cgroup-layout.js';

// /proc/<pid>/cgroup of a shim, as each kind of host writes it.
const HYBRID = '9:name=systemd:/\n8:pids:/shoal/k/shim-1\n4:memory:/shoal/k/shim-1\n2:cpu,cpuacct:/shoal/k/shim-1\n0::/shoal/k/shim-1\n';
const V1_NO_PIDS = '4:memory:/shoal/k/c\n1:name=systemd:/user.slice\n';
const V2 = '0::/system.slice/shoal-agent.service/shoal/k/shim-1\n';

describe('where a process is, from /proc/<pid>/cgroup', () => {
  it('reads v1, hybrid and v2 lines, the v2 line having no controllers', () => {
    expect(parseProcCgroup(HYBRID)).toContainEqual({ hierarchyId: 2, controllers: ['cpu', 'cpuacct'], path: '/shoal/k/shim-1' });
    expect(parseProcCgroup(V2)).toEqual([{ hierarchyId: 0, controllers: [], path: '/system.slice/shoal-agent.service/shoal/k/shim-1' }]);
  });

  it('answers with the v2 line on v2, the pids tree (else memory, never a named tree) on v1', () => {
    expect(primaryCgroupPath('v2', parseProcCgroup(V2))).toBe('/system.slice/shoal-agent.service/shoal/k/shim-1');
    expect(primaryCgroupPath('v1', parseProcCgroup(HYBRID))).toBe('/shoal/k/shim-1');
    expect(primaryCgroupPath('v1', parseProcCgroup(V1_NO_PIDS))).toBe('/shoal/k/c');
    expect(primaryCgroupPath('v2', parseProcCgroup('8:pids:/x\n'))).toBeUndefined();
  });
});

describe("where an agent's cgroups go", () => {
  const delegated = (paths: string[]) => (p: string) => paths.includes(p);

  it('v1 and hybrid: /shoal/<key> at the root of every tree, as before', () => {
    const p = choosePlacement('v1', '/system.slice/shoal-agent.service', delegated(['/system.slice/shoal-agent.service']));
    expect(p.base).toBe('/');
    expect(shoalCgroupParent(p.base, 'abc')).toBe('/shoal/abc');
  });

  it('v2 under systemd with DelegateSubgroup=: below the delegated unit, beside the agent', () => {
    const p = choosePlacement('v2', '/system.slice/shoal-agent.service/agent', delegated(['/system.slice/shoal-agent.service']));
    expect(p.base).toBe('/system.slice/shoal-agent.service');
    expect(shoalCgroupParent(p.base, 'abc')).toBe('/system.slice/shoal-agent.service/shoal/abc');
  });

  it('v2 with the agent in its delegated cgroup itself (systemd 252): the root, and the log line says why', () => {
    const p = choosePlacement('v2', '/system.slice/shoal-agent.service', delegated(['/system.slice/shoal-agent.service']));
    expect(p.base).toBe('/');
    expect(p.why).toMatch(/runs in its delegated cgroup .* itself/);
  });

  it('v2 without delegation (a shell, a lab host, a container with its own cgroup namespace): the root', () => {
    expect(choosePlacement('v2', '/user.slice/user-0.slice/session-1.scope', delegated([])).base).toBe('/');
    expect(choosePlacement('v2', '/', delegated(['/'])).base).toBe('/');
    expect(choosePlacement('v2', undefined, delegated([])).base).toBe('/');
  });

  it('passes controllers down from the base of a Shoal path, never from above it', () => {
    expect(shoalBaseOf('/shoal/k/shim-1')).toBe('/');
    expect(shoalBaseOf('/system.slice/shoal-agent.service/shoal/k/c1')).toBe('/system.slice/shoal-agent.service');
    expect(shoalBaseOf('/elsewhere/leaf')).toBe('/elsewhere');
    expect(cgroupChain('/', '/shoal/k')).toEqual(['/', '/shoal', '/shoal/k']);
    expect(cgroupChain('/a/b', '/a/b')).toEqual(['/a/b']);
    expect(cgroupChain('/a/b', '/a')).toEqual([]);
  });
});

describe('the files', () => {
  it('reads limits: "max" and v1 "no limit" as 0', () => {
    expect(parseLimit('max\n')).toBe(0);
    expect(parseLimit('67108864\n')).toBe(64 * 1024 * 1024);
    expect(parseLimit('9223372036854771712\n')).toBe(0);
    expect(parseLimit('20\n')).toBe(20);
  });

  it('reads CPU quotas as CPUs', () => {
    expect(parseCpuMax('max 100000\n')).toBe(0);
    expect(parseCpuMax('50000 100000\n')).toBe(0.5);
    expect(cpusFromV1('-1\n', '100000\n')).toBe(0);
    expect(cpusFromV1('25000\n', '100000\n')).toBe(0.25);
  });

  it('reads key-value files: memory.events, memory.oom_control, cpu.stat', () => {
    expect(flatKeyed('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n').get('oom_kill')).toBe(1);
    expect(flatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n').get('oom_kill')).toBe(2);
    expect(flatKeyed('usage_usec 1500\nuser_usec 1000\n').get('usage_usec')).toBe(1500);
  });

  it('reads freezer states of both versions', () => {
    expect(freezerStateV1('FROZEN\n')).toBe('frozen');
    expect(freezerStateV1('FREEZING\n')).toBe('freezing');
    expect(freezerStateV1('THAWED\n')).toBe('thawed');
    expect(freezerStateV2('populated 1\nfrozen 1\n', '1\n')).toBe('frozen');
    expect(freezerStateV2('populated 1\nfrozen 0\n', '1\n')).toBe('freezing');
    expect(freezerStateV2('populated 1\nfrozen 0\n', '0\n')).toBe('thawed');
  });
});
