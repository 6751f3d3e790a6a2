// `shoal logs|exec|inspect|stop|start`, and what `shoal run` without -d does: a container on any
// node, through the managers, as Docker Swarm classic let `docker logs` or `docker exec` reach one
// on any engine. The manager called reads the store, dials the agent of the task's node and relays
// (manager/daemon/control-containers.ts); stop and start change the task's desired state through
// the leader (control-tasks.ts) and wait here until the cluster shows it done.

import type { Command } from 'commander';
import type { TaskLogLine__Output } from '../../proto/gen/shoal/access/v1/TaskLogLine.js';
import type { TaskExecResponse__Output } from '../../proto/gen/shoal/access/v1/TaskExecResponse.js';
import type { InspectTaskResponse__Output } from '../../proto/gen/shoal/control/v1/InspectTaskResponse.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import { EXEC_STDIN_BYTES_MAX, EXEC_TIMEOUT_MS, LOGS_TAIL_LINES_MAX } from '../../shared/agent-access.js';
import { intInRange } from '../../shared/config.js';
import { failedPrecondition, invalidArgument, notFound, oneLine, ShoalError, unavailable } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import type { ManagerClient } from '../manager-client.js';
import { managerOptions, withManager } from './cluster.js';
import { statusText } from './tasks-format.js';

/** `shoal stop` waits this long past the grace period for the node to confirm the stop. */
export const STOP_CONFIRM_MARGIN_MS = 15_000;
/** The grace period of a container that names none (the agent's default). */
const STOP_GRACE_MS_DEFAULT = 10_000;
/** `shoal start` waits at most this long for the new task to run (a pull may come first). */
export const START_WAIT_MS = 120_000;
/** `shoal run` without -d waits at most this long for its task to have a container, then detaches. */
export const RUN_ATTACH_WAIT_MS = 15 * 60_000;

/** What the CLI follows of a task while it waits (the store object of a watch event, in part). */
export interface TaskView {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly desiredState: string;
  readonly message: string;
  readonly containerId: string;
  readonly version: number;
  readonly removed: boolean;
}

export function viewOfTask(t: Task__Output): TaskView {
  return { id: t.id, name: t.name, state: t.status?.state ?? '', desiredState: t.desiredState, message: t.status?.message ?? '', containerId: t.status?.containerId ?? '', version: Number(t.meta?.version ?? 0), removed: false };
}

/** A watch event's task as a view; undefined for another object. */
export function viewOfEvent(e: { action: string; id: string; version: number; objectJson: string }, taskId: string): TaskView | undefined {
  if (e.id !== taskId) return undefined;
  const o = JSON.parse(e.objectJson) as { spec?: { name?: string; desiredState?: string }; status?: { state?: string; message?: string; pendingReason?: string; containerId?: string } };
  const state = o.status?.state ?? '';
  const message = (state === 'pending' ? o.status?.pendingReason : undefined) ?? o.status?.message ?? '';
  return { id: e.id, name: o.spec?.name ?? '', state, desiredState: o.spec?.desiredState ?? '', message, containerId: o.status?.containerId ?? '', version: Number(e.version), removed: e.action === 'remove' };
}

const ENDED = new Set(['complete', 'failed', 'shutdown', 'rejected']);

/**
 * Follows the task through the managers' watch (from the version it was read at, so no change
 * is missed) until `done` says so; resolves with that view. Rejects, one line, when it is removed
 * or `timeoutMs` passes; resolves undefined when `signal` aborts. `onChange` sees each view.
 */
export async function awaitTask(client: ManagerClient, first: TaskView, done: (v: TaskView) => boolean, o: { timeoutMs: number; signal: AbortSignal; what: string; onChange?: (v: TaskView) => void }): Promise<TaskView | undefined> {
  if (done(first)) return first;
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  o.signal.addEventListener('abort', abort, { once: true });
  let last = first;
  let outcome: TaskView | ShoalError | undefined;
  const timer = setTimeout(() => {
    outcome = unavailable('cli.wait_timeout', `${first.name}: ${o.what} within ${Math.round(o.timeoutMs / 1000)} s (${last.state}${last.message !== '' ? `: ${last.message}` : ''})`);
    stop.abort();
  }, o.timeoutMs);
  try {
    await client.watch({ kinds: ['task'], sinceVersion: first.version }, (e) => {
      const v = viewOfEvent(e, first.id);
      if (v === undefined || outcome !== undefined) return;
      last = v;
      o.onChange?.(v);
      if (v.removed) outcome = notFound('cli.task_removed', `container ${first.name} was removed`);
      else if (done(v)) outcome = v;
      if (outcome !== undefined) stop.abort();
    }, stop.signal);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', abort);
  }
  if (outcome instanceof ShoalError) throw outcome;
  return outcome;
}

/** The log lines of a task to this process's stdout and stderr, until the stream ends or `signal` aborts. */
export async function printLogs(client: ManagerClient, ref: string, o: { follow: boolean; tail: number; signal: AbortSignal }): Promise<void> {
  await client.stream<TaskLogLine__Output>(
    'TaskLogs',
    { id: ref, follow: o.follow, tailLines: o.tail },
    (line) => {
      (line.stream === 'stderr' ? process.stderr : process.stdout).write(line.line);
    },
    o.signal,
  );
}

/** SIGINT and SIGTERM abort `signal` while `fn` runs (the handlers are removed after). */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const interrupt = (): void => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await fn(stop.signal);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/** The exit code Docker gives a container's end: its code, 128 + the signal's number already in it. */
export function exitCodeOf(r: InspectTaskResponse__Output): number | undefined {
  const exit = r.container?.exit;
  if (r.container === null || r.container === undefined || r.container.state !== 'stopped' || exit === null || exit === undefined) return undefined;
  return exit.exitCode;
}

const iso = (ms: number | string | undefined): string => (Number(ms ?? 0) > 0 ? new Date(Number(ms)).toISOString() : '');

/** `shoal inspect`: the task as the managers hold it, and its container as its agent says. */
export function inspectJson(r: InspectTaskResponse__Output, nowMs: number): Record<string, unknown> {
  const t = r.task;
  const c = r.container;
  return {
    id: t?.id ?? '',
    name: t?.name ?? '',
    image: t?.spec?.image ?? '',
    command: t?.spec?.args ?? [],
    env: t?.spec?.env ?? [],
    labels: t?.spec?.labels ?? {},
    node: r.node?.hostname ?? '',
    nodeId: t?.nodeId ?? '',
    nodeAddress: r.node?.address ?? '',
    desiredState: t?.desiredState ?? '',
    state: t?.status?.state ?? '',
    status: t === null || t === undefined ? '' : statusText(t, nowMs),
    message: t?.status?.message ?? '',
    createdAt: iso(t?.meta?.createdAtMs),
    updatedAt: iso(t?.meta?.updatedAtMs),
    container:
      c === null || c === undefined
        ? null
        : {
            id: c.id,
            state: c.state,
            pid: c.pid,
            exitCode: c.exit !== null && c.exit !== undefined && c.state === 'stopped' ? c.exit.exitCode : null,
            ...(c.exit?.signal ? { signal: c.exit.signal } : {}),
            ...(c.exit?.oomKilled === true ? { oomKilled: true } : {}),
            createdAt: iso(c.createdAtMs),
            startedAt: iso(c.startedAtMs),
            finishedAt: c.state === 'stopped' ? iso(c.exit?.exitedAtMs) : '',
            imageDigest: c.imageDigest,
          },
    ...(r.containerError !== '' ? { containerError: r.containerError } : {}),
  };
}

/** Runs `fn` for each name; a failure is printed and the others still go, then exit code 1 (Docker's way). */
async function eachName(ctx: CliContext, refs: readonly string[], fn: (ref: string) => Promise<void>): Promise<void> {
  for (const ref of refs) {
    try {
      await fn(ref);
      process.stdout.write(`${ref}\n`);
    } catch (err) {
      process.stderr.write(`shoal: ${oneLine(err)}\n`);
      ctx.exitCode = 1;
    }
  }
}

async function stopOne(client: ManagerClient, ref: string, graceMs: number | undefined, signal: AbortSignal): Promise<void> {
  const task = await client.call<Task__Output>('StopTask', { id: ref, gracePeriodMs: graceMs ?? 0 });
  const wait = (graceMs ?? (Number(task.spec?.stopGracePeriodMs ?? 0) || STOP_GRACE_MS_DEFAULT)) + STOP_CONFIRM_MARGIN_MS;
  await awaitTask(client, viewOfTask(task), (v) => ENDED.has(v.state), { timeoutMs: wait, signal, what: 'its node did not confirm the stop (it stops when its agent hears of it)' });
}

async function startOne(client: ManagerClient, ref: string, signal: AbortSignal): Promise<void> {
  const task = await client.call<Task__Output>('StartTask', { id: ref });
  // Pending with the scheduler's reason: no node takes it now, so waiting longer tells nothing more.
  const waitsForNode = (x: TaskView): boolean => x.state === 'pending' && x.message !== '';
  const v = await awaitTask(client, viewOfTask(task), (x) => x.state === 'running' || ENDED.has(x.state) || waitsForNode(x), { timeoutMs: START_WAIT_MS, signal, what: 'not running' });
  if (v === undefined || v.state === 'running') return;
  if (waitsForNode(v)) throw failedPrecondition('cli.start_pending', `container ${v.name} is pending: ${v.message} (it runs once a node fits; shoal ps follows it)`);
  throw failedPrecondition('cli.start_failed', `container ${v.name} ${v.state}${v.message !== '' ? `: ${v.message}` : ''}`);
}

/**
 * `shoal exec NAME CMD ARGS...`: what follows the container is the command's, options included
 * (`ls -l`), as Docker reads it; a `--` is put after the container for commander.
 */
const EXEC_VALUE_OPTIONS = new Set(['-e', '--env', '-w', '--workdir', '--host', '--tls-dir']);

export function execSeparated(argv: readonly string[], at: number): string[] {
  for (let j = at + 1; j < argv.length; j++) {
    const token = argv[j] as string;
    if (token === '--') return [...argv];
    if (token.startsWith('-') && token !== '-') {
      if (EXEC_VALUE_OPTIONS.has(token)) j++;
      continue;
    }
    if (argv[j + 1] === '--') return [...argv];
    return [...argv.slice(0, j + 1), '--', ...argv.slice(j + 1)];
  }
  return [...argv];
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > EXEC_STDIN_BYTES_MAX) throw invalidArgument('config.invalid', `exec -i: stdin is more than ${EXEC_STDIN_BYTES_MAX} bytes, the most exec takes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const tailLines = (raw: string): number => intInRange(0, LOGS_TAIL_LINES_MAX)(raw === 'all' ? '0' : raw, '--tail');
const seconds = (raw: string): number => intInRange(0, 3600)(raw, '-t') * 1000;

export function registerContainers(program: Command, ctx: CliContext): void {
  managerOptions(program.command('logs'))
    .description("print a container's output, wherever it runs (read from its node's agent through the managers)")
    .option('-f, --follow', 'go on printing what it writes, until it exits (Ctrl-C stops following)')
    .option('-n, --tail <lines>', `only the last lines (0 or all: everything; at most ${LOGS_TAIL_LINES_MAX})`, tailLines)
    .option('--stale', "resolve the name in the manager's own copy (answers without a leader)")
    .argument('<container>', 'name, id or unique id prefix')
    .action(
      withManager(async (client, ref: string, o: { follow?: boolean; tail?: number; stale?: boolean }) => {
        await interruptible((signal) => client.stream<TaskLogLine__Output>('TaskLogs', { id: ref, follow: o.follow === true, tailLines: o.tail ?? 0 }, (l) => (l.stream === 'stderr' ? process.stderr : process.stdout).write(l.line), signal, { stale: o.stale === true }));
      }),
    );

  managerOptions(program.command('exec'))
    .description('run a command in a running container, wherever it runs; exits with the command\'s exit code')
    .option('-e, --env <KEY=VALUE>', 'an environment variable for the command (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('-w, --workdir <dir>', 'its working directory')
    .option('-i, --interactive', `send this process's stdin to the command (read whole first, at most ${EXEC_STDIN_BYTES_MAX} bytes)`)
    .argument('<container>', 'name, id or unique id prefix')
    .argument('<command...>', 'the command and its arguments (options after the container belong to it)')
    .action(
      withManager(async (client, ref: string, command: string[], o: { env?: string[]; workdir?: string; interactive?: boolean }) => {
        for (const kv of o.env ?? []) if (kv.indexOf('=') <= 0) throw invalidArgument('config.invalid', `-e ${JSON.stringify(kv)}: must be KEY=VALUE`);
        const stdin = o.interactive === true ? await readStdin() : Buffer.alloc(0);
        const r = await client.call<TaskExecResponse__Output>('TaskExec', { id: ref, args: command, env: o.env ?? [], workingDir: o.workdir ?? '', stdin }, { timeoutMs: EXEC_TIMEOUT_MS + 5_000 });
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
        ctx.exitCode = r.exitCode;
      }),
    );

  managerOptions(program.command('inspect'))
    .description('a container as the managers hold it and as its agent sees it: node, states, pid, exit code, times')
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .argument('<container...>', 'name, id or unique id prefix')
    .action(
      withManager(async (client, refs: string[], o: { stale?: boolean }) => {
        const found: Record<string, unknown>[] = [];
        for (const ref of refs) {
          try {
            found.push(inspectJson(await client.call<InspectTaskResponse__Output>('InspectTask', { id: ref }, { stale: o.stale === true }), Date.now()));
          } catch (err) {
            process.stderr.write(`shoal: ${oneLine(err)}\n`);
            ctx.exitCode = 1;
          }
        }
        // As `docker inspect`: a JSON array, whatever the format asked.
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      }),
    );

  managerOptions(program.command('stop'))
    .description('stop containers (the stop signal, then SIGKILL after the grace period); waits until their nodes say they are down')
    .option('-t, --time <seconds>', "seconds to wait before SIGKILL (default: the container's, else 10)", seconds)
    .argument('<container...>', 'name, id or unique id prefix')
    .action(
      withManager(async (client, refs: string[], o: { time?: number }) => {
        await interruptible((signal) => eachName(ctx, refs, (ref) => stopOne(client, ref, o.time, signal)));
      }),
    );

  managerOptions(program.command('start'))
    .description('start stopped containers again: a fresh run of the same spec under the same name, placed by the scheduler')
    .argument('<container...>', 'name, id or unique id prefix')
    .action(
      withManager(async (client, refs: string[]) => {
        await interruptible((signal) => eachName(ctx, refs, (ref) => startOne(client, ref, signal)));
      }),
    );
}

/**
 * `shoal run` without -d: once the task has a container, its output is printed as it comes and
 * the command exits with the container's exit code, as `docker run`. Ctrl-C detaches (the
 * container goes on). A task that ends without a container (its image could not be pulled)
 * fails with its reason and Docker's code 125.
 */
export async function runAttached(ctx: CliContext, client: ManagerClient, task: Task__Output): Promise<void> {
  const name = task.name;
  const detached = await interruptible(async (signal) => {
    let lastNote = '';
    const placed = await awaitTask(client, viewOfTask(task), (v) => v.containerId !== '' || ENDED.has(v.state), {
      timeoutMs: RUN_ATTACH_WAIT_MS,
      signal,
      what: 'no container yet, detached (shoal ps follows it)',
      onChange: (v) => {
        const note = v.state === 'pending' && v.message !== '' ? `waiting for a node: ${v.message}` : '';
        if (note !== '' && note !== lastNote) process.stderr.write(`${note}\n`);
        lastNote = note;
      },
    });
    if (placed === undefined) return true;
    if (placed.containerId === '') {
      // Docker's code for a container that could not be run at all.
      process.stderr.write(`shoal: container ${name} ${placed.state}${placed.message !== '' ? `: ${placed.message}` : ''}\n`);
      ctx.exitCode = 125;
      return false;
    }
    await printLogs(client, task.id, { follow: true, tail: 0, signal });
    return signal.aborted;
  });
  if (ctx.exitCode === 125) return;
  if (detached) {
    process.stderr.write(`detached from ${name}: it goes on (shoal logs -f ${name}, shoal stop ${name})\n`);
    return;
  }
  const r = await client.call<InspectTaskResponse__Output>('InspectTask', { id: task.id });
  const code = exitCodeOf(r);
  if (code === undefined) throw unavailable('cli.no_exit', `container ${name}: its output ended but its exit is not known (${r.containerError || r.container?.state || 'no container'})`);
  ctx.exitCode = code;
}
