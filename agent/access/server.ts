// The agent's TaskAccess service (proto/agent.proto): the managers read the logs of, exec in and
// inspect the containers of the tasks they gave this agent. It is served only in a cluster, on the
// advertise address at AGENT_ACCESS_PORT, over mutual TLS with the agent's node certificate, and
// every call is checked to come from a manager of this cluster (peer.ts). A task's container is
// found by the worker's labels (task id and this node's id), so a container made with `shoal ctr`
// is out of reach. Bounded: LOGS_STREAMS_MAX streams and EXECS_MAX execs at once; each stream
// LOGS_STREAM_BYTES_MAX bytes and, followed, LOGS_FOLLOW_MS_MAX; `tail` LOGS_TAIL_LINES_MAX.

import { X509Certificate } from 'node:crypto';
import { Server, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { TaskContainer } from '../../proto/gen/shoal/access/v1/TaskContainer.js';
import type { TaskExecRequest__Output } from '../../proto/gen/shoal/access/v1/TaskExecRequest.js';
import type { TaskExecResponse } from '../../proto/gen/shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine } from '../../proto/gen/shoal/access/v1/TaskLogLine.js';
import type { TaskLogsRequest__Output } from '../../proto/gen/shoal/access/v1/TaskLogsRequest.js';
import type { TaskRef__Output } from '../../proto/gen/shoal/access/v1/TaskRef.js';
import { AGENT_ACCESS_PORT, EXEC_STDIN_BYTES_MAX, EXECS_MAX, LOGS_FOLLOW_MS_MAX, LOGS_STREAM_BYTES_MAX, LOGS_STREAMS_MAX, LOGS_TAIL_LINES_MAX } from '../../shared/agent-access.js';
import type { Clock } from '../../shared/clock.js';
import { invalidArgument, notFound, oneLine, ShoalError, toGrpcStatus } from '../../shared/errors.js';
import { listen, shutdown, type Address, type TlsMaterial } from '../../shared/grpc.js';
import type { Logger } from '../../shared/logger.js';
import { TlsMaterialProvider } from '../../shared/tls-provider.js';
import type { ContainerRecord, Supervisor } from '../runtime/supervisor.js';
import { NODE_LABEL, TASK_LABEL } from '../worker/worker.js';
import { managerCaller, type AccessCheck } from './peer.js';

/** What the service needs of the supervisor. */
export type AccessRuntime = Pick<Supervisor, 'list' | 'logs' | 'exec'>;

export interface TaskAccessOptions {
  readonly runtime: AccessRuntime;
  readonly nodeId: string;
  readonly clusterId: string;
  readonly tls: TlsMaterial;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Limits, for tests; the named defaults otherwise. */
  readonly limits?: Partial<AccessLimits>;
}

export interface AccessLimits {
  readonly streamsMax: number;
  readonly execsMax: number;
  readonly streamBytesMax: number;
  readonly followMsMax: number;
}

const DEFAULT_LIMITS: AccessLimits = { streamsMax: LOGS_STREAMS_MAX, execsMax: EXECS_MAX, streamBytesMax: LOGS_STREAM_BYTES_MAX, followMsMax: LOGS_FOLLOW_MS_MAX };

/** The container of a task of this node: the newest one labelled with it (a restart may have made another). */
export function containerOfTask(containers: readonly ContainerRecord[], taskId: string, nodeId: string): ContainerRecord {
  let found: ContainerRecord | undefined;
  for (const c of containers) {
    if (c.spec.labels[TASK_LABEL] !== taskId || c.spec.labels[NODE_LABEL] !== nodeId) continue;
    if (found === undefined || c.createdAtMs > found.createdAtMs) found = c;
  }
  if (found === undefined) throw notFound('agent.no_container', `task ${taskId} has no container on this node`);
  return found;
}

export function containerMessage(c: ContainerRecord): TaskContainer {
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    pid: c.pid,
    ...(c.exit !== undefined ? { exit: { exitCode: c.exit.exitCode, signal: c.exit.signal, oomKilled: c.exit.oomKilled, exitedAtMs: c.exit.exitedAtMs } } : {}),
    createdAtMs: c.createdAtMs,
    startedAtMs: c.startedAtMs,
    imageDigest: c.imageDigest,
  };
}

const exhausted = (code: string, message: string): ShoalError => new ShoalError('resource_exhausted', code, message);
const durationText = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${ms} ms`);

export class TaskAccessServer {
  private readonly server = new Server({ 'grpc.max_receive_message_length': EXEC_STDIN_BYTES_MAX + 64 * 1024 });
  private readonly limits: AccessLimits;
  private readonly check: AccessCheck;
  private streams = 0;
  private execs = 0;
  private readonly open = new Set<AbortController>();

  constructor(private readonly o: TaskAccessOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.check = { ca: new X509Certificate(o.tls.caPem), clusterId: o.clusterId, nowMs: () => o.clock.wallMs() };
    this.server.addService(loadProto('agent').shoal.access.v1.TaskAccess.service, this.handlers());
  }

  /** Serves on `host` (the advertise address) at `port` (AGENT_ACCESS_PORT unless a test says). */
  async start(host: string, port = AGENT_ACCESS_PORT): Promise<Address> {
    const provider = new TlsMaterialProvider(this.o.tls);
    const address = await listen(this.server, { kind: 'tcp', host, port }, provider.serverCredentials());
    this.o.logger.info({ address: `${host}:${address.kind === 'tcp' ? address.port : port}` }, 'serving logs, exec and inspect of task containers to the managers');
    return address;
  }

  async stop(): Promise<void> {
    for (const a of this.open) a.abort();
    await shutdown(this.server, this.o.clock, 1_000);
  }

  /** The caller must be a manager of this cluster; refused in one line, logged, otherwise. */
  private admit(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>, method: string): void {
    try {
      managerCaller(call, this.check);
    } catch (err) {
      this.o.logger.warn({ peer: call.getPeer(), method, err: oneLine(err) }, 'task access refused');
      throw err;
    }
  }

  private handlers() {
    return {
      Logs: (call: ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>): void => {
        this.logs(call).catch((err: unknown) => call.emit('error', toGrpcStatus(err)));
      },
      Exec: (call: ServerUnaryCall<TaskExecRequest__Output, TaskExecResponse>, callback: sendUnaryData<TaskExecResponse>): void => {
        this.exec(call).then(
          (res) => callback(null, res),
          (err: unknown) => callback(toGrpcStatus(err)),
        );
      },
      Inspect: (call: ServerUnaryCall<TaskRef__Output, TaskContainer>, callback: sendUnaryData<TaskContainer>): void => {
        try {
          this.admit(call, 'Inspect');
          callback(null, containerMessage(containerOfTask(this.o.runtime.list(true), call.request.taskId, this.o.nodeId)));
        } catch (err) {
          callback(toGrpcStatus(err));
        }
      },
    };
  }

  private async exec(call: ServerUnaryCall<TaskExecRequest__Output, TaskExecResponse>): Promise<TaskExecResponse> {
    this.admit(call, 'Exec');
    const req = call.request;
    const c = containerOfTask(this.o.runtime.list(true), req.taskId, this.o.nodeId);
    if (this.execs >= this.limits.execsMax) {
      this.o.logger.warn({ max: this.limits.execsMax }, 'exec refused: too many at once');
      throw exhausted('agent.too_many_execs', `this agent runs ${this.limits.execsMax} execs at once, its most; try again`);
    }
    this.execs++;
    try {
      return await this.o.runtime.exec(c.id, req.args, req.env, req.workingDir, req.stdin);
    } finally {
      this.execs--;
    }
  }

  private async logs(call: ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>): Promise<void> {
    this.admit(call, 'Logs');
    const req = call.request;
    const tail = Number(req.tailLines);
    if (!Number.isSafeInteger(tail) || tail < 0 || tail > LOGS_TAIL_LINES_MAX) throw invalidArgument('agent.bad_tail', `tail: ${tail} lines: must be from 0 to ${LOGS_TAIL_LINES_MAX}`);
    const c = containerOfTask(this.o.runtime.list(true), req.taskId, this.o.nodeId);
    if (this.streams >= this.limits.streamsMax) {
      this.o.logger.warn({ max: this.limits.streamsMax }, 'logs refused: too many streams at once');
      throw exhausted('agent.too_many_streams', `this agent serves ${this.limits.streamsMax} logs streams at once, its most; try again`);
    }
    const abort = new AbortController();
    this.open.add(abort);
    this.streams++;
    call.on('cancelled', () => abort.abort());
    let limit: ShoalError | undefined;
    const timer = req.follow
      ? this.o.clock.setTimer(this.limits.followMsMax, () => {
          limit = exhausted('agent.logs_time_limit', `logs: a followed stream lasts at most ${durationText(this.limits.followMsMax)}; follow again to go on`);
          abort.abort();
        })
      : undefined;
    let bytes = 0;
    try {
      for await (const line of this.o.runtime.logs(c.id, req.follow, tail, abort.signal)) {
        const data = Buffer.from(line.log);
        bytes += data.length;
        if (bytes > this.limits.streamBytesMax) {
          limit = exhausted('agent.logs_byte_limit', `logs: a stream carries at most ${this.limits.streamBytesMax} bytes; ask for less with --tail`);
          break;
        }
        if (!call.write({ stream: line.stream, line: data, atMs: Date.parse(line.time) })) {
          // A manager that stopped reading: wait for it, or for the end of the call.
          await new Promise<void>((resolve) => {
            call.once('drain', resolve);
            abort.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
        if (abort.signal.aborted) break;
      }
      if (limit !== undefined) {
        this.o.logger.warn({ taskId: req.taskId, err: limit.message }, 'logs stream ended at its limit');
        call.emit('error', toGrpcStatus(limit));
      } else call.end();
    } finally {
      timer?.cancel();
      this.streams--;
      this.open.delete(abort);
    }
  }
}
