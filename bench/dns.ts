// `npm run bench -- dns` (root): answers per second and latency of Shoal's embedded DNS server
// against dnsmasq (Debian) serving the same records, both inside one network namespace the
// benchmark makes, both driven by dnsperf (Debian) from inside it with the same query file, in
// the same run. p99 comes from dnsperf's per-response latencies (-v). Last line: the
// throughput ratio.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordTable } from '../agent/dns/records.js';
import { DnsServer, Forwarder } from '../agent/dns/server.js';
import { systemClock } from '../shared/clock.js';
import { run, runUnchecked } from '../shared/exec.js';
import { silentLogger } from '../shared/logger.js';
import { systemRng } from '../shared/rng.js';
import { percentile, printResult, startProcess } from './lib.js';

const NAMES = 200;
const RECORDS_PER_NAME = 3;
const SECONDS = Number(process.env['SHOAL_BENCH_DNS_SECONDS'] ?? 10);
const netns = `shoal-bench-dns-${process.pid}`;

interface Result {
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
}

/** dnsperf inside the namespace against `server`; throughput from its summary, percentiles from -v lines. */
async function dnsperf(server: string, queryFile: string): Promise<Result> {
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', 'dnsperf', '-s', server, '-d', queryFile, '-l', String(SECONDS), '-c', '1', '-q', '64', '-v'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const latencies: number[] = [];
  let summary = '';
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      // "> NOERROR web-7 A 0.000114" per response; everything else is the summary.
      const m = /^> \S+ \S+ \S+ ([\d.]+)$/.exec(l);
      if (m !== null) latencies.push(Number(m[1]) * 1000);
      else summary += `${l}\n`;
    }
  });
  await new Promise((r) => child.once('close', r));
  latencies.sort((a, b) => a - b);
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(summary)?.[1] ?? NaN);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(summary)?.[1] ?? NaN);
  return { qps, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), lost };
}

if (process.getuid?.() !== 0) {
  console.error('bench dns: run as root (it makes a network namespace)');
  process.exit(2);
}
const work = await mkdtemp(join(tmpdir(), 'shoal-bench-dns-'));
await run('ip', ['netns', 'add', netns]);
let shoalServer: DnsServer | undefined;
const dnsmasq = { proc: undefined as ReturnType<typeof startProcess> | undefined };
try {
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const table = new RecordTable();
  const hosts: string[] = [];
  for (let i = 0; i < NAMES; i++) {
    const ips = Array.from({ length: RECORDS_PER_NAME }, (_, k) => `10.${1 + k}.${Math.floor(i / 250)}.${(i % 250) + 2}`);
    ips.forEach((ip) => table.upsert({ network: 'bench', ip, names: [`web-${i}`] }));
    for (const ip of ips) hosts.push(`${ip} web-${i}`);
  }
  const queryFile = join(work, 'queries.txt');
  await writeFile(queryFile, Array.from({ length: NAMES }, (_, i) => `web-${i} A`).join('\n') + '\n');
  const hostsFile = join(work, 'hosts');
  await writeFile(hostsFile, `${hosts.join('\n')}\n`);

  shoalServer = new DnsServer({ table, rng: systemRng, domain: 'shoal', ttlSeconds: 5, forwarder: new Forwarder({ upstreams: [], clock: systemClock, rng: systemRng }), logger: silentLogger(), clock: systemClock });
  await shoalServer.serve('bench', `/run/netns/${netns}`, ['bench']);
  dnsmasq.proc = startProcess('nsenter', [`--net=/run/netns/${netns}`, '--', 'dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', `--addn-hosts=${hostsFile}`, '--listen-address=127.0.0.12', '--bind-interfaces', '--port=53', '--local-ttl=5', '--cache-size=0', '--user=root', '--pid-file']);
  // Bounded wait for dnsmasq to answer (it prints nothing we could await in foreground mode).
  for (let i = 0; ; i++) {
    const r = await runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', 'dig', '@127.0.0.12', '+short', '+time=1', '+tries=1', 'web-0']);
    if (r.stdout.trim().split('\n').length === RECORDS_PER_NAME) break;
    if (i >= 50) throw new Error(`dnsmasq does not answer: ${r.stdout}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const check = await runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', 'dig', '@127.0.0.11', '+short', 'web-0']);
  if (check.stdout.trim().split('\n').length !== RECORDS_PER_NAME) throw new Error(`shoal dns does not answer: ${check.stdout}`);

  const shoal = await dnsperf('127.0.0.11', queryFile);
  const peer = await dnsperf('127.0.0.12', queryFile);
  for (const [name, r] of [
    ['shoal', shoal],
    ['dnsmasq', peer],
  ] as const) {
    console.log(`${name}: ${r.qps.toFixed(0)} answers/s, p50 ${r.p50Ms.toFixed(3)} ms, p99 ${r.p99Ms.toFixed(3)} ms, ${r.lost} lost (${NAMES} names x ${RECORDS_PER_NAME} A records, dnsperf ${SECONDS} s, 64 in flight)`);
  }
  console.log(`throughput ratio shoal/dnsmasq ${(shoal.qps / peer.qps).toFixed(2)} (goal >= 0.5); shoal p99 ${shoal.p99Ms.toFixed(3)} ms (goal < 2 ms)`);
  printResult({
    bench: 'dns',
    metric: 'answers per second (dnsperf, same records)',
    shoal: Math.round(shoal.qps),
    peer: 'dnsmasq',
    peer_value: Math.round(peer.qps),
    ratio: Number((shoal.qps / peer.qps).toFixed(3)),
    better: 'higher',
    p99_ms: { shoal: Number(shoal.p99Ms.toFixed(3)), dnsmasq: Number(peer.p99Ms.toFixed(3)) },
  });
} finally {
  await dnsmasq.proc?.kill('SIGKILL');
  await shoalServer?.close();
  await runUnchecked('ip', ['netns', 'del', netns]);
  await rm(work, { recursive: true, force: true });
}
