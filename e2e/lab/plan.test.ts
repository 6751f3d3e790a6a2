import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { checkLabName, cidrsOverlap, findHost, hostPaths, labEnv, managersNotVoting, parseCidrList, planLab, poolSubnets, rolesOf, shellQuote } from './plan.js';
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
