import { describe, expect, it } from 'vitest';
import { bridgeName, macFor, overlayMtu, planNetwork, vethName, vxlanName, type DesiredState, type ObservedState } from './plan.js';
import { NO_VXLAN_FILTER, wantedVxlanFilter } from './vxlan-filter.js';

const host = { vtep: '198.18.0.2', underlayDevice: 'eth0', underlayMtu: 1500 };
const net = { name: 'front', vni: 100, subnet: '10.1.0.0/24', port: 4789 };
const none: ObservedState = { bridges: [], vxlans: [], veths: [], fdb: [], neigh: [], vxlanFilter: NO_VXLAN_FILTER };
const local = { network: 'front', owner: 'c1', netns: 'ns-c1', ifname: 'eth0', ip: '10.1.0.2', mac: macFor('10.1.0.2') };
const remote = { network: 'front', ip: '10.1.0.3', mac: macFor('10.1.0.3'), vtep: '198.18.0.3' };
const desired = (over: Partial<DesiredState> = {}): DesiredState => ({ host, networks: [net], local: [local], remote: [remote], ...over });

describe('the network planner', () => {
  it('builds devices before ports before entries, with the MTU of the underlay less 50', () => {
    const ops = planNetwork(desired(), none);
    // The VXLAN filter comes first: no VXLAN device is up without it.
    expect(ops.map((o) => o.op)).toEqual(['vxlan.filter', 'bridge.add', 'vxlan.add', 'veth.add', 'fdb.add', 'neigh.add']);
    expect(ops[2]).toMatchObject({ name: vxlanName(100), vni: 100, port: 4789, vtep: '198.18.0.2', device: 'eth0', bridge: bridgeName(100), mtu: 1450 });
    expect(ops[3]).toMatchObject({ name: vethName('c1', 'front'), netns: 'ns-c1', address: '10.1.0.2/24', mac: '02:42:0a:01:00:02', mtu: 1450 });
    expect(ops[4]).toEqual({ op: 'fdb.add', dev: 'shx100', mac: '02:42:0a:01:00:03', dst: '198.18.0.3' });
    expect(overlayMtu(9000)).toBe(8950);
  });

  it('plans nothing when the host is in step, and single entries as remote endpoints come and go', () => {
    const inStep: ObservedState = {
      bridges: [{ name: 'shb100' }],
      vxlans: [{ name: 'shx100', vni: 100, port: 4789, mtu: 1450 }],
      veths: [{ name: vethName('c1', 'front') }],
      fdb: [{ dev: 'shx100', mac: remote.mac, dst: remote.vtep }],
      neigh: [{ dev: 'shx100', ip: remote.ip, mac: remote.mac }],
      vxlanFilter: wantedVxlanFilter(desired()),
    };
    expect(planNetwork(desired(), inStep)).toEqual([]);
    // The last endpoint on 198.18.0.3 goes: so do its entries, and its host's right to send.
    expect(planNetwork(desired({ remote: [] }), inStep)).toEqual([
      { op: 'fdb.del', dev: 'shx100', mac: remote.mac, dst: remote.vtep },
      { op: 'neigh.del', dev: 'shx100', ip: remote.ip },
      { op: 'vxlan.filter', lines: [':SHOAL-VXLAN - [0:0]', ':SHOAL-VXLAN-100 - [0:0]', ...(wantedVxlanFilter(desired()).chains['SHOAL-VXLAN'] ?? []), '-A SHOAL-VXLAN-100 -j DROP'] },
    ]);
    // A moved endpoint: its old FDB entry goes, the new one comes; the neighbour entry stays.
    const moved = { ...remote, vtep: '198.18.0.4' };
    expect(planNetwork(desired({ remote: [moved] }), inStep).map((o) => o.op)).toEqual(['fdb.del', 'vxlan.filter', 'fdb.add']);
  });

  it('rebuilds a VXLAN device whose port changed, and removes what is no longer wanted, entries first', () => {
    const stale: ObservedState = {
      bridges: [{ name: 'shb100' }, { name: 'shb7' }],
      vxlans: [{ name: 'shx100', vni: 100, port: 8472, mtu: 1450 }, { name: 'shx7', vni: 7, port: 4789, mtu: 1450 }],
      veths: [{ name: vethName('c1', 'front') }, { name: 'shv00000000' }],
      fdb: [{ dev: 'shx7', mac: '02:42:0a:07:00:02', dst: '198.18.0.9' }],
      neigh: [],
      vxlanFilter: wantedVxlanFilter(desired()),
    };
    const ops = planNetwork(desired(), stale);
    expect(ops.map((o) => `${o.op} ${'name' in o ? o.name : 'dev' in o ? o.dev : ''}`)).toEqual([
      'link.del shx100',
      'link.del shv00000000',
      'link.del shx7',
      'link.del shb7',
      'vxlan.add shx100',
      'fdb.add shx100',
      'neigh.add shx100',
    ]);
  });

  it('keeps veths nobody wants while a container record is unreadable (their owner may run)', () => {
    const observed: ObservedState = {
      ...none,
      bridges: [{ name: 'shb100' }],
      vxlans: [{ name: 'shx100', vni: 100, port: 4789, mtu: 1450 }],
      veths: [{ name: 'shv00000000' }],
      vxlanFilter: wantedVxlanFilter(desired({ remote: [] })),
    };
    expect(planNetwork(desired({ local: [], remote: [] }), observed)).toEqual([{ op: 'link.del', name: 'shv00000000' }]);
    expect(planNetwork(desired({ local: [], remote: [], keepUnknownVeths: true }), observed)).toEqual([]);
  });

  it('refuses a bad desired state with one line naming what is wrong', () => {
    const bad: [Partial<DesiredState>, RegExp][] = [
      [{ networks: [net, { ...net, name: 'back', vni: 200, subnet: '10.1.0.128/25' }] }, /network back: subnet 10\.1\.0\.128\/25 overlaps front's 10\.1\.0\.0\/24/],
      [{ networks: [net, { ...net, name: 'back', subnet: '10.2.0.0/24' }] }, /network back: VNI 100 is already used by network front/],
      [{ networks: [{ ...net, subnet: '10.1.0.1/24' }] }, /has host bits set \(did you mean 10\.1\.0\.0\/24\?\)/],
      [{ networks: [{ ...net, vni: 0 }] }, /VNI 0 is not from 1 to 16777215/],
      [{ local: [{ ...local, ip: '10.9.0.2' }] }, /endpoint 10\.9\.0\.2 is outside network front's subnet 10\.1\.0\.0\/24/],
      [{ remote: [{ ...remote, ip: '10.1.0.2' }] }, /address 10\.1\.0\.2 on network front is already used by container c1/],
      [{ local: [{ ...local, network: 'nope' }] }, /endpoint 10\.1\.0\.2: no network nope/],
      [{ host: { ...host, underlayMtu: 600 } }, /MTU 600 leaves less than 576 bytes/],
      // Addresses and ports end up in iptables rules: nothing else may get there.
      [{ remote: [{ ...remote, vtep: '198.18.0.3 -j ACCEPT' }] }, /remote endpoint 10\.1\.0\.3: VTEP "198\.18\.0\.3 -j ACCEPT" is not an IPv4 address/],
      [{ host: { ...host, vtep: 'eth0' } }, /this host's VTEP "eth0" is not an IPv4 address/],
      [{ networks: [{ ...net, port: 70000 }] }, /network front: port 70000 is not from 1 to 65535/],
    ];
    for (const [over, message] of bad) expect(() => planNetwork(desired(over), none)).toThrow(message);
  });
});
