// The agent's side of the shim: starting one (detached, in its own session, outside the agent's
// cgroup) and talking to it over its socket.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../shared/clock.js';
import { ShoalError, unavailable } from '../../shared/errors.js';
import { fromWireError, readMessages, writeMessage, type ShimEvent, type ShimMessage, type ShimRequest, type ShimResults } from './protocol.js';

const here = fileURLToPath(import.meta.url);
/** The compiled shim entry point (tests run the sources, the shim always runs from dist/). */
export const SHIM_MAIN = here.endsWith('.ts') ? join(dirname(here), '..', '..', 'dist', 'agent', 'shim', 'main.js') : join(dirname(here), 'main.js');

/** The modules the shim process runs; their content is its version. */
const SHIM_MODULES = ['shim/main.js', 'shim/shim.js', 'shim/paths.js', 'shim/protocol.js', 'shim/log-writer.js', 'oci/runc.js', 'sys/libc.js', 'sys/cgroups.js', 'sys/cgroup-layout.js'];

/** The version of the shim this agent would start: a hash of the shim's compiled code. */
export function currentShimVersion(): string {
  const agentDist = dirname(dirname(SHIM_MAIN));
  const h = createHash('sha256');
  for (const m of SHIM_MODULES) h.update(readFileSync(join(agentDist, m)));
  return h.digest('hex').slice(0, 12);
}

/** How long the agent waits for a shim to accept a connection or answer hello, list or drain. */
export const SHIM_REQUEST_TIMEOUT_MS_DEFAULT = 5_000;

export interface StartShimOptions {
  readonly shimId: string;
  readonly version: string;
  readonly dir: string;
  readonly runcRoot: string;
  /** The agent's data folder: the shim refuses bundles and log paths outside it. */
  readonly allowedRoot: string;
  readonly runcBinary?: string;
  /** The cgroup the shim moves itself into. */
  readonly cgroup?: string;
  readonly clock: Clock;
  readonly timeoutMs?: number;
}

/** Starts a shim and resolves once it serves its socket. */
export async function startShim(o: StartShimOptions): Promise<ShimClient> {
  // Root's alone: the shim's socket lives here (main.ts makes it 0600 as well).
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await chmod(o.dir, 0o700);
  const logFd = openSync(join(o.dir, 'shim.log'), 'a', 0o640);
  const args = [SHIM_MAIN, '--shim-id', o.shimId, '--version', o.version, '--dir', o.dir, '--runc-root', o.runcRoot, '--root', o.allowedRoot];
  if (o.runcBinary !== undefined) args.push('--runc', o.runcBinary);
  if (o.cgroup !== undefined) args.push('--cgroup', o.cgroup);
  let child;
  try {
    child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd, 'pipe'] });
  } finally {
    closeSync(logFd);
  }
  const ready = child.stdio[3] as Readable;
  const timeoutMs = o.timeoutMs ?? 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = o.clock.setTimer(timeoutMs, () => reject(unavailable('shim.start_timeout', `the shim did not start within ${timeoutMs} ms; see ${join(o.dir, 'shim.log')}`)));
      ready.on('data', () => {
        timer.cancel();
        resolve();
      });
      child.on('exit', (code) => {
        timer.cancel();
        reject(unavailable('shim.start_failed', `the shim exited at start (code ${code}); see ${join(o.dir, 'shim.log')}`));
      });
    });
  } finally {
    ready.destroy();
    child.unref();
  }
  return ShimClient.connect(o.dir, o.clock);
}

export class ShimClient {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly eventHandlers: ((e: ShimEvent) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly socket: Socket,
    private readonly clock: Clock,
  ) {
    readMessages(
      socket,
      (m) => this.onMessage(m as ShimMessage),
      () => socket.destroy(),
    );
    // The error is not lost: 'close' follows and fails every pending request with shim.gone.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(unavailable('shim.gone', `the shim at ${dir} closed its connection`));
      this.pending.clear();
      for (const h of this.closeHandlers) h();
    });
  }

  /**
   * Connects to the shim serving `dir`. Rejects with `shim.unreachable` (its `fields.errno` says
   * why: ENOENT no socket, ECONNREFUSED nobody listening, EAGAIN a full backlog, ...) or, when
   * nothing answers within `timeoutMs`, `shim.timeout`.
   */
  static connect(dir: string, clock: Clock, timeoutMs = SHIM_REQUEST_TIMEOUT_MS_DEFAULT): Promise<ShimClient> {
    return new Promise((resolve, reject) => {
      const path = join(dir, 'shim.sock');
      const socket = connect(path);
      const timer = clock.setTimer(timeoutMs, () => {
        socket.destroy();
        reject(new ShoalError('deadline_exceeded', 'shim.timeout', `the shim at ${path} did not accept within ${timeoutMs} ms`));
      });
      socket.once('connect', () => {
        timer.cancel();
        socket.removeAllListeners('error');
        resolve(new ShimClient(dir, socket, clock));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        timer.cancel();
        reject(unavailable('shim.unreachable', `no shim answers at ${path}: ${e.message}`, { fields: { errno: e.code ?? '' } }));
      });
    });
  }

  /** The shim's id: its folder's name under <data>/shims. */
  get shimId(): string {
    return basename(this.dir);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onMessage(m: ShimMessage): void {
    if ('event' in m) {
      for (const h of this.eventHandlers) h(m.event);
      return;
    }
    const p = this.pending.get(m.seq);
    if (p === undefined) return;
    this.pending.delete(m.seq);
    if (m.ok) p.resolve(m.result);
    else p.reject(fromWireError(m.error));
  }

  /**
   * Sends a request; rejects with the shim's error, with `shim.gone` when the connection closes
   * first, or with `shim.timeout` after `timeoutMs` (when given) without an answer.
   */
  request<R extends ShimRequest>(req: R, timeoutMs?: number): Promise<ShimResults[R['op']]> {
    if (this.closed) return Promise.reject(unavailable('shim.gone', `the shim at ${this.dir} is gone`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : this.clock.setTimer(timeoutMs, () => {
              this.pending.delete(seq);
              reject(new ShoalError('deadline_exceeded', 'shim.timeout', `the shim at ${this.dir} did not answer ${req.op} within ${timeoutMs} ms`));
            });
      this.pending.set(seq, {
        resolve: (v) => {
          timer?.cancel();
          (resolve as (v: unknown) => void)(v);
        },
        reject: (e) => {
          timer?.cancel();
          reject(e);
        },
      });
      writeMessage(this.socket, { seq, ...req });
    });
  }

  onEvent(h: (e: ShimEvent) => void): void {
    this.eventHandlers.push(h);
  }

  onClose(h: () => void): void {
    this.closeHandlers.push(h);
  }

  close(): void {
    this.socket.destroy();
  }
}
