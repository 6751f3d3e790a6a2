// The shim (containerd-shim's role, one process per agent rather than one per container): it
// runs `runc create` / `runc start` with real pipes for each container's stdout and stderr,
// becomes the containers' parent (child subreaper), pumps their output into json-file logs,
// reaps exactly the pids it tracks when SIGCHLD arrives, and records each exit — code, signal,
// OOM kill — on disk before it tells the agent. Because it is its own long-lived process in its
// own session, containers keep running and logging while the agent is down or restarting.
// Lifecycle and crash behaviour: RUNTIME.md beside this file.

import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ShoalError, alreadyExists, failedPrecondition, invalidArgument, notFound, oneLine } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import type { Logger } from '../../shared/logger.js';
import { RuncDriver, runcError } from '../oci/runc.js';
import { oomKills } from '../sys/cgroups.js';
import { realPipe, reapIfExited } from '../sys/libc.js';
import { LogWriter, type LogStream } from './log-writer.js';
import type { AllowedRoot } from './paths.js';
import { writeMessage, type LogOptions, type ShimEvent, type ShimHello, type ShimRequest, type ShimResults, type TaskExit, type TaskRecord } from './protocol.js';

export interface ShimOptions {
  readonly shimId: string;
  readonly version: string;
  /** The shim's own folder: its socket, its records (tasks/<id>.json) and runc's logs. */
  readonly dir: string;
  readonly runcRoot: string;
  readonly runcBinary?: string;
  /** The agent's data folder: the only place bundles and log files may be (paths.ts). */
  readonly allowedRoot: AllowedRoot;
  readonly clock: Clock;
  readonly logger: Logger;
  /** After a container's init exits, how long its output pipes may stay open before the exit is reported anyway. */
  readonly exitDrainMs?: number;
}

const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const EXIT_DRAIN_MS_DEFAULT = 2_000;

interface Task {
  record: TaskRecord;
  readonly writer: LogWriter;
  readonly readers: Socket[];
  /** Set once the init process has been reaped and its exit recorded. */
  exiting: boolean;
}

/** Exit code and signal from a raw wait status, as a shell reports them (128 + signal). */
export function decodeWaitStatus(status: number): { exitCode: number; signal: string } {
  const sig = status & 0x7f;
  if (sig === 0) return { exitCode: (status >> 8) & 0xff, signal: '' };
  const name = Object.entries(constants.signals).find(([, n]) => n === sig)?.[0] ?? `SIG${sig}`;
  return { exitCode: 128 + sig, signal: name };
}

export class Shim {
  private readonly tasks = new Map<string, Task>();
  private readonly runc: RuncDriver;
  private readonly clients = new Set<Socket>();
  private draining = false;

  constructor(private readonly o: ShimOptions) {
    this.runc = new RuncDriver(o.runcRoot, o.runcBinary);
  }

  private get tasksDir(): string {
    return join(this.o.dir, 'tasks');
  }

  /** An agent connected: it gets every exit event from now on. */
  addClient(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
  }

  async handle(req: ShimRequest): Promise<ShimResults[keyof ShimResults]> {
    switch (req.op) {
      case 'hello':
        return this.hello();
      case 'start':
        return this.start(req.id, req.bundle, req.log);
      case 'kill':
        await this.kill(req.id, req.signal);
        return {};
      case 'delete':
        await this.delete(req.id, req.force);
        return {};
      case 'list':
        return { tasks: [...this.tasks.values()].map((t) => t.record) };
      case 'drain':
        this.draining = true;
        return {};
      default:
        throw invalidArgument('shim.bad_request', `unknown shim operation ${JSON.stringify((req as { op?: unknown }).op)}`);
    }
  }

  hello(): ShimHello {
    return { shimId: this.o.shimId, version: this.o.version, pid: process.pid, draining: this.draining };
  }

  private task(id: string): Task {
    const t = this.tasks.get(id);
    if (t === undefined) throw notFound('shim.no_task', `no task ${id} in shim ${this.o.shimId}`);
    return t;
  }

  async start(id: string, bundle: string, log: LogOptions): Promise<TaskRecord> {
    if (!CONTAINER_ID.test(id)) throw invalidArgument('shim.bad_id', `container id ${JSON.stringify(id)} is not valid`);
    if (this.draining) throw failedPrecondition('shim.draining', `shim ${this.o.shimId} is draining and takes no new containers`);
    if (this.tasks.has(id)) throw alreadyExists('shim.task_exists', `container ${id} already has a task in this shim; delete it first`);
    await this.o.allowedRoot.bundle(bundle);
    if (typeof log !== 'object' || log === null) throw invalidArgument('shim.bad_request', `start ${id}: log options are missing`);
    await this.o.allowedRoot.logFile(log.path);
    await mkdir(this.tasksDir, { recursive: true, mode: 0o700 });
    const runcLog = join(this.tasksDir, `${id}.runc.log`);
    await rm(runcLog, { force: true });
    const pidFile = join(this.tasksDir, `${id}.pid`);
    await rm(pidFile, { force: true });

    const writer = new LogWriter({ ...log, clock: this.o.clock });
    const out = realPipe();
    const err = realPipe();
    const readers = [this.pump(out.readFd, 'stdout', writer), this.pump(err.readFd, 'stderr', writer)];
    const task: Task = { record: { id, bundle, pid: 0, log, startedAtMs: this.o.clock.wallMs() }, writer, readers, exiting: false };
    this.tasks.set(id, task);
    try {
      const created = await this.runcWithPipes(['--log', runcLog, '--log-format', 'json', 'create', '--bundle', bundle, '--pid-file', pidFile, id], out.writeFd, err.writeFd);
      if (created !== 0) throw await this.runcFailure('create', id, runcLog, created);
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new ShoalError('internal', 'shim.bad_pid_file', `runc create ${id}: pid file holds no pid`);
      task.record = { ...task.record, pid };
      await this.writeRecord(task.record);
      const started = await this.runcWithPipes(['--log', runcLog, '--log-format', 'json', 'start', id], -1, -1);
      if (started !== 0) throw await this.runcFailure('start', id, runcLog, started);
    } catch (e) {
      await this.discard(id, task);
      throw e;
    }
    this.o.logger.info({ id, pid: task.record.pid }, 'container started');
    // It may have exited already, before its pid was tracked: look once now.
    this.reapTracked();
    return task.record;
  }

  /** Runs runc with the container's pipes as stdout and stderr; the shim's copies of the write ends are closed once runc has them. */
  private runcWithPipes(args: string[], outFd: number, errFd: number): Promise<number> {
    const binary = this.o.runcBinary ?? 'runc';
    return new Promise((resolve, reject) => {
      const child = spawn(binary, ['--root', this.o.runcRoot, ...args], { stdio: ['ignore', outFd >= 0 ? outFd : 'ignore', errFd >= 0 ? errFd : 'ignore'] });
      if (outFd >= 0) closeSync(outFd);
      if (errFd >= 0) closeSync(errFd);
      child.on('error', (e) => reject(failedPrecondition('shim.runc_missing', `${binary}: ${e.message}`)));
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  /** runc's own last error message (from its JSON log), never just "exit status 1". */
  private async runcFailure(what: string, id: string, runcLog: string, code: number): Promise<ShoalError> {
    const message = (await runcError(runcLog)) ?? `exit code ${code}`;
    return failedPrecondition('runtime.start_failed', `runc ${what} ${id}: ${message}`);
  }

  private pump(fd: number, stream: LogStream, writer: LogWriter): Socket {
    const s = new Socket({ fd, readable: true, writable: false });
    s.on('data', (chunk: Buffer) => writer.write(stream, chunk));
    s.on('error', (e) => this.o.logger.warn({ err: oneLine(e), stream }, 'container output pipe failed'));
    return s;
  }

  private async discard(id: string, task: Task): Promise<void> {
    for (const r of task.readers) r.destroy();
    task.writer.close();
    await this.runc.delete(id, true).catch((e: unknown) => this.o.logger.error({ id, err: oneLine(e) }, 'failed start: runc delete failed; its runc state may remain'));
    this.tasks.delete(id);
    await rm(join(this.tasksDir, `${id}.json`), { force: true });
  }

  async kill(id: string, signal: string): Promise<void> {
    const t = this.task(id);
    if (t.record.exit !== undefined || t.exiting) throw failedPrecondition('task.not_running', `container ${id} is not running`);
    try {
      await this.runc.kill(id, signal);
    } catch (e) {
      // It may have exited between the check and the call.
      if (t.record.exit !== undefined || t.exiting) throw failedPrecondition('task.not_running', `container ${id} is not running`);
      throw e;
    }
  }

  async delete(id: string, force: boolean): Promise<void> {
    const t = this.task(id);
    if (t.record.exit === undefined && !force) throw failedPrecondition('task.running', `container ${id} is running; stop it first or force the removal`);
    await this.runc.delete(id, true);
    for (const r of t.readers) r.destroy();
    t.writer.close();
    this.tasks.delete(id);
    await rm(join(this.tasksDir, `${id}.json`), { force: true });
    await rm(join(this.tasksDir, `${id}.runc.log`), { force: true });
    await rm(join(this.tasksDir, `${id}.pid`), { force: true });
  }

  /** On SIGCHLD: reap each tracked container whose init has exited; nothing else. */
  reapTracked(): void {
    for (const t of this.tasks.values()) {
      if (t.record.pid <= 0 || t.exiting || t.record.exit !== undefined) continue;
      let status: number | undefined;
      try {
        status = reapIfExited(t.record.pid);
      } catch (e) {
        this.o.logger.error({ id: t.record.id, err: oneLine(e) }, 'cannot reap container');
        continue;
      }
      if (status !== undefined) {
        t.exiting = true;
        void this.finish(t, status);
      }
    }
  }

  private async finish(t: Task, status: number): Promise<void> {
    const { exitCode, signal } = decodeWaitStatus(status);
    const exitedAtMs = this.o.clock.wallMs();
    let oomKilled = false;
    try {
      const spec = JSON.parse(await readFile(join(t.record.bundle, 'config.json'), 'utf8')) as { linux?: { cgroupsPath?: string } };
      oomKilled = spec.linux?.cgroupsPath !== undefined && oomKills(spec.linux.cgroupsPath) > 0;
    } catch (e) {
      this.o.logger.warn({ id: t.record.id, err: oneLine(e) }, 'cannot read the OOM count');
    }
    // Report the exit after the last output: wait for the pipes to close (every process
    // holding them is gone), but not forever — a leaked descriptor must not hide an exit.
    await Promise.race([
      Promise.all(t.readers.map((r) => new Promise<void>((resolve) => (r.closed ? resolve() : r.once('close', () => resolve()))))),
      this.o.clock.sleep(this.o.exitDrainMs ?? EXIT_DRAIN_MS_DEFAULT),
    ]);
    t.writer.flush();
    const exit: TaskExit = { exitCode, signal, oomKilled, exitedAtMs };
    t.record = { ...t.record, exit };
    await this.writeRecord(t.record).catch((e: unknown) => this.o.logger.error({ id: t.record.id, err: oneLine(e) }, 'cannot record an exit'));
    this.o.logger.info({ id: t.record.id, exitCode, signal, oomKilled }, 'container exited');
    this.broadcast({ type: 'exit', id: t.record.id, pid: t.record.pid, exit });
  }

  private broadcast(event: ShimEvent): void {
    for (const c of this.clients) writeMessage(c, { event });
  }

  /** Whole or not at all, 0600 whatever was there before (a temporary file left by a crash keeps no mode of its own). */
  private async writeRecord(r: TaskRecord): Promise<void> {
    await writeFileAtomic(join(this.tasksDir, `${r.id}.json`), JSON.stringify(r));
  }

  /** A draining shim with no container left: it may exit once its last answer is out. */
  get drained(): boolean {
    return this.draining && this.tasks.size === 0;
  }
}
