// --restart and --stop-on-disconnect end to end (root): a real manager on loopback, a real agent
// joined as w1, images from a real registry on loopback. `shoal run --restart on-failure:2` of a
// failing command is restarted twice in the same container, then `shoal ps -a` shows it failed
// and why; `--restart always` shows in ps that it restarted; a malformed or too short
// --stop-on-disconnect is refused in one line; with the manager killed, a container with
// --stop-on-disconnect 2s is stopped by its agent within about 2 s, one without it runs on.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { hostPlatform } from '../agent/images/manifest.js';
import { multiPlatformLayoutArchive } from '../agent/images/test-images.js';
import { startRegistry } from '../agent/images/test-registry.js';
import { purgeAgent } from '../agent/runtime/testing.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('worker restarts test', cleanups.splice(0).reverse()));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type PsRow = { id: string; name: string; node: string; state: string; status: string; message: string };

/** Bounded polling (300 × 50 ms): the CLI has no watch to wait on. */
async function eventually<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, p: Proc): Promise<T> {
  let v: T | undefined;
  for (let k = 0; k < 300; k++) {
    v = await get();
    if (ok(v)) return v;
    await systemClock.sleep(50);
  }
  throw new Error(`${what} did not happen (last: ${JSON.stringify(v)}); stderr:\n${p.stderr()}`);
}

describe('restarts and fencing through the managers (root)', () => {
  it('restarts on the node as --restart says, shows it in ps; --stop-on-disconnect stops a container once no manager answers', async () => {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const c = await managers(1);
    const archive = join(c.dir, 'box.tar');
    await writeFile(archive, await multiPlatformLayoutArchive('box:1', [hostPlatform()]));
    await registry.push(archive, 'box:1', ['--all']);
    const image = `${registry.host}/box:1`;
    const via = c.via(0);
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...via])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const socket = join(dataDir, 'agent.sock');
    const agent = shoal(['agent', '--data-dir', dataDir, '--socket', socket, '--advertise', '127.0.0.1', '--hostname', 'w1', '--insecure-registry', registry.host, '--token', token, c.addr[0] as string]);
    await eventually('w1 ready', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);
    const byName = async (): Promise<Record<string, PsRow>> => Object.fromEntries((await json<PsRow[]>(['ps', '-a', ...via])).map((t) => [t.name, t]));

    // Refused in one line, nothing written.
    const zero = await cli(['run', '-d', ...via, '--stop-on-disconnect', '0s', image]);
    expect(zero.stderr).toMatch(/^shoal: --stop-on-disconnect: "0s" is not a duration above zero, like 30s or 1m\n$/);
    const short = await cli(['run', '-d', ...via, '--stop-on-disconnect', '500ms', image]);
    expect(short.stderr).toMatch(/^shoal: stop-on-disconnect 500 ms: must be from 5 s to 24 h\n$/);
    expect(Object.keys(await byName())).toEqual([]);

    expect((await cli(['run', '-d', ...via, '--name', 'flaky', '--restart', 'on-failure:2', image, 'sh', '-c', 'exit 3'])).stderr).toBe('');
    expect((await cli(['run', '-d', ...via, '--name', 'looping', '--restart', 'always', image, 'sh', '-c', 'sleep 1; exit 1'])).stderr).toBe('');
    const failed = await eventually('flaky failed', byName, (t) => t['flaky']?.state === 'failed', agent);
    expect(failed['flaky']?.status).toMatch(/^Failed .* ago: exit code 3; not restarted again: restarted 2 times, the most --restart on-failure:2 allows/);
    const up = await eventually('looping restarted and up', byName, (t) => /^Up .* \(restarted (once|\d+ times); last exit code 1\)$/.test(t['looping']?.status ?? ''), agent);
    expect(up['looping']?.state).toBe('running');
    const ctr = new RuntimeClient(socket);
    cleanups.push(() => ctr.close());
    // Restarted in place: one container each.
    expect((await ctr.list(true)).map((x) => x.name).sort()).toEqual(['flaky', 'looping']);
    // Removed: stopped for good, never restarted again.
    expect((await cli(['rm', '-f', ...via, 'looping'])).stdout).toBe('looping\n');
    await eventually('looping removed from the agent', () => ctr.list(true), (l) => !l.some((x) => x.name === 'looping'), agent);

    // Fencing: the only manager killed; the agent stops the container with the option.
    expect((await cli(['run', '-d', ...via, '--name', 'fenced', '--stop-on-disconnect', '5s', image, 'sleep', '3600'])).stderr).toBe('');
    expect((await cli(['run', '-d', ...via, '--name', 'plain', image, 'sleep', '3600'])).stderr).toBe('');
    await eventually('fenced and plain running', byName, (t) => t['fenced']?.state === 'running' && t['plain']?.state === 'running', agent);
    const manager = c.procs[0] as Proc;
    const killedAt = systemClock.nowMs();
    manager.kill('SIGKILL');
    await manager.exited;
    await eventually('fenced stopped', () => ctr.get('fenced'), (x) => x.state === 'stopped', agent);
    const stoppedAfterMs = systemClock.nowMs() - killedAt;
    expect(stoppedAfterMs).toBeLessThan(5_000 + 1_000);
    expect((await ctr.get('plain')).state).toBe('running');
    expect(agent.stderr()).toMatch(/no manager for its --stop-on-disconnect: its container stopped/);
    console.log(`fenced: stopped ${Math.round(stoppedAfterMs)} ms after the manager was killed (--stop-on-disconnect 5s)`);
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 120_000);
});
