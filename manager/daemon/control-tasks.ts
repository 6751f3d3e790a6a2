// The Control API's task calls (proto/control.proto): `RunContainer` (`shoal run`), `ListTasks`
// (`shoal ps`), `RemoveTask` (`shoal rm`), `StopTask` and `StartTask` (`shoal stop|start`; the
// calls on a task's container are control-containers.ts's). Writes run on the leader (onLeader:
// a follower sends them on once), checked in full before anything is proposed; the listing is a
// linearizable read on the manager called (or its own copy with --stale). The leader's scheduler
// loop (scheduler-loop.ts) places what RunContainer writes.

import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { ListTasksRequest__Output } from '../../proto/gen/shoal/control/v1/ListTasksRequest.js';
import type { ListTasksResponse } from '../../proto/gen/shoal/control/v1/ListTasksResponse.js';
import type { RemoveTaskRequest__Output } from '../../proto/gen/shoal/control/v1/RemoveTaskRequest.js';
import type { RunContainerRequest__Output } from '../../proto/gen/shoal/control/v1/RunContainerRequest.js';
import type { StartTaskRequest__Output } from '../../proto/gen/shoal/control/v1/StartTaskRequest.js';
import type { StopTaskRequest__Output } from '../../proto/gen/shoal/control/v1/StopTaskRequest.js';
import type { Task } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { PortMapping } from '../../proto/gen/shoal/types/v1/PortMapping.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { systemRng, type Rng } from '../../shared/rng.js';
import type { Store } from '../store/store.js';
import { STOP_GRACE_PERIOD_MS_MAX } from '../store/validate.js';
import { TASK_STATES, TERMINAL_TASK_STATES, type StoreObjectOf } from '../store/types.js';
import { isStale, meta, onLeader, write } from './control.js';
import { taskSpecOf } from './container-spec.js';
import { newId } from './data-dir.js';
import type { Manager } from './manager.js';
import { generateTaskName } from './task-names.js';

type TaskObject = StoreObjectOf<'task'>;

const PROTOCOL_ENUM = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;

/** A task as the API shows it; a pending task's status message is its pending reason. */
export function taskMessage(t: TaskObject): Task {
  const s = t.spec;
  const ports: PortMapping[] = (s.ports ?? []).map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: PROTOCOL_ENUM[p.protocol] }));
  return {
    id: t.id,
    meta: meta(t.meta),
    serviceId: s.serviceId ?? '',
    nodeId: s.nodeId ?? '',
    name: s.name,
    spec: {
      image: s.image,
      args: [...(s.args ?? [])],
      env: [...(s.env ?? [])],
      labels: { ...s.labels },
      ports,
      stopGracePeriodMs: s.stopGracePeriodMs ?? 0,
      ...(s.resources !== undefined
        ? { resources: { memoryBytes: s.resources.limits.memoryBytes, memoryReservationBytes: s.resources.reservations.memoryBytes, nanoCpus: s.resources.limits.nanoCpus } }
        : {}),
    },
    desiredState: s.desiredState,
    // What the agent does on its own: restarts on its node, and the fencing stop.
    ...(s.restart !== undefined && s.restart.condition !== 'no' ? { restart: { condition: s.restart.condition, maxRetries: s.restart.maxRetries ?? 0 } } : {}),
    stopOnDisconnectMs: s.stopOnDisconnectMs ?? 0,
    status: {
      state: t.status.state,
      message: t.status.state === 'pending' ? (t.status.pendingReason ?? t.status.message ?? '') : (t.status.message ?? ''),
      containerId: t.status.containerId ?? '',
      atMs: t.meta.updatedAtMs,
    },
  };
}

/** A task by id, unique id prefix or name; one line when there is none or several. */
export function taskOrThrow(store: Store, ref: string): TaskObject {
  const exact = store.get('task', ref) ?? store.byNameOf('task', ref);
  const matches = exact !== undefined ? [exact] : ref === '' ? [] : store.list('task').filter((t) => t.id.startsWith(ref));
  if (matches.length === 1) return matches[0] as TaskObject;
  if (matches.length === 0) throw notFound('manager.no_task', `${ref}: no such container`);
  throw invalidArgument('manager.ambiguous_task', `${ref}: matches ${matches.length} tasks; give more of the id`);
}

/** Ended for good (orphaned runs again when its node is back). */
const FINISHED_STATES: readonly string[] = ['complete', 'failed', 'shutdown', 'rejected'];

/** Whether a task is on its way or running on a node (an agent may hold it): it needs `rm -f`. */
const onNode = (t: TaskObject): boolean => t.spec.nodeId !== undefined && !['new', 'pending', ...TERMINAL_TASK_STATES].includes(t.status.state);

const where = (store: Store, t: TaskObject): string => {
  const nodeId = t.spec.nodeId;
  if (nodeId === undefined) return '';
  return ` on ${store.get('node', nodeId)?.spec.hostname ?? nodeId}`;
};

/** A task `shoal ps` shows without -a: meant to run and not ended (an orphaned one may still run), and not replaced by a copy. */
const isLive = (t: TaskObject): boolean =>
  t.spec.desiredState === 'running' && t.spec.replacedBy === undefined && (t.status.state === 'orphaned' || !TERMINAL_TASK_STATES.includes(t.status.state));

interface TaskFilter {
  readonly all: boolean;
  readonly serviceId: string;
  readonly nodeIds: ReadonlySet<string> | undefined;
  readonly names: readonly string[];
  readonly labels: readonly { key: string; value?: string }[];
  readonly states: ReadonlySet<string> | undefined;
}

function taskFilter(req: ListTasksRequest__Output, manager: Manager): TaskFilter {
  const nodeRefs = [...req.nodes, ...(req.nodeId !== '' ? [req.nodeId] : [])];
  for (const s of req.states) {
    if (!(TASK_STATES as readonly string[]).includes(s)) throw invalidArgument('manager.bad_filter', `state=${s}: must be one of ${TASK_STATES.join(', ')}`);
  }
  return {
    // A state asked for is shown even when it is not live (`--filter state=complete`), as Docker's status filter.
    all: req.all || req.states.length > 0,
    serviceId: req.serviceId,
    nodeIds: nodeRefs.length === 0 ? undefined : new Set(nodeRefs.map((ref) => manager.nodeOrThrow(ref).id)),
    names: req.names,
    labels: req.labels.map((l) => {
      const at = l.indexOf('=');
      return at < 0 ? { key: l } : { key: l.slice(0, at), value: l.slice(at + 1) };
    }),
    states: req.states.length === 0 ? undefined : new Set(req.states),
  };
}

function passes(f: TaskFilter, t: TaskObject): boolean {
  if (!f.all && !isLive(t)) return false;
  if (f.serviceId !== '' && t.spec.serviceId !== f.serviceId) return false;
  if (f.nodeIds !== undefined && (t.spec.nodeId === undefined || !f.nodeIds.has(t.spec.nodeId))) return false;
  if (f.names.length > 0 && !f.names.some((n) => t.spec.name.includes(n))) return false;
  if (f.states !== undefined && !f.states.has(t.status.state)) return false;
  const labels = t.spec.labels;
  return f.labels.every((l) => Object.hasOwn(labels, l.key) && (l.value === undefined || labels[l.key] === l.value));
}

function listTasks(manager: Manager, req: ListTasksRequest__Output): ListTasksResponse {
  const store = manager.store;
  const filter = taskFilter(req, manager);
  const candidates = filter.serviceId !== '' ? store.tasksOfServiceId(filter.serviceId) : store.list('task');
  // Newest first, as `docker ps`.
  const tasks = candidates.filter((t) => passes(filter, t)).sort((a, b) => b.meta.createdAtMs - a.meta.createdAtMs || (a.id < b.id ? -1 : 1));
  const nodeIds = new Set(tasks.flatMap((t) => (t.spec.nodeId !== undefined ? [t.spec.nodeId] : [])));
  const nodes = [...nodeIds].flatMap((id) => {
    const n = store.get('node', id);
    return n === undefined ? [] : [{ id, hostname: n.spec.hostname, address: n.status.addr ?? '' }];
  });
  return { tasks: tasks.map(taskMessage), nodes };
}

async function runContainer(manager: Manager, rng: Rng, req: RunContainerRequest__Output): Promise<Task> {
  const store = await manager.readable();
  const id = newId();
  const name = req.name !== '' ? req.name : generateTaskName(rng, id, (n) => store.byNameOf('task', n) !== undefined);
  const spec = taskSpecOf(req, name);
  const holder = store.byNameOf('task', name);
  if (holder !== undefined) {
    throw alreadyExists('manager.name_taken', `name ${JSON.stringify(name)} is taken by task ${holder.id.slice(0, 12)} (${holder.status.state}${where(store, holder)}): remove it first (shoal rm ${name}) or choose another name`, { fields: { name, holder: holder.id } });
  }
  await write(manager, [{ op: 'create', kind: 'task', id, spec, status: { state: 'pending' } }]);
  const written = store.get('task', id);
  if (written === undefined) throw notFound('manager.no_task', `task ${id}: removed right after it was written`);
  return taskMessage(written);
}

/**
 * A task that no agent holds (never placed, or ended) is deleted now; one on a node needs
 * `force`, and is then given desired state `remove`: its agent shuts it down, and it is deleted
 * once it has ended (task-reaper.ts).
 */
async function removeTask(manager: Manager, req: RemoveTaskRequest__Output): Promise<Record<string, never>> {
  const store = await manager.readable();
  const t = taskOrThrow(store, req.id);
  if (!onNode(t)) {
    await write(manager, [{ op: 'delete', kind: 'task', id: t.id, version: t.meta.version }]);
    return {};
  }
  if (!req.force) {
    throw failedPrecondition('manager.task_running', `task ${t.spec.name} is ${t.status.state}${where(store, t)}: remove it with -f (it is shut down first)`, { fields: { state: t.status.state } });
  }
  if (t.spec.desiredState !== 'remove') await write(manager, [{ op: 'update', kind: 'task', id: t.id, version: t.meta.version, spec: { ...t.spec, desiredState: 'remove' } }]);
  return {};
}

/**
 * `shoal stop`: desired state `shutdown`, and `-t` as the task's grace period; its agent stops the
 * container and reports `shutdown`. A task no agent holds yet (pending) is shut down at once; one
 * that has ended already is left as it is (as `docker stop` of a stopped container).
 */
async function stopTask(manager: Manager, req: StopTaskRequest__Output): Promise<Task> {
  const store = await manager.readable();
  const t = taskOrThrow(store, req.id);
  const grace = Number(req.gracePeriodMs);
  if (!Number.isSafeInteger(grace) || grace < 0 || grace > STOP_GRACE_PERIOD_MS_MAX) {
    throw invalidArgument('manager.bad_grace_period', `-t: ${grace / 1000} seconds: must be from 0 to ${STOP_GRACE_PERIOD_MS_MAX / 1000}`);
  }
  if (t.spec.desiredState === 'remove') throw failedPrecondition('manager.task_removing', `container ${t.spec.name} is being removed`);
  if (FINISHED_STATES.includes(t.status.state)) return taskMessage(t);
  const spec = { ...t.spec, desiredState: 'shutdown' as const, ...(grace > 0 ? { stopGracePeriodMs: grace } : {}) };
  const placed = t.spec.nodeId !== undefined && t.status.state !== 'new' && t.status.state !== 'pending';
  // Nothing runs it anywhere: the managers end it themselves (as `rm` deletes such a task at once).
  const status = placed ? undefined : { state: 'shutdown' as const, message: 'stopped before it was placed' };
  if (spec.desiredState !== t.spec.desiredState || spec.stopGracePeriodMs !== t.spec.stopGracePeriodMs || status !== undefined) {
    await write(manager, [{ op: 'update', kind: 'task', id: t.id, version: t.meta.version, spec, ...(status !== undefined ? { status } : {}) }]);
  }
  return taskMessage(store.get('task', t.id) ?? t);
}

/**
 * `shoal start`: a task that is meant to run and has not ended is left as it is. One that was
 * stopped or has ended is replaced, in one transaction, by a fresh task with the same spec and
 * name (observed states only move forward, so the old one cannot run again): the old one is
 * deleted (its agent removes its container) and the new one waits, pending, for the scheduler,
 * which places it as it placed the first. An orphaned task waits for its node instead.
 */
async function startTask(manager: Manager, req: StartTaskRequest__Output): Promise<Task> {
  const store = await manager.readable();
  const t = taskOrThrow(store, req.id);
  const name = t.spec.name;
  if (t.spec.desiredState === 'remove') throw failedPrecondition('manager.task_removing', `container ${name} is being removed: run it again instead`);
  if (t.spec.replacedBy !== undefined) throw failedPrecondition('manager.task_replaced', `task ${t.id.slice(0, 12)} was replaced by ${t.spec.replacedBy.slice(0, 12)}, which holds the name ${name}: start that one`);
  if (t.status.state === 'orphaned') throw failedPrecondition('manager.task_orphaned', `container ${name} is orphaned${where(store, t)} while its node is down: it runs again when the node is back`);
  if (t.spec.desiredState === 'running' && !TERMINAL_TASK_STATES.includes(t.status.state)) return taskMessage(t);
  // Its container must be down before a new one takes its name on that node.
  if (!TERMINAL_TASK_STATES.includes(t.status.state)) throw failedPrecondition('manager.task_stopping', `container ${name} is being stopped${where(store, t)}: start it once it has stopped`);
  const { nodeId: _node, replaces: _replaces, stopGracePeriodMs: _grace, ...kept } = t.spec;
  const id = newId();
  await write(manager, [
    { op: 'delete', kind: 'task', id: t.id, version: t.meta.version },
    { op: 'create', kind: 'task', id, spec: { ...kept, desiredState: 'running' }, status: { state: 'pending' } },
  ]);
  const written = store.get('task', id);
  if (written === undefined) throw notFound('manager.no_task', `task ${id}: removed right after it was written`);
  return taskMessage(written);
}

/** RunContainer, ListTasks, RemoveTask, StopTask and StartTask; `rng` draws the names of tasks run without one. */
export function taskHandlers(manager: Manager, rng: Rng = systemRng) {
  return {
    RunContainer: onLeader(manager, 'RunContainer', (req: RunContainerRequest__Output) => runContainer(manager, rng, req)),
    RemoveTask: onLeader(manager, 'RemoveTask', (req: RemoveTaskRequest__Output) => removeTask(manager, req)),
    StopTask: onLeader(manager, 'StopTask', (req: StopTaskRequest__Output) => stopTask(manager, req)),
    StartTask: onLeader(manager, 'StartTask', (req: StartTaskRequest__Output) => startTask(manager, req)),
    ListTasks: unaryHandler(async (req: ListTasksRequest__Output, call: ServerUnaryCall<ListTasksRequest__Output, ListTasksResponse>) => {
      await manager.readable(isStale(call));
      return listTasks(manager, req);
    }),
  };
}
