// `npm run bench -- overlay` (root): TCP throughput between two endpoints on an overlay network
// spanning two lab hosts, as a ratio to the raw underlay between the same two hosts, measured by
// iperf3 (Debian) in the same run: one stream (the headline) and four parallel streams. The overlay is built by agent/network's planner and executor
// — the very data path containers use (veth → bridge → VXLAN → underlay) — with network
// namespaces as the endpoints. The lab's underlay is a veth pair with no line rate, so those
// figures measure CPU per byte; then one stream again with each host's underlay limited to
// 10 Gbit/s (a tbf qdisc, as a NIC's line rate would), where what the overlay costs is its
// headers. Last line: the ratio (the unlimited one stream).

import { randomBytes } from 'node:crypto';
import { apply, netnsRunner, observe, underlayOf } from '../agent/network/exec.js';
import { macFor, planNetwork, type DesiredState, type NetworkSpec } from '../agent/network/plan.js';
import { labDown, labUp } from '../e2e/lab/lab.js';
import { netnsPrefix } from '../e2e/lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from '../e2e/lab/state.js';
import { run, runUnchecked } from '../shared/exec.js';
import { printResult } from './lib.js';

const SECONDS = Number(process.env['SHOAL_BENCH_IPERF_SECONDS'] ?? 5);
const ROUNDS = 2;
/** The line rate put on each lab host's underlay for the last figure. */
const LINE_RATE = '10gbit';
const lab = `bo${randomBytes(3).toString('hex')}`;
const net: NetworkSpec = { name: 'bench', vni: 4242, subnet: '10.242.0.0/24', port: 4789 };

function inNs(netns: string, argv: string[]) {
  return run('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], { timeoutMs: (SECONDS + 30) * 1000 });
}

/** iperf3 from `clientNs` to a one-off server in `serverNs` at `ip` with `streams` parallel streams: received bits per second. */
async function iperf(serverNs: string, clientNs: string, ip: string, streams = 1): Promise<number> {
  const server = runUnchecked('nsenter', [`--net=/run/netns/${serverNs}`, '--', 'iperf3', '-s', '-1', '-B', ip], { timeoutMs: (SECONDS + 30) * 1000 });
  let out = '';
  for (let i = 0; ; i++) {
    // The server needs a moment to listen: retry the client a bounded number of times.
    const r = await runUnchecked('nsenter', [`--net=/run/netns/${clientNs}`, '--', 'iperf3', '-c', ip, '-t', String(SECONDS), '-P', String(streams), '-J'], { timeoutMs: (SECONDS + 30) * 1000 });
    // iperf3 -J may exit 0 with {"error": "unable to connect..."}: that is a retry too.
    if (r.exitCode === 0 && !r.stdout.includes('"error"')) {
      out = r.stdout;
      break;
    }
    if (i >= 50) throw new Error(`iperf3 client failed: ${r.stdout.slice(0, 300)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  await server;
  const j = JSON.parse(out) as { end?: { sum_received?: { bits_per_second: number } }; error?: string };
  const bps = j.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error(`iperf3 ${clientNs} → ${ip}: ${j.error ?? 'no result'}`);
  return bps;
}

if (process.getuid?.() !== 0) {
  console.error('bench overlay: run as root (it makes lab hosts)');
  process.exit(2);
}
try {
  const state = await labUp({ name: lab, hosts: 2, stateDir: DEFAULT_LAB_STATE_DIR });
  const [h1, h2] = state.plan.hosts;
  if (h1 === undefined || h2 === undefined) throw new Error('lab has no two hosts');
  const eps = [
    { host: h1, c: `${netnsPrefix(lab)}c1`, ip: '10.242.0.11' },
    { host: h2, c: `${netnsPrefix(lab)}c2`, ip: '10.242.0.12' },
  ];
  for (const e of eps) await run('ip', ['netns', 'add', e.c]);
  for (const e of eps) {
    const runner = netnsRunner(e.host.netns);
    const underlay = await underlayOf(e.host.address, runner);
    const other = eps.find((x) => x !== e) as (typeof eps)[number];
    const desired: DesiredState = {
      host: { vtep: e.host.address, underlayDevice: underlay.device, underlayMtu: underlay.mtu },
      networks: [net],
      local: [{ network: net.name, owner: e.c, netns: e.c, ifname: 'eth0', ip: e.ip, mac: macFor(e.ip) }],
      remote: [{ network: net.name, ip: other.ip, mac: macFor(other.ip), vtep: other.host.address }],
    };
    await apply(planNetwork(desired, await observe(runner)), runner);
  }
  await inNs(eps[0]?.c as string, ['ping', '-c', '1', '-W', '2', '10.242.0.12']);

  const underlay: number[] = [];
  const overlay: number[] = [];
  const underlay4: number[] = [];
  const overlay4: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    underlay.push(await iperf(h2.netns, h1.netns, h2.address));
    overlay.push(await iperf(eps[1]?.c as string, eps[0]?.c as string, '10.242.0.12'));
    underlay4.push(await iperf(h2.netns, h1.netns, h2.address, 4));
    overlay4.push(await iperf(eps[1]?.c as string, eps[0]?.c as string, '10.242.0.12', 4));
  }
  // A NIC's line rate: each host's underlay device sends through a token bucket. The lab's
  // teardown removes the devices and the qdiscs with them.
  for (const h of [h1, h2]) {
    const underlayDevice = (await underlayOf(h.address, netnsRunner(h.netns))).device;
    await inNs(h.netns, ['tc', 'qdisc', 'replace', 'dev', underlayDevice, 'root', 'tbf', 'rate', LINE_RATE, 'burst', '4mb', 'latency', '5ms']);
  }
  const underlayLine: number[] = [];
  const overlayLine: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    underlayLine.push(await iperf(h2.netns, h1.netns, h2.address));
    overlayLine.push(await iperf(eps[1]?.c as string, eps[0]?.c as string, '10.242.0.12'));
  }
  const best = (xs: number[]): number => Math.max(...xs);
  const gbps = (b: number): string => `${(b / 1e9).toFixed(2)} Gbit/s`;
  console.log(`one stream: underlay h1 → h2 ${underlay.map(gbps).join(', ')}; overlay (VXLAN, MTU underlay − 50) ${overlay.map(gbps).join(', ')} (iperf3, ${SECONDS} s per run)`);
  console.log(`four streams: underlay ${underlay4.map(gbps).join(', ')}; overlay ${overlay4.map(gbps).join(', ')}`);
  console.log(`one stream, each underlay limited to ${LINE_RATE}/s (tbf): underlay ${underlayLine.map(gbps).join(', ')}; overlay ${overlayLine.map(gbps).join(', ')}`);
  console.log(
    `ratio overlay/underlay, best of ${ROUNDS}: one stream ${(best(overlay) / best(underlay)).toFixed(2)}, four streams ${(best(overlay4) / best(underlay4)).toFixed(2)}, ` +
      `one stream at a ${LINE_RATE}/s line rate ${(best(overlayLine) / best(underlayLine)).toFixed(2)} (goal >= 0.9)`,
  );
  printResult({
    bench: 'overlay',
    metric: 'TCP throughput between two lab hosts, bits/s (iperf3)',
    shoal: Math.round(best(overlay)),
    peer: 'raw underlay between the same hosts',
    peer_value: Math.round(best(underlay)),
    ratio: Number((best(overlay) / best(underlay)).toFixed(3)),
    better: 'higher',
    four_streams: { shoal: Math.round(best(overlay4)), peer_value: Math.round(best(underlay4)), ratio: Number((best(overlay4) / best(underlay4)).toFixed(3)) },
    one_stream_line_rate_10gbit: { shoal: Math.round(best(overlayLine)), peer_value: Math.round(best(underlayLine)), ratio: Number((best(overlayLine) / best(underlayLine)).toFixed(3)) },
  });
} finally {
  await labDown({ name: lab, stateDir: DEFAULT_LAB_STATE_DIR, ifExists: true });
}
