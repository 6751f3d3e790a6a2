import { describe, expect, it } from 'vitest';
import { firewallRules } from './firewall.js';
import { NO_VXLAN_FILTER, parseVxlanFilter, planVxlanFilter, vniMatch, wantedVxlanFilter, type VxlanFilterInput } from './vxlan-filter.js';

const front = { name: 'front', vni: 100, port: 4789 };
const back = { name: 'back', vni: 4242, port: 4789 };
const input: VxlanFilterInput = {
  networks: [back, front],
  remote: [
    { network: 'front', vtep: '198.18.0.4' },
    { network: 'front', vtep: '198.18.0.3' },
    { network: 'front', vtep: '198.18.0.3' },
    { network: 'back', vtep: '198.18.0.4' },
  ],
};

/** `iptables -S` of a host that holds exactly `input`'s filter, with rules of other software around it. */
const shown = `-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N DOCKER-USER
-N SHOAL-VXLAN
-N SHOAL-VXLAN-100
-N SHOAL-VXLAN-4242
-A INPUT -p udp -j SHOAL-VXLAN
-A INPUT -i lo -j ACCEPT
-A FORWARD -j DOCKER-USER
-A SHOAL-VXLAN -i shb+ -p udp -m udp --dport 4789 -j DROP
-A SHOAL-VXLAN -p udp -m udp --dport 4789 -m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0x64" -j SHOAL-VXLAN-100
-A SHOAL-VXLAN -p udp -m udp --dport 4789 -m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0x1092" -j SHOAL-VXLAN-4242
-A SHOAL-VXLAN-100 -s 198.18.0.3/32 -j RETURN
-A SHOAL-VXLAN-100 -s 198.18.0.4/32 -j RETURN
-A SHOAL-VXLAN-100 -j DROP
-A SHOAL-VXLAN-4242 -s 198.18.0.4/32 -j RETURN
-A SHOAL-VXLAN-4242 -j DROP
`;

describe('the VXLAN filter', () => {
  it('takes a network’s VXLAN only from its own peer hosts, and none from a container', () => {
    const want = wantedVxlanFilter(input);
    expect(want.jumps).toEqual(['-A INPUT -p udp -j SHOAL-VXLAN']);
    // Each peer host once, on the networks it is a peer of only: 198.18.0.3 may not send into back.
    expect(want.chains['SHOAL-VXLAN-100']).toEqual(['-A SHOAL-VXLAN-100 -s 198.18.0.3/32 -j RETURN', '-A SHOAL-VXLAN-100 -s 198.18.0.4/32 -j RETURN', '-A SHOAL-VXLAN-100 -j DROP']);
    expect(want.chains['SHOAL-VXLAN-4242']).toEqual(['-A SHOAL-VXLAN-4242 -s 198.18.0.4/32 -j RETURN', '-A SHOAL-VXLAN-4242 -j DROP']);
    // From Shoal's bridges (containers) nothing, before any network's rule.
    expect(want.chains['SHOAL-VXLAN']?.[0]).toBe('-A SHOAL-VXLAN -i shb+ -p udp -m udp --dport 4789 -j DROP');
    // A network nobody else is on yet: all of its VXLAN is dropped.
    expect(wantedVxlanFilter({ networks: [front], remote: [] }).chains['SHOAL-VXLAN-100']).toEqual(['-A SHOAL-VXLAN-100 -j DROP']);
  });

  it('matches the VNI where VXLAN carries it, past IPv4 headers of any length', () => {
    expect(vniMatch(100)).toBe('-m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0x64"');
    expect(vniMatch(16_777_215)).toBe('-m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0xffffff"');
  });

  it('reads the filter back from iptables -S, ignoring everything that is not Shoal’s, and plans nothing when in step', () => {
    const observed = parseVxlanFilter(shown);
    expect(observed).toEqual(wantedVxlanFilter(input));
    expect(planVxlanFilter(input, observed)).toEqual([]);
    expect(parseVxlanFilter('-P INPUT ACCEPT\n-N SHOALX\n-A INPUT -j SHOAL-VXLANX\n')).toEqual(NO_VXLAN_FILTER);
  });

  it('rewrites the chains whole in one transaction, and removes a gone network’s chain after nothing refers to it', () => {
    const ops = planVxlanFilter({ networks: [front], remote: [{ network: 'front', vtep: '198.18.0.3' }] }, parseVxlanFilter(shown));
    expect(ops).toEqual([
      {
        op: 'vxlan.filter',
        lines: [
          ':SHOAL-VXLAN - [0:0]',
          ':SHOAL-VXLAN-100 - [0:0]',
          '-A SHOAL-VXLAN -i shb+ -p udp -m udp --dport 4789 -j DROP',
          '-A SHOAL-VXLAN -p udp -m udp --dport 4789 -m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0x64" -j SHOAL-VXLAN-100',
          '-A SHOAL-VXLAN-100 -s 198.18.0.3/32 -j RETURN',
          '-A SHOAL-VXLAN-100 -j DROP',
          '-F SHOAL-VXLAN-4242',
          '-X SHOAL-VXLAN-4242',
        ],
      },
    ]);
  });

  it('puts the jump first in INPUT when it is missing, and keeps only one', () => {
    const noJump = parseVxlanFilter(shown.replace('-A INPUT -p udp -j SHOAL-VXLAN\n', ''));
    expect(planVxlanFilter(input, noJump)[0]?.lines.at(-1)).toBe('-I INPUT 1 -p udp -j SHOAL-VXLAN');
    const twice = parseVxlanFilter(`${shown}-A INPUT -p udp -j SHOAL-VXLAN\n-A INPUT -s 10.0.0.0/8 -j SHOAL-VXLAN\n`);
    const lines = planVxlanFilter(input, twice)[0]?.lines ?? [];
    expect(lines.filter((l) => !l.startsWith(':') && !l.startsWith('-A SHOAL'))).toEqual(['-D INPUT -p udp -j SHOAL-VXLAN', '-D INPUT -s 10.0.0.0/8 -j SHOAL-VXLAN']);
  });

  it('removes everything with the last network: jump, then rules, then chains', () => {
    const [op] = planVxlanFilter({ networks: [], remote: [] }, parseVxlanFilter(shown));
    expect(op?.lines).toEqual([
      '-D INPUT -p udp -j SHOAL-VXLAN',
      '-F SHOAL-VXLAN',
      '-F SHOAL-VXLAN-100',
      '-F SHOAL-VXLAN-4242',
      '-X SHOAL-VXLAN',
      '-X SHOAL-VXLAN-100',
      '-X SHOAL-VXLAN-4242',
    ]);
    expect(planVxlanFilter({ networks: [], remote: [] }, NO_VXLAN_FILTER)).toEqual([]);
  });

  it('drops a container’s UDP to a VXLAN port on its way out of the host, after the rules within and between networks', () => {
    const rules = firewallRules([front, { ...back, port: 8472 }], []).split('\n');
    const at = (r: string): number => rules.indexOf(r);
    expect(at('-A SHOAL-FORWARD -i shb+ -p udp -m udp --dport 4789 -j DROP')).toBeGreaterThan(at('-A SHOAL-FORWARD -i shb+ -o shb+ -j DROP'));
    expect(at('-A SHOAL-FORWARD -i shb+ -p udp -m udp --dport 8472 -j DROP')).toBeLessThan(at('-A SHOAL-FORWARD -i shb+ -j ACCEPT'));
    expect(at('-A SHOAL-FORWARD -i shb100 -o shb100 -j ACCEPT')).toBe(2);
  });
});
