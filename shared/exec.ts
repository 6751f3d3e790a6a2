// Running the host's tools (ip, iptables, runc, nsenter). One place that turns a failed command
// into a one-line ShoalError carrying the tool's own message, never "exit status 1".

import { spawn } from 'node:child_process';
import { ShoalError } from './errors.js';

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  /** Killed with SIGKILL after this long; default 60 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Output kept per stream; more is dropped so a chatty tool cannot exhaust memory. */
export const RUN_OUTPUT_BYTES_MAX = 16 * 1024 * 1024;
const RUN_TIMEOUT_MS_DEFAULT = 60_000;

/** Runs a command to completion and returns what it printed, whatever its exit code. */
export function runUnchecked(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (b: Buffer) => {
      if ((outBytes += b.length) <= RUN_OUTPUT_BYTES_MAX) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if ((errBytes += b.length) <= RUN_OUTPUT_BYTES_MAX) err.push(b);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? RUN_TIMEOUT_MS_DEFAULT);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const what = e.code === 'ENOENT' ? `${command}: not found (is it installed?)` : `${command}: ${e.message}`;
      reject(new ShoalError('failed_precondition', 'exec.spawn_failed', what, { fields: { command }, cause: e }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode, signal });
    });
    child.stdin.on('error', () => {
      /* the command may exit without reading its input; its exit status tells the story */
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command and throws a one-line ShoalError with the tool's own message when it fails. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runUnchecked(command, args, options);
  if (result.exitCode !== 0) throw commandFailed(command, args, result);
  return result;
}

export function commandFailed(command: string, args: readonly string[], result: RunResult): ShoalError {
  const said = lastLines(result.stderr.trim() || result.stdout.trim(), 3);
  const how = result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
  const line = [command, ...args].join(' ');
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return new ShoalError('internal', 'exec.failed', `${shown}: ${said || how}`, {
    fields: { command, exitCode: result.exitCode ?? -1, stderr: result.stderr.slice(0, 2000) },
  });
}

function lastLines(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-n).join('; ');
}
