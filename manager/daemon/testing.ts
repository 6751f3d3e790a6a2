// Test support: `shoal manager` and the CLI as real processes, each killed (and its scratch dir
// removed) by the test's cleanup.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import { freeLoopbackPort } from '../../shared/net.js';
import type { CleanupStep } from '../../shared/cleanup.js';
import { repoRoot, shoalBin } from '../raft/kv/testing.js';

export interface Proc {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export async function waitFor(what: string, done: () => boolean, p: Proc, timeoutMs = 20_000): Promise<void> {
  const deadline = systemClock.nowMs() + timeoutMs;
  while (!done()) {
    if (systemClock.nowMs() > deadline) throw new Error(`timed out waiting for ${what}; stderr:\n${p.stderr()}`);
    await systemClock.sleep(25);
  }
}

export function managerProcesses(cleanups: CleanupStep[]) {
  const shoal = (args: readonly string[]): Proc => {
    const proc = spawn(process.execPath, [shoalBin, '--log-level', 'warn', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-8000)));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    });
    return { stdout: () => out, stderr: () => err, exited, kill: (s) => proc.kill(s) };
  };
  const cli = async (args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const p = shoal(args);
    const code = await p.exited;
    return { code, stdout: p.stdout(), stderr: p.stderr() };
  };
  const scratch = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-manager-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  /** `shoal --format json ARGS`, parsed; throws with its stderr when it fails. */
  const json = async <T>(args: readonly string[]): Promise<T> => {
    const r = await cli(['--format', 'json', ...args]);
    if (r.code !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  /**
   * `n` managers on loopback: init on m1, join on the others (each once a voter). `via(i, ...)`:
   * the CLI flags for those managers with m1's admin bundle.
   */
  const managers = async (n: number) => {
    const dir = await scratch();
    const addr: string[] = [];
    for (let i = 0; i < n; i++) addr.push(`127.0.0.1:${await freeLoopbackPort()}`);
    const dataDir = (i: number): string => join(dir, `m${i + 1}`);
    const procs: Proc[] = [];
    procs[0] = shoal(['manager', 'init', '--data-dir', dataDir(0), '--advertise-addr', addr[0] as string, '--hostname', 'm1']);
    await waitFor('the join commands', () => (procs[0] as Proc).stdout().includes('SHOAL_TLS_DIR='), procs[0] as Proc);
    const via = (...i: number[]): string[] => ['--host', i.map((k) => addr[k]).join(','), '--tls-dir', join(dataDir(0), 'admin')];
    const token = (await json<{ joinTokens: { manager: string } }>(['cluster', 'inspect', ...via(0)])).joinTokens.manager;
    for (let i = 1; i < n; i++) {
      procs[i] = shoal(['manager', 'join', '--data-dir', dataDir(i), '--advertise-addr', addr[i] as string, '--hostname', `m${i + 1}`, '--token', token, addr[0] as string]);
      await waitFor(`m${i + 1} to be a voter`, () => (procs[i] as Proc).stdout().includes('as a manager.'), procs[i] as Proc);
    }
    return { dir, addr, dataDir, procs, via, token };
  };
  return { shoal, cli, scratch, json, managers };
}
