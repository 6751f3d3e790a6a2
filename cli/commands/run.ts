// `shoal run`, `shoal ps` and `shoal rm`: containers through the managers, Docker Swarm classic's
// way. A run writes a task (pending); the leader's scheduler places it; the node's agent runs it.
// Without -d the output is streamed and the exit code is the container's (containers.ts).

import type { Command } from 'commander';
import type { ListTasksResponse__Output } from '../../proto/gen/shoal/control/v1/ListTasksResponse.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { PortMapping } from '../../proto/gen/shoal/types/v1/PortMapping.js';
import { option } from '../../shared/cli-option.js';
import { byteSize, durationMs, type Parser } from '../../shared/config.js';
import { invalidArgument, oneLine } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import type { ManagerClient } from '../manager-client.js';
import { managerOptions, withManager } from './cluster.js';
import { execSeparated, runAttached } from './containers.js';
import { taskColumns, taskJson, taskRows } from './tasks-format.js';

const repeatable = (v: string, all: string[] = []): string[] => [...all, v];

/** `--cpus 0.5` → 500,000,000 nano CPUs (Docker's NanoCPUs). */
export const cpus: Parser<number> = (raw, what) => {
  const m = /^\d+(?:\.\d{1,9})?$/.exec(raw.trim());
  const nano = m === null ? NaN : Math.round(Number(raw.trim()) * 1e9);
  if (!Number.isSafeInteger(nano)) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not a number of CPUs like 0.5 or 2`, { fields: { option: what, value: raw } });
  return nano;
};

/**
 * `--stop-on-disconnect 30s`: a duration above zero, in ms (its range, 5 s to 24 h, is the
 * managers' to check, in one line as well).
 */
export const stopOnDisconnect: Parser<number> = (raw, what) => {
  const ms = durationMs(raw, what);
  if (ms <= 0) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not a duration above zero, like 30s or 1m`, { fields: { option: what, value: raw } });
  return ms;
};

/** `-p HOST:CONTAINER[/tcp|udp|sctp]`. */
export function parsePublish(raw: string): PortMapping {
  const m = /^(\d{1,5}):(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(raw.trim());
  if (m === null) throw invalidArgument('config.invalid', `-p ${JSON.stringify(raw)}: must be HOST:CONTAINER[/tcp|udp|sctp], like 8080:80 or 53:53/udp`, { fields: { option: '-p', value: raw } });
  return { hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: (m[3] ?? 'tcp').toUpperCase() as 'TCP' | 'UDP' | 'SCTP' };
}

const SWARM_ENV_PREFIXES = ['constraint:', 'affinity:', 'reschedule:'];

/**
 * `-e K=V` as given; `-e K` takes K's value from this environment (left out when unset), as
 * Docker's; Swarm classic's `constraint:`, `affinity:` and `reschedule:` entries go as typed.
 */
export function envEntries(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return given.flatMap((e) => {
    if (e.includes('=') || SWARM_ENV_PREFIXES.some((p) => e.startsWith(p))) return [e];
    const value = env[e];
    return value === undefined ? [] : [`${e}=${value}`];
  });
}

/** `-l K=V` (a label without `=` has an empty value, which the managers refuse in one line). */
function labelsOf(given: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of given) {
    const at = l.indexOf('=');
    if (at === 0) throw invalidArgument('config.invalid', `-l ${JSON.stringify(l)}: must be KEY=VALUE`);
    labels[at < 0 ? l : l.slice(0, at)] = at < 0 ? '' : l.slice(at + 1);
  }
  return labels;
}

/** The run options that take a value: what `imageSeparated` skips over to find the image. */
const VALUE_OPTIONS = new Set(['--name', '-e', '--env', '-l', '--label', '--constraint', '-p', '--publish', '-m', '--memory', '--memory-reservation', '--cpus', '--restart', '--stop-on-disconnect', '--host', '--tls-dir', '--format', '--log-level']);
const GLOBAL_VALUE_OPTIONS = new Set(['--format', '--log-level']);

/**
 * `shoal run [OPTIONS] IMAGE [ARGS...]`: everything after the image is the container's command,
 * options included (`sh -c ...`, `ls -l`), as Docker reads it. Commander stops reading options
 * only at `--`, so one is put after the image. Other command lines are returned as they are.
 */
export function imageSeparated(argv: readonly string[]): string[] {
  let i = 2;
  while (i < argv.length && (argv[i] as string).startsWith('-')) i += GLOBAL_VALUE_OPTIONS.has(argv[i] as string) ? 2 : 1;
  if (argv[i] === 'exec') return execSeparated(argv, i);
  if (argv[i] !== 'run') return [...argv];
  for (let j = i + 1; j < argv.length; j++) {
    const token = argv[j] as string;
    if (token === '--') return [...argv];
    if (token.startsWith('-') && token !== '-') {
      if (VALUE_OPTIONS.has(token)) j++;
      continue;
    }
    if (argv[j + 1] === '--') return [...argv];
    return [...argv.slice(0, j + 1), '--', ...argv.slice(j + 1)];
  }
  return [...argv];
}

interface RunFlags {
  detach?: boolean;
  name?: string;
  env?: string[];
  label?: string[];
  constraint?: string[];
  publish?: string[];
  memory?: number;
  memoryReservation?: number;
  cpus?: number;
  restart?: string;
  stopOnDisconnect?: number;
}

async function run(ctx: CliContext, client: ManagerClient, image: string, args: string[], o: RunFlags): Promise<void> {
  const task = await client.call<Task__Output>('RunContainer', {
    name: o.name ?? '',
    spec: {
      image,
      args,
      env: envEntries(o.env ?? []),
      labels: labelsOf(o.label ?? []),
      ports: (o.publish ?? []).map(parsePublish),
      resources: { memoryBytes: o.memory ?? 0, memoryReservationBytes: o.memoryReservation ?? 0, nanoCpus: o.cpus ?? 0 },
    },
    constraints: o.constraint ?? [],
    restart: o.restart ?? '',
    stopOnDisconnectMs: o.stopOnDisconnect ?? 0,
  });
  if (o.detach !== true) return runAttached(ctx, client, task);
  if (ctx.output().format === 'json') ctx.output().object(taskJson({ task, node: undefined }, Date.now()));
  else process.stdout.write(`${task.id}\n`);
}

const FILTER_KEYS = ['node', 'name', 'label', 'state'] as const;

/** `--filter node=w1 --filter state=pending` into the request's lists; `status=` is read as `state=`, as Docker's. */
export function taskFilters(filters: readonly string[]): { nodes: string[]; names: string[]; labels: string[]; states: string[] } {
  const out = { nodes: [] as string[], names: [] as string[], labels: [] as string[], states: [] as string[] };
  for (const f of filters) {
    const at = f.indexOf('=');
    const key = at < 0 ? f : f.slice(0, at) === 'status' ? 'state' : f.slice(0, at);
    const value = at < 0 ? '' : f.slice(at + 1);
    if (!(FILTER_KEYS as readonly string[]).includes(key) || value === '') throw invalidArgument('config.invalid', `--filter ${JSON.stringify(f)}: must be ${FILTER_KEYS.map((k) => `${k}=...`).join(', ')}`);
    out[`${key}s` as keyof typeof out].push(value);
  }
  return out;
}

export function registerRun(program: Command, ctx: CliContext): void {
  managerOptions(program.command('run'))
    .description("run a container somewhere in the cluster (as Docker Swarm classic): the leader places it on a node that fits; prints its output and exits with its exit code (Ctrl-C detaches, it goes on), or -d")
    .option('-d, --detach', 'print the task id and return at once')
    .option('--name <name>', 'its name, unique in the cluster (made up when not given)')
    .option('-e, --env <KEY=VALUE>', "an environment variable (KEY alone: this shell's value); Swarm's constraint:EXPR, affinity:EXPR, reschedule:on-node-failure (repeatable)", repeatable)
    .option('-l, --label <KEY=VALUE>', 'a label (repeatable)', repeatable)
    .option('--constraint <expr>', 'where it may run: node.hostname==w1, node.labels.zone!=b, engine.labels.disk==ssd, ==~ for a preference (repeatable)', repeatable)
    .option('-p, --publish <HOST:CONTAINER[/PROTO]>', "publish a container port on the node's host port (repeatable)", repeatable)
    .addOption(option('-m, --memory <size>', 'memory limit (64m, 1g), reserved on the node', byteSize, 'SHOAL_RUN_MEMORY'))
    .addOption(option('--memory-reservation <size>', 'memory reserved on the node when less than the limit', byteSize, 'SHOAL_RUN_MEMORY_RESERVATION'))
    .addOption(option('--cpus <n>', 'CPU limit (0.5, 2), reserved on the node', cpus, 'SHOAL_RUN_CPUS'))
    .option('--restart <policy>', 'restart it on its node when it exits: no, on-failure[:N] or always (with a backoff from 100 ms doubling to 1 min)', 'no')
    .addOption(option('--stop-on-disconnect <duration>', 'its agent stops it after this long without a manager (30s, 1m), and the managers replace it only after as long: never two copies, even across a partition', stopOnDisconnect, 'SHOAL_RUN_STOP_ON_DISCONNECT'))
    .argument('<image>', 'the image, as Docker names it (busybox, registry:5000/team/app:1.2)')
    .argument('[command...]', "the command, replacing the image's (options after the image belong to it)")
    .action(
      withManager(async (client, image: string, args: string[], o: RunFlags) => {
        await run(ctx, client, image, args, o);
      }),
    );

  managerOptions(program.command('ps'))
    .description('list the containers of the cluster (running and to run; -a: all), as Docker Swarm classic')
    .option('-a, --all', 'also the ones that ended or are being removed')
    .option('-q, --quiet', 'print the ids only')
    .option('--filter <key=value>', 'node=NODE, name=TEXT, label=KEY[=VALUE], state=STATE (repeatable)', repeatable)
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .action(
      withManager(async (client, o: { all?: boolean; quiet?: boolean; filter?: string[]; stale?: boolean }) => {
        const res = await client.call<ListTasksResponse__Output>('ListTasks', { all: o.all === true, ...taskFilters(o.filter ?? []) }, { stale: o.stale === true });
        const rows = taskRows(res);
        const now = Date.now();
        if (o.quiet === true) process.stdout.write(rows.map((r) => `${r.task.id}\n`).join(''));
        else ctx.output().list(rows, taskColumns(now), (r) => taskJson(r, now));
      }),
    );

  managerOptions(program.command('rm'))
    .description('remove containers: one not running is removed at once; a running one needs -f (it is stopped, then removed)')
    .option('-f, --force', 'remove a running container too')
    .argument('<container...>', 'name, id or unique id prefix')
    .action(
      withManager(async (client, refs: string[], o: { force?: boolean }) => {
        for (const ref of refs) {
          try {
            await client.call('RemoveTask', { id: ref, force: o.force === true });
            process.stdout.write(`${ref}\n`);
          } catch (err) {
            // Docker goes on with the others and fails at the end.
            process.stderr.write(`shoal: ${oneLine(err)}\n`);
            ctx.exitCode = 1;
          }
        }
      }),
    );
}
