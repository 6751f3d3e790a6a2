// How `shoal ps` shows tasks, as Docker Swarm classic's `docker ps` showed containers: ID,
// IMAGE, COMMAND, CREATED, STATUS (with a pending task's reason), PORTS and NAMES as
// `node/name`. Pure: the rows from the API's answer and the time now.

import type { ListTasksResponse__Output } from '../../proto/gen/shoal/control/v1/ListTasksResponse.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { Column } from '../output.js';

type TaskNode = ListTasksResponse__Output['nodes'][number];

/** Docker's (go-units) HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

const COMMAND_CHARS_MAX = 20;

/** The command as `docker ps` shows it: quoted, cut to 20 characters with an ellipsis. */
export function commandText(args: readonly string[]): string {
  const text = args.map((a) => (a === '' || /\s/.test(a) ? `'${a}'` : a)).join(' ');
  return `"${text.length > COMMAND_CHARS_MAX ? `${text.slice(0, COMMAND_CHARS_MAX - 1)}…` : text}"`;
}

const title = (s: string): string => (s === '' ? '' : `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`);

const DESIRED_NOTES: Readonly<Record<string, string>> = { remove: ' (being removed)', shutdown: ' (being stopped)' };

/**
 * A running task whose container exited and waits out its restart backoff (`--restart`): the
 * agent's message starts so (agent/worker/restarts.ts), as Docker shows `Restarting`.
 */
const RESTARTING_PREFIX = 'restarting: ';

/**
 * STATUS: `Pending: <reason>`, `Up 5 minutes`, `Up 3 seconds (restarted 2 times; last exit code 1)`,
 * `Restarting: exit code 1, restart 3 of 5 in 400 ms (1 second ago)`, `Assigned 3 seconds ago`,
 * `Complete 2 hours ago`.
 */
export function statusText(t: Task__Output, nowMs: number): string {
  const state = t.status?.state ?? 'unknown';
  const message = t.status?.message ?? '';
  const since = humanDuration(Math.max(0, nowMs - Number(t.status?.atMs ?? 0)));
  const note = DESIRED_NOTES[t.desiredState] ?? '';
  if (state === 'pending') return `Pending${message !== '' ? `: ${message}` : ''}${note}`;
  if (state === 'running' && message.startsWith(RESTARTING_PREFIX)) return `Restarting: ${message.slice(RESTARTING_PREFIX.length)} (${since.toLowerCase()} ago)${note}`;
  if (state === 'running') return `Up ${since}${message !== '' ? ` (${message})` : ''}${note}`;
  const base = `${title(state)} ${since} ago${note}`;
  return (state === 'failed' || state === 'rejected') && message !== '' ? `${base}: ${message}` : base;
}

const PROTOCOLS: Readonly<Record<string, string>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** PORTS as Swarm classic showed them: the node's address, `10.0.0.5:8080->80/tcp`. */
export function portsText(t: Task__Output, node: TaskNode | undefined): string {
  const host = node?.address !== undefined && node.address !== '' ? node.address : '0.0.0.0';
  return (t.spec?.ports ?? []).map((p) => `${host}:${p.hostPort}->${p.containerPort}/${PROTOCOLS[p.protocol] ?? 'tcp'}`).join(', ');
}

export interface TaskRow {
  readonly task: Task__Output;
  readonly node: TaskNode | undefined;
}

export function taskRows(res: ListTasksResponse__Output): TaskRow[] {
  const nodes = new Map(res.nodes.map((n) => [n.id, n]));
  return res.tasks.map((task) => ({ task, node: nodes.get(task.nodeId) }));
}

/** NAMES: `node/name` once placed, as Swarm classic. */
export const namesText = (r: TaskRow): string => (r.node !== undefined ? `${r.node.hostname}/${r.task.name}` : r.task.name);

export function taskColumns(nowMs: number): Column<TaskRow>[] {
  return [
    { header: 'ID', value: (r) => r.task.id.slice(0, 12) },
    { header: 'IMAGE', value: (r) => r.task.spec?.image ?? '' },
    { header: 'COMMAND', value: (r) => commandText(r.task.spec?.args ?? []) },
    { header: 'CREATED', value: (r) => `${humanDuration(Math.max(0, nowMs - Number(r.task.meta?.createdAtMs ?? 0)))} ago` },
    { header: 'STATUS', value: (r) => statusText(r.task, nowMs) },
    { header: 'PORTS', value: (r) => portsText(r.task, r.node) },
    { header: 'NAMES', value: namesText },
  ];
}

export function taskJson(r: TaskRow, nowMs: number): Record<string, unknown> {
  const t = r.task;
  const state = t.status?.state ?? '';
  return {
    id: t.id,
    name: t.name,
    node: r.node?.hostname ?? '',
    nodeId: t.nodeId,
    image: t.spec?.image ?? '',
    command: t.spec?.args ?? [],
    env: t.spec?.env ?? [],
    labels: t.spec?.labels ?? {},
    ports: (t.spec?.ports ?? []).map((p) => `${p.hostPort}:${p.containerPort}/${PROTOCOLS[p.protocol] ?? 'tcp'}`),
    state,
    desiredState: t.desiredState,
    status: statusText(t, nowMs),
    ...(state === 'pending' ? { pendingReason: t.status?.message ?? '' } : { message: t.status?.message ?? '' }),
    createdAt: new Date(Number(t.meta?.createdAtMs ?? 0)).toISOString(),
    updatedAt: new Date(Number(t.meta?.updatedAtMs ?? 0)).toISOString(),
  };
}
