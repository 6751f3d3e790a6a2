import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import {
  agentArgs,
  checkLabName,
  cidrsOverlap,
  clusterHostCount,
  findHost,
  hostPaths,
  hostsNotReady,
  inAgentCgroups,
  labEnv,
  managersNotVoting,
  parseCidrList,
  planLab,
  poolSubnets,
  registryConfig,
  rolesOf,
  shellQuote,
  type LabHostPlan,
} from './plan.js';
import { splitRule } from './sys.js';

describe('lab plan', () => {
  it('names every resource after the lab, within 15-character interface names', () => {
    const plan = planLab('abcdefgh', 64, { network: '198.18.5.0', prefixLength: 24 });
    expect(plan.bridge).toBe('slb-abcdefgh');
    expect(plan.gateway).toBe('198.18.5.1');
    expect(plan.hosts[0]).toMatchObject({ name: 'h1', netns: 'shoal-abcdefgh-h1', veth: 'sl-abcdefgh-1', address: '198.18.5.2' });
    expect(plan.hosts[63]?.address).toBe('198.18.5.65');
    for (const name of [plan.bridge, ...plan.hosts.map((h) => h.veth)]) expect(name.length).toBeLessThanOrEqual(15);
    expect(plan.iptablesComment).toBe('shoal-lab:abcdefgh');
  });

  it('gives two labs disjoint names: no lab prefix is a prefix of another', () => {
    const a = planLab('ab', 3, { network: '198.18.0.0', prefixLength: 24 });
    const b = planLab('abc', 3, { network: '198.18.1.0', prefixLength: 24 });
    for (const ha of a.hosts) for (const hb of b.hosts) {
      expect(hb.netns.startsWith('shoal-ab-')).toBe(false);
      expect(hb.veth.startsWith('sl-ab-')).toBe(false);
      expect(ha.netns).not.toBe(hb.netns);
    }
  });

  it('refuses bad names, host counts and subnets too small, naming what was wrong', () => {
    expect(() => checkLabName('has-dash')).toThrow(/lab name "has-dash"/);
    expect(() => checkLabName('toolongname')).toThrow(ShoalError);
    expect(() => checkLabName('1abc')).toThrow(ShoalError);
    expect(() => planLab('lab', 0, { network: '198.18.0.0', prefixLength: 24 })).toThrow(/--hosts/);
    expect(() => planLab('lab', 6, { network: '198.18.0.0', prefixLength: 29 })).toThrow(/too small for 6 hosts/);
    expect(planLab('lab', 5, { network: '198.18.0.0', prefixLength: 29 }).hosts).toHaveLength(5);
  });

  it('takes /24s from 198.18.0.0/15, all 512 of them', () => {
    const all = [...poolSubnets()];
    expect(all).toHaveLength(512);
    expect(all[0]).toEqual({ network: '198.18.0.0', prefixLength: 24 });
    expect(all[511]).toEqual({ network: '198.19.255.0', prefixLength: 24 });
  });

  it('detects overlapping CIDRs and parses route destinations', () => {
    const routes = parseCidrList(['198.18.0.0/16', '10.1.2.3/32', 'fe80::/64', 'junk']);
    expect(routes).toEqual([
      { network: '198.18.0.0', prefixLength: 16 },
      { network: '10.1.2.3', prefixLength: 32 },
    ]);
    expect(cidrsOverlap(routes[0]!, { network: '198.18.7.0', prefixLength: 24 })).toBe(true);
    expect(cidrsOverlap(routes[0]!, { network: '198.19.0.0', prefixLength: 24 })).toBe(false);
  });

  it('finds hosts by short name or namespace name', () => {
    const plan = planLab('lab', 3, { network: '198.18.0.0', prefixLength: 24 });
    expect(findHost(plan, 'h2')?.address).toBe('198.18.0.3');
    expect(findHost(plan, 'shoal-lab-h3')?.name).toBe('h3');
    expect(findHost(plan, 'h4')).toBeUndefined();
  });
});

describe('lab managers', () => {
  const subnet = { network: '198.18.4.0', prefixLength: 24 };

  it('gives hosts h1..hN the manager role and the others none', () => {
    const plan = planLab('lab', 4, subnet, 2);
    expect(plan.hosts.map((h) => rolesOf(h))).toEqual([['manager'], ['manager'], [], []]);
    expect(planLab('lab', 2, subnet).hosts.map((h) => rolesOf(h))).toEqual([[], []]);
    // A host read from a state file written before roles existed has none.
    const { roles: _dropped, ...old } = plan.hosts[0]!;
    expect(rolesOf(old)).toEqual([]);
  });

  it('refuses manager counts out of range, naming the flag', () => {
    expect(() => planLab('lab', 3, subnet, 4)).toThrow(/^--managers 4: more than the lab's 3 hosts \(--hosts\)$/);
    expect(() => planLab('lab', 64, subnet, 8)).toThrow(/^--managers: must be from 1 to 7, got 8$/);
    expect(() => planLab('lab', 3, subnet, -1)).toThrow(ShoalError);
    expect(() => planLab('lab', 3, subnet, 1.5)).toThrow(/--managers/);
  });

  it("keeps each host's files in the lab's folder beside its state file", () => {
    expect(hostPaths('/run/shoal/lab', 'abc', 'h2')).toEqual({
      dir: '/run/shoal/lab/abc.d/h2',
      uts: '/run/shoal/lab/abc.d/h2/uts',
      managerDataDir: '/run/shoal/lab/abc.d/h2/manager',
      managerLog: '/run/shoal/lab/abc.d/h2/manager.log',
      adminTlsDir: '/run/shoal/lab/abc.d/h2/manager/admin',
      agentDataDir: '/run/shoal/lab/abc.d/h2/agent',
      agentSocket: '/run/shoal/lab/abc.d/h2/agent.sock',
      agentLog: '/run/shoal/lab/abc.d/h2/agent.log',
    });
  });

  it('waits for every manager host to show as leader or reachable at its address', () => {
    const plan = planLab('lab', 3, subnet, 3);
    const [h1, h2, h3] = plan.hosts;
    const node = (address: string, managerStatus: string, role = 'manager') => ({ address, role, managerStatus });
    expect(managersNotVoting(plan.hosts, [node(h1!.address, 'leader'), node(h2!.address, 'reachable'), node(h3!.address, 'reachable')])).toEqual([]);
    // A learner still catching up, a missing node, a node that is not a manager: not voters yet.
    expect(managersNotVoting(plan.hosts, [node(h1!.address, 'leader'), node(h2!.address, 'learner')]).map((h) => h.name)).toEqual(['h2', 'h3']);
    expect(managersNotVoting([h3!], [node(h3!.address, '', 'worker')]).map((h) => h.name)).toEqual(['h3']);
    expect(managersNotVoting([h2!], [node(h2!.address, 'unreachable')]).map((h) => h.name)).toEqual(['h2']);
  });

  it("points the CLI at every manager with h1's admin bundle, and refuses a lab without managers", () => {
    const plan = planLab('lab', 4, subnet, 3);
    expect(labEnv(plan, '/run/shoal/lab')).toEqual({
      SHOAL_HOST: '198.18.4.2:4377,198.18.4.3:4377,198.18.4.4:4377',
      SHOAL_TLS_DIR: '/run/shoal/lab/lab.d/h1/manager/admin',
      SHOAL_LAB: 'lab',
    });
    expect(() => labEnv(planLab('lab', 2, subnet), '/x')).toThrow(/^lab lab runs no manager \(make one with shoal lab up --managers N\)$/);
  });

  it('quotes shell values only when they need it', () => {
    expect(shellQuote('198.18.4.2:4377,198.18.4.3:4377')).toBe('198.18.4.2:4377,198.18.4.3:4377');
    expect(shellQuote('/tmp/my labs/x')).toBe("'/tmp/my labs/x'");
    expect(shellQuote("it's $(here)")).toBe("'it'\\''s $(here)'");
  });
});

describe('iptables -S lines', () => {
  it('splits quoted comments back into the arguments that made the rule', () => {
    expect(splitRule('-A FORWARD -i slb-x -o slb-x -m comment --comment "shoal-lab:x" -j ACCEPT')).toEqual([
      '-A', 'FORWARD', '-i', 'slb-x', '-o', 'slb-x', '-m', 'comment', '--comment', 'shoal-lab:x', '-j', 'ACCEPT',
    ]);
    expect(splitRule('-A X --comment "with \\"quotes\\" and spaces"')).toEqual(['-A', 'X', '--comment', 'with "quotes" and spaces']);
  });
});

describe('a cluster lab plan (--managers N --workers M)', () => {
  const subnet = { network: '198.18.4.0', prefixLength: 24 };

  it('runs an agent on every host, a manager on h1..hN, and a registry on the gateway', () => {
    const plan = planLab('c', clusterHostCount(2, 1), subnet, 2, true);
    expect(plan.hosts.map((h) => [h.name, rolesOf(h)])).toEqual([
      ['h1', ['manager', 'agent']],
      ['h2', ['manager', 'agent']],
      ['h3', ['agent']],
    ]);
    expect(plan.registry).toBe('198.18.4.1:5001');
    expect(labEnv(plan, '/run/x')).toEqual({ SHOAL_HOST: '198.18.4.2:4377,198.18.4.3:4377', SHOAL_TLS_DIR: '/run/x/c.d/h1/manager/admin', SHOAL_LAB: 'c', SHOAL_REGISTRY: '198.18.4.1:5001' });
    // Without agents: no registry, nothing more in env.
    expect(planLab('c', 2, subnet, 1).registry).toBeUndefined();
    expect(Object.keys(labEnv(planLab('c', 2, subnet, 1), '/run/x'))).toEqual(['SHOAL_HOST', 'SHOAL_TLS_DIR', 'SHOAL_LAB']);
  });

  it('refuses workers without managers and counts beyond the lab, naming the flag', () => {
    expect(() => planLab('c', 2, subnet, 0, true)).toThrow(/^--workers: needs --managers/);
    expect(() => clusterHostCount(1, -1)).toThrow(/^--workers: must be from 0 to 63, got -1$/);
    expect(() => clusterHostCount(7, 60)).toThrow(/^--managers 7 --workers 60: more than the 64 hosts/);
    expect(clusterHostCount(3, 0)).toBe(3);
  });

  it("starts a manager's host's agent as the manager's node, a worker's with no secret on its command line", () => {
    const plan = planLab('c', 2, subnet, 1, true);
    const [h1, h2] = plan.hosts as [LabHostPlan, LabHostPlan];
    const common = (h: string, ip: string) => ['agent', '--data-dir', `/s/c.d/${h}/agent`, '--socket', `/s/c.d/${h}/agent.sock`, '--advertise', ip, '--insecure-registry', '198.18.4.1:5001'];
    expect(agentArgs(plan, h1, '/s')).toEqual([...common('h1', '198.18.4.2'), '--manager-data-dir', '/s/c.d/h1/manager', '198.18.4.2:4377']);
    expect(agentArgs(plan, h2, '/s')).toEqual([...common('h2', '198.18.4.3'), '198.18.4.2:4377']);
    expect(agentArgs(plan, h2, '/s').join(' ')).not.toMatch(/token/);
  });

  it('waits for every host to show a ready node of its name', () => {
    const plan = planLab('c', 3, subnet, 1, true);
    const nodes = [
      { hostname: 'h1', state: 'ready' },
      { hostname: 'h2', state: 'down' },
      { hostname: 'other', state: 'ready' },
    ];
    expect(hostsNotReady(plan.hosts, nodes).map((h) => h.name)).toEqual(['h2', 'h3']);
    expect(hostsNotReady(plan.hosts.slice(0, 1), nodes)).toEqual([]);
  });

  it("finds an agent's processes by its cgroups in any tree and below any base, and no one else's", () => {
    const keys = new Set(['abc123def456']);
    expect(inAgentCgroups('12:pids:/shoal/abc123def456/c1\n0::/shoal/abc123def456/c1\n', keys)).toBe(true);
    expect(inAgentCgroups('0::/system.slice/shoal-agent.service/shoal/abc123def456/shim-1\n', keys)).toBe(true);
    expect(inAgentCgroups('12:pids:/shoal/000000000000/c1\n0::/user.slice\n', keys)).toBe(false);
    expect(inAgentCgroups('0::/shoal\n', keys)).toBe(false);
    expect(inAgentCgroups('', keys)).toBe(false);
  });

  it("writes the registry's config: plain HTTP on the address, storage in the lab's folder", () => {
    const config = registryConfig('198.18.4.1:5001', '/s/c.d/registry/data');
    expect(config).toContain('  addr: 198.18.4.1:5001\n');
    expect(config).toContain('    rootdirectory: /s/c.d/registry/data\n');
    expect(config).not.toMatch(/tls|auth/);
  });
});
