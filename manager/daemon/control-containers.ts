// The Control API's calls on a task's container, on any node (`shoal inspect`, `shoal logs`,
// `shoal exec`): the manager called resolves the task in its store (read-index first, or its own
// copy with --stale), finds the node it is on, dials that node's agent with its own certificate
// (agent-dial.ts; proto/agent.proto) and relays. Nothing goes through Raft or the leader. Each
// failure is one line: no such container, a task not on a node yet, its node down or gone, an
// agent that cannot be reached, exec in a container that is not running.

import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type { TaskExecResponse } from '../../proto/gen/shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine, TaskLogLine__Output } from '../../proto/gen/shoal/access/v1/TaskLogLine.js';
import type { IdRequest__Output } from '../../proto/gen/shoal/control/v1/IdRequest.js';
import type { InspectTaskResponse } from '../../proto/gen/shoal/control/v1/InspectTaskResponse.js';
import type { TaskExecRequest__Output } from '../../proto/gen/shoal/control/v1/TaskExecRequest.js';
import type { TaskLogsRequest__Output } from '../../proto/gen/shoal/control/v1/TaskLogsRequest.js';
import { EXEC_STDIN_BYTES_MAX, EXEC_TIMEOUT_MS, LOGS_TAIL_LINES_MAX } from '../../shared/agent-access.js';
import { failedPrecondition, fromGrpcStatus, invalidArgument, notFound, oneLine, ShoalError, toGrpcStatus, unavailable } from '../../shared/errors.js';
import { callUnary, unaryHandler } from '../../shared/grpc.js';
import type { Store } from '../store/store.js';
import type { StoreObjectOf } from '../store/types.js';
import type { AgentDialer, AgentTarget } from './agent-dial.js';
import { isStale } from './control.js';
import { taskMessage, taskOrThrow } from './control-tasks.js';
import type { Manager } from './manager.js';

type TaskObject = StoreObjectOf<'task'>;

/** Logs streams one manager relays at once (each agent bounds its own too); one more is refused in one line. */
export const LOGS_RELAYS_MAX = 256;

/** What the caller wanted, for the messages: "its logs can't be read now". */
const DOING = { logs: "its logs can't be read now", exec: "nothing can be run in its container now", inspect: "its container can't be inspected now" } as const;
type Doing = keyof typeof DOING;

/**
 * Where the agent holding `t`'s container is. Refused in one line when the task is on no node
 * yet, or its node is gone, down, or has no address.
 */
export function agentOf(store: Store, t: TaskObject, doing: Doing): AgentTarget {
  const name = t.spec.name;
  const nodeId = t.spec.nodeId;
  if (nodeId === undefined || t.status.state === 'new' || t.status.state === 'pending') {
    const why = t.status.pendingReason ?? t.status.message;
    throw failedPrecondition('manager.task_not_placed', `container ${name} is ${t.status.state} on no node yet${why !== undefined && why !== '' ? ` (${why})` : ''}: it has no container to read or run in`);
  }
  const node = store.get('node', nodeId);
  if (node === undefined) throw notFound('manager.node_gone', `container ${name}: its node ${nodeId} is no longer in the cluster: ${DOING[doing]}`);
  const hostname = node.spec.hostname;
  if (node.status.state === 'down' || node.status.state === 'disconnected') {
    throw failedPrecondition('manager.node_down', `node ${hostname} is ${node.status.state}: ${DOING[doing]}`, { fields: { node: hostname } });
  }
  const host = node.status.addr;
  if (host === undefined || host === '') throw failedPrecondition('manager.node_no_address', `node ${hostname} has no address: ${DOING[doing]}`);
  return { nodeId, hostname, host };
}

/** An agent's refusal in the words of the task and node it concerns. */
function agentError(err: unknown, t: TaskObject, target: AgentTarget): ShoalError {
  const e = fromGrpcStatus(err);
  const name = t.spec.name;
  if (e.code === 'agent.no_container') {
    return notFound('manager.no_container', `container ${name} is ${t.status.state} on ${target.hostname} and has no container there${t.status.message ? ` (${t.status.message})` : ''}`);
  }
  if (e.code === 'task.not_running' || e.code === 'task.paused') return failedPrecondition('manager.not_running', `container ${name} is not running on ${target.hostname}: exec needs a running container`);
  if (e.kind === 'unavailable' || e.kind === 'deadline_exceeded') return unavailable('manager.agent_unreachable', `node ${target.hostname}: its agent did not answer (${oneLine(e)})`, { fields: { node: target.hostname } });
  return new ShoalError(e.kind, e.code, `node ${target.hostname}: ${e.message}`, { fields: e.fields, cause: e });
}

async function inspectTask(manager: Manager, dialer: AgentDialer, store: Store, ref: string): Promise<InspectTaskResponse> {
  const t = taskOrThrow(store, ref);
  const node = t.spec.nodeId === undefined ? undefined : store.get('node', t.spec.nodeId);
  const base = { task: taskMessage(t), ...(node !== undefined ? { node: { id: node.id, hostname: node.spec.hostname, address: node.status.addr ?? '' } } : {}) };
  let target: AgentTarget;
  try {
    target = agentOf(store, t, 'inspect');
  } catch (err) {
    return { ...base, containerError: oneLine(err) };
  }
  try {
    const client = await dialer.client(target);
    const container = await callUnary(client.Inspect.bind(client), { taskId: t.id }, 10_000, manager.clock.wallMs()).catch((err: unknown) => {
      throw agentError(err, t, target);
    });
    return { ...base, container };
  } catch (err) {
    return { ...base, containerError: oneLine(err) };
  }
}

async function execInTask(manager: Manager, dialer: AgentDialer, store: Store, req: TaskExecRequest__Output): Promise<TaskExecResponse> {
  const t = taskOrThrow(store, req.id);
  if (req.args.length === 0) throw invalidArgument('manager.exec_no_command', 'exec: name a command to run');
  if (req.stdin.length > EXEC_STDIN_BYTES_MAX) throw invalidArgument('manager.exec_stdin', `exec: stdin of ${req.stdin.length} bytes, more than ${EXEC_STDIN_BYTES_MAX}`);
  const target = agentOf(store, t, 'exec');
  if (t.status.state !== 'running') throw failedPrecondition('manager.not_running', `container ${t.spec.name} is ${t.status.state} on ${target.hostname}, not running: exec needs a running container`);
  const client = await dialer.client(target);
  try {
    return await callUnary(client.Exec.bind(client), { taskId: t.id, args: req.args, env: req.env, workingDir: req.workingDir, stdin: req.stdin }, EXEC_TIMEOUT_MS, manager.clock.wallMs());
  } catch (err) {
    throw agentError(err, t, target);
  }
}

/** The agent's log lines for the task, relayed as they come, until the agent ends the stream or the caller goes. */
async function relayLogs(manager: Manager, dialer: AgentDialer, call: ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>, relays: { count: number }): Promise<void> {
  if (relays.count >= LOGS_RELAYS_MAX) {
    manager.logger.warn({ max: LOGS_RELAYS_MAX }, 'logs refused: this manager relays too many streams at once');
    throw new ShoalError('resource_exhausted', 'manager.too_many_logs', `this manager relays ${LOGS_RELAYS_MAX} logs streams at once, its most; try again or ask another manager`);
  }
  relays.count++;
  try {
    await relayOne(manager, dialer, call);
  } finally {
    relays.count--;
  }
}

async function relayOne(manager: Manager, dialer: AgentDialer, call: ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>): Promise<void> {
  const req = call.request;
  const tail = Number(req.tailLines);
  if (!Number.isSafeInteger(tail) || tail < 0 || tail > LOGS_TAIL_LINES_MAX) throw invalidArgument('manager.bad_tail', `--tail ${tail}: must be from 0 to ${LOGS_TAIL_LINES_MAX} lines (0: all)`);
  const store = await manager.readable(isStale(call));
  const t = taskOrThrow(store, req.id);
  const target = agentOf(store, t, 'logs');
  const client = await dialer.client(target);
  if (call.cancelled) return;
  const upstream = client.Logs({ taskId: t.id, follow: req.follow, tailLines: tail });
  call.on('cancelled', () => upstream.cancel());
  await new Promise<void>((resolve, reject) => {
    upstream.on('data', (line: TaskLogLine__Output) => {
      // A slow reader holds the agent back rather than filling this manager's memory.
      if (!call.write(line)) {
        upstream.pause();
        call.once('drain', () => upstream.resume());
      }
    });
    upstream.on('error', (err) => (call.cancelled ? resolve() : reject(agentError(err, t, target))));
    upstream.on('end', () => resolve());
  });
  if (!call.cancelled) call.end();
}

/** InspectTask, TaskLogs and TaskExec. */
export function containerHandlers(manager: Manager, dialer: AgentDialer) {
  const relays = { count: 0 };
  return {
    InspectTask: unaryHandler(async (req: IdRequest__Output, call: ServerUnaryCall<IdRequest__Output, InspectTaskResponse>) => inspectTask(manager, dialer, await manager.readable(isStale(call)), req.id)),
    TaskExec: unaryHandler(async (req: TaskExecRequest__Output) => execInTask(manager, dialer, await manager.readable(), req)),
    TaskLogs: (call: ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>): void => {
      relayLogs(manager, dialer, call, relays).catch((err: unknown) => {
        if (!call.cancelled) call.emit('error', toGrpcStatus(err));
      });
    },
  };
}
