// The OCI runtime binary (runc, or crun where the host's cgroups allow it), driven through its
// command line. Each agent passes its own --root, so two agents on one host never see each
// other's containers. runc's own message is surfaced when it fails (shared/exec).

import { spawn } from 'node:child_process';
import { ShoalError } from '../../shared/errors.js';
import { run, runUnchecked } from '../../shared/exec.js';

export interface RuntimeState {
  readonly id: string;
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  readonly pid: number;
  readonly bundle: string;
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

  async list(): Promise<RuntimeState[]> {
    const r = await run(this.binary, this.args('list', '--format', 'json'));
    const parsed = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as RuntimeState[] | null;
    return parsed ?? [];
  }
}
