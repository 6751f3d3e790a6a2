// The lab's thin I/O edge: iproute2, iptables and nsenter, each call one command.

import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { ShoalError } from '../../shared/errors.js';
import { run, runUnchecked } from '../../shared/exec.js';

export const netnsPath = (netns: string): string => `/run/netns/${netns}`;

export async function ip(args: readonly string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

/** `ip` that tolerates the object being gone already; true when it was removed. */
export async function ipRemove(args: readonly string[]): Promise<boolean> {
  const r = await runUnchecked('ip', args);
  if (r.exitCode === 0) return true;
  if (/Cannot find device|No such file|does not exist|not found/i.test(r.stderr)) return false;
  throw new ShoalError('internal', 'lab.remove_failed', `ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

export async function listNetns(): Promise<string[]> {
  const out = await ip(['-j', 'netns', 'list']);
  if (out.trim() === '') return [];
  return (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

export async function listLinks(): Promise<string[]> {
  return (JSON.parse(await ip(['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
}

/** Destinations of the root namespace's IPv4 routes, as CIDRs ("default" left out). */
export async function routedCidrs(): Promise<string[]> {
  const routes = JSON.parse(await ip(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string; type?: string }[];
  return routes
    .map((r) => r.dst ?? '')
    .filter((d) => d !== '' && d !== 'default')
    .map((d) => (d.includes('/') ? d : `${d}/32`));
}

export async function pidsInNetns(netns: string): Promise<number[]> {
  const r = await runUnchecked('ip', ['netns', 'pids', netns]);
  if (r.exitCode !== 0) return [];
  return r.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
}

export async function netnsExists(netns: string): Promise<boolean> {
  return access(netnsPath(netns)).then(
    () => true,
    () => false,
  );
}

// ---- iptables ----

export async function iptablesAvailable(): Promise<boolean> {
  return runUnchecked('iptables', ['--version']).then(
    (r) => r.exitCode === 0,
    () => false,
  );
}

/** Rules of the FORWARD chain tagged with `comment`, each as the argument list of `iptables -S`. */
export async function forwardRulesTagged(comment: string): Promise<string[][]> {
  if (!(await iptablesAvailable())) return [];
  const out = (await run('iptables', ['-w', '-S', 'FORWARD'])).stdout;
  return out
    .split('\n')
    .map(splitRule)
    .filter((args) => args[0] === '-A' && args[1] === 'FORWARD' && args.includes(comment));
}

/** Splits a line of `iptables -S` into arguments; it double-quotes values such as comments. */
export function splitRule(line: string): string[] {
  const args: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    args.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string));
  }
  return args;
}

export async function insertForwardAccept(bridge: string, comment: string): Promise<void> {
  await run('iptables', ['-w', '-I', 'FORWARD', '1', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', comment, '-j', 'ACCEPT']);
}

/** Deletes a rule given as the arguments `iptables -S` printed for it (`-A CHAIN ...`). */
export async function deleteRule(rule: readonly string[]): Promise<void> {
  await run('iptables', ['-w', '-D', ...rule.slice(1)]);
}

// ---- processes in a host ----

/** Runs a command inside a host's network namespace with the caller's stdio; resolves its exit code. */
export function execInNetns(netns: string, argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsPath(netns)}`, '--', ...argv], { stdio: 'inherit' });
    child.on('error', (err) => reject(new ShoalError('failed_precondition', 'lab.exec_failed', `nsenter: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
}

/** Runs a command inside a host and captures its output. */
export function runInNetns(netns: string, argv: readonly string[], timeoutMs?: number) {
  return runUnchecked('nsenter', [`--net=${netnsPath(netns)}`, '--', ...argv], timeoutMs === undefined ? {} : { timeoutMs });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return (signal !== null ? numbers[signal] : undefined) ?? 0;
}
