// Test support: the managers' side of proto/dispatcher.proto, faked — a real gRPC server on
// loopback (TLS when given material) that opens sessions (one message, heartbeats answered),
// hands out the assignment streams it is asked for to the test, and keeps every status update.
// It decides nothing: the test sends the assignments. Stands in for the managers only in tests
// that say so, until the managers' side of Assignments/UpdateTaskStatus is there.

import { Server, ServerCredentials, credentials, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { AssignmentsMessage } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { AssignmentsRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsRequest.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { SessionMessage } from '../../proto/gen/shoal/dispatcher/v1/SessionMessage.js';
import type { SessionRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/SessionRequest.js';
import type { TaskStatusUpdate__Output } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { UpdateTaskStatusRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/UpdateTaskStatusRequest.js';
import { serverCredentials, type TlsMaterial } from '../../shared/grpc.js';

export class FakeDispatcher {
  readonly server = new Server();
  readonly streams: { sessionId: string; call: ServerWritableStream<AssignmentsRequest__Output, AssignmentsMessage> }[] = [];
  readonly sessions: ServerWritableStream<SessionRequest__Output, SessionMessage>[] = [];
  readonly updates: TaskStatusUpdate__Output[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  constructor(private readonly nodeId: string) {}

  async start(tls?: TlsMaterial): Promise<void> {
    const def = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    this.server.addService(def.service, {
      Session: (call: ServerWritableStream<SessionRequest__Output, SessionMessage>) => {
        this.sessions.push(call);
        call.write({ sessionId: `s${this.sessions.length}`, nodeId: this.nodeId, heartbeatPeriodMs: 1_000, managers: [] });
        this.wake();
      },
      Heartbeat: (_call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<object>) => cb(null, { periodMs: 1_000 }),
      Assignments: (call: ServerWritableStream<AssignmentsRequest__Output, AssignmentsMessage>) => {
        this.streams.push({ sessionId: call.request.sessionId, call });
        this.wake();
      },
      UpdateTaskStatus: (call: ServerUnaryCall<UpdateTaskStatusRequest__Output, object>, cb: sendUnaryData<object>) => {
        this.updates.push(...call.request.updates);
        this.wake();
        cb(null, {});
      },
    });
    const creds = tls === undefined ? ServerCredentials.createInsecure() : serverCredentials(tls);
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', creds, (err, port) => (err !== null ? reject(err) : resolve(port))));
  }

  /** A plain-text client (for a server started without TLS). */
  client(): DispatcherClient {
    const def = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    return new def(`127.0.0.1:${this.port}`, credentials.createInsecure()) as unknown as DispatcherClient;
  }

  /** Writes to the newest assignment stream. */
  send(m: AssignmentsMessage): void {
    const s = this.streams.at(-1);
    if (s === undefined) throw new Error('no assignment stream open');
    s.call.write(m);
  }

  last(taskId: string): TaskStatusUpdate__Output['status'] | undefined {
    return this.updates.filter((u) => u.taskId === taskId).at(-1)?.status;
  }

  /** Resolves once `ok` holds, woken by each call it serves (at most 1,000 calls); the test's timeout bounds the time. */
  async until(what: string, ok: () => boolean): Promise<void> {
    for (let k = 0; k < 1_000 && !ok(); k++) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!ok()) throw new Error(`${what} did not happen; updates: ${JSON.stringify(this.updates.map((u) => [u.taskId, u.status?.state]))}`);
  }

  stop(): void {
    this.server.forceShutdown();
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
