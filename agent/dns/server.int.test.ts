// The embedded DNS server in a real network namespace (root), asked by a real client (dig)
// from inside it: cluster names with every record in changing orders, over UDP and TCP;
// NXDOMAIN; PTR; names forwarded to an upstream the test runs, SERVFAIL once it is gone; and
// 100,000 random and mutated packets sent into the namespace, after which it still answers.

import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { silentLogger } from '../../shared/logger.js';
import { SeededRng, systemRng } from '../../shared/rng.js';
import { RecordTable } from './records.js';
import { DnsServer, Forwarder } from './server.js';

const netns = `shoal-dnstest-${process.pid}`;
let upstream: Socket | undefined;
let upstreamPort = 0;
let server: DnsServer;

async function startUpstream(): Promise<void> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions ?? [],
      answers: question?.name === 'outside.example' ? [{ type: 'A', name: question.name, ttl: 60, data: '192.0.2.7' }] : [],
    });
    s.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  upstreamPort = s.address().port;
  upstream = s;
}

function dig(...args: string[]) {
  return runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', 'dig', '@127.0.0.11', '+time=2', '+tries=1', ...args], { timeoutMs: 20_000 });
}

beforeAll(async () => {
  await run('ip', ['netns', 'add', netns]);
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  await startUpstream();
  const table = new RecordTable();
  table.upsert({ network: 'front', ip: '10.1.0.2', names: ['web-1', 'web', 'tasks.web'] });
  table.upsert({ network: 'front', ip: '10.1.0.3', names: ['web-2', 'web', 'tasks.web'] });
  table.upsert({ network: 'front', ip: '10.1.0.4', names: ['web-3', 'web', 'tasks.web'] });
  table.upsert({ network: 'back', ip: '10.2.0.2', names: ['db'] });
  const forwarder = new Forwarder({ upstreams: [{ ip: '127.0.0.1', port: upstreamPort }], clock: systemClock, rng: systemRng, timeoutMs: 500 });
  server = new DnsServer({ table, rng: new SeededRng(1), domain: 'shoal', ttlSeconds: 5, forwarder, logger: silentLogger(), clock: systemClock });
  await server.serve('c1', `/run/netns/${netns}`, ['front']);
});

afterAll(async () => {
  await runAllCleanups('dns server test', [
    () => server?.close(),
    () => upstream?.close(),
    async () => {
      const r = await runUnchecked('ip', ['netns', 'del', netns]);
      if (r.exitCode !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns del ${netns}: ${r.stderr.trim()}`);
    },
  ]);
});

describe('the embedded DNS server in a network namespace (root, dig)', () => {
  it('answers every record of a name in changing orders, over UDP and TCP, and only for its networks', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await dig('web', '+short');
      expect(r.exitCode, r.stderr).toBe(0);
      const ips = r.stdout.trim().split('\n');
      expect([...ips].sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
      orders.add(ips.join(','));
    }
    expect(orders.size).toBeGreaterThanOrEqual(2);
    expect((await dig('+tcp', 'tasks.web.shoal', '+short')).stdout.trim().split('\n').sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    expect((await dig('db')).stdout).toMatch(/status: NXDOMAIN/);
    expect((await dig('-x', '10.1.0.3', '+short')).stdout.trim()).toBe('web-2.shoal.');
    const ttl = (await dig('web', '+noall', '+answer')).stdout.trim().split('\n')[0]?.split(/\s+/)[1];
    expect(ttl).toBe('5');
  });

  it('forwards other names upstream, and says SERVFAIL when the upstream is gone', async () => {
    expect((await dig('outside.example', '+short')).stdout.trim()).toBe('192.0.2.7');
    upstream?.close();
    upstream = undefined;
    expect((await dig('outside.example')).stdout).toMatch(/status: SERVFAIL/);
    // Its own names still answer.
    expect((await dig('web-1', '+short')).stdout.trim()).toBe('10.1.0.2');
  });

  it('survives 100,000 random and mutated packets sent into the namespace, and still answers', async () => {
    const blaster = `
      const d = require('dgram'); const s = d.createSocket('udp4');
      let seed = 12345; const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      const good = Buffer.from('${dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web' }] }).toString('hex')}', 'hex');
      let sent = 0;
      const burst = () => {
        for (let i = 0; i < 1000 && sent < 100000; i++, sent++) {
          let b;
          if (sent % 2) { b = Buffer.from(good); for (let m = 1 + rnd(4); m > 0; m--) b[rnd(b.length)] = rnd(256); }
          else { b = Buffer.alloc(rnd(80)); for (let j = 0; j < b.length; j++) b[j] = rnd(256); }
          s.send(b, 53, '127.0.0.11');
        }
        if (sent < 100000) setImmediate(burst); else setTimeout(() => { console.log(sent); s.close(); }, 200);
      };
      burst();`;
    const r = await runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', blaster], { timeoutMs: 60_000 });
    expect(r.stdout.trim()).toBe('100000');
    const after = await dig('web', '+short');
    expect(after.stdout.trim().split('\n').sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
  });
});
