// `shoal manager recover` with real processes on loopback: refused while the manager runs and
// while a quorum answers; after 2 of 3 managers are lost for good, the third becomes the only
// member with everything acknowledged before, and a lost manager rejoins under its old name.

import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { managerProcesses, waitFor, type Proc } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('recover test', cleanups.splice(0)));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type N = { hostname: string; role: string; managerStatus: string; labels: Record<string, string> };

describe('shoal manager recover', () => {
  it('makes the last manager the only member after a quorum is lost for good, keeping every acknowledged write', async () => {
    const c = await managers(3);
    const statuses = async (...i: number[]) => Object.fromEntries((await json<N[]>(['node', 'ls', ...c.via(...i)])).map((n) => [n.hostname, n.managerStatus]));
    await json(['node', 'update', 'm1', '--label-add', 'acked=yes', ...c.via(1)]);

    // Refused while the manager runs on the data dir, and while a quorum answers.
    const running = await cli(['manager', 'recover', '--data-dir', c.dataDir(0)]);
    expect(running.stderr).toBe(`shoal: the Raft data dir ${c.dataDir(0)}/raft is in use by another process (a manager running on it?)\n`);
    const m1 = c.procs[0] as Proc;
    m1.kill('SIGTERM');
    expect(await m1.exited).toBe(0);
    const quorumUp = await cli(['manager', 'recover', '--data-dir', c.dataDir(0)]);
    expect(quorumUp.code).toBe(1);
    expect(quorumUp.stdout).toMatch(/^This manager holds the log up to index \d+ \(term \d+; committed as far as it knows: \d+\)\.\nMembers as of that index:\n/);
    expect(quorumUp.stderr).toMatch(/^shoal: 3 of the 3 managers answer \(.*\), a quorum: the cluster is not lost; recover is for a quorum lost for good\n$/);

    // m2 and m3 are lost for good.
    for (const i of [1, 2]) {
      (c.procs[i] as Proc).kill('SIGKILL');
      await c.procs[i]?.exited;
    }
    const recovered = await cli(['manager', 'recover', '--data-dir', c.dataDir(0)]);
    expect(recovered.stderr).toBe('');
    expect(recovered.stdout).toMatch(/    \d+ \(this manager\)  voter  127\.0\.0\.1:\d+  last heard: -\n/);
    expect(recovered.stdout).toMatch(/    \d+  voter  127\.0\.0\.1:\d+  last heard: \d{4}-\d\d-\d\dT/);
    expect(recovered.stdout).toMatch(/Recovered: this manager is now the only member of cluster \w+, with everything up to index \d+\.\n/);

    const again = shoal(['manager', '--data-dir', c.dataDir(0), '--hostname', 'm1']);
    for (let k = 0; k < 200 && (await cli(['node', 'ls', ...c.via(0)])).code !== 0; k++);
    expect(await statuses(0)).toEqual({ m1: 'leader', m2: 'unreachable', m3: 'unreachable' });
    expect((await json<N>(['node', 'inspect', 'm1', ...c.via(0)])).labels).toEqual({ acked: 'yes' });
    await json(['node', 'update', 'm1', '--label-add', 'after=recover', ...c.via(0)]);

    // m2 comes back as a new manager (a fresh data dir) under its old name.
    const m2 = shoal(['manager', 'join', '--data-dir', `${c.dir}/m2-again`, '--advertise-addr', c.addr[1] as string, '--hostname', 'm2', '--token', c.token, c.addr[0] as string]);
    await waitFor('m2 to be a voter again', () => m2.stdout().includes('as a manager.'), m2);
    expect(await statuses(0, 1)).toEqual({ m1: 'leader', m2: 'reachable', m3: 'unreachable' });
    expect(again.stderr()).not.toContain('"level":50');
  }, 120_000);
});
