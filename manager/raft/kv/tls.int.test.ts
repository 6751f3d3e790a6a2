// `shoal raft-kv --tls-dir DIR` (real processes): members and clients talk mutual TLS under the
// folder's CA, and a client without a certificate is refused. Without --tls-dir a member talks
// plaintext, so it refuses to listen (or to reach members) anywhere but loopback: one line, exit 2
// (a command line refused).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../../proto/load.js';
import type { KeyValueClient } from '../../../proto/gen/shoal/raft/v1/KeyValue.js';
import { systemClock } from '../../../shared/clock.js';
import { callUnary, clientCredentials } from '../../../shared/grpc.js';
import { freeLoopbackPort } from '../../../shared/net.js';
import { testCa } from '../../../shared/test-pki.js';
import { startRaftKv, type RaftKvProcess } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scratch(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `shoal-kv-${tag}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `shoal raft-kv ARGS`; resolves its exit code and stderr when it exits; killed after the test. */
function raftKv(args: string[]): RaftKvProcess {
  return startRaftKv(args, cleanups);
}

const KV = loadProto('raft').shoal.raft.v1.KeyValue;
function kvClient(port: number, creds: ChannelCredentials): KeyValueClient {
  const c = new KV(`127.0.0.1:${port}`, creds);
  cleanups.push(async () => c.close());
  return c;
}

describe('shoal raft-kv refuses to start, in one line', () => {
  it('without --tls-dir: anywhere but loopback, and starts nothing', async () => {
    const dir = await scratch('plain');
    const port = await freeLoopbackPort();
    const refused = await raftKv(['--id', '1', '--listen', `0.0.0.0:${port}`, '--data-dir', join(dir, 'kv'), '--members', `1=127.0.0.1:${port}`]).exited;
    expect(refused.code).toBe(2); // a command line refused: EXIT_USAGE
    expect(refused.stderr).toBe(
      `shoal: --listen 0.0.0.0:${port}: not a loopback address; without --tls-dir a member talks plaintext, so it listens and connects on loopback only (127.0.0.1, ::1, localhost)\n`,
    );
    expect(existsSync(join(dir, 'kv'))).toBe(false);

    const remoteMember = await raftKv(['--id', '1', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'kv'), '--members', `1=127.0.0.1:${port},2=192.0.2.7:7002`]).exited;
    expect(remoteMember.code).toBe(2);
    expect(remoteMember.stderr).toMatch(/^shoal: --members: member 2 at 192\.0\.2\.7:7002 is not on loopback; without --tls-dir .*\n$/);
    expect(existsSync(join(dir, 'kv'))).toBe(false);
  });

  it('refuses a --tls-dir that lacks a file or holds a certificate its CA did not sign, naming it', async () => {
    const dir = await scratch('tls-missing');
    await mkdir(join(dir, 'tls'));
    await writeFile(join(dir, 'tls', 'ca.pem'), 'x');
    const port = await freeLoopbackPort();
    const { code, stderr } = await raftKv(['--id', '1', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'kv'), '--members', `1=127.0.0.1:${port}`, '--tls-dir', join(dir, 'tls')]).exited;
    expect(code).toBe(2);
    expect(stderr).toBe(`shoal: --tls-dir ${join(dir, 'tls')}: cannot read cert.pem (ENOENT)\n`);

    // A certificate that the folder's CA did not sign.
    const [ours, theirs] = [await testCa(dir, 'ours'), await testCa(dir, 'theirs')];
    const stranger = await theirs.issue('stranger');
    await Promise.all([writeFile(join(dir, 'tls', 'ca.pem'), ours.caPem), writeFile(join(dir, 'tls', 'cert.pem'), stranger.certPem), writeFile(join(dir, 'tls', 'key.pem'), stranger.keyPem)]);
    const unsigned = await raftKv(['--id', '1', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'kv'), '--members', `1=127.0.0.1:${port}`, '--tls-dir', join(dir, 'tls')]).exited;
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toBe(`shoal: --tls-dir ${join(dir, 'tls')}: cert.pem is not signed by ca.pem\n`);
    expect(existsSync(join(dir, 'kv'))).toBe(false);
  });
});

describe('shoal raft-kv --tls-dir', () => {
  it('3 members over mutual TLS (one listening on every address): a client with a certificate writes and reads; clients without one are refused', async () => {
    const dir = await scratch('tls');
    const ca = await testCa(dir);
    const ports = await Promise.all([1, 2, 3].map(() => freeLoopbackPort()));
    const members = ports.map((p, i) => `${i + 1}=127.0.0.1:${p}`).join(',');
    const procs: ReturnType<typeof raftKv>[] = [];
    for (const id of [1, 2, 3]) {
      const tlsDir = join(dir, `tls-${id}`);
      await mkdir(tlsDir);
      const m = await ca.issue(`member-${id}`);
      await Promise.all([writeFile(join(tlsDir, 'ca.pem'), m.caPem), writeFile(join(tlsDir, 'cert.pem'), m.certPem), writeFile(join(tlsDir, 'key.pem'), m.keyPem)]);
      // With TLS a member may listen beyond loopback; member 1 takes every address.
      const listenOn = `${id === 1 ? '0.0.0.0' : '127.0.0.1'}:${ports[id - 1]}`;
      procs.push(raftKv(['--id', String(id), '--listen', listenOn, '--data-dir', join(dir, `kv-${id}`), '--members', members, '--tls-dir', tlsDir]));
    }
    const operator = clientCredentials(await ca.issue('operator'));
    const clients = ports.map((p) => kvClient(p, operator));

    // Until every member names the same leader: they elect one only by talking TLS to each other.
    let leaders: number[] = [];
    for (let i = 0; i < 200; i++) {
      leaders = await Promise.all(clients.map((c) => callUnary(c.Status.bind(c), {}, 1000).then((s) => Number(s.leaderId), () => 0)));
      if (leaders[0] !== 0 && leaders.every((l) => l === leaders[0])) break;
      await systemClock.sleep(50);
    }
    const leaderId = leaders[0] as number;
    expect(leaders.every((l) => l === leaderId && l !== 0), `leaders seen ${leaders.join(',')}; member stderr: ${procs.map((p) => p.stderr()).join(' | ')}`).toBe(true);
    // A member's streams to the others may still be connecting (member 3 started last), and a
    // write or read forwarded on a stream that breaks is lost, not sent again (Raft's driver
    // leaves that to the client): so the client tries up to three times, as a client would.
    const stderrOf = (): string => procs.map((p) => p.stderr()).join(' | ');
    const withRetries = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      let last: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          return await call();
        } catch (err) {
          last = err;
        }
      }
      throw new Error(`${what}: ${String(last)}; members: ${stderrOf()}`);
    };
    const follower = clients[leaderId === 1 ? 1 : 0] as KeyValueClient;
    await withRetries('put through a follower', () => callUnary(follower.Put.bind(follower), { key: 'k', value: Buffer.from('over tls') }, 5000));
    for (const c of clients) {
      const got = await withRetries('read', () => callUnary(c.Get.bind(c), { key: 'k', stale: false }, 5000));
      expect(got.value.toString()).toBe('over tls');
    }

    const plain = kvClient(ports[0] as number, credentials.createInsecure());
    await expect(callUnary(plain.Put.bind(plain), { key: 'plain', value: Buffer.from('x') }, 2000)).rejects.toMatchObject({ kind: 'unavailable' });
    // TLS that trusts the CA but presents no certificate of its own: mutual TLS refuses it.
    const anonymous = kvClient(ports[0] as number, credentials.createSsl(ca.caPem));
    await expect(callUnary(anonymous.Put.bind(anonymous), { key: 'anonymous', value: Buffer.from('x') }, 2000)).rejects.toMatchObject({ kind: 'unavailable' });
    for (const c of clients) {
      expect((await withRetries('read', () => callUnary(c.Get.bind(c), { key: 'plain', stale: false }, 5000))).found).toBe(false);
      expect((await withRetries('read', () => callUnary(c.Get.bind(c), { key: 'anonymous', stale: false }, 5000))).found).toBe(false);
    }
    for (const p of procs) expect(p.proc.exitCode).toBeNull();
  }, 60_000);
});
