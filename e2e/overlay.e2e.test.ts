// The overlay data plane between lab hosts (root): the planner and executor of agent/network
// build bridges, VXLAN devices and veths on three hosts; endpoints (network namespaces the test
// makes, named inside the lab so that `lab down` removes them too) ping each other and exchange
// TCP data across hosts; networks stay apart; the MTU is exactly underlay − 50; remote
// endpoints come and go one entry at a time (and the VXLAN filter with the peer hosts); a reconcile
// repairs only what is missing; removing everything leaves no device and no filter behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, netnsRunner, observe, underlayOf, type HostRunner } from '../agent/network/exec.js';
import { macFor, planNetwork, type DesiredState, type LocalEndpoint, type NetworkSpec, type RemoteEndpoint } from '../agent/network/plan.js';
import { NO_VXLAN_FILTER } from '../agent/network/vxlan-filter.js';
import { runUnchecked } from '../shared/exec.js';
import { cleanupLab, uniqueLabName } from './helpers.js';
import { labUp } from './lab/lab.js';
import { netnsPrefix } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';

const lab = uniqueLabName('ov');
const A: NetworkSpec = { name: 'alpha', vni: 4100, subnet: '10.41.0.0/24', port: 4789 };
const B: NetworkSpec = { name: 'beta', vni: 4200, subnet: '10.42.0.0/24', port: 4789 };

interface Host {
  readonly name: string;
  readonly address: string;
  readonly runner: HostRunner;
  underlay: { device: string; mtu: number };
}
const hosts: Host[] = [];
/** Endpoints by host index; a "container" is a network namespace of the lab. */
const endpoints: { host: number; e: LocalEndpoint }[] = [];

function endpoint(host: number, n: NetworkSpec, c: string, ip: string): LocalEndpoint {
  const e = { network: n.name, owner: c, netns: `${netnsPrefix(lab)}${c}`, ifname: 'eth0', ip, mac: macFor(ip) };
  endpoints.push({ host, e });
  return e;
}

function desired(host: number, skipRemote: (r: RemoteEndpoint) => boolean = () => false): DesiredState {
  const h = hosts[host] as Host;
  const local = endpoints.filter((x) => x.host === host).map((x) => x.e);
  const nets = [A, B].filter((n) => local.some((e) => e.network === n.name));
  const remote = endpoints
    .filter((x) => x.host !== host && nets.some((n) => n.name === x.e.network))
    .map((x) => ({ network: x.e.network, ip: x.e.ip, mac: x.e.mac, vtep: (hosts[x.host] as Host).address }))
    .filter((r) => !skipRemote(r));
  return { host: { vtep: h.address, underlayDevice: h.underlay.device, underlayMtu: h.underlay.mtu }, networks: nets, local, remote };
}

async function reconcile(host: number, d: DesiredState = desired(host)) {
  const h = hosts[host] as Host;
  const ops = planNetwork(d, await observe(h.runner));
  await apply(ops, h.runner);
  return ops;
}

async function inContainer(c: string, argv: string[]) {
  return runUnchecked('nsenter', [`--net=/run/netns/${netnsPrefix(lab)}${c}`, '--', ...argv], { timeoutMs: 20_000 });
}

async function ping(c: string, ip: string, extra: string[] = []): Promise<number | null> {
  return (await inContainer(c, ['ping', '-c', '1', '-W', '2', ...extra, ip])).exitCode;
}

beforeAll(async () => {
  const state = await labUp({ name: lab, hosts: 3, stateDir: DEFAULT_LAB_STATE_DIR });
  for (const h of state.plan.hosts) {
    const runner = netnsRunner(h.netns);
    hosts.push({ name: h.name, address: h.address, runner, underlay: await underlayOf(h.address, runner) });
  }
  for (const c of ['c1', 'c2', 'c3', 'c4', 'c5']) {
    const r = await runUnchecked('ip', ['netns', 'add', `${netnsPrefix(lab)}${c}`]);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  endpoint(0, A, 'c1', '10.41.0.2');
  endpoint(1, A, 'c2', '10.41.0.3');
  endpoint(2, A, 'c3', '10.41.0.4');
  endpoint(0, B, 'c4', '10.42.0.2');
  endpoint(2, B, 'c5', '10.42.0.3');
  for (let i = 0; i < hosts.length; i++) await reconcile(i);
}, 120_000);

afterAll(async () => {
  await cleanupLab(lab);
});

describe('the overlay data plane on lab hosts (root)', () => {
  it('connects endpoints across hosts on each network, with TCP data as well as ping', async () => {
    for (const [from, to] of [
      ['c1', '10.41.0.3'],
      ['c1', '10.41.0.4'],
      ['c2', '10.41.0.4'],
      ['c3', '10.41.0.2'],
      ['c4', '10.42.0.3'],
    ] as const) {
      expect(await ping(from, to), `${from} → ${to}`).toBe(0);
    }
    // 1 MiB over TCP from h1's c1 to a server in h3's c3, echoed back in full.
    const server = `const n=require('net');const s=n.createServer(c=>{c.pipe(c);c.on('end',()=>s.close())}).listen(7000,'10.41.0.4',()=>console.log('up'));setTimeout(()=>process.exit(3),15000).unref()`;
    const srv = runUnchecked('nsenter', [`--net=/run/netns/${netnsPrefix(lab)}c3`, '--', process.execPath, '-e', server], { timeoutMs: 20_000 });
    const client = `const n=require('net');let t=0;const tryOnce=k=>{const c=n.connect(7000,'10.41.0.4');let got=0;c.on('error',()=>k<50?setTimeout(()=>tryOnce(k+1),50):process.exit(4));c.on('connect',()=>c.end(Buffer.alloc(1<<20,7)));c.on('data',d=>got+=d.length);c.on('end',()=>{console.log(got);process.exit(0)})};tryOnce(0)`;
    const cli = await inContainer('c1', [process.execPath, '-e', client]);
    expect(cli.stdout.trim()).toBe(String(1 << 20));
    expect((await srv).exitCode).toBe(0);
  });

  it('keeps networks apart, across hosts and on one host, even for an address taken from the other network', async () => {
    expect((await inContainer('c4', ['ip', 'addr', 'add', '10.41.0.99/24', 'dev', 'eth0'])).exitCode).toBe(0);
    try {
      expect(await ping('c4', '10.41.0.3')).not.toBe(0); // c2 on another host
      expect(await ping('c4', '10.41.0.2')).not.toBe(0); // c1 on the same host
    } finally {
      await inContainer('c4', ['ip', 'addr', 'del', '10.41.0.99/24', 'dev', 'eth0']);
    }
  });

  it('gives containers the underlay MTU less 50: the largest unfragmented ping passes, one byte more does not', async () => {
    const mtu = (hosts[0] as Host).underlay.mtu - 50;
    // (Not /sys/class/net: nsenter --net keeps the root namespace's sysfs.)
    const shown = JSON.parse((await inContainer('c1', ['ip', '-j', 'link', 'show', 'eth0'])).stdout) as { mtu: number }[];
    expect(shown[0]?.mtu).toBe(mtu);
    expect(await ping('c1', '10.41.0.3', ['-M', 'do', '-s', String(mtu - 28)])).toBe(0);
    expect(await ping('c1', '10.41.0.3', ['-M', 'do', '-s', String(mtu - 27)])).not.toBe(0);
  });

  it('needs nothing when in step, changes one entry at a time, and repairs only what is missing', async () => {
    for (let i = 0; i < hosts.length; i++) expect(planNetwork(desired(i), await observe((hosts[i] as Host).runner))).toEqual([]);

    // c3 leaves h1's view: exactly its two entries go, and the others keep working.
    const without = desired(0, (r) => r.ip === '10.41.0.4');
    const ops = await reconcile(0, without);
    // h3 is no longer a peer of alpha on h1: the VXLAN filter changes with the entries.
    expect(ops.map((o) => o.op).sort()).toEqual(['fdb.del', 'neigh.del', 'vxlan.filter']);
    expect(await ping('c1', '10.41.0.4')).not.toBe(0);
    expect(await ping('c1', '10.41.0.3')).toBe(0);
    expect((await reconcile(0)).map((o) => o.op).sort()).toEqual(['fdb.add', 'neigh.add', 'vxlan.filter']);
    expect(await ping('c1', '10.41.0.4')).toBe(0);

    // A VXLAN device deleted behind the agent's back: the reconcile makes it and its entries again, nothing else.
    await (hosts[1] as Host).runner(['ip', 'link', 'del', `shx${A.vni}`]);
    const repair = await reconcile(1);
    expect(repair.map((o) => o.op).sort()).toEqual(['fdb.add', 'fdb.add', 'neigh.add', 'neigh.add', 'vxlan.add']);
    expect(await ping('c2', '10.41.0.2')).toBe(0);
  });

  it('removes every device and entry it made when the networks go', async () => {
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i] as Host;
      await reconcile(i, { ...desired(i), networks: [], local: [], remote: [] });
      expect(await observe(h.runner)).toEqual({ bridges: [], vxlans: [], veths: [], fdb: [], neigh: [], vxlanFilter: NO_VXLAN_FILTER });
    }
    const links = await inContainer('c1', ['ip', '-o', 'link', 'show']);
    expect(links.stdout).not.toMatch(/eth0/);
  });
});
