// The OCI runtime binary (runc, or crun where the host's cgroups allow it), driven through its
// command line. Each agent passes its own --root, so two agents on one host never see each
// other's containers. runc's own message is surfaced when it fails (shared/exec).

import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '../../shared/errors.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { realPipe } from '../sys/libc.js';
import { CFS_PERIOD_US, checkResources, type OciSpec, type ResourceLimits } from './spec.js';

export interface RuntimeState {
  readonly id: string;
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  readonly pid: number;
  readonly bundle: string;
}

export interface ExecProcess {
  readonly args: string[];
  readonly env: string[];
  readonly cwd: string;
  readonly user: { uid: number; gid: number; additionalGids?: number[] };
  /** The container's own: an exec'd process has what its container's processes have, as in Docker. */
  readonly capabilities: OciSpec['process']['capabilities'];
  readonly noNewPrivileges: boolean;
  /** The container's: runc exec would otherwise leave the shim's (the agent unit's) score. */
  readonly oomScoreAdj?: number;
  readonly stdin: Buffer;
  readonly outputMax: number;
}

/** The last error runc wrote to its JSON log (--log-format json), one line; undefined when none. */
export async function runcError(logPath: string): Promise<string | undefined> {
  // runc may fail before it writes its log: then there is no message of its own to give.
  const text = await readFile(logPath, 'utf8').catch(() => '');
  for (const line of text.trim().split('\n').reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' && entry.msg !== undefined) return entry.msg.replace(/\s+/g, ' ');
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

export class RuncDriver {
  constructor(
    readonly root: string,
    readonly binary = 'runc',
  ) {}

  private args(...rest: string[]): string[] {
    return ['--root', this.root, ...rest];
  }

  /**
   * Runs a container in the foreground and resolves its exit code (128 + signal when killed).
   * `stdoutFd` and `stderrFd` are real file descriptors (files or pipes, never sockets: the
   * container's /dev/stdout must open).
   */
  runToExit(id: string, bundle: string, stdoutFd: number, stderrFd: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, this.args('run', '--bundle', bundle, id), { stdio: ['ignore', stdoutFd, stderrFd] });
      child.on('error', (err) => reject(new ShoalError('failed_precondition', 'runtime.spawn_failed', `${this.binary}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
  }

  /** Starts a container detached (runc run -d); its output goes to the given descriptors. */
  async runDetached(id: string, bundle: string, stdoutFd: number, stderrFd: number): Promise<void> {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(this.binary, this.args('run', '--detach', '--bundle', bundle, id), { stdio: ['ignore', stdoutFd, stderrFd] });
      child.on('error', (err) => reject(new ShoalError('failed_precondition', 'runtime.spawn_failed', `${this.binary}: ${err.message}`, { cause: err })));
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new ShoalError('internal', 'runtime.start_failed', `${this.binary} run ${id} failed (exit code ${code}); its message is in the container's log`);
  }

  /** Freezes every process of the container (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await run(this.binary, this.args('pause', id));
  }

  async resume(id: string): Promise<void> {
    await run(this.binary, this.args('resume', id));
  }

  /** Changes a running container's limits, as `docker update` does. */
  async update(id: string, resources: ResourceLimits): Promise<void> {
    await run(this.binary, this.args('update', ...runcUpdateArgs(resources), id));
  }

  /** CPU, memory and pids figures from the container's cgroup. */
  async stats(id: string): Promise<ContainerStats> {
    const r = await run(this.binary, this.args('events', '--stats', id));
    return parseRuncStats(r.stdout);
  }

  /**
   * Runs a process in a running container (runc exec) and collects its output through real pipes;
   * resolves its exit code, output beyond `outputMax` bytes per stream being dropped.
   */
  async exec(id: string, p: ExecProcess): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-exec-'));
    try {
      const processFile = join(dir, 'process.json');
      const spec = { terminal: false, user: p.user, args: p.args, env: p.env, cwd: p.cwd, capabilities: p.capabilities, noNewPrivileges: p.noNewPrivileges, ...(p.oomScoreAdj !== undefined ? { oomScoreAdj: p.oomScoreAdj } : {}) };
      // The environment is in it: root's alone (mkdtemp's folder is 0700 too).
      await writeFile(processFile, JSON.stringify(spec), { mode: 0o600 });
      const out = realPipe();
      const err = realPipe();
      const inp = realPipe();
      const collect = (fd: number): Promise<Buffer> => {
        const s = new Socket({ fd, readable: true, writable: false });
        const chunks: Buffer[] = [];
        let bytes = 0;
        s.on('data', (c: Buffer) => {
          if ((bytes += c.length) <= p.outputMax) chunks.push(c);
        });
        return new Promise((resolve) => s.on('close', () => resolve(Buffer.concat(chunks))));
      };
      const stdout = collect(out.readFd);
      const stderr = collect(err.readFd);
      const runcLog = join(dir, 'runc.log');
      const child = spawn(this.binary, this.args('--log', runcLog, '--log-format', 'json', 'exec', '--process', processFile, id), { stdio: [inp.readFd, out.writeFd, err.writeFd] });
      for (const fd of [out.writeFd, err.writeFd, inp.readFd]) closeSync(fd);
      const stdin = new Socket({ fd: inp.writeFd, readable: false, writable: true });
      // A process that exits without reading its stdin (EPIPE): its exit code says how it went.
      stdin.on('error', () => undefined);
      stdin.end(p.stdin);
      const code = await new Promise<number>((resolve, reject) => {
        child.on('error', (e) => reject(new ShoalError('failed_precondition', 'runtime.spawn_failed', `${this.binary}: ${e.message}`, { cause: e })));
        child.on('close', (c, signal) => resolve(c ?? 128 + (signal === null ? 0 : osConstants.signals[signal])));
      });
      const failure = await runcError(runcLog);
      if (failure !== undefined) throw new ShoalError('failed_precondition', 'runtime.exec_failed', `runc exec ${id}: ${failure}`);
      return { stdout: await stdout, stderr: await stderr, exitCode: code };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    const r = await runUnchecked(this.binary, this.args('state', id));
    if (r.exitCode !== 0) {
      if (/does not exist|not exist/i.test(r.stderr)) return undefined;
      throw new ShoalError('internal', 'runtime.state_failed', `${this.binary} state ${id}: ${r.stderr.trim()}`);
    }
    return JSON.parse(r.stdout) as RuntimeState;
  }

  async kill(id: string, signal: string): Promise<void> {
    await run(this.binary, this.args('kill', id, signal));
  }

  /** Deletes a container's runtime state (and cgroups); `force` kills it first. */
  async delete(id: string, force: boolean): Promise<void> {
    const r = await runUnchecked(this.binary, this.args('delete', ...(force ? ['--force'] : []), id));
    if (r.exitCode !== 0 && !/does not exist|not exist/i.test(r.stderr)) {
      throw new ShoalError('internal', 'runtime.delete_failed', `${this.binary} delete ${id}: ${r.stderr.trim()}`);
    }
  }

  /** What the runtime says it supports; undefined when it cannot say (runc before 1.1 has no `features`). */
  async features(): Promise<RuntimeFeatures | undefined> {
    const r = await runUnchecked(this.binary, ['features']);
    return r.exitCode === 0 ? parseRuntimeFeatures(r.stdout) : undefined;
  }

  async list(): Promise<RuntimeState[]> {
    const r = await run(this.binary, this.args('list', '--format', 'json'));
    const parsed = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as RuntimeState[] | null;
    return parsed ?? [];
  }
}

/** The part of `runc features` (the OCI runtime features document) that Shoal reads. */
export interface RuntimeFeatures {
  /** Namespace types it can create; undefined when it does not say. */
  readonly namespaces?: readonly string[];
  /** Whether it was built with seccomp; undefined when it does not say. */
  readonly seccomp?: boolean;
}

export function parseRuntimeFeatures(json: string): RuntimeFeatures | undefined {
  let doc: { linux?: { namespaces?: unknown; seccomp?: { enabled?: unknown } } };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return undefined; // an answer we cannot read is no answer: the caller assumes the usual
  }
  const namespaces = doc.linux?.namespaces;
  const seccomp = doc.linux?.seccomp?.enabled;
  return {
    ...(Array.isArray(namespaces) ? { namespaces: namespaces.filter((n): n is string => typeof n === 'string') } : {}),
    ...(typeof seccomp === 'boolean' ? { seccomp } : {}),
  };
}

/** `runc update` flags for new limits; 0 means "no limit" where runc allows it. */
export function runcUpdateArgs(r: ResourceLimits): string[] {
  checkResources(r);
  const args: string[] = [];
  if (r.memoryBytes > 0) args.push('--memory', String(r.memoryBytes));
  if (r.memoryReservationBytes > 0) args.push('--memory-reservation', String(r.memoryReservationBytes));
  if (r.cpus > 0) args.push('--cpu-period', String(CFS_PERIOD_US), '--cpu-quota', String(Math.round(r.cpus * CFS_PERIOD_US)));
  if (r.cpuShares > 0) args.push('--cpu-share', String(r.cpuShares));
  if (r.cpusetCpus !== '') args.push('--cpuset-cpus', r.cpusetCpus);
  if (r.pidsLimit > 0) args.push('--pids-limit', String(r.pidsLimit));
  if (args.length === 0) throw new ShoalError('invalid_argument', 'container.no_update', 'update: name at least one limit to change');
  return args;
}

export interface ContainerStats {
  readonly cpuUsageNs: number;
  readonly memoryUsageBytes: number;
  readonly memoryLimitBytes: number;
  readonly pidsCurrent: number;
  readonly pidsLimit: number;
}

interface RuncStatsEvent {
  type?: string;
  data?: {
    cpu?: { usage?: { total?: number } };
    memory?: { usage?: { usage?: number; limit?: number } };
    pids?: { current?: number; limit?: number };
  };
}

/** The figures Shoal reports, from the JSON line `runc events --stats` prints. */
export function parseRuncStats(json: string): ContainerStats {
  let e: RuncStatsEvent;
  try {
    e = JSON.parse(json) as RuncStatsEvent;
  } catch {
    throw new ShoalError('internal', 'runtime.bad_stats', 'runc events --stats: output is not JSON');
  }
  const d = e.data ?? {};
  return {
    cpuUsageNs: d.cpu?.usage?.total ?? 0,
    memoryUsageBytes: d.memory?.usage?.usage ?? 0,
    memoryLimitBytes: d.memory?.usage?.limit ?? 0,
    pidsCurrent: d.pids?.current ?? 0,
    pidsLimit: d.pids?.limit ?? 0,
  };
}
