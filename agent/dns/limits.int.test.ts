// The embedded DNS server's limits per container (root): two containers' network namespaces
// served by one server, real clients inside them. One container that holds all the TCP
// connections it may, or fills its quota of forwarded queries against an upstream that never
// answers, is refused beyond it (closed at once, SERVFAIL at once) while the other container's
// lookups are answered; a TCP client that dribbles bytes is cut off at the idle timeout while
// one sending whole queries stays; each limit hit is logged, once per interval.

import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { PassThrough, type Readable } from 'node:stream';
import dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { createLogger } from '../../shared/logger.js';
import { systemRng } from '../../shared/rng.js';
import { RecordTable } from './records.js';
import { DNS_LIMITS, DnsServer, Forwarder, type DnsLimits } from './server.js';

const netns = { a: `shoal-dnslim-${process.pid}-a`, b: `shoal-dnslim-${process.pid}-b` };
let upstream: Socket | undefined;
let server: DnsServer | undefined;
let logLines: Record<string, unknown>[] = [];

/** An upstream that answers outside.example at once and never answers slow.example. */
async function startUpstream(): Promise<number> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name;
    if (name === 'slow.example') return;
    const answers = name === 'outside.example' ? [{ type: 'A' as const, name, ttl: 60, data: '192.0.2.7' }] : [];
    s.send(dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions ?? [], answers }), from.port, from.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  upstream = s;
  return s.address().port;
}
let upstreamPort = 0;

async function startServer(limits: Partial<DnsLimits> = {}): Promise<void> {
  const stream = new PassThrough();
  logLines = [];
  stream.on('data', (b: Buffer) => logLines.push(...b.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
  const table = new RecordTable();
  table.upsert({ network: 'front', ip: '10.1.0.2', names: ['web'] });
  // Forwarded queries stay in flight far longer than any test waits.
  const forwarder = new Forwarder({ upstreams: [{ ip: '127.0.0.1', port: upstreamPort }], clock: systemClock, rng: systemRng, timeoutMs: 30_000 });
  server = new DnsServer({ table, rng: systemRng, domain: 'shoal', ttlSeconds: 5, forwarder, logger: createLogger({ format: 'json', destination: stream }), clock: systemClock, limits });
  await server.serve('a', `/run/netns/${netns.a}`, ['front']);
  await server.serve('b', `/run/netns/${netns.b}`, ['front']);
}

function limitLines(limit: keyof DnsLimits): Record<string, unknown>[] {
  return logLines.filter((l) => l['limit'] === limit);
}

function dig(ns: string, ...args: string[]) {
  return runUnchecked('nsenter', [`--net=/run/netns/${ns}`, '--', 'dig', '@127.0.0.11', '+time=2', '+tries=1', ...args], { timeoutMs: 20_000 });
}

/** Runs a Node script in a namespace to its end; its stdout's last line as JSON. */
async function script(ns: string, js: string): Promise<Record<string, unknown>> {
  const r = await runUnchecked('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, '-e', js], { timeoutMs: 30_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

const query = (name: string, id = 0): Buffer => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
const overTcp = (q: Buffer): Buffer => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);

beforeAll(async () => {
  for (const ns of Object.values(netns)) {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  upstreamPort = await startUpstream();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await runAllCleanups('dns limits test', [
    () => server?.close(),
    () => upstream?.close(),
    ...Object.values(netns).map((ns) => async () => {
      const r = await runUnchecked('ip', ['netns', 'del', ns]);
      if (r.exitCode !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns del ${ns}: ${r.stderr.trim()}`);
    }),
  ]);
});

describe('the embedded DNS server’s limits per container (root, real sockets in namespaces)', () => {
  it('closes TCP connections of a container past its quota at once, and still answers the other over TCP', async () => {
    await startServer();
    const quota = DNS_LIMITS.tcpConnectionsPerContainerMax;
    // Container a holds its whole quota, then tries 4 more (each sending a query), then asks on a held one.
    const hog = `
      const net = require('net'); const q = Buffer.from('${overTcp(query('web')).toString('hex')}', 'hex');
      const held = []; let refused = 0, extras = 0;
      for (let i = 0; i < ${quota}; i++) {
        const c = net.connect(53, '127.0.0.11'); c.on('error', () => {});
        c.on('connect', () => { held.push(c); if (held.length === ${quota}) more(); });
      }
      function more() {
        for (let i = 0; i < 4; i++) {
          const c = net.connect(53, '127.0.0.11'); let got = 0;
          c.on('error', () => {}); c.on('connect', () => c.write(q)); c.on('data', (d) => (got += d.length));
          c.on('close', () => { if (got === 0) refused++; if (++extras === 4) ask(); });
        }
      }
      function ask() { held[0].once('data', () => console.log(JSON.stringify({ held: held.length, refused, answeredOnHeld: true }))); held[0].write(q); }
      process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
      setTimeout(() => { console.log(JSON.stringify({ gaveUp: true, held: held.length, refused })); process.exit(3); }, 20000);`;
    const child = spawn('nsenter', [`--net=/run/netns/${netns.a}`, '--', process.execPath, '-e', hog], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        (child.stdout as Readable).once('data', (b: Buffer) => resolve(b.toString().trim()));
        child.once('exit', (code) => reject(new Error(`hog exited ${code}`)));
      });
      expect(JSON.parse(line)).toEqual({ held: quota, refused: 4, answeredOnHeld: true });
      // Container b, meanwhile: TCP answers as ever.
      expect((await dig(netns.b, '+tcp', '+short', 'web')).stdout.trim()).toBe('10.1.0.2');
    } finally {
      child.stdin?.end();
      await exited;
    }
    // Four refusals, one line; it names the limit, its value and the container.
    expect(limitLines('tcpConnectionsPerContainerMax')).toEqual([expect.objectContaining({ level: 40, container: 'a', value: quota })]);
    // Its connections gone, a gets TCP again (the server sees them close shortly after the client does).
    let answered = '';
    for (let i = 0; i < 20 && answered !== '10.1.0.2'; i++) answered = (await dig(netns.a, '+tcp', '+short', 'web')).stdout.trim();
    expect(answered).toBe('10.1.0.2');
  });

  it('answers SERVFAIL at once past a container’s quota of forwarded queries, and past the global one, while others’ are answered', async () => {
    const perContainer = DNS_LIMITS.forwardedInFlightPerContainerMax;
    const global = perContainer + 36;
    await startServer({ forwardedInFlightMax: global });
    // N queries upstream never answers, then M more: what comes back (before any upstream timeout) by id.
    const flood = (n: number, m: number) => `
      const s = require('dgram').createSocket('udp4'); const t = Buffer.from('${query('slow.example').toString('hex')}', 'hex');
      const got = {}; let extra = 0;
      const send = (id) => { const b = Buffer.from(t); b.writeUInt16BE(id, 0); s.send(b, 53, '127.0.0.11'); };
      s.on('message', (m) => { const id = m.readUInt16BE(0); got[id] = m[3] & 0xf; if (id >= 1000 && ++extra === ${m}) { console.log(JSON.stringify(got)); process.exit(0); } });
      s.bind(0, () => { for (let i = 1; i <= ${n}; i++) send(i); for (let i = 0; i < ${m}; i++) send(1000 + i); });
      setTimeout(() => { console.log(JSON.stringify(got)); process.exit(0); }, 10000);`;
    const servfail = (ids: number[]) => Object.fromEntries(ids.map((id) => [String(id), 2]));
    const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

    // a fills its quota: only the 10 past it come back, as SERVFAIL.
    expect(await script(netns.a, flood(perContainer, 10))).toEqual(servfail(range(1000, 10)));
    // b's lookups, cluster names and forwarded, are answered; so are a's cluster names.
    expect((await dig(netns.b, '+short', 'outside.example')).stdout.trim()).toBe('192.0.2.7');
    expect((await dig(netns.a, '+short', 'web')).stdout.trim()).toBe('10.1.0.2');
    expect((await dig(netns.a, 'outside.example')).stdout).toMatch(/status: SERVFAIL/);
    // b takes what is left of the global quota; past it, SERVFAIL for b too.
    expect(await script(netns.b, flood(global - perContainer, 5))).toEqual(servfail(range(1000, 5)));
    expect(limitLines('forwardedInFlightPerContainerMax')).toEqual([expect.objectContaining({ level: 40, container: 'a', value: perContainer })]);
    expect(limitLines('forwardedInFlightMax')).toEqual([expect.objectContaining({ level: 40, container: 'b', value: global })]);
  });

  it('closes a TCP connection that dribbles bytes at the idle timeout, and keeps one that sends whole queries', async () => {
    const idleMs = 600;
    await startServer({ tcpIdleTimeoutMs: idleMs });
    const q = overTcp(query('web'));
    const js = `
      const net = require('net'); const q = Buffer.from('${q.toString('hex')}', 'hex'); const r = {}; const t0 = Date.now();
      const done = () => { if (r.dribbleClosedAfterMs !== undefined && r.wholeAnswers === 8) { console.log(JSON.stringify(r)); process.exit(0); } };
      // One byte every 100 ms, never the last one: never a whole query.
      const a = net.connect(53, '127.0.0.11'); let sent = 0, iv;
      a.on('connect', () => { iv = setInterval(() => { if (sent < q.length - 1) a.write(q.subarray(sent, ++sent)); }, 100); });
      a.on('close', () => { clearInterval(iv); r.dribbleClosedAfterMs = Date.now() - t0; r.dribbleBytes = sent; done(); });
      a.on('error', () => {});
      // A whole query every 250 ms, 8 of them: 1.75 s, well past the idle timeout.
      const b = net.connect(53, '127.0.0.11'); let buf = Buffer.alloc(0), asked = 0; r.wholeAnswers = 0;
      b.on('connect', () => { const tick = () => { b.write(q); if (++asked < 8) setTimeout(tick, 250); }; tick(); });
      b.on('data', (d) => { buf = Buffer.concat([buf, d]); while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { buf = buf.subarray(2 + buf.readUInt16BE(0)); r.wholeAnswers++; } r.wholeOpen = !b.destroyed; done(); });
      b.on('close', () => { r.wholeClosed = true; });
      b.on('error', () => {});
      setTimeout(() => { console.log(JSON.stringify(r)); process.exit(0); }, 8000);`;
    const r = await script(netns.a, js);
    expect(r).toMatchObject({ wholeAnswers: 8, wholeOpen: true });
    expect(r['wholeClosed']).toBeUndefined();
    expect(r['dribbleBytes']).toBeLessThan(q.length);
    // Cut off about the idle timeout after it connected (the old timeout, restarted by each byte, never would).
    expect(r['dribbleClosedAfterMs']).toBeGreaterThanOrEqual(idleMs - 100);
    expect(r['dribbleClosedAfterMs']).toBeLessThan(idleMs + 2_000);
    expect(limitLines('tcpIdleTimeoutMs')).toEqual([expect.objectContaining({ level: 30, container: 'a', value: idleMs })]);
  });
});
