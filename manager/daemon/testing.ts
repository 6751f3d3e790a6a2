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
import { loadProto } from '../../proto/load.js';
import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { SessionMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/SessionMessage.js';
import { callUnary, clientCredentials } from '../../shared/grpc.js';
import { obtainCertificate } from '../../shared/join-client.js';
import { MANAGER_CHANNEL_OPTIONS, parseManagerAddress } from '../../shared/manager-hosts.js';

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

/**
 * An agent driven by hand against a real manager: a real worker certificate, a session with
 * heartbeats every `beatMs`, the assignments it is sent, and its status reports. `silence()`
 * stops everything it sends (its node falls silent, as after a power loss); `reconnect()`
 * opens a new session with the same certificate, as its agent does when it comes back.
 */
export async function handAgent(cleanups: CleanupStep[], managerAddr: string, token: string, hostname: string, beatMs = 300) {
  const at = parseManagerAddress(managerAddr, 'manager');
  const { tls } = await obtainCertificate(at, token, { advertiseAddr: '127.0.0.1', hostname });
  const Dispatcher = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
  const d = new Dispatcher(managerAddr, clientCredentials(tls), MANAGER_CHANNEL_OPTIONS) as unknown as DispatcherClient;
  cleanups.push(() => d.close());
  const messages: AssignmentsMessage__Output[] = [];
  let live: { cancel(): void } | undefined;
  let sessionId = '';
  const open = async (): Promise<void> => {
    const session = d.Session({ description: { hostname, advertiseAddress: '127.0.0.1', cpus: 2, memoryBytes: 4 * 2 ** 30, labels: {} }, sessionId: '' });
    session.on('error', () => undefined); // cancelled by silence() or the cleanup
    const first = await new Promise<SessionMessage__Output>((resolve, reject) => {
      session.once('data', resolve);
      session.once('error', reject);
    });
    sessionId = first.sessionId;
    let beat = systemClock.setTimer(0, function tick() {
      void callUnary(d.Heartbeat.bind(d), { sessionId: first.sessionId }, 2000).catch(() => undefined); // a missed beat shows as the node going down
      beat = systemClock.setTimer(beatMs, tick);
    });
    const stream = d.Assignments({ sessionId });
    stream.on('data', (m: AssignmentsMessage__Output) => messages.push(m));
    stream.on('error', () => undefined); // ends with the session
    live = {
      cancel: () => {
        beat.cancel();
        stream.cancel();
        session.cancel();
      },
    };
  };
  cleanups.push(() => live?.cancel());
  await open();
  return {
    messages,
    /** The tasks of the newest full set and the changes after it, as the agent holds them. */
    tasks(): Map<string, NonNullable<AssignmentsMessage__Output['changes'][number]['task']>> {
      const held = new Map<string, NonNullable<AssignmentsMessage__Output['changes'][number]['task']>>();
      for (const m of messages) {
        if (m.full) held.clear();
        for (const ch of m.changes) {
          if (!ch.task) continue;
          if (ch.action === 'REMOVE') held.delete(ch.task.id);
          else held.set(ch.task.id, ch.task);
        }
      }
      return held;
    },
    report: (taskId: string, state: string, extra: object = {}) => callUnary(d.UpdateTaskStatus.bind(d), { sessionId, updates: [{ taskId, status: { state, ...extra } }] }, 5000),
    silence(): void {
      live?.cancel();
      live = undefined;
    },
    async reconnect(): Promise<void> {
      messages.length = 0;
      await open();
    },
  };
}
