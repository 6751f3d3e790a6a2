// The CLI's connection to the managers: `--host`/`SHOAL_HOST` (a comma-separated list; a call
// goes to the first that answers and stays with it) and `--tls-dir`/`SHOAL_TLS_DIR` (an admin
// bundle: ca.pem, cert.pem, key.pem). On a manager's host, as root, with neither flag, the local
// manager and the admin bundle `shoal manager init` made there are used.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProto } from '../proto/load.js';
import type { ControlClient } from '../proto/gen/shoal/control/v1/Control.js';
import type { WatchEvent__Output } from '../proto/gen/shoal/control/v1/WatchEvent.js';
import { ShoalError, fromGrpcStatus, invalidArgument, oneLine, unavailable } from '../shared/errors.js';
import { clientCredentials } from '../shared/grpc.js';
import { Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { hostPortText, MANAGER_CHANNEL_OPTIONS, parseManagerAddress, parseManagerHosts, STALE_READ_METADATA, type HostPort } from '../shared/manager-hosts.js';
import { readTlsDir } from '../shared/tls-dir.js';

/** The data dir of a manager installed on this host (packaging/default/shoal-manager). */
export const LOCAL_MANAGER_DIR = '/var/lib/shoal/manager';
/** A manager that cannot be connected to within this long is skipped for the next one. */
export const CONNECT_TIMEOUT_MS = 1_000;
/** The calls that change something. */
const WRITES = new Set<string>(['UpdateNode', 'RemoveNode', 'UpdateCluster', 'RotateJoinToken', 'CreateService', 'UpdateService', 'RemoveService', 'RunContainer', 'RemoveTask', 'StopTask', 'StartTask', 'TaskExec', 'CreateNetwork', 'RemoveNetwork']);
/** Refusals made before a write could be proposed: another manager may be asked safely. */
const NOT_APPLIED = new Set<string>(['manager.no_leader', 'manager.leader_unreachable', 'manager.not_leader', 'raft.proposal_dropped', 'manager.leader_moved']);

/** A watch that keeps failing moves at most this many rounds of the managers listed. */
export const WATCH_MOVES_MAX = 3;
const WATCH_MOVE_PAUSE_MS = 200;
/** How long one call may take on one manager before the next is tried. */
export const CONTROL_CALL_TIMEOUT_MS = 10_000;

/** Where a watch starts: after a version (0: now), or at a time (`sinceMs` > 0); `noFollow`: end once caught up. */
export interface WatchStart {
  readonly kinds: string[];
  readonly sinceVersion: number;
  readonly sinceMs?: number;
  readonly noFollow?: boolean;
}

export interface ManagerFlags {
  readonly host?: string;
  readonly tlsDir?: string;
}

export class ManagerClient {
  private readonly clients = new Map<string, ControlClient>();
  /** The manager that answered last: tried first. */
  private preferred = 0;

  private constructor(
    private readonly hosts: readonly HostPort[],
    private readonly tlsCredentials: ReturnType<typeof clientCredentials>,
  ) {}

  /** From the flags, or the local manager's files; one line when neither gives a manager. */
  static async connect(flags: ManagerFlags): Promise<ManagerClient> {
    let hosts: HostPort[];
    let tlsDir = flags.tlsDir;
    if (flags.host !== undefined) {
      hosts = parseManagerHosts(flags.host);
    } else {
      const local = await readLocalManager();
      if (local === undefined) throw invalidArgument('config.invalid', `no manager to talk to: give --host (or SHOAL_HOST) and --tls-dir (or SHOAL_TLS_DIR); on a manager's host, as root, ${LOCAL_MANAGER_DIR} is used`);
      hosts = [local];
      // The admin bundle where `init` made one; else the manager's own certificate (a manager
      // may call the Control API too), readable by root only.
      tlsDir ??= existsSync(join(LOCAL_MANAGER_DIR, 'admin')) ? join(LOCAL_MANAGER_DIR, 'admin') : join(LOCAL_MANAGER_DIR, 'tls');
    }
    if (tlsDir === undefined) throw invalidArgument('config.invalid', '--tls-dir (or SHOAL_TLS_DIR): needed; managers take only mutual TLS (the admin bundle of `shoal manager init`, or `shoal lab env`)');
    const tls = await readTlsDir(tlsDir, '--tls-dir');
    return new ManagerClient(hosts, clientCredentials(tls));
  }

  private client(i: number): ControlClient {
    const target = hostPortText(this.hosts[i] as HostPort);
    let c = this.clients.get(target);
    if (c === undefined) {
      const Control = loadProto('control').shoal.control.v1.Control;
      // The server must show a manager's certificate (MANAGER_SERVER_NAME), whatever address was dialled.
      c = new Control(target, this.tlsCredentials, { 'grpc.max_receive_message_length': 64 * 1024 * 1024, ...MANAGER_CHANNEL_OPTIONS }) as unknown as ControlClient;
      this.clients.set(target, c);
    }
    return c;
  }

  /**
   * One unary call: to the manager that answered last, then to each other in turn when one is
   * unreachable or has no leader (UNAVAILABLE) or does not answer in time. Other errors are the
   * answer.
   */
  async call<Res>(name: keyof ControlClient & string, request: object, options: { stale?: boolean; timeoutMs?: number } = {}): Promise<Res> {
    const failures: string[] = [];
    for (let k = 0; k < this.hosts.length; k++) {
      const i = (this.preferred + k) % this.hosts.length;
      const c = this.client(i);
      // A manager whose host is down answers nothing, not even a refusal: its TCP connect would
      // hang for the whole deadline. Nothing is sent until the connection is up.
      const connected = await new Promise<string | undefined>((resolve) => c.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (err) => resolve(err?.message)));
      if (connected !== undefined) {
        failures.push(`${hostPortText(this.hosts[i] as HostPort)}: no connection within ${CONNECT_TIMEOUT_MS} ms`);
        continue;
      }
      try {
        const method = (c[name] as (...a: unknown[]) => unknown).bind(c);
        const md = new Metadata();
        if (options.stale === true) md.set(STALE_READ_METADATA, '1');
        const res = await new Promise<Res>((resolve, reject) => {
          method(request, md, { deadline: Date.now() + (options.timeoutMs ?? CONTROL_CALL_TIMEOUT_MS) }, (err: ServiceError | null, value?: Res) => {
            if (err !== null) reject(fromGrpcStatus(err));
            else resolve(value as Res);
          });
        });
        this.preferred = i;
        return res;
      } catch (err) {
        if (!(err instanceof ShoalError) || (err.kind !== 'unavailable' && err.kind !== 'deadline_exceeded')) throw err;
        // An agent that cannot be reached is as far from every manager: its line is the answer.
        if (err.code === 'manager.agent_unreachable') throw err;
        // A write is sent again elsewhere only when it surely was not applied: sent twice, an
        // update would come back as a conflict with itself (or a rotation happen twice).
        if (WRITES.has(name) && !NOT_APPLIED.has(err.code)) {
          throw unavailable(err.code, `${oneLine(err)} (the change may or may not have been made: look before trying again)`);
        }
        failures.push(`${hostPortText(this.hosts[i] as HostPort)}: ${oneLine(err)}`);
      }
    }
    throw unavailable('cli.no_manager', `no manager answered (${failures.join('; ')})`);
  }

  /**
   * Control.Watch, followed until `signal` aborts (or, with `noFollow`, until the manager has
   * sent what it holds): when the manager streaming it goes away, the watch moves to the next
   * one that answers and resumes after the last version seen, so no event is lost or repeated
   * (the store keeps recent events for that). Bounded: at most `WATCH_MOVES_MAX` moves in a row
   * without an event between them.
   */
  async watch(request: WatchStart, onEvent: (e: WatchEvent__Output) => void, signal: AbortSignal, options: { stale?: boolean } = {}): Promise<void> {
    let since = request.sinceVersion;
    // From a time until the first message; then, like any resume, after the last version seen.
    let sinceMs = request.sinceMs ?? 0;
    let moves = 0;
    for (let k = 0; !signal.aborted; k = (k + 1) % this.hosts.length) {
      const i = (this.preferred + k) % this.hosts.length;
      const c = this.client(i);
      const connected = await new Promise<boolean>((resolve) => c.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (err) => resolve(err === undefined)));
      const outcome = connected
        ? await new Promise<ShoalError | undefined>((resolve) => {
            const md = new Metadata();
            if (options.stale === true) md.set(STALE_READ_METADATA, '1');
            const stream = c.Watch({ kinds: request.kinds, sinceVersion: sinceMs > 0 ? 0 : since, sinceMs, noFollow: request.noFollow === true }, md);
            const abort = (): void => stream.cancel();
            signal.addEventListener('abort', abort, { once: true });
            stream.on('data', (e: WatchEvent__Output) => {
              since = Number(e.version);
              sinceMs = 0;
              moves = 0;
              this.preferred = i;
              onEvent(e);
            });
            stream.on('error', (err) => {
              signal.removeEventListener('abort', abort);
              resolve(signal.aborted ? undefined : fromGrpcStatus(err));
            });
            stream.on('end', () => {
              signal.removeEventListener('abort', abort);
              resolve(undefined);
            });
          })
        : unavailable('cli.no_manager', `${hostPortText(this.hosts[i] as HostPort)}: no connection within ${CONNECT_TIMEOUT_MS} ms`);
      if (signal.aborted || outcome === undefined) return;
      if (outcome.kind !== 'unavailable' && outcome.kind !== 'cancelled') throw outcome;
      if (++moves > WATCH_MOVES_MAX * this.hosts.length) throw unavailable('cli.no_manager', `the watch could not be kept on any manager (${oneLine(outcome)})`);
      await new Promise((r) => setTimeout(r, WATCH_MOVE_PAUSE_MS));
    }
  }

  /**
   * A server-streaming call (TaskLogs) on the first manager that connects, each message to
   * `onData`, until the stream ends (resolves), fails (rejects, one line) or `signal` aborts
   * (resolves). It does not move to another manager once a message came: lines would repeat.
   */
  async stream<T>(name: 'TaskLogs', request: object, onData: (m: T) => void, signal: AbortSignal, options: { stale?: boolean } = {}): Promise<void> {
    const failures: string[] = [];
    for (let k = 0; k < this.hosts.length && !signal.aborted; k++) {
      const i = (this.preferred + k) % this.hosts.length;
      const c = this.client(i);
      const connected = await new Promise<boolean>((resolve) => c.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (err) => resolve(err === undefined)));
      if (!connected) {
        failures.push(`${hostPortText(this.hosts[i] as HostPort)}: no connection within ${CONNECT_TIMEOUT_MS} ms`);
        continue;
      }
      const md = new Metadata();
      if (options.stale === true) md.set(STALE_READ_METADATA, '1');
      let received = false;
      const outcome = await new Promise<ShoalError | undefined>((resolve) => {
        const s = (c[name] as (req: object, md: Metadata) => ClientReadableStream<T>).call(c, request, md);
        const abort = (): void => s.cancel();
        signal.addEventListener('abort', abort, { once: true });
        s.on('data', (m: T) => {
          received = true;
          onData(m);
        });
        s.on('error', (err) => {
          signal.removeEventListener('abort', abort);
          resolve(signal.aborted ? undefined : fromGrpcStatus(err));
        });
        s.on('end', () => {
          signal.removeEventListener('abort', abort);
          resolve(undefined);
        });
      });
      if (outcome === undefined) return;
      // A manager without a leader or that went away before anything came: the next is asked.
      if (received || outcome.kind !== 'unavailable' || outcome.code === 'manager.agent_unreachable') throw outcome;
      failures.push(`${hostPortText(this.hosts[i] as HostPort)}: ${oneLine(outcome)}`);
    }
    if (!signal.aborted) throw unavailable('cli.no_manager', `no manager answered (${failures.join('; ')})`);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

async function readLocalManager(): Promise<HostPort | undefined> {
  try {
    const identity = JSON.parse(await readFile(join(LOCAL_MANAGER_DIR, 'manager.json'), 'utf8')) as { advertiseAddr?: unknown };
    return typeof identity.advertiseAddr === 'string' ? parseManagerAddress(identity.advertiseAddr, `${LOCAL_MANAGER_DIR}/manager.json advertiseAddr`) : undefined;
  } catch {
    return undefined; // no manager here (or not readable by this user): the flags are needed
  }
}
