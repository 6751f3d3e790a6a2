// The lab's thin I/O edge: iproute2, iptables, unshare, umount and nsenter, each call one
// command; and the /proc reads that tell which processes run where.

import { spawn, type ChildProcess } from 'node:child_process';
import { access, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { ShoalError } from '../../shared/errors.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { inAgentCgroups } from './plan.js';

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
  return (await listLinkStates()).map((l) => l.name);
}

/** Every link of the root namespace, and whether it is administratively up. */
export async function listLinkStates(): Promise<{ name: string; up: boolean }[]> {
  return (JSON.parse(await ip(['-j', 'link', 'show'])) as { ifname: string; flags?: string[] }[]).map((l) => ({ name: l.ifname, up: l.flags?.includes('UP') ?? false }));
}

export async function setLink(link: string, state: 'up' | 'down'): Promise<void> {
  await ip(['link', 'set', link, state]);
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

// ---- a host's UTS namespace: its own hostname ----

/**
 * A UTS namespace kept by a bind mount on `file` (as `ip netns` keeps network namespaces), whose
 * hostname is `hostname`. `unshare` wants the file to exist.
 */
export async function createUtsNamespace(file: string, hostname: string): Promise<void> {
  await writeFile(file, '', { flag: 'a' });
  await run('unshare', [`--uts=${file}`, 'hostname', hostname]);
}

/** Mount points at or under `dir`, deepest first (the order to unmount them). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return text
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (\040 ...). */
function unescapeMountPath(raw: string): string {
  return raw.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Unmounts `path`; false when nothing was mounted there. */
export async function unmount(path: string): Promise<boolean> {
  const r = await runUnchecked('umount', [path]);
  if (r.exitCode === 0) return true;
  if (/not mounted|no mount point|No such file/i.test(r.stderr)) return false;
  throw new ShoalError('internal', 'lab.unmount_failed', `umount ${path}: ${r.stderr.trim()}`);
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

/** The namespaces of a host: its network namespace, and its UTS namespace (its hostname) when it has one. */
export interface HostNamespaces {
  readonly netns: string;
  readonly utsFile?: string;
}

const nsenterArgs = (ns: HostNamespaces, argv: readonly string[]): string[] => [
  `--net=${netnsPath(ns.netns)}`,
  ...(ns.utsFile !== undefined ? [`--uts=${ns.utsFile}`] : []),
  '--',
  ...argv,
];

/** Runs a command inside a host with the caller's stdio; resolves its exit code. */
export function execInHost(ns: HostNamespaces, argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', nsenterArgs(ns, argv), { stdio: 'inherit' });
    child.on('error', (err) => reject(new ShoalError('failed_precondition', 'lab.exec_failed', `nsenter: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
}

/** Runs a command inside a host's network namespace and captures its output. */
export function runInNetns(netns: string, argv: readonly string[], timeoutMs?: number) {
  return runUnchecked('nsenter', nsenterArgs({ netns }, argv), timeoutMs === undefined ? {} : { timeoutMs });
}

/**
 * Starts a daemon inside a host, in a session of its own (it outlives the `shoal lab` that
 * started it), stdout and stderr appended to `logPath`. nsenter execs the command, so the child's
 * pid is the daemon's. The caller may watch the child's exit while it waits for the daemon.
 */
export async function spawnDaemon(ns: HostNamespaces, argv: readonly string[], logPath: string, env: Readonly<Record<string, string>> = {}): Promise<ChildProcess> {
  const log = await open(logPath, 'a', 0o600);
  try {
    // Secrets (a join token) go in the environment, not on a command line any user can read.
    const child = spawn('nsenter', nsenterArgs(ns, argv), { detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env, ...env } });
    child.unref();
    return child;
  } finally {
    await log.close(); // the child holds its own copy of the descriptor
  }
}

/** The command line of a process; undefined when it is gone. */
export async function commandLineOf(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a !== '');
  } catch {
    return undefined; // the process exited meanwhile: no command line to read
  }
}

/** Every process on the machine, by /proc. */
async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
}

/** Pids of the processes whose command line `match` accepts. */
export async function pidsWhoseCommandLine(match: (argv: readonly string[]) => boolean): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await allPids()) {
    const argv = await commandLineOf(pid);
    if (argv !== undefined && match(argv)) out.push(pid);
  }
  return out;
}

/**
 * Pids of the processes in the cgroups of the agents keyed `keys` (their shims and containers):
 * containers have network namespaces of their own, so a host's namespace does not list them.
 */
export async function pidsInAgentCgroups(keys: ReadonlySet<string>): Promise<number[]> {
  if (keys.size === 0) return [];
  const out: number[] = [];
  for (const pid of await allPids()) {
    const text = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => ''); // gone meanwhile: in no cgroup
    if (inAgentCgroups(text, keys)) out.push(pid);
  }
  return out;
}

/** Whether a process has exited (a zombie counts: it runs nothing and holds nothing). */
export async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true; // no /proc entry: gone
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return (signal !== null ? numbers[signal] : undefined) ?? 0;
}
