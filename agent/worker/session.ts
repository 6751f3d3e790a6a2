// The agent's session with the managers (proto/dispatcher.proto), after swarmkit's agent: open a
// Session stream on a manager — the leader serves sessions; a follower names it
// (`manager.not_leader` with `leaderAddr`) — then send a heartbeat within each period the
// leader gives. When the manager goes away, or the stream or a heartbeat fails, try the next
// manager it knows (those it was given, then those sessions tell it about), with backoff; keep
// the list in node.json so a restart knows them too. Bounded: the known managers
// (`MANAGERS_KNOWN_MAX`), the backoff (`SESSION_BACKOFF`).

import type { ClientReadableStream } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { NodeDescription } from '../../proto/gen/shoal/dispatcher/v1/NodeDescription.js';
import type { SessionMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/SessionMessage.js';
import type { Clock, Timer } from '../../shared/clock.js';
import { fromGrpcStatus, oneLine, ShoalError } from '../../shared/errors.js';
import { callUnary, clientCredentials, type TlsMaterial } from '../../shared/grpc.js';
import type { Logger } from '../../shared/logger.js';
import { MANAGER_CHANNEL_OPTIONS, parseManagerAddress, hostPortText } from '../../shared/manager-hosts.js';
import type { Rng } from '../../shared/rng.js';
import { writeAgentIdentity, type AgentIdentity } from './identity.js';

/** Managers remembered, at most (a cluster has 1 to 7). */
export const MANAGERS_KNOWN_MAX = 16;
/** Between two attempts on the managers: from 100 ms, doubling, to 5 s, with jitter. */
export const SESSION_BACKOFF = { initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2 } as const;

/**
 * The failures in a row since a session last opened, and the wait they call for. A session that
 * opened starts the count again: an agent that once waited long (a partition) must not wait
 * long when its next session ends, or it misses the grace a new leader gives it.
 */
export class SessionBackoff {
  private failures = 0;

  opened(): void {
    this.failures = 0;
  }

  failed(): void {
    this.failures++;
  }

  /** The wait before the next attempt: 100 ms × 2^failures, capped at 5 s, times a jitter in [0.5, 1). */
  delayMs(rng: Rng): number {
    const base = Math.min(SESSION_BACKOFF.maxDelayMs, SESSION_BACKOFF.initialDelayMs * SESSION_BACKOFF.multiplier ** Math.min(this.failures, 16));
    return base * (0.5 + rng.float() / 2);
  }
}
/**
 * A heartbeat gets one period to be answered (within these bounds): a leader that lost power
 * answers nothing and sends no reset, so this is how soon the agent moves to the next leader —
 * well inside the grace the next leader gives every node (3 periods). A slow answer costs only a
 * new session with the same leader, never a node declared down.
 */
export const HEARTBEAT_TIMEOUT_MS = { min: 500, max: 5_000 } as const;

export function heartbeatTimeoutMs(periodMs: number): number {
  return Math.min(HEARTBEAT_TIMEOUT_MS.max, Math.max(HEARTBEAT_TIMEOUT_MS.min, periodMs));
}
const CONNECT_TIMEOUT_MS = 1_000;

export interface SessionOptions {
  readonly dataDir: string;
  readonly identity: AgentIdentity;
  readonly tls: TlsMaterial;
  readonly description: NodeDescription;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Told each time a session opens (the worker opens its assignment stream with it) and ends. */
  readonly listener?: SessionListener;
}

export interface SessionListener {
  opened(client: DispatcherClient, sessionId: string): void;
  ended(): void;
  /**
   * A manager answered: the session opened, or a heartbeat was answered. `sentAtMs` (the clock's
   * nowMs) is when that call was made, so a listener that counts time without a manager
   * (`--stop-on-disconnect`) starts no later than the managers do.
   */
  contact?(sentAtMs: number): void;
}

export interface SessionState {
  readonly connectedTo?: string;
  readonly sessionId?: string;
  readonly heartbeatsOk: number;
}

export class ManagerSession {
  private managers: string[];
  private next = 0;
  private stopped = false;
  private readonly backoff = new SessionBackoff();
  private stream: ClientReadableStream<SessionMessage__Output> | undefined;
  private client: DispatcherClient | undefined;
  private timer: Timer | undefined;
  private state: { connectedTo?: string; sessionId?: string; heartbeatsOk: number } = { heartbeatsOk: 0 };
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly o: SessionOptions) {
    this.managers = [...o.identity.managers];
  }

  get status(): SessionState {
    return { ...this.state };
  }

  start(): void {
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const addr = this.managers[this.next % this.managers.length] as string;
      let redirect: string | undefined;
      try {
        redirect = await this.runSession(addr);
      } catch (err) {
        if (this.stopped) return;
        const leaderAddr = err instanceof ShoalError ? err.fields['leaderAddr'] : undefined;
        if (err instanceof ShoalError && err.code === 'manager.not_leader' && typeof leaderAddr === 'string') redirect = leaderAddr;
        else {
          this.backoff.failed();
          this.o.logger.warn({ manager: addr, err: oneLine(err) }, 'session with a manager ended; trying the next');
        }
      }
      this.ended();
      if (redirect !== undefined) {
        this.remember([redirect]);
        this.next = this.managers.indexOf(redirect);
        continue;
      }
      this.next = (this.next + 1) % this.managers.length;
      await this.o.clock.sleep(this.backoff.delayMs(this.o.rng), this.abort.signal).catch(() => undefined); // aborted: stopping
    }
  }

  /** One session on `addr`, until it fails; resolves with a leader's address when told to go there. */
  private async runSession(addr: string): Promise<string | undefined> {
    const Dispatcher = loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher;
    this.client?.close();
    const client = new Dispatcher(hostPortText(parseManagerAddress(addr, 'manager address')), clientCredentials(this.o.tls), MANAGER_CHANNEL_OPTIONS) as unknown as DispatcherClient;
    this.client = client;
    const ready = await new Promise<boolean>((resolve) => client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (err) => resolve(err === undefined)));
    if (!ready) throw new ShoalError('unavailable', 'agent.manager_unreachable', `no connection to the manager at ${addr} within ${CONNECT_TIMEOUT_MS} ms`);
    const calledAtMs = this.o.clock.nowMs();
    const stream = client.Session({ description: this.o.description, sessionId: '' });
    this.stream = stream;
    return new Promise<string | undefined>((resolve, reject) => {
      let period = 0;
      const beat = (): void => {
        if (this.stopped || this.state.sessionId === undefined) return;
        const sessionId = this.state.sessionId;
        const sentAtMs = this.o.clock.nowMs();
        callUnary(client.Heartbeat.bind(client), { sessionId }, heartbeatTimeoutMs(period), this.o.clock.wallMs()).then(
          (res) => {
            this.state.heartbeatsOk++;
            this.o.listener?.contact?.(sentAtMs);
            period = Number(res.periodMs) || period;
            this.timer = this.o.clock.setTimer(period, beat);
          },
          (err: unknown) => {
            stream.cancel();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      };
      stream.on('data', (m: SessionMessage__Output) => {
        if (this.state.sessionId === undefined) {
          this.backoff.opened();
          this.state = { connectedTo: addr, sessionId: m.sessionId, heartbeatsOk: this.state.heartbeatsOk };
          period = Number(m.heartbeatPeriodMs);
          this.o.logger.info({ manager: addr, sessionId: m.sessionId, nodeId: m.nodeId, periodMs: period }, 'session with the managers');
          this.timer = this.o.clock.setTimer(period, beat);
          this.o.listener?.contact?.(calledAtMs);
          this.o.listener?.opened(client, m.sessionId);
        }
        if (m.managers.length > 0) this.remember(m.managers.map((p) => p.address));
      });
      stream.on('error', (err) => {
        this.timer?.cancel();
        reject(fromGrpcStatus(err));
      });
      stream.on('end', () => {
        this.timer?.cancel();
        resolve(undefined);
      });
    });
  }

  /** The session is over: the listener is told, once per session it was told of. */
  private ended(): void {
    const had = this.state.sessionId !== undefined;
    this.state = { heartbeatsOk: this.state.heartbeatsOk };
    if (had) this.o.listener?.ended();
  }

  /** Adds managers to the known list (bounded) and keeps it in node.json. */
  private remember(addrs: readonly string[]): void {
    const before = this.managers.join(',');
    for (const a of addrs) if (!this.managers.includes(a)) this.managers.push(a);
    this.managers = this.managers.slice(-MANAGERS_KNOWN_MAX);
    if (this.managers.join(',') === before) return;
    writeAgentIdentity(this.o.dataDir, { ...this.o.identity, managers: this.managers }).catch((err: unknown) => this.o.logger.warn({ err: oneLine(err) }, 'could not keep the list of managers'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.timer?.cancel();
    this.stream?.cancel();
    this.client?.close();
    await this.running;
    this.ended();
  }
}
