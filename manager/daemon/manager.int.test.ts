// `shoal manager init` and `shoal manager` as real processes on loopback, and the CLI against
// them over mutual TLS: the cluster, its one node, who may call what, a restart that resumes,
// and the refusals of bad input.

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import { systemClock } from '../../shared/clock.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { callUnary, clientCredentials } from '../../shared/grpc.js';
import { readTlsDir } from '../../shared/tls-dir.js';
import { MANAGER_SERVER_NAME } from '../../shared/manager-hosts.js';
import { freeLoopbackPort } from '../../shared/net.js';
import { caFingerprint } from '../../shared/ca-fingerprint.js';
import { issueWithNewKey } from '../ca/issue.js';
import { loadRootCa } from '../ca/root-ca.js';
import { testRootCa } from '../ca/testing.js';
import { managerProcesses, waitFor, type Proc } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('manager test', cleanups.splice(0)));
const { shoal, cli, scratch } = managerProcesses(cleanups);

describe('shoal manager (real processes on loopback)', () => {
  it('init creates a cluster with one manager node; the CLI reads it over mutual TLS; a restart resumes it', async () => {
    const dir = await scratch();
    const port = await freeLoopbackPort();
    const dataDir = join(dir, 'm1');
    const addr = `127.0.0.1:${port}`;
    const init = shoal(['manager', 'init', '--data-dir', dataDir, '--advertise-addr', addr, '--hostname', 'mgr-one']);
    await waitFor('the join commands', () => init.stdout().includes('SHOAL_TLS_DIR='), init);
    expect(init.stdout()).toContain(`shoal manager join --advertise-addr <its IP> --token SHOAL-1-`);
    expect(init.stdout()).toContain(`export SHOAL_HOST=${addr} SHOAL_TLS_DIR=${join(dataDir, 'admin')}`);

    // The data dir is the manager's alone.
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'ca', 'ca-key.pem'))).mode & 0o777).toBe(0o600);

    const flags = ['--host', addr, '--tls-dir', join(dataDir, 'admin')];
    const ls = await cli(['--format', 'json', 'node', 'ls', ...flags]);
    expect(ls.stderr).toBe('');
    const nodes = JSON.parse(ls.stdout) as { id: string; hostname: string; role: string; status: string; availability: string; managerStatus: string }[];
    expect(nodes.map((n) => [n.hostname, n.role, n.status, n.availability, n.managerStatus])).toEqual([['mgr-one', 'manager', 'ready', 'active', 'leader']]);
    const table = await cli(['node', 'ls', ...flags]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS$/);
    expect(table.stdout).toMatch(/mgr-one +Ready +Active +Leader/);

    const caPem = await readFile(join(dataDir, 'ca', 'ca.pem'), 'utf8');
    const cluster = JSON.parse((await cli(['--format', 'json', 'cluster', 'inspect', ...flags])).stdout) as { id: string; joinTokens: { worker: string; manager: string } };
    for (const token of [cluster.joinTokens.worker, cluster.joinTokens.manager]) expect(token).toMatch(new RegExp(`^SHOAL-1-${caFingerprint(caPem)}-[0-9a-z]{25}$`));
    expect(cluster.joinTokens.worker).not.toBe(cluster.joinTokens.manager);

    // Through a list whose first manager is down, the next one answers.
    const deadPort = await freeLoopbackPort();
    const failover = await cli(['--format', 'json', 'node', 'inspect', 'mgr-one', '--host', `127.0.0.1:${deadPort},${addr}`, '--tls-dir', join(dataDir, 'admin')]);
    expect(JSON.parse(failover.stdout)).toMatchObject({ id: nodes[0]?.id, hostname: 'mgr-one' });

    // A second manager on the same data dir is refused.
    const second = await cli(['manager', '--data-dir', dataDir]);
    expect(second.stderr).toBe(`shoal: the Raft data dir ${dataDir}/raft is in use by another process (a manager running on it?)\n`);

    // A stop and a start of `shoal manager` (as its unit does): the same cluster, still one node.
    init.kill('SIGTERM');
    expect(await init.exited).toBe(0);
    const again = shoal(['manager', '--data-dir', dataDir, '--hostname', 'mgr-one']);
    const relisted = await (async () => {
      for (let i = 0; i < 200; i++) {
        const r = await cli(['--format', 'json', 'node', 'ls', ...flags]);
        if (r.code === 0) return JSON.parse(r.stdout) as typeof nodes;
        await systemClock.sleep(50);
      }
      throw new Error(`the restarted manager did not answer:\n${again.stderr()}`);
    })();
    expect(relisted).toEqual(nodes);
    expect(JSON.parse((await cli(['--format', 'json', 'cluster', 'inspect', ...flags])).stdout)).toMatchObject({ id: cluster.id, joinTokens: cluster.joinTokens });
    again.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    // init --exit on the same data dir: resumes, prints the join commands and exits (for a unit to run it).
    const exited = await cli(['manager', 'init', '--exit', '--data-dir', dataDir, '--advertise-addr', '127.0.0.9']);
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain(`Resuming the cluster ${cluster.id}`);
    expect(exited.stdout).toContain(`export SHOAL_HOST=${addr} `);

    // init on the same data dir resumes (its flags are not used).
    const resumed = shoal(['manager', 'init', '--data-dir', dataDir, '--advertise-addr', '127.0.0.9']);
    await waitFor('the join commands', () => resumed.stdout().includes('SHOAL_TLS_DIR='), resumed);
    expect(resumed.stdout()).toContain(`Resuming the cluster ${cluster.id}`);
    expect(resumed.stdout()).toContain(`export SHOAL_HOST=${addr} `);
  }, 60_000);

  it('lets only admins and managers call the Control API and only managers speak Raft; refuses other CAs', async () => {
    const dir = await scratch();
    const port = await freeLoopbackPort();
    const dataDir = join(dir, 'm1');
    const addr = `127.0.0.1:${port}`;
    const m = shoal(['manager', 'init', '--data-dir', dataDir, '--advertise-addr', addr]);
    await waitFor('the join commands', () => m.stdout().includes('SHOAL_TLS_DIR='), m);
    const identity = JSON.parse(await readFile(join(dataDir, 'manager.json'), 'utf8')) as { clusterId: string; raftClusterId: number };
    const ca = await loadRootCa(await readFile(join(dataDir, 'ca', 'ca.pem')), await readFile(join(dataDir, 'ca', 'ca-key.pem')));
    const cert = (role: 'worker' | 'admin' | 'manager') => issueWithNewKey(ca, { nodeId: `${role}-x`, role, clusterId: identity.clusterId, ips: [], nowMs: systemClock.wallMs() });
    const creds = async (c: { certPem: string; keyPem: string }, caPem = ca.certPem) => credentials.createSsl(Buffer.from(caPem), Buffer.from(c.keyPem), Buffer.from(c.certPem));
    const options = { 'grpc.ssl_target_name_override': MANAGER_SERVER_NAME, 'grpc.default_authority': MANAGER_SERVER_NAME };
    const Control = loadProto('control').shoal.control.v1.Control;
    const control = async (c: ReturnType<typeof credentials.createSsl>) => {
      const client = new Control(addr, c, options);
      cleanups.push(() => client.close());
      return callUnary(client.ListNodes.bind(client), {}, 5000).then(
        () => 'ok',
        (err: Error & { code?: string }) => `${err.code}: ${err.message}`,
      );
    };

    expect(await control(await creds(await cert('admin')))).toBe('ok');
    expect(await control(await creds(await cert('manager')))).toBe('ok');
    expect(await control(await creds(await cert('worker')))).toBe('ca.peer_role_denied: certificate of worker node worker-x: the Control API takes admin or manager');
    // A certificate of another CA (same cluster id, even): the handshake lets it through (a
    // joiner has no certificate yet), but no call is served without a verified one.
    const other = await testRootCa(identity.clusterId, systemClock.wallMs());
    const stranger = await issueWithNewKey(other.ca, { nodeId: 'admin-y', role: 'admin', clusterId: identity.clusterId, ips: [], nowMs: systemClock.wallMs() });
    expect(await control(await creds(stranger))).toMatch(/^grpc\.no_peer_certificate: the call came without a verified client certificate/);
    expect(await control(credentials.createSsl(Buffer.from(ca.certPem)))).toMatch(/^grpc\.no_peer_certificate: /);
    // Plaintext: no handshake at all.
    expect(await control(credentials.createInsecure())).toMatch(/^grpc\.unavailable: /);

    // Raft takes managers only: a worker's or an admin's stream is refused before any message.
    const Raft = loadProto('raft').shoal.raft.v1.RaftTransport;
    const raftCall = async (c: { certPem: string; keyPem: string }, from: string) => {
      const client = new Raft(addr, await creds(c), options);
      cleanups.push(() => client.close());
      return new Promise<string>((resolve) => {
        const md = new Metadata();
        md.set('shoal-raft-from', from);
        const call = client.Stream(md, (err: { code?: number; details?: string } | null) => resolve(err?.details ?? 'ok'));
        call.end();
      });
    };
    for (const role of ['worker', 'admin'] as const) {
      expect(await raftCall(await cert(role), '7')).toBe(`certificate of ${role === 'admin' ? 'admin' : 'worker node'} ${role}-x: Raft takes manager`);
    }
    // A manager speaks for itself only: the sender it names must be the member its certificate names.
    const member7 = await issueWithNewKey(ca, { nodeId: 'manager-z', role: 'manager', clusterId: identity.clusterId, ips: [], raftId: 7, nowMs: systemClock.wallMs() });
    expect(await raftCall(member7, '8')).toBe('Raft messages from member 8 sent by manager manager-z, which is member 7');
    expect(await raftCall(await cert('manager'), '7')).toBe('Raft messages from member 7 sent by manager manager-x, which is member none');
    expect(m.stderr()).not.toContain('"level":50');
  }, 60_000);

  it('refuses bad input in one line and writes nothing', async () => {
    const dir = await scratch();
    const dataDir = join(dir, 'm1');
    for (const [addr, shown] of [['nope', '"nope"'], ['10.0.0.1:99999', '"10.0.0.1:99999"'], ['host:80', '"host:80"']]) {
      const r = await cli(['manager', 'init', '--data-dir', dataDir, '--advertise-addr', addr as string]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`shoal: --advertise-addr ${shown}: not an IP address with an optional :PORT (1-65535)\n`);
    }
    expect(existsSync(dataDir)).toBe(false);
    const none = await cli(['manager', '--data-dir', dataDir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`shoal: --data-dir ${dataDir}: no cluster here; run shoal manager init (or join) first\n`);
    const noTls = await cli(['node', 'ls', '--host', '127.0.0.1']);
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toMatch(/^shoal: --tls-dir \(or SHOAL_TLS_DIR\): needed; managers take only mutual TLS/);
  }, 30_000);
});

describe('shoal manager join (real processes on loopback)', () => {
  it('grows to 3 managers (one joining through a follower, which names the leader), and refuses bad joins in one line, changing nothing', async () => {
    const dir = await scratch();
    const ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const addr = ports.map((p) => `127.0.0.1:${p}`);
    const m1 = shoal(['manager', 'init', '--data-dir', join(dir, 'm1'), '--advertise-addr', addr[0] as string, '--hostname', 'm1']);
    await waitFor('the join commands', () => m1.stdout().includes('SHOAL_TLS_DIR='), m1);
    const flags = ['--host', addr.slice(0, 3).join(','), '--tls-dir', join(dir, 'm1', 'admin')];
    const cluster = JSON.parse((await cli(['--format', 'json', 'cluster', 'inspect', ...flags])).stdout) as { joinTokens: { worker: string; manager: string } };

    const m2 = shoal(['manager', 'join', '--data-dir', join(dir, 'm2'), '--advertise-addr', addr[1] as string, '--hostname', 'm2', '--token', cluster.joinTokens.manager, addr[0] as string]);
    await waitFor('m2 to be a voter', () => m2.stdout().includes('as a manager.'), m2);
    // Through m2, a follower: it names the leader and the joiner asks it.
    const m3 = shoal(['manager', 'join', '--data-dir', join(dir, 'm3'), '--advertise-addr', addr[2] as string, '--hostname', 'm3', '--token', cluster.joinTokens.manager, addr[1] as string]);
    await waitFor('m3 to be a voter', () => m3.stdout().includes('as a manager.'), m3);
    const listed = async () => (JSON.parse((await cli(['--format', 'json', 'node', 'ls', ...flags])).stdout) as { hostname: string; role: string; managerStatus: string }[]).map((n) => [n.hostname, n.role, n.managerStatus]).sort();
    expect(await listed()).toEqual([['m1', 'manager', 'leader'], ['m2', 'manager', 'reachable'], ['m3', 'manager', 'reachable']]);
    for (const p of [m2, m3]) expect(p.stderr()).not.toContain('"level":50');

    // Refused joins: one line, no data dir, the cluster as it was.
    const tryJoin = (token: string, via: string) => cli(['manager', 'join', '--data-dir', join(dir, 'm4'), '--advertise-addr', addr[3] as string, '--token', token, via]);
    const secretAt = cluster.joinTokens.manager.length - 25;
    const wrongSecret = `${cluster.joinTokens.manager.slice(0, secretAt)}${'0'.repeat(25)}`;
    const otherCa = `SHOAL-1-${'0'.repeat(50)}-${cluster.joinTokens.manager.slice(secretAt)}`;
    const deadPort = await freeLoopbackPort();
    const refusals = [
      [await tryJoin(cluster.joinTokens.worker, addr[0] as string), /^shoal: this is the worker token: a manager joins with the manager token/],
      [await tryJoin(wrongSecret, addr[1] as string), /^shoal: join refused: the token is not a current join token of this cluster/],
      [await tryJoin(otherCa, addr[0] as string), /^shoal: the manager at 127\.0\.0\.1:\d+ serves the CA sha256:[0-9a-f]{64}, not the one the token names/],
      [await tryJoin(cluster.joinTokens.manager, `127.0.0.1:${deadPort}`), /^shoal: cannot reach a manager at 127\.0\.0\.1:\d+ /],
      [await tryJoin('SWMTKN-1-abc-def', addr[0] as string), /^shoal: join token: .*Docker swarm token/],
    ] as const;
    for (const [r, message] of refusals) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').filter((l) => !l.includes('DEP0123') && !l.includes('trace-deprecation'))).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'm4'))).toBe(false);
    expect(await listed()).toHaveLength(3);
  }, 90_000);
});

describe('the Control API on 3 managers (real processes on loopback)', () => {
  it('writes through any manager, survives the leader being killed, and demotes safely', async () => {
    const dir = await scratch();
    const ports = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const addr = ports.map((p) => `127.0.0.1:${p}`);
    const dataDir = (i: number) => join(dir, `m${i + 1}`);
    const procs: Proc[] = [];
    procs[0] = shoal(['manager', 'init', '--data-dir', dataDir(0), '--advertise-addr', addr[0] as string, '--hostname', 'm1']);
    await waitFor('the join commands', () => (procs[0] as Proc).stdout().includes('SHOAL_TLS_DIR='), procs[0] as Proc);
    const tlsDir = ['--tls-dir', join(dataDir(0), 'admin')];
    const via = (...i: number[]) => ['--host', i.map((k) => addr[k]).join(','), ...tlsDir];
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await cli(['--format', 'json', ...args]);
      if (r.code !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    };
    const token = (await json<{ joinTokens: { manager: string } }>(['cluster', 'inspect', ...via(0)])).joinTokens.manager;
    for (const i of [1, 2]) {
      procs[i] = shoal(['manager', 'join', '--data-dir', dataDir(i), '--advertise-addr', addr[i] as string, '--hostname', `m${i + 1}`, '--token', token, addr[0] as string]);
      await waitFor(`m${i + 1} to be a voter`, () => (procs[i] as Proc).stdout().includes('as a manager.'), procs[i] as Proc);
    }
    type N = { hostname: string; role: string; managerStatus: string; availability: string; labels: Record<string, string>; version: number };
    const statuses = async (...i: number[]) => Object.fromEntries((await json<N[]>(['node', 'ls', ...via(...i)])).map((n) => [n.hostname, n.role === 'manager' ? n.managerStatus : n.role]));
    const eventually = async (what: string, ok: () => Promise<boolean>) => {
      for (let k = 0; k < 300; k++) if (await ok().catch(() => false)) return;
      throw new Error(`${what} did not happen`);
    };

    // A write through a follower (sent on to the leader), read back through another manager.
    const m1 = await json<N>(['node', 'update', 'm1', '--availability', 'drain', '--label-add', 'zone=a', '--label-add', 'disk=ssd', ...via(2)]);
    expect(m1).toMatchObject({ availability: 'drain', labels: { zone: 'a', disk: 'ssd' } });
    expect(await json<N>(['node', 'inspect', 'm1', ...via(1)])).toMatchObject({ availability: 'drain', labels: { zone: 'a', disk: 'ssd' }, version: m1.version });
    await json<N>(['node', 'update', 'm1', '--label-rm', 'disk', '--availability', 'active', ...via(1)]);
    // Bad input: one line, nothing changed.
    const before = await json<N>(['node', 'inspect', 'm1', ...via(0)]);
    for (const [args, message] of [
      [['node', 'update', 'm1', '--label-add', 'novalue'], '--label-add "novalue": must be KEY=VALUE'],
      [['node', 'update', 'm1', '--label-rm', 'nope'], '--label-rm nope: node m1 has no such label'],
      [['node', 'update', 'm1', '--availability', 'sleepy'], '--availability: "sleepy" is not one of active, pause, drain'],
      [['node', 'update', 'nosuch', '--availability', 'pause'], 'node nosuch: no such node'],
      [['cluster', 'update', '--heartbeat-period', '10ms'], 'heartbeat period 10 ms: must be from 100 ms to 60000 ms'],
    ] as const) {
      const r = await cli([...args, ...via(0, 1, 2)]);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await json<N>(['node', 'inspect', 'm1', ...via(0)])).toEqual(before);
    expect(await json<{ heartbeatPeriodMs: number }>(['cluster', 'update', '--heartbeat-period', '2s', ...via(1)])).toMatchObject({ heartbeatPeriodMs: 2000 });

    // A rotated token is refused; the managers already in are not affected.
    const rotated = await json<{ token: string }>(['cluster', 'join-token', 'manager', '--rotate', ...via(2)]);
    expect(rotated.token).not.toBe(token);
    const old = await cli(['manager', 'join', '--data-dir', join(dir, 'm4'), '--advertise-addr', '127.0.0.1:1', '--token', token, addr[1] as string]);
    expect(old.stderr).toMatch(/^shoal: join refused: the token is not a current join token of this cluster/);
    expect(await statuses(0, 1, 2)).toEqual({ m1: 'leader', m2: 'reachable', m3: 'reachable' });

    // The leader is killed: the others elect one, show it Unreachable, and take writes.
    (procs[0] as Proc).kill('SIGKILL');
    await procs[0]?.exited;
    await eventually('a new leader with m1 unreachable', async () => {
      const s = await statuses(0, 1, 2);
      return s['m1'] === 'unreachable' && (s['m2'] === 'leader' || s['m3'] === 'leader');
    });
    await json<N>(['node', 'update', 'm1', '--label-add', 'seen=down', ...via(0, 1, 2)]);
    // Demoting m2 now would leave m1 (down) and m3: 1 reachable of 2, no quorum.
    const risky = await cli(['node', 'demote', 'm2', ...via(1, 2)]);
    expect(risky.stderr).toMatch(/^shoal: demoting m2 would leave 2 managers of which 1 are reachable, fewer than the 2 a quorum needs\n$/);
    // m1 comes back (as after a reboot) and catches up.
    procs[0] = shoal(['manager', '--data-dir', dataDir(0), '--hostname', 'm1']);
    await eventually('m1 reachable again', async () => (await statuses(1, 2))['m1'] === 'reachable' || (await statuses(1, 2))['m1'] === 'leader');
    expect((await json<N>(['node', 'inspect', 'm1', ...via(0)])).labels).toEqual({ zone: 'a', seen: 'down' });

    // Demote m1 (it stops and says why, and will not start again), then m2; m3, the last, stays.
    await json<N>(['node', 'demote', 'm1', ...via(1, 2)]);
    expect(await (procs[0] as Proc).exited).toBe(1);
    expect((procs[0] as Proc).stderr()).toContain('shoal: manager stopped: this manager was removed from the cluster (demoted, or it left)');
    const restart = await cli(['manager', '--data-dir', dataDir(0)]);
    expect(restart.stderr).toMatch(/^shoal: --data-dir .*: this manager was removed from cluster \w+ at .*; join again/);
    const left = await cli(['manager', 'leave', '--data-dir', dataDir(1)]);
    expect(left.stdout).toBe('This manager (m2) left the managers of the cluster; its daemon stops.\n');
    expect(await (procs[1] as Proc).exited).toBe(1);
    const last = await cli(['node', 'demote', 'm3', ...via(2)]);
    expect(last.stderr).toBe('shoal: node m3 is the last manager: a cluster needs one (leave the cluster instead of demoting it)\n');
    expect(await statuses(2)).toEqual({ m1: 'worker', m2: 'worker', m3: 'leader' });
  }, 120_000);
});

describe('a manager joining after the log was compacted', () => {
  it('catches up from a snapshot of the store, then from the log', async () => {
    const dir = await scratch();
    const [p1, p2] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const m1 = shoal(['manager', 'init', '--snapshot-entries', '10', '--snapshot-keep-entries', '0', '--data-dir', join(dir, 'm1'), '--advertise-addr', `127.0.0.1:${p1}`, '--hostname', 'm1']);
    await waitFor('the join commands', () => m1.stdout().includes('SHOAL_TLS_DIR='), m1);
    const admin = await readTlsDir(join(dir, 'm1', 'admin'));
    const Control = loadProto('control').shoal.control.v1.Control;
    const client = new Control(`127.0.0.1:${p1}`, clientCredentials(admin), { 'grpc.ssl_target_name_override': MANAGER_SERVER_NAME });
    cleanups.push(() => client.close());
    let node = await callUnary(client.GetNode.bind(client), { id: 'm1' }, 5000);
    const labels: Record<string, string> = {};
    for (let i = 0; i < 30; i++) {
      labels[`k${i}`] = `v${i}`;
      node = await callUnary(client.UpdateNode.bind(client), { id: node.id, version: node.meta?.version ?? 0, labels, availability: '', role: '' }, 5000);
    }
    const cluster = await callUnary(client.GetCluster.bind(client), {}, 5000);
    // Logged at info: the snapshot it was sent.
    const m2 = shoal(['--log-level', 'info', 'manager', 'join', '--data-dir', join(dir, 'm2'), '--advertise-addr', `127.0.0.1:${p2}`, '--hostname', 'm2', '--token', cluster.managerJoinToken, `127.0.0.1:${p1}`]);
    await waitFor('m2 to be a voter', () => m2.stdout().includes('as a manager.'), m2);
    expect(m2.stderr()).toContain('"msg":"restored from a snapshot sent by the leader"');
    const seen = JSON.parse((await cli(['--format', 'json', 'node', 'inspect', 'm1', '--stale', '--host', `127.0.0.1:${p2}`, '--tls-dir', join(dir, 'm1', 'admin')])).stdout) as { labels: Record<string, string> };
    expect(seen.labels).toEqual(labels);
  }, 60_000);
});
