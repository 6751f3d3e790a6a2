// The supervisor (containerd's role): containers as records on disk, each with an overlayfs
// root and an OCI bundle; tasks run through the shim; images through the ImageService; every
// change announced on the event bus. It owns the agent's data folder:
//
//   <data>/content/          blobs and images.json          <data>/layers/<diff id>/  unpacked layers
//   <data>/containers/<id>/  container.json, config.json, rootfs/ upper/ work/ etc/, json.log
//   <data>/volumes/<name>/   named local volumes              <data>/shims/<shim id>/  each shim
//   <data>/runc/             runc's --root
//
// all root's alone (data-dir.ts: which modes, and why a container's own view keeps its modes),
// and the cgroup parent <base>/shoal/<agent key> (agent/README.md, "Cgroups"): two agents with different data folders share nothing.

import { createHash, randomBytes } from 'node:crypto';
import { lstat, readFile, readdir, rename, rm } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock, Timer } from '../../shared/clock.js';
import { ShoalError, alreadyExists, failedPrecondition, invalidArgument, notFound, oneLine, unavailable } from '../../shared/errors.js';
import { mkdirPrivate, mkdirWithMode, writeFileAtomic } from '../../shared/fs-modes.js';
import type { Logger } from '../../shared/logger.js';
import { KeyedMutex } from '../../shared/mutex.js';
import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import type { Resources__Output } from '../../proto/gen/shoal/types/v1/Resources.js';
import type { ImageRecord } from '../images/import.js';
import type { PullOptions } from '../images/registry.js';
import { mountOverlay, overlayMount, unmount } from '../images/snapshot.js';
import { RuncDriver, type ContainerStats } from '../oci/runc.js';
import { buildRuntimeSpec, linuxResources, type MountSpec, type OciSpec, type ResourceLimits } from '../oci/spec.js';
import type { Digest } from '../images/content-store.js';
import { resolveUser } from '../oci/user.js';
import { learnHost, type RuntimeHost } from '../oci/host.js';
import type { SecurityOptions__Output } from '../../proto/gen/shoal/runtime/v1/SecurityOptions.js';
import { resolveSecurity, type ContainerSecurity } from './security.js';
import { DNS_ADDRESS } from '../dns/server.js';
import { netnsName, type ContainerNet, type Endpoint, type NetworkManager, type PortSpec } from '../network/manager.js';
import { SHIM_REQUEST_TIMEOUT_MS_DEFAULT, currentShimVersion, startShim, type ShimClient } from '../shim/client.js';
import type { ShimEvent, TaskExit, TaskRecord } from '../shim/protocol.js';
import { agentCgroupParent } from '../sys/cgroups.js';
import { ownNofileLimit } from '../sys/limits.js';
import { openAgentDataDir } from './data-dir.js';
import { EventBus, type EventType } from './events.js';
import { ImageService, type ImageSummary, type RemovedImage } from './images.js';
import { SHIM_ATTACH_BACKOFF_DEFAULT, SHIM_REATTACH_BACKOFF_DEFAULT, reachShim, type AttachOptions, type ShimReach } from './shims.js';
import { backoffDelayMs, withRetry, type BackoffPolicy } from '../../shared/retry.js';
import { systemRng, type Rng } from '../../shared/rng.js';
import { followLogs } from './logs.js';
import type { LogLine } from '../shim/log-writer.js';

export type ContainerState = 'created' | 'running' | 'paused' | 'stopped';

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly imageReference: string;
  readonly imageDigest: string;
  readonly spec: ContainerSpec__Output;
  readonly createdAtMs: number;
  readonly state: ContainerState;
  readonly pid: number;
  readonly shimId: string;
  readonly startedAtMs: number;
  readonly exit?: TaskExit;
  /** Its addresses on overlay networks (its own network namespace holds them). */
  readonly endpoints?: readonly Endpoint[];
  /** Its seccomp profile as created (records written before profiles existed have none). */
  readonly security?: ContainerSecurity;
}

export interface SupervisorOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runcBinary?: string;
  /** The shim version this agent runs; defaults to the hash of the shim's code (an upgrade changes it). */
  readonly shimVersion?: string;
  readonly logMaxBytes?: number;
  readonly logMaxFiles?: number;
  /** Overlay networks and DNS; without one, containers get a network namespace of their own with only lo. */
  readonly network?: NetworkManager;
  /** Retries for reaching a shim that is not proven gone (shims.ts); default SHIM_ATTACH_BACKOFF_DEFAULT. */
  readonly shimAttachBackoff?: BackoffPolicy;
  /** Background reattachment to a shim lost or unreachable while it has running containers; default SHIM_REATTACH_BACKOFF_DEFAULT. */
  readonly shimReattachBackoff?: BackoffPolicy;
  /** How long a shim may take to accept or to answer hello, list, drain, kill or delete; default SHIM_REQUEST_TIMEOUT_MS_DEFAULT. */
  readonly shimRequestTimeoutMs?: number;
  /** For the backoff's jitter; default the system's. */
  readonly rng?: Rng;
  /** Test seam: awaited inside an image collection between deciding what to delete and deleting it. */
  readonly onGarbagePlanned?: () => Promise<void>;
}

/** A container folder whose record could not be read: moved aside, left alone, reported. */
export interface DamagedContainer {
  readonly id: string;
  readonly dir: string;
  /** What is wrong, and where the unreadable record went. */
  readonly problem: string;
}

export const STOP_GRACE_MS_DEFAULT = 10_000;
/** Saving a container's exit that failed (a full disk) is tried again: 0.5 s doubling to 30 s, jittered, 20 attempts (about 5 minutes). */
export const EXIT_RECORD_RETRY_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, attemptsMax: 20 };
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const EXEC_OUTPUT_MAX = 16 * 1024 * 1024;

/** The key that separates this agent's runc state and cgroups from any other agent's on the host. */
export function agentKey(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
}

function toLimits(r: Resources__Output | null | undefined): ResourceLimits {
  return {
    memoryBytes: r?.memoryBytes ?? 0,
    memoryReservationBytes: r?.memoryReservationBytes ?? 0,
    cpus: (r?.nanoCpus ?? 0) / 1e9,
    cpuShares: r?.cpuShares ?? 0,
    cpusetCpus: r?.cpusetCpus ?? '',
    pidsLimit: r?.pidsLimit ?? 0,
  };
}

export class Supervisor {
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly runc: RuncDriver;
  readonly cgroupParent: string;
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly locks = new KeyedMutex();
  /** Image digests claimed by containers being created (not yet recorded), with how many claim each. */
  private readonly creating = new Map<string, number>();
  private readonly shims = new Map<string, ShimClient>();
  private currentShim: ShimClient | undefined;
  private shimStarting: Promise<ShimClient> | undefined;
  private readonly exitWaiters = new Map<string, ((e: TaskExit) => void)[]>();
  private readonly shimVersion: string;
  /** The host and runtime facts spec generation needs, learnt on the first create. */
  private host: Promise<RuntimeHost> | undefined;
  private readonly damagedContainers = new Map<string, DamagedContainer>();
  /** Reconnections under way, one per shim. */
  private readonly reattaching = new Map<string, Promise<Reattached>>();
  /** Background reattachment, one per shim lost or unreachable with containers recorded running. */
  private readonly watching = new Map<string, Promise<void>>();
  /** The ending of the running containers of shims found gone, one per shim. */
  private readonly endingOrphans = new Map<string, Promise<void>>();
  /** Aborted by close(): background work stops. */
  private readonly stopping = new AbortController();

  constructor(private readonly o: SupervisorOptions) {
    this.runc = new RuncDriver(join(o.dataDir, 'runc'), o.runcBinary);
    this.cgroupParent = agentCgroupParent(agentKey(o.dataDir));
    this.shimVersion = o.shimVersion ?? currentShimVersion();
    this.images = new ImageService(
      o.dataDir,
      () => new Set([...[...this.containers.values()].map((c) => c.imageDigest), ...this.creating.keys()]),
      // A container whose record is unreadable uses layers nobody can name: keep them all.
      () => this.damaged.map((d) => `container folder ${d.dir} has no readable record, so the image it uses is unknown`),
      o.onGarbagePlanned !== undefined ? { onGarbagePlanned: o.onGarbagePlanned } : {},
    );
  }

  private containerDir(id: string): string {
    return join(this.o.dataDir, 'containers', id);
  }

  logPath(id: string): string {
    return join(this.containerDir(id), 'json.log');
  }

  get logMaxFiles(): number {
    return this.o.logMaxFiles ?? 3;
  }

  // ---- start-up: records, shims, exits learned while the agent was down ----

  async open(): Promise<void> {
    await openAgentDataDir(this.o.dataDir, this.o.logger);
    for (const id of await readdir(join(this.o.dataDir, 'containers'))) await this.loadRecord(id);
    const reach = await this.attachShims();
    for (const c of this.containers.values()) await this.reconcile(c, reach.get(c.shimId));
    // What an unreachable shim's containers did meanwhile is learnt once it answers, request or not.
    for (const [shimId, r] of reach) if (r.kind === 'unreachable') this.watchShim(shimId);
    await this.o.network?.open(
      [...this.containers.values()].map((c) => ({ id: c.id, name: c.name, endpoints: c.endpoints ?? [], ports: portsOf(c.spec) })),
      { containersUnknown: this.damagedContainers.size },
    );
  }

  /** Folders whose record could not be read (`shoal ctr ps` shows them as warnings). */
  get damaged(): readonly DamagedContainer[] {
    return [...this.damagedContainers.values()];
  }

  /**
   * Loads one container's record. A record that cannot be read or makes no sense is moved aside
   * (container.json.corrupt-<ms>) and reported, never deleted with its folder: the folder may hold
   * a running container's root and log. Only a folder without any record, that runc knows nothing
   * of, is removed: a create that crashed before its record was written (or a delete half done).
   */
  private async loadRecord(id: string): Promise<void> {
    const dir = this.containerDir(id);
    const st = await lstat(dir);
    if (!st.isDirectory()) {
      this.o.logger.warn({ path: dir }, 'not a container folder: left alone');
      return;
    }
    const path = join(dir, 'container.json');
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return this.moveAside(id, `container.json cannot be read (${oneLine(e)})`);
    }
    if (text === undefined) return this.noRecord(id);
    let rec: ContainerRecord;
    try {
      rec = parseContainerRecord(text, id);
    } catch (e) {
      return this.moveAside(id, oneLine(e));
    }
    this.containers.set(rec.id, rec);
  }

  private async moveAside(id: string, why: string): Promise<void> {
    const dir = this.containerDir(id);
    const aside = join(dir, `container.json.corrupt-${this.o.clock.wallMs()}`);
    let problem = `${why}; moved to ${aside}`;
    try {
      await rename(join(dir, 'container.json'), aside);
    } catch (e) {
      problem = `${why}; could not be moved aside (${oneLine(e)})`;
    }
    this.damagedContainers.set(id, { id, dir, problem });
    this.o.logger.error({ id, dir, problem }, 'unreadable container record: the folder and any process runc runs for it are left alone');
  }

  private async noRecord(id: string): Promise<void> {
    const dir = this.containerDir(id);
    const aside = (await readdir(dir)).filter((f) => f.startsWith('container.json.corrupt-'));
    if (aside.length > 0) {
      const problem = `its record was unreadable and is at ${join(dir, aside.sort().at(-1) as string)}`;
      this.damagedContainers.set(id, { id, dir, problem });
      this.o.logger.warn({ id, dir, problem }, 'container folder with an unreadable record: left alone');
      return;
    }
    let known: boolean;
    try {
      known = (await this.runc.state(id)) !== undefined;
    } catch (e) {
      this.damagedContainers.set(id, { id, dir, problem: `it has no record, and runc cannot say whether it runs (${oneLine(e)})` });
      this.o.logger.error({ id, dir, err: oneLine(e) }, 'container folder without a record, unknown to no one: left alone');
      return;
    }
    if (known) {
      this.damagedContainers.set(id, { id, dir, problem: 'it has no record, but runc runs a container of that id' });
      this.o.logger.error({ id, dir }, 'container folder without a record whose container runc knows: left alone');
      return;
    }
    // A create that crashed half-way, or a delete: nothing runs from it.
    this.o.logger.warn({ id }, 'removing a container folder without a record');
    await unmount(join(dir, 'rootfs'));
    await rm(dir, { recursive: true, force: true });
  }

  /** Attaches to every shim in <data>/shims and says, for each, whether it is attached, gone or unreachable. */
  private async attachShims(): Promise<Map<string, ShimReach>> {
    const out = new Map<string, ShimReach>();
    const ids = new Set([...(await readdir(join(this.o.dataDir, 'shims'))), ...[...this.containers.values()].map((c) => c.shimId).filter((id) => id !== '')]);
    for (const shimId of ids) {
      const reach = await reachShim(join(this.o.dataDir, 'shims', shimId), shimId, this.attachOptions);
      out.set(shimId, reach);
      if (reach.kind === 'attached') await this.adoptShim(shimId, reach.client, reach.hello.version, reach.hello.draining);
      else if (reach.kind === 'unreachable') this.o.logger.error({ shimId, why: reach.why }, 'shim unreachable: its containers are left running, as last recorded');
      else this.o.logger.info({ shimId, why: reach.why }, 'shim gone');
    }
    return out;
  }

  private get attachOptions(): AttachOptions {
    return {
      clock: this.o.clock,
      rng: this.o.rng ?? systemRng,
      logger: this.o.logger,
      policy: this.o.shimAttachBackoff ?? SHIM_ATTACH_BACKOFF_DEFAULT,
      requestTimeoutMs: this.shimTimeoutMs,
    };
  }

  private get shimTimeoutMs(): number {
    return this.o.shimRequestTimeoutMs ?? SHIM_REQUEST_TIMEOUT_MS_DEFAULT;
  }

  /** Takes an attached shim into service: the current one when it runs this agent's version, else told to drain. */
  private async adoptShim(shimId: string, client: ShimClient, version: string, draining: boolean): Promise<void> {
    this.addShim(shimId, client);
    if (version === this.shimVersion && !draining && this.currentShim === undefined) {
      this.currentShim = client;
      return;
    }
    // An older shim keeps serving its containers and exits when they are all gone.
    this.o.logger.info({ shimId, version }, 'older shim: draining');
    await client.request({ op: 'drain' }, this.shimTimeoutMs).catch((e: unknown) => {
      // It keeps serving its containers either way; the next agent start tells it again.
      this.o.logger.warn({ shimId, err: oneLine(e) }, 'could not tell an older shim to drain');
    });
  }

  private addShim(shimId: string, client: ShimClient): void {
    this.shims.set(shimId, client);
    client.onEvent((e) => this.onShimEvent(e));
    client.onClose(() => {
      if (this.shims.get(shimId) === client) this.shims.delete(shimId);
      if (this.currentShim === client) this.currentShim = undefined;
      // Lost with containers running (killed, hung up): find out what became of them, request or not.
      this.watchShim(shimId);
    });
  }

  /** Containers recorded as running on a shim. */
  private liveOn(shimId: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.shimId === shimId && (c.state === 'running' || c.state === 'paused'));
  }

  /**
   * The shim of a container, reconnected once if the connection was lost or never made (a shim
   * that was unreachable at start may answer now); undefined when it still cannot be reached.
   */
  private async shimOf(c: ContainerRecord): Promise<ShimClient | undefined> {
    const attached = this.shims.get(c.shimId);
    if (attached !== undefined && !attached.isClosed) return attached;
    if (c.shimId === '') return undefined;
    // An attempt already under way (the background one) may have begun before the shim could
    // answer: a request that joined it and lost gets one attempt of its own.
    const joined = this.reattaching.has(c.shimId);
    let r = await this.reattachShared(c.shimId);
    if (r.kind === 'unreachable' && joined) r = await this.reattachShared(c.shimId);
    return r.kind === 'attached' ? r.client : undefined;
  }

  /** One reconnection to a shim at a time; its callers share the outcome. */
  private reattachShared(shimId: string): Promise<Reattached> {
    let pending = this.reattaching.get(shimId);
    if (pending === undefined) {
      pending = this.reattach(shimId).finally(() => this.reattaching.delete(shimId));
      this.reattaching.set(shimId, pending);
    }
    return pending;
  }

  /**
   * One attempt to reach a shim. A shim proven gone has its running containers ended (as at start),
   * in the background: the caller may hold one of their locks.
   */
  private async reattach(shimId: string): Promise<Reattached> {
    const reach = await reachShim(join(this.o.dataDir, 'shims', shimId), shimId, { ...this.attachOptions, policy: { ...this.attachOptions.policy, attemptsMax: 1 } });
    if (reach.kind === 'gone') {
      this.o.logger.warn({ shimId, why: reach.why, containers: this.liveOn(shimId).length }, 'shim gone: its running containers are ended');
      void this.endOrphansOf(shimId);
      return { kind: 'gone' };
    }
    if (reach.kind === 'unreachable') {
      this.o.logger.warn({ shimId, why: reach.why }, 'shim still not reachable');
      return { kind: 'unreachable' };
    }
    if (this.stopping.signal.aborted) {
      // Reached as the agent stops: the next agent attaches to it.
      reach.client.close();
      return { kind: 'unreachable' };
    }
    this.o.logger.info({ shimId }, 'reattached to a shim');
    await this.adoptShim(shimId, reach.client, reach.hello.version, reach.hello.draining);
    // Exits it recorded while the agent could not hear it.
    const tasks = (await reach.client.request({ op: 'list' }, this.shimTimeoutMs)).tasks;
    for (const t of tasks) {
      const exit = t.exit;
      if (exit === undefined) continue;
      // Not awaited: the caller may hold this container's lock (start, delete); this runs after it.
      this.recordExitRetrying(t.id, exit, { learned: 'on reattach' });
    }
    return { kind: 'attached', client: reach.client };
  }

  /** Ends the running containers of a shim found gone, each under its own lock (once per shim at a time). */
  private endOrphansOf(shimId: string): Promise<void> {
    let ending = this.endingOrphans.get(shimId);
    if (ending === undefined) {
      ending = (async () => {
        for (const c of this.liveOn(shimId)) {
          await this.locks
            .run(c.id, async () => {
              const now = this.containers.get(c.id);
              // Started again on another shim, or its exit learnt, meanwhile.
              if (now === undefined || now.shimId !== shimId || (now.state !== 'running' && now.state !== 'paused')) return;
              const task = await this.endOrphan(now);
              await this.recordExit(now.id, task.exit, { learned: 'shim gone' });
            })
            .catch((e: unknown) => this.o.logger.error({ id: c.id, shimId, err: oneLine(e) }, 'cannot end a container whose shim is gone'));
        }
      })().finally(() => this.endingOrphans.delete(shimId));
      this.endingOrphans.set(shimId, ending);
    }
    return ending;
  }

  /**
   * Reattaches to a shim in the background while it has containers recorded running, with a
   * bounded backoff (SHIM_REATTACH_BACKOFF_DEFAULT); once per shim at a time, until the agent stops.
   */
  private watchShim(shimId: string): void {
    if (this.watching.has(shimId) || this.stopping.signal.aborted || this.liveOn(shimId).length === 0) return;
    const watch = this.reattachInBackground(shimId)
      .catch((e: unknown) => {
        // Aborted by close(): the next agent start attaches again.
        if (!this.stopping.signal.aborted) this.o.logger.error({ shimId, err: oneLine(e) }, 'background reattachment to a shim failed');
      })
      .finally(() => this.watching.delete(shimId));
    this.watching.set(shimId, watch);
  }

  private async reattachInBackground(shimId: string): Promise<void> {
    const policy = this.o.shimReattachBackoff ?? SHIM_REATTACH_BACKOFF_DEFAULT;
    for (let attempt = 1; attempt <= policy.attemptsMax; attempt++) {
      await this.o.clock.sleep(backoffDelayMs(policy, attempt, this.o.rng ?? systemRng), this.stopping.signal);
      if (this.liveOn(shimId).length === 0) return; // nothing left to learn from it
      const attached = this.shims.get(shimId);
      if (attached !== undefined && !attached.isClosed) return; // a request took it back meanwhile
      let r: Reattached;
      try {
        r = await this.reattachShared(shimId);
      } catch (e) {
        this.o.logger.warn({ shimId, err: oneLine(e) }, 'reattached to a shim but could not list its tasks: trying again');
        continue;
      }
      if (r.kind === 'attached') return;
      if (r.kind === 'gone') {
        await this.endingOrphans.get(shimId);
        // A container whose end could not be recorded (a full disk) is ended again next time.
        if (this.liveOn(shimId).length === 0) return;
      }
    }
    this.o.logger.error(
      { shimId, attempts: policy.attemptsMax },
      'shim still unreachable: background reattachment stops at its attempt limit (shimReattachBackoff); a request that needs the shim, or the next agent start, tries again',
    );
  }

  /**
   * Brings one record in line with what its shim (or runc) knows. Only a shim proven gone lets
   * the agent end a running container; with an unreachable one the record stays as it was.
   */
  private async reconcile(c: ContainerRecord, reach: ShimReach | undefined): Promise<void> {
    if (c.state !== 'running' && c.state !== 'paused') return;
    let task: TaskRecord | undefined;
    if (reach?.kind === 'attached') {
      try {
        task = (await reach.client.request({ op: 'list' }, this.shimTimeoutMs)).tasks.find((t) => t.id === c.id);
      } catch (e) {
        this.o.logger.error({ id: c.id, shimId: c.shimId, err: oneLine(e) }, 'cannot list the tasks of a shim: container left as recorded');
        return;
      }
    } else if (reach?.kind === 'gone') {
      task = await this.endOrphan(c);
    } else {
      this.o.logger.warn({ id: c.id, shimId: c.shimId }, 'the shim of a running container cannot be reached: container left running');
      return;
    }
    if (task?.exit !== undefined) await this.recordExit(c.id, task.exit, { learned: 'on agent start' });
    else if (task === undefined) await this.recordExit(c.id, { exitCode: 255, signal: '', oomKilled: false, exitedAtMs: this.o.clock.wallMs() }, { learned: 'task lost' });
    else await this.syncPaused(c);
  }

  /** A container whose shim is gone: the exit its record holds, else it is ended (nobody holds its output or reaps it). */
  private async endOrphan(c: ContainerRecord): Promise<TaskRecord & { readonly exit: TaskExit }> {
    let task: TaskRecord | undefined;
    try {
      task = JSON.parse(await readFile(join(this.o.dataDir, 'shims', c.shimId, 'tasks', `${c.id}.json`), 'utf8')) as TaskRecord;
    } catch (e) {
      // No record (the shim died before writing one) or a damaged one: the container is ended below either way.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.o.logger.warn({ id: c.id, err: oneLine(e) }, 'cannot read the task record of a gone shim');
    }
    if (task?.exit !== undefined) return { ...task, exit: task.exit };
    // As containerd does when a shim dies.
    await this.runc.kill(c.id, 'KILL').catch((e: unknown) => this.o.logger.info({ id: c.id, err: oneLine(e) }, 'runc kill of an orphaned container failed (it may have exited already)'));
    await this.runc.delete(c.id, true).catch((e: unknown) => this.o.logger.error({ id: c.id, err: oneLine(e) }, 'runc delete of an orphaned container failed'));
    this.o.logger.warn({ id: c.id, shimId: c.shimId }, 'the shim of a running container is gone: container killed');
    const base = task ?? { id: c.id, bundle: this.containerDir(c.id), pid: c.pid, log: this.logOptions(c.id), startedAtMs: c.startedAtMs };
    return { ...base, exit: { exitCode: 137, signal: 'SIGKILL', oomKilled: false, exitedAtMs: this.o.clock.wallMs() } };
  }

  /** A container runc reports paused (or running) while its record says otherwise. */
  private async syncPaused(c: ContainerRecord): Promise<void> {
    let state;
    try {
      state = await this.runc.state(c.id);
    } catch (e) {
      this.o.logger.warn({ id: c.id, err: oneLine(e) }, 'runc state failed: paused/running left as recorded');
      return;
    }
    if (state?.status === 'paused' && c.state !== 'paused') await this.save({ ...c, state: 'paused' });
    if (state?.status === 'running' && c.state !== 'running') await this.save({ ...c, state: 'running' });
  }

  private onShimEvent(e: ShimEvent): void {
    if (e.type !== 'exit') return;
    this.recordExitRetrying(e.id, e.exit, {});
  }

  /**
   * Records an exit under the container's lock, in the background. Saving it can fail (a full
   * disk): that is logged and tried again with backoff (EXIT_RECORD_RETRY_BACKOFF) until the agent
   * stops; the shim keeps the exit on disk meanwhile, so the next agent start learns it as well.
   */
  private recordExitRetrying(id: string, exit: TaskExit, attributes: Record<string, string>): void {
    const signal = this.stopping.signal;
    withRetry(() => this.locks.run(id, () => this.recordExit(id, exit, attributes)), {
      policy: EXIT_RECORD_RETRY_BACKOFF,
      clock: this.o.clock,
      rng: this.o.rng ?? systemRng,
      signal,
      retryable: () => !signal.aborted,
      onRetry: (e, retry, delayMs) => this.o.logger.error({ id, err: oneLine(e), retry, delayMs }, 'cannot record an exit: trying again'),
    }).catch((e: unknown) => {
      if (signal.aborted) this.o.logger.warn({ id, err: oneLine(e) }, 'exit not recorded before the agent stopped: the next start learns it from the shim');
      else this.o.logger.error({ id, err: oneLine(e), attempts: EXIT_RECORD_RETRY_BACKOFF.attemptsMax }, 'cannot record an exit: giving up until the next agent start, which learns it from the shim');
    });
  }

  private async recordExit(id: string, exit: TaskExit, attributes: Record<string, string>): Promise<void> {
    const c = this.containers.get(id);
    if (c === undefined || c.state === 'stopped' || c.state === 'created') return;
    await this.save({ ...c, state: 'stopped', exit, pid: 0 });
    if (exit.oomKilled) this.emit('task.oom', id, { ...attributes, name: c.name }, exit);
    this.emit('task.exited', id, { ...attributes, name: c.name, exit_code: String(exit.exitCode) }, exit);
    for (const w of this.exitWaiters.get(id) ?? []) w(exit);
    this.exitWaiters.delete(id);
  }

  private emit(type: EventType, id: string, attributes: Record<string, string>, exit?: TaskExit): void {
    this.events.emit({ type, id, atMs: this.o.clock.wallMs(), attributes, ...(exit !== undefined ? { exit } : {}) });
  }

  private async save(c: ContainerRecord): Promise<ContainerRecord> {
    const path = join(this.containerDir(c.id), 'container.json');
    await writeFileAtomic(path, JSON.stringify(c, null, 2));
    this.containers.set(c.id, c);
    return c;
  }

  /**
   * Closes the shim connections; the shims and their containers keep running. A shim with no
   * container is told to drain, so that it exits instead of waiting for an agent that may not come.
   */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.watching.values());
    for (const [shimId, shim] of this.shims) {
      if (![...this.containers.values()].some((c) => c.shimId === shimId && (c.state === 'running' || c.state === 'paused'))) {
        await shim.request({ op: 'drain' }, this.shimTimeoutMs).catch((e: unknown) => this.o.logger.warn({ shimId, err: oneLine(e) }, 'could not tell an idle shim to drain; it waits for the next agent'));
      }
    }
    for (const s of this.shims.values()) s.close();
    this.shims.clear();
    this.currentShim = undefined;
    await this.o.network?.close();
  }

  // ---- lookup ----

  /** By id, name, or a unique id prefix. */
  find(ref: string): ContainerRecord {
    const exact = this.containers.get(ref);
    if (exact !== undefined) return exact;
    const byName = [...this.containers.values()].find((c) => c.name === ref);
    if (byName !== undefined) return byName;
    const byPrefix = ref.length >= 3 ? [...this.containers.values()].filter((c) => c.id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0] as ContainerRecord;
    if (byPrefix.length > 1) throw invalidArgument('container.ambiguous', `${JSON.stringify(ref)} names ${byPrefix.length} containers: give more of the id`);
    throw notFound('container.not_found', `no container ${JSON.stringify(ref)}`);
  }

  list(all: boolean): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => all || c.state === 'running' || c.state === 'paused').sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  // ---- containers ----

  async create(name: string, spec: ContainerSpec__Output, securityOptions: SecurityOptions__Output | null = null): Promise<ContainerRecord> {
    const id = randomBytes(32).toString('hex');
    const finalName = name === '' ? `shoal_${id.slice(0, 8)}` : name;
    if (!NAME.test(finalName)) throw invalidArgument('container.bad_name', `container name ${JSON.stringify(name)} is not valid (letters, digits, _ . -, up to 63)`);
    // A bad seccomp profile is refused before anything of the container exists.
    const host = await this.hostFacts();
    const security = resolveSecurity(securityOptions, host, this.o.logger);
    return this.locks.run(`name:${finalName}`, async () => {
      if ([...this.containers.values()].some((c) => c.name === finalName)) throw alreadyExists('container.name_in_use', `the name ${finalName} is already in use`);
      if (spec.image === '') throw invalidArgument('container.no_image', 'container.image: name an image');
      const limits = toLimits(spec.resources);
      const dir = this.containerDir(id);
      let claimed: string | undefined;
      let attached = false;
      try {
        // Looked up and claimed with no image collection under way (images.ts): one that runs
        // later sees the claim and keeps the image's blobs and layers.
        const image = await this.images.claiming(async () => {
          const found = await this.images.index.get(spec.image);
          if (found === undefined) throw notFound('image.not_found', `no image ${spec.image}: import or pull it first`);
          claimed = found.digest;
          this.creating.set(claimed, (this.creating.get(claimed) ?? 0) + 1);
          return found;
        });
        // The claimed image, by digest: the name may have moved to another one since.
        const resolved = { record: image, ...(await this.images.layersOf(image.digest, spec.image)) };
        const mounts = await this.mounts(spec);
        let net: ContainerNet | undefined;
        if (spec.networks.length > 0 || spec.ports.length > 0) {
          if (this.o.network === undefined) throw failedPrecondition('network.unavailable', 'this agent runs no overlay networks');
          net = await this.o.network.attach(
            id,
            finalName,
            spec.networks.map((a) => ({ network: a.network, address: a.address, aliases: a.aliases })),
            portsOf(spec),
          );
          attached = true;
        }
        await mkdirPrivate(dir);
        const m = overlayMount(resolved.layerDirs, dir);
        await mountOverlay(m);
        const hostname = spec.hostname === '' ? id.slice(0, 12) : spec.hostname;
        const etc = join(dir, 'etc');
        await mkdirPrivate(etc);
        const own = net?.endpoints[0] !== undefined ? `${net.endpoints[0].ip}\t${hostname}\n` : '';
        // 0644: bound into the container, where any of its users reads them.
        await writeFileAtomic(join(etc, 'hosts'), `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${own}`, 0o644);
        // On an overlay the embedded DNS server answers in the container's own namespace.
        await writeFileAtomic(join(etc, 'resolv.conf'), net !== undefined ? `nameserver ${DNS_ADDRESS}\noptions ndots:0\n` : await hostResolvConf(), 0o644);
        await writeFileAtomic(join(etc, 'hostname'), `${hostname}\n`, 0o644);
        const userSpec = spec.user !== '' ? spec.user : (resolved.config.config.User ?? '');
        const user = resolveUser(userSpec, await readImageFile(m.target, 'passwd'), await readImageFile(m.target, 'group'));
        const oci = buildRuntimeSpec(resolved.config.config, {
          id,
          hostname,
          ...(spec.command.length > 0 ? { command: spec.command } : {}),
          ...(spec.args.length > 0 ? { args: spec.args } : {}),
          env: spec.env,
          ...(spec.workingDir !== '' ? { workingDir: spec.workingDir } : {}),
          user,
          labels: spec.labels,
          readOnlyRootfs: spec.readOnlyRootfs,
          mounts,
          resources: limits,
          rootfsPath: m.target,
          ...(net !== undefined ? { netnsPath: `/run/netns/${netnsName(id)}` } : {}),
          cgroupsPath: `${this.cgroupParent}/${id}`,
          nofile: ownNofileLimit(),
          etcFiles: { hosts: join(etc, 'hosts'), resolvConf: join(etc, 'resolv.conf'), hostname: join(etc, 'hostname') },
          seccomp: security.seccomp,
          host,
        });
        // The environment is in it (secrets passed with -e): root's alone.
        await writeFileAtomic(join(dir, 'config.json'), JSON.stringify(oci, null, 2));
        const rec = await this.save({
          id,
          name: finalName,
          imageReference: resolved.record.reference,
          imageDigest: resolved.record.digest,
          spec,
          createdAtMs: this.o.clock.wallMs(),
          state: 'created',
          pid: 0,
          shimId: '',
          startedAtMs: 0,
          ...(net !== undefined ? { endpoints: net.endpoints } : {}),
          security: security.record,
        });
        this.emit('container.created', id, { name: finalName, image: resolved.record.reference });
        return rec;
      } catch (e) {
        // Undo, reporting the first failure (e); what cannot be undone is logged, never hidden.
        await unmount(join(dir, 'rootfs')).then(
          () => rm(dir, { recursive: true, force: true }),
          (u: unknown) => this.o.logger.error({ id, err: oneLine(u) }, 'failed create: cannot unmount its root; folder left'),
        );
        if (attached) await this.o.network?.detach(id).catch((d: unknown) => this.o.logger.error({ id, err: oneLine(d) }, 'failed create: cannot detach it from its networks'));
        throw e;
      } finally {
        if (claimed !== undefined) this.unclaim(claimed);
      }
    });
  }

  private unclaim(digest: string): void {
    const left = (this.creating.get(digest) ?? 1) - 1;
    if (left > 0) this.creating.set(digest, left);
    else this.creating.delete(digest);
  }

  /** Learnt once; a failure is not kept, so the next create asks again. */
  private hostFacts(): Promise<RuntimeHost> {
    this.host ??= learnHost(this.runc).catch((e: unknown) => {
      this.host = undefined;
      throw e;
    });
    return this.host;
  }

  private async mounts(spec: ContainerSpec__Output): Promise<MountSpec[]> {
    const out: MountSpec[] = [];
    for (const [i, m] of spec.mounts.entries()) {
      if (m.type === 'TMPFS') {
        out.push({ type: 'tmpfs', target: m.target, sizeBytes: m.tmpfsSizeBytes });
      } else if (m.type === 'VOLUME') {
        if (!NAME.test(m.source)) throw invalidArgument('container.bad_volume', `mounts[${i}]: volume name ${JSON.stringify(m.source)} is not valid`);
        const data = join(this.o.dataDir, 'volumes', m.source, '_data');
        await mkdirPrivate(join(this.o.dataDir, 'volumes', m.source));
        // The volume's root as the container sees it, as Docker makes it; made once, then the container's.
        await mkdirWithMode(data, 0o755);
        out.push({ type: 'volume', source: data, target: m.target, readOnly: m.readOnly });
      } else {
        if (!m.source.startsWith('/')) throw invalidArgument('container.bad_mount', `mounts[${i}]: bind source ${JSON.stringify(m.source)} must be an absolute path`);
        await lstat(m.source).catch(() => {
          throw invalidArgument('container.bad_mount', `mounts[${i}]: bind source ${m.source} does not exist`);
        });
        out.push({ type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly });
      }
    }
    return out;
  }

  async delete(ref: string, force: boolean): Promise<void> {
    const c0 = this.find(ref);
    if ((c0.state === 'running' || c0.state === 'paused') && !force) throw failedPrecondition('container.running', `container ${c0.name} is running: stop it first or remove it with force`);
    if (c0.state === 'running' || c0.state === 'paused') {
      await this.kill(c0.id, 'KILL').catch((e: unknown) => {
        // runc delete --force below kills what the shim could not; the exit comes from the shim if it can tell.
        if (!(e instanceof ShoalError && e.code === 'task.not_running')) this.o.logger.warn({ id: c0.id, err: oneLine(e) }, 'remove --force: kill through the shim failed');
      });
    }
    if (c0.state === 'running' || c0.state === 'paused') await this.waitExit(c0.id, 10_000);
    await this.locks.run(c0.id, async () => {
      const c = this.find(c0.id);
      await this.dropTask(c);
      await this.runc.delete(c.id, true);
      await unmount(join(this.containerDir(c.id), 'rootfs'));
      await this.o.network?.detach(c.id);
      await rm(this.containerDir(c.id), { recursive: true, force: true });
      this.containers.delete(c.id);
      this.emit('container.deleted', c.id, { name: c.name });
    });
  }

  /** Forgets a finished task in its shim (the shim deletes its runc state). */
  private async dropTask(c: ContainerRecord): Promise<void> {
    if (c.shimId === '') return;
    const shim = await this.shimOf(c);
    // Gone or unreachable: nothing holds the finished task (runc delete, by the caller, clears runc's state).
    if (shim === undefined) return;
    await shim.request({ op: 'delete', id: c.id, force: true }, this.shimTimeoutMs).catch((e: unknown) => {
      if (!(e instanceof ShoalError && e.kind === 'not_found')) throw e;
    });
  }

  // ---- tasks ----

  private async shim(): Promise<ShimClient> {
    if (this.currentShim !== undefined && !this.currentShim.isClosed) return this.currentShim;
    this.shimStarting ??= (async () => {
      const shimId = `${this.shimVersion.slice(0, 8)}-${this.o.clock.wallMs().toString(36)}`;
      const client = await startShim({
        shimId,
        version: this.shimVersion,
        dir: join(this.o.dataDir, 'shims', shimId),
        runcRoot: this.runc.root,
        allowedRoot: this.o.dataDir,
        ...(this.o.runcBinary !== undefined ? { runcBinary: this.o.runcBinary } : {}),
        cgroup: `${this.cgroupParent}/shim-${shimId}`,
        clock: this.o.clock,
      });
      this.addShim(shimId, client);
      this.currentShim = client;
      this.o.logger.info({ shimId }, 'shim started');
      return client;
    })().finally(() => {
      this.shimStarting = undefined;
    });
    return this.shimStarting;
  }

  private logOptions(id: string): { path: string; maxBytes: number; maxFiles: number } {
    return { path: this.logPath(id), maxBytes: this.o.logMaxBytes ?? 10 * 1024 * 1024, maxFiles: this.logMaxFiles };
  }

  async start(ref: string): Promise<ContainerRecord> {
    const id = this.find(ref).id;
    return this.locks.run(id, async () => {
      const c = this.find(id);
      if (c.state === 'running' || c.state === 'paused') throw failedPrecondition('task.running', `container ${c.name} is already running`);
      await this.dropTask(c);
      await this.ensureRootfs(c);
      const shim = await this.shim();
      const task = await shim.request({ op: 'start', id: c.id, bundle: this.containerDir(c.id), log: this.logOptions(c.id) });
      // A fresh task: the previous run's exit no longer describes it.
      const { exit, ...rest } = c;
      void exit;
      const rec = await this.save({ ...rest, state: 'running', pid: task.pid, shimId: shim.shimId, startedAtMs: task.startedAtMs });
      this.emit('task.started', c.id, { name: c.name, pid: String(task.pid) });
      return rec;
    });
  }

  /** After a reboot the overlay is gone: mount it again. */
  private async ensureRootfs(c: ContainerRecord): Promise<void> {
    const rootfs = join(this.containerDir(c.id), 'rootfs');
    const mounted = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === rootfs);
    if (mounted) return;
    // By the digest it was made from: the name may have moved to another image since.
    const { layerDirs } = await this.images.layersOf(c.imageDigest as Digest, c.imageReference);
    await mountOverlay(overlayMount(layerDirs, this.containerDir(c.id)));
  }

  private running(ref: string): ContainerRecord {
    const c = this.find(ref);
    if (c.state !== 'running' && c.state !== 'paused') throw failedPrecondition('task.not_running', `container ${c.name} is not running`);
    return c;
  }

  async kill(ref: string, signal: string): Promise<void> {
    const c = this.running(ref);
    const sig = normalizeSignal(signal);
    const shim = await this.shimOf(c);
    if (shim === undefined) return this.noShim(c);
    try {
      // Bounded: a shim that hangs (stopped, wedged) gets a clear error, not a command that never returns.
      await shim.request({ op: 'kill', id: c.id, signal: sig }, this.shimTimeoutMs);
    } catch (e) {
      // The connection dropped under the request: a shim that died just now is found gone here.
      // One that answers again is not sent the signal twice.
      if (!(e instanceof ShoalError && e.code === 'shim.gone') || (await this.shimOf(c)) !== undefined) throw e;
      return this.noShim(c);
    }
    // A frozen process gets its signal only when thawed (as Docker does for kill on a paused container).
    if (c.state === 'paused' && (sig === 'SIGKILL' || sig === 'SIGTERM')) {
      await this.resume(c.id).catch((e: unknown) => this.o.logger.warn({ id: c.id, err: oneLine(e) }, 'cannot thaw a paused container after signalling it'));
    }
  }

  /** Why a running container's shim cannot take a request: it was gone (the container is ended), or it does not answer. */
  private async noShim(c: ContainerRecord): Promise<never> {
    await this.endingOrphans.get(c.shimId);
    const now = this.containers.get(c.id);
    if (now?.state === 'stopped') {
      throw failedPrecondition('task.not_running', `container ${c.name} is not running: its shim is gone, so it was ended (exit code ${now.exit?.exitCode ?? 'unknown'})`);
    }
    throw unavailable('task.no_shim', `the shim of container ${c.name} is not reachable (see the agent's log); the container is left as it is`);
  }

  /** Resolves when the container's task has exited (at once when it already has). */
  wait(ref: string): Promise<TaskExit> {
    return this.waitFor(ref).exit;
  }

  /** The container's exit, and what stops waiting for it (a waiter left behind would never be dropped). */
  private waitFor(ref: string): { readonly exit: Promise<TaskExit>; readonly cancel: () => void } {
    const c = this.find(ref);
    const nothing = (): void => undefined;
    if (c.state === 'stopped' && c.exit !== undefined) return { exit: Promise.resolve(c.exit), cancel: nothing };
    if (c.state === 'created') return { exit: Promise.reject(failedPrecondition('task.not_started', `container ${c.name} has not been started`)), cancel: nothing };
    let cancel = nothing;
    const exit = new Promise<TaskExit>((resolve) => {
      const list = this.exitWaiters.get(c.id) ?? [];
      list.push(resolve);
      this.exitWaiters.set(c.id, list);
      cancel = () => {
        const rest = (this.exitWaiters.get(c.id) ?? []).filter((w) => w !== resolve);
        if (rest.length > 0) this.exitWaiters.set(c.id, rest);
        else this.exitWaiters.delete(c.id);
      };
    });
    return { exit, cancel };
  }

  private async waitExit(id: string, timeoutMs: number): Promise<TaskExit | undefined> {
    const waiting = this.waitFor(id);
    let timer: Timer | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = this.o.clock.setTimer(timeoutMs, () => resolve(undefined));
    });
    try {
      return await Promise.race([waiting.exit, timeout]);
    } finally {
      timer?.cancel();
      waiting.cancel();
    }
  }

  /** The stop signal, then SIGKILL once the grace period has passed. */
  async stop(ref: string, graceMs: number): Promise<TaskExit> {
    const c = this.find(ref);
    if (c.state === 'stopped' && c.exit !== undefined) return c.exit;
    this.running(ref);
    const grace = graceMs > 0 ? graceMs : c.spec.stopGracePeriodMs > 0 ? c.spec.stopGracePeriodMs : STOP_GRACE_MS_DEFAULT;
    await this.kill(c.id, c.spec.stopSignal === '' ? 'SIGTERM' : c.spec.stopSignal).catch(ignoreNotRunning);
    const polite = await this.waitExit(c.id, grace);
    if (polite !== undefined) return polite;
    this.o.logger.info({ id: c.id, graceMs: grace }, 'grace period over: SIGKILL');
    await this.kill(c.id, 'SIGKILL').catch(ignoreNotRunning);
    const killed = await this.waitExit(c.id, 10_000);
    if (killed === undefined) throw new ShoalError('deadline_exceeded', 'task.stop_timeout', `container ${c.name} did not exit after SIGKILL`);
    return killed;
  }

  async pause(ref: string): Promise<void> {
    const c = this.running(ref);
    await this.locks.run(c.id, async () => {
      if (this.find(c.id).state === 'paused') throw failedPrecondition('task.paused', `container ${c.name} is already paused`);
      await this.runc.pause(c.id);
      await this.save({ ...this.find(c.id), state: 'paused' });
      this.emit('task.paused', c.id, { name: c.name });
    });
  }

  async resume(ref: string): Promise<void> {
    const c = this.running(ref);
    await this.locks.run(c.id, async () => {
      if (this.find(c.id).state !== 'paused') throw failedPrecondition('task.not_paused', `container ${c.name} is not paused`);
      await this.runc.resume(c.id);
      await this.save({ ...this.find(c.id), state: 'running' });
      this.emit('task.resumed', c.id, { name: c.name });
    });
  }

  /** Changes a container's limits: live when it runs, and in its spec for later starts. */
  async update(ref: string, resources: Resources__Output): Promise<ContainerRecord> {
    const c0 = this.find(ref);
    return this.locks.run(c0.id, async () => {
      const c = this.find(c0.id);
      const merged: Resources__Output = { ...(c.spec.resources ?? emptyResources()) };
      for (const [k, v] of Object.entries(resources) as [keyof Resources__Output, number | string][]) {
        if (v !== 0 && v !== '') (merged as unknown as Record<string, unknown>)[k] = v;
      }
      const limits = toLimits(merged);
      const next = linuxResources(limits); // checks the limits as a whole before anything changes
      if (c.state === 'running' || c.state === 'paused') await this.runc.update(c.id, toLimits(resources));
      // Keep the bundle in step, so that a later start runs with the new limits.
      const configPath = join(this.containerDir(c.id), 'config.json');
      const oci = JSON.parse(await readFile(configPath, 'utf8')) as OciSpec;
      oci.linux.resources = next;
      await writeFileAtomic(configPath, JSON.stringify(oci, null, 2));
      const rec = await this.save({ ...c, spec: { ...c.spec, resources: merged } });
      this.emit('task.updated', c.id, { name: c.name });
      return rec;
    });
  }

  async exec(ref: string, args: readonly string[], env: readonly string[], workingDir: string, stdin: Buffer): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const c = this.running(ref);
    if (c.state === 'paused') throw failedPrecondition('task.paused', `container ${c.name} is paused`);
    if (args.length === 0) throw invalidArgument('exec.no_command', 'exec: name a command to run');
    for (const kv of env) if (kv.indexOf('=') <= 0) throw invalidArgument('exec.bad_env', `exec: ${JSON.stringify(kv)} is not NAME=VALUE`);
    const oci = JSON.parse(await readFile(join(this.containerDir(c.id), 'config.json'), 'utf8')) as OciSpec;
    const r = await this.runc.exec(c.id, {
      args: [...args],
      env: [...oci.process.env.filter((kv) => !env.some((e) => e.split('=')[0] === kv.split('=')[0])), ...env],
      cwd: workingDir !== '' ? workingDir : oci.process.cwd,
      user: oci.process.user,
      capabilities: oci.process.capabilities,
      noNewPrivileges: oci.process.noNewPrivileges,
      ...(oci.process.oomScoreAdj !== undefined ? { oomScoreAdj: oci.process.oomScoreAdj } : {}),
      stdin,
      outputMax: EXEC_OUTPUT_MAX,
    });
    this.emit('task.exec', c.id, { name: c.name, exit_code: String(r.exitCode) });
    return r;
  }

  async stats(ref: string): Promise<ContainerStats> {
    const c = this.running(ref);
    return this.runc.stats(c.id);
  }

  logs(ref: string, follow: boolean, tail: number, signal: AbortSignal): AsyncGenerator<LogLine> {
    const c = this.find(ref);
    return followLogs({
      path: this.logPath(c.id),
      maxFiles: this.logMaxFiles,
      tail,
      follow,
      finished: () => {
        const now = this.containers.get(c.id);
        return now === undefined || now.state === 'stopped' || (now.state === 'created' && now.startedAtMs === 0);
      },
      clock: this.o.clock,
      signal,
    });
  }

  // ---- images ----

  async importImage(archive: Readable, reference: string | undefined): Promise<ImageRecord[]> {
    const records = await this.images.import(archive, reference, this.o.clock.wallMs());
    for (const r of records) this.emit('image.imported', r.reference, { digest: r.digest });
    return records;
  }

  async pullImage(reference: string, o: Omit<PullOptions, 'nowMs'>): Promise<ImageRecord> {
    const record = await this.images.pull(reference, { ...o, nowMs: this.o.clock.wallMs() });
    this.emit('image.pulled', record.reference, { digest: record.digest });
    return record;
  }

  listImages(): Promise<ImageSummary[]> {
    return this.images.list();
  }

  /** Removes a name and collects what nothing needs; `garbage.refused` says why nothing was collected, when so. */
  async removeImage(reference: string): Promise<RemovedImage> {
    const removed = await this.images.remove(reference, (digest) => [...this.containers.values()].find((c) => c.imageDigest === digest)?.name);
    this.emit('image.deleted', removed.record.reference, { digest: removed.record.digest });
    if (removed.garbage.refused.length > 0) {
      this.o.logger.error({ reference: removed.record.reference, refused: removed.garbage.refused }, 'image name removed, but garbage collection refused to run: no blob or layer deleted');
    }
    return removed;
  }
}

const CONTAINER_STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'stopped'];

/** The outcome of one attempt to reach a shim again. */
type Reattached = { readonly kind: 'attached'; readonly client: ShimClient } | { readonly kind: 'gone' | 'unreachable' };

/** A container.json read back: it must be the record of the folder it is in, with the fields the agent relies on. */
export function parseContainerRecord(text: string, id: string): ContainerRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The parser's position adds nothing: the record is moved aside whole.
    throw invalidArgument('container.bad_record', 'container.json is not valid JSON');
  }
  const r = raw as Partial<Record<keyof ContainerRecord, unknown>> | null;
  const problem =
    typeof r !== 'object' || r === null
      ? 'is not an object'
      : r.id !== id
        ? `names container ${JSON.stringify(r.id)}, not its folder's ${id}`
        : typeof r.name !== 'string' || typeof r.imageReference !== 'string' || typeof r.imageDigest !== 'string' || typeof r.shimId !== 'string'
          ? 'lacks its name, image or shim'
          : !CONTAINER_STATES.includes(r.state as ContainerState)
            ? `has no valid state (${JSON.stringify(r.state)})`
            : typeof r.spec !== 'object' || r.spec === null || typeof r.pid !== 'number'
              ? 'lacks its spec or pid'
              : undefined;
  if (problem !== undefined) throw invalidArgument('container.bad_record', `container.json ${problem}`);
  return raw as ContainerRecord;
}

function portsOf(spec: ContainerSpec__Output): PortSpec[] {
  return spec.ports.map((p) => ({ protocol: p.protocol === 'UDP' ? 'udp' : 'tcp', hostPort: p.hostPort, containerPort: p.containerPort }));
}

function ignoreNotRunning(e: unknown): void {
  if (e instanceof ShoalError && e.code === 'task.not_running') return;
  throw e;
}

function emptyResources(): Resources__Output {
  return { memoryBytes: 0, memoryReservationBytes: 0, nanoCpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0 };
}

/** "TERM", "SIGTERM" or "15" → "SIGTERM"; anything else is refused. */
export function normalizeSignal(raw: string): string {
  const s = raw.trim().toUpperCase();
  const { signals } = osConstants;
  if (/^\d+$/.test(s)) {
    const name = Object.entries(signals).find(([, n]) => n === Number(s))?.[0];
    if (name === undefined) throw invalidArgument('signal.unknown', `unknown signal ${raw}`);
    return name;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!(name in signals)) throw invalidArgument('signal.unknown', `unknown signal ${JSON.stringify(raw)}`);
  return name;
}

/** The host's resolv.conf for containers without a network of Shoal's (the networking issue replaces it). */
async function hostResolvConf(): Promise<string> {
  // No resolv.conf on the host: the container gets an empty one, as Docker gives it.
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  // A loopback resolver on the host is unreachable from the container's own network namespace.
  const lines = text.split('\n').filter((l) => !/^nameserver\s+(127\.|::1)/.test(l));
  return `${lines.join('\n').trim()}\n`;
}

/** /etc/<name> of the container's root, read only when neither it nor /etc is a symlink (which could point at the host's). */
async function readImageFile(rootfs: string, name: string): Promise<string> {
  for (const p of [join(rootfs, 'etc'), join(rootfs, 'etc', name)]) {
    // Missing (or unreadable) in the image: no names to look up, as for an image without /etc/passwd.
    const st = await lstat(p).catch(() => undefined);
    if (st === undefined || st.isSymbolicLink()) return '';
  }
  return readFile(join(rootfs, 'etc', name), 'utf8');
}
