// scripts/install and scripts/uninstall as an operator meets them (root), into a scratch root
// given with --root: what lands where, units systemd accepts, the installed `shoal` running a
// standalone agent started as its unit starts it, and an uninstall that leaves nothing behind.
// (A real `systemctl restart shoal-agent` needs systemd as PID 1, which CI does not have; the
// note of the fresh-machine issue says how that was checked.)

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxImage, dockerSaveArchive } from '../agent/images/test-images.js';
import { agentKey } from '../agent/runtime/supervisor.js';
import { isAlive, purgeAgent, shimPids } from '../agent/runtime/testing.js';
import { agentCgroupParent, cgroupHierarchies } from '../agent/sys/cgroups.js';
import { runUnchecked, type RunResult } from '../shared/exec.js';
import { waitForLine } from '../e2e/helpers.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
let root = '';
let agent: ChildProcess | undefined;
let agentExit: Promise<unknown> = Promise.resolve();

/** A whole build and `npm ci --omit=dev` on a slow 2-core machine: minutes at worst, seconds here. */
const SCRIPT_TIMEOUT_MS = 300_000;
const script = (name: string, ...args: string[]): Promise<RunResult> => runUnchecked(join(repo, 'scripts', name), args, { timeoutMs: SCRIPT_TIMEOUT_MS });
const shoal = (...args: string[]): Promise<RunResult> => runUnchecked(join(root, 'usr/local/bin/shoal'), args, { timeoutMs: 60_000 });
const dataDir = (): string => join(root, 'var/lib/shoal/agent');
const socket = (): string => join(root, 'run/shoal/agent.sock');
const ctr = (...args: string[]): Promise<RunResult> => shoal('ctr', '--socket', socket(), ...args);

/** The variables of a settings file, read as systemd's EnvironmentFile= reads these simple ones. */
function environmentFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
  }
  return env;
}

/** The agent as shoal-agent.service starts it: the installed command, its settings file's variables. */
async function startAgent(): Promise<void> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...environmentFile(join(root, 'etc/default/shoal-agent')) };
  const child = spawn(join(root, 'usr/local/bin/shoal'), ['agent'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  agent = child;
  agentExit = new Promise((resolve) => child.once('exit', resolve));
  await waitForLine(child.stderr, /agent serving/);
}

async function stopAgent(): Promise<void> {
  if (agent !== undefined && agent.exitCode === null && agent.signalCode === null) agent.kill('SIGTERM');
  agent = undefined;
  await agentExit;
}

/** Whether the agent this test started has ended (uninstall stops the daemons it finds running). */
function agentEnded(): boolean {
  return agent === undefined || agent.exitCode !== null || agent.signalCode !== null;
}

/** Every file and folder under the scratch root. */
async function everything(): Promise<string[]> {
  return existsSync(root) ? (await readdir(root, { recursive: true })).sort() : [];
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shoal-install-'));
});

afterAll(async () => {
  await stopAgent();
  if (root !== '') {
    if (existsSync(dataDir())) await purgeAgent(dataDir());
    await rm(root, { recursive: true, force: true });
  }
});

describe('scripts/install and scripts/uninstall (root)', { timeout: SCRIPT_TIMEOUT_MS + 60_000 }, () => {
  it('installs compiled code, protos and production dependencies only, and a shoal command on Node.js 24', async () => {
    const r = await script('install', '--root', root, '--no-start');
    expect(r.exitCode, r.stderr).toBe(0);
    const opt = join(root, 'opt/shoal');
    for (const path of ['bin/shoal.js', 'dist/agent/daemon.js', 'dist/agent/shim/main.js', 'proto/runtime.proto', 'proto/loader-options.json', 'node_modules/@grpc/grpc-js', 'node_modules/koffi']) {
      expect(existsSync(join(opt, path)), path).toBe(true);
    }
    for (const path of ['node_modules/typescript', 'node_modules/vitest', 'node_modules/eslint', 'agent', 'scripts']) {
      expect(existsSync(join(opt, path)), path).toBe(false);
    }
    const compiled = await readdir(join(opt, 'dist'), { recursive: true });
    expect(compiled.filter((f) => /\.test\.js$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect((await shoal('--version')).stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    expect((await shoal('agent', '--help')).stdout).toContain('SHOAL_STANDALONE');
  });

  it('writes units that systemd-analyze verify accepts without a warning, the agent unit stopping only the agent (KillMode=process, Delegate=yes)', async () => {
    const units = ['shoal-agent.service', 'shoal-manager.service'].map((u) => join(root, 'etc/systemd/system', u));
    const v = await runUnchecked('systemd-analyze', ['verify', ...units]);
    expect([v.exitCode, v.stderr]).toEqual([0, '']);
    const agentUnit = readFileSync(units[0] ?? '', 'utf8');
    expect(agentUnit).toMatch(/^KillMode=process$/m);
    expect(agentUnit).toMatch(/^Delegate=yes$/m);
    expect(agentUnit).toContain(`EnvironmentFile=-${join(root, 'etc/default/shoal-agent')}`);
    expect(agentUnit).toContain(`ExecStart=${join(root, 'usr/local/bin/shoal')} agent`);
  });

  it('runs a standalone agent from the installed files and settings, and ctr against it', async () => {
    // The settings point into the scratch root; the operator changes one.
    const settings = join(root, 'etc/default/shoal-agent');
    expect(environmentFile(settings)).toMatchObject({ SHOAL_STANDALONE: 'true', SHOAL_DATA_DIR: dataDir(), SHOAL_SOCKET: socket() });
    await writeFile(settings, `${readFileSync(settings, 'utf8')}SHOAL_LOG_MAX_FILES=5\n`);
    await startAgent();
    await writeFile(join(root, 'busybox.tar'), await dockerSaveArchive(await busyboxImage(), ['busybox:latest']));
    expect((await ctr('images', 'import', join(root, 'busybox.tar'))).exitCode).toBe(0);
    await rm(join(root, 'busybox.tar'));
    const fg = await ctr('run', '--rm', 'busybox', 'sh', '-c', 'echo installed; exit 4');
    expect([fg.exitCode, fg.stdout]).toEqual([4, 'installed\n']);
    expect((await ctr('run', '-d', '--name', 'keeps', 'busybox', 'sleep', '1000')).exitCode).toBe(0);
  });

  it('uninstall removes the install but keeps the changed settings, the data and the running container; a reinstall finds them', async () => {
    const r = await script('uninstall', '--root', root);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kept ${join(root, 'etc/default/shoal-agent')}`);
    await agentExit;
    expect(agentEnded(), 'the agent stopped with its install').toBe(true);
    expect((await everything()).filter((p) => !/^(var|run)(\/|$)/.test(p))).toEqual(['etc', 'etc/default', 'etc/default/shoal-agent']);
    const shims = await shimPids(dataDir());
    expect(shims.filter(isAlive)).toHaveLength(1);

    expect((await script('install', '--root', root, '--no-start')).exitCode).toBe(0);
    await startAgent();
    expect((await ctr('ps')).stdout).toMatch(/keeps\s+busybox\s+sleep 1000\s+running/);
  });

  it('uninstall --purge removes the containers, the data and the settings: nothing is left', async () => {
    // A slip in the settings must not make the purge remove a system folder.
    const settings = join(root, 'etc/default/shoal-manager');
    await writeFile(settings, `${readFileSync(settings, 'utf8')}SHOAL_DATA_DIR=${join(root, 'var/lib')}\n`);
    const r = await script('uninstall', '--root', root, '--purge');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`ignoring SHOAL_DATA_DIR '${join(root, 'var/lib')}' in ${settings}: a system folder`);
    await agentExit;
    expect(agentEnded()).toBe(true);
    expect(await everything()).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(root);
    expect(cgroupHierarchies().filter((h) => existsSync(join(h, agentCgroupParent(agentKey(dataDir())))))).toEqual([]);
    expect((await runUnchecked('pgrep', ['-f', root])).stdout).toBe('');
  });
});
