// The announcer on real sockets (root): two network namespaces joined by a veth pair, the
// announcer (from dist/, built by `npx tsc -p tsconfig.build.json`) in one, a hostile LAN in the
// other. Datagrams that are not DNS, one larger than any mDNS packet, a DNS packet whose name
// points forward (a loop), and a flood of queries neither stop it nor make it answer more than
// once a second; a legacy querier (not from port 5353) gets its unicast answer; at stop it says
// goodbye. Everything made is removed in afterAll, also when a test fails.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { run, runUnchecked } from '../../shared/exec.js';

const tag = `${process.pid % 100_000}`;
const netns = { m: `shoal-mdns-${tag}-m`, lan: `shoal-mdns-${tag}-l` };
const veth = { m: `smd${tag}m`, lan: `smd${tag}l` };
const ANNOUNCE_JS = new URL('../../dist/manager/daemon/announce.js', import.meta.url).href;
const CLOCK_JS = new URL('../../dist/shared/clock.js', import.meta.url).href;
const LOGGER_JS = new URL('../../dist/shared/logger.js', import.meta.url).href;
const FP = 'c'.repeat(50);

let manager: ChildProcessByStdio<null, Readable, Readable> | undefined;
let managerLog = '';

/** The announcer of 10.253.0.1:4377 inside the manager's namespace, logging at debug on stderr; "started" on stdout. */
const announcerJs = `
const { ManagerAnnouncer } = await import(${JSON.stringify(ANNOUNCE_JS)});
const { systemClock } = await import(${JSON.stringify(CLOCK_JS)});
const { createLogger } = await import(${JSON.stringify(LOGGER_JS)});
const a = new ManagerAnnouncer({ address: '10.253.0.1', port: 4377, fingerprint: () => '${FP}', role: () => 'leader', clock: systemClock, logger: createLogger({ format: 'json', level: 'debug' }) });
await a.start();
process.stdout.write('started\\n');
process.once('SIGTERM', () => a.stop().then(() => process.exit(0)));
`;

/**
 * Runs in the LAN's namespace: sends what it is given to 224.0.0.251:5353 from an ephemeral
 * port (a legacy querier's), then collects for \`waitMs\` what comes back to that port; prints
 * them decoded, as JSON.
 */
const lanJs = (sends: string, waitMs: number) => `
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
const dnsPacket = createRequire(${JSON.stringify(new URL('../../package.json', import.meta.url).pathname)})('dns-packet');
const s = dgram.createSocket('udp4');
await new Promise((r) => s.bind(0, '10.253.0.2', r));
s.setMulticastInterface('10.253.0.2');
const got = [];
s.on('message', (m, rinfo) => { try { const p = dnsPacket.decode(m); got.push({ from: rinfo.address, id: p.id, answers: p.answers.map((a) => [a.type, a.name, a.ttl]), additionals: p.additionals.map((a) => [a.type, a.name]) }); } catch (e) { got.push({ undecodable: String(e) }); } });
const send = (b) => new Promise((r) => s.send(b, 5353, '224.0.0.251', r));
const query = (id) => dnsPacket.encode({ type: 'query', id, questions: [{ name: '_shoal-manager._tcp.local', type: 'PTR' }] });
${sends}
await new Promise((r) => setTimeout(r, ${waitMs}));
s.close();
console.log(JSON.stringify(got));
`;

async function inLan(js: string): Promise<{ from?: string; id?: number; answers?: [string, string, number][]; undecodable?: string }[]> {
  const r = await runUnchecked('nsenter', [`--net=/run/netns/${netns.lan}`, '--', process.execPath, '--input-type=module', '-e', js], { timeoutMs: 30_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Awaited<ReturnType<typeof inLan>>;
}

beforeAll(async () => {
  for (const ns of Object.values(netns)) {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  await run('ip', ['link', 'add', veth.m, 'netns', netns.m, 'type', 'veth', 'peer', 'name', veth.lan, 'netns', netns.lan]);
  await run('ip', ['-n', netns.m, 'addr', 'add', '10.253.0.1/24', 'dev', veth.m]);
  await run('ip', ['-n', netns.lan, 'addr', 'add', '10.253.0.2/24', 'dev', veth.lan]);
  await run('ip', ['-n', netns.m, 'link', 'set', veth.m, 'up']);
  await run('ip', ['-n', netns.lan, 'link', 'set', veth.lan, 'up']);
  const child = spawn('nsenter', [`--net=/run/netns/${netns.m}`, '--', process.execPath, '--input-type=module', '-e', announcerJs], { stdio: ['ignore', 'pipe', 'pipe'] });
  manager = child;
  child.stderr.on('data', (b: Buffer) => (managerLog += b.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('started') && resolve());
    child.once('exit', (code) => reject(new Error(`the announcer exited (${code}): ${managerLog}`)));
  });
});

afterAll(async () => {
  await runAllCleanups('mdns announce test', [
    async () => {
      if (manager === undefined || manager.exitCode !== null) return;
      const exited = new Promise((r) => manager?.once('exit', r));
      manager.kill('SIGKILL');
      await exited;
    },
    ...Object.values(netns).map((ns) => async () => {
      const r = await runUnchecked('ip', ['netns', 'del', ns]); // the veth pair goes with its namespaces
      if (r.exitCode !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns del ${ns}: ${r.stderr.trim()}`);
    }),
  ]);
});

describe('a manager announcing on a real LAN (root, two namespaces)', () => {
  it('survives packets that are not DNS, too large, or malformed, and answers a legacy querier by unicast right after', async () => {
    await new Promise((r) => setTimeout(r, 2_100)); // past the start's two announcements, a second apart: the next answer is due at once
    // A name that points to itself: dns-packet refuses it rather than loop.
    const loop = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1]);
    const got = await inLan(
      lanJs(
        // The large one is a well-formed query for us (about 11 KB): were it not dropped unread, it would take this second's answer.
        `const big = dnsPacket.encode({ type: 'query', id: 9999, questions: [...Array.from({ length: 200 }, (_, i) => ({ name: 'q' + i + '-${'x'.repeat(40)}.local', type: 'A' })), { name: '_shoal-manager._tcp.local', type: 'PTR' }] });
         if (big.length <= 9000) throw new Error('not large enough: ' + big.length);
         await send(Buffer.from('not dns at all')); await send(big); await send(Buffer.from(${JSON.stringify([...loop])})); await send(query(4242));`,
        700,
      ),
    );
    expect(got).toEqual([
      {
        from: '10.253.0.1',
        id: 4242,
        answers: [['PTR', '_shoal-manager._tcp.local', 10]],
        additionals: [
          ['SRV', 'manager-10-253-0-1-4377._shoal-manager._tcp.local'],
          ['TXT', 'manager-10-253-0-1-4377._shoal-manager._tcp.local'],
          ['A', 'shoal-10-253-0-1.local'],
        ],
      },
    ]);
    expect(manager?.exitCode).toBeNull();
    expect(managerLog).toMatch(/multicast DNS packet larger than any mDNS packet; ignored/);
    expect(managerLog).toMatch(/a packet that is not DNS, or a socket warning; ignored/);
  });

  it('answers a flood of queries once a second at most', async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    const got = await inLan(lanJs('for (let i = 0; i < 200; i++) await send(query(i));', 1_500));
    // the first at once, one more when the second has passed (if the flood lasted that long): never 200
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(2);
    expect(got[0]?.id).toBe(0);
    expect(manager?.exitCode).toBeNull();
  });

  it('says goodbye (TTL 0) when it stops', async () => {
    const child = manager;
    if (child === undefined) throw new Error('no announcer');
    // Listen on 5353 in the LAN (as a querier's cache does) while the announcer stops.
    const listener = spawn(
      'nsenter',
      [
        `--net=/run/netns/${netns.lan}`,
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        `import dgram from 'node:dgram';
         const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
         s.bind(5353, '0.0.0.0', () => { s.addMembership('224.0.0.251', '10.253.0.2'); console.log('listening'); });
         s.on('message', (m) => { console.log(m.toString('hex')); });
         setTimeout(() => process.exit(0), 5000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    try {
      await new Promise<void>((resolve) => listener.stdout.on('data', (b: Buffer) => ((out += b.toString()), out.includes('listening') && resolve())));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      listener.kill('SIGKILL');
    }
    const { default: dnsPacket } = await import('dns-packet');
    const packets = out.split('\n').filter((l) => /^[0-9a-f]+$/.test(l)).map((hex) => dnsPacket.decode(Buffer.from(hex, 'hex')));
    const bye = packets.find((p) => p.type === 'response');
    expect(bye?.answers?.map((a) => [a.type, a.name, (a as { ttl?: number }).ttl])).toEqual([['PTR', '_shoal-manager._tcp.local', 0]]);
  });
});
