// Docker swarm mode's side of the rescheduling benchmark: the three managers of DockerSwarm
// (bench/failover/docker.ts, default settings), one service of six replicas of busybox `sleep`
// spread by swarm's scheduler, a power loss by DockerSwarm.powerLoss. No registry: the busybox
// image is `docker load`ed into each daemon from a `docker save` archive
// (agent/images/test-images.ts), and the service names it by its id with --no-resolve-image,
// so no node tries to pull it (a tag would make each task try its registry first). What runs on
// a host is asked of its dockerd (`docker ps`'s call), and where the time went is read from the
// survivors' dockerd logs (raft's "became leader") and the tasks and nodes the managers list.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImage, dockerSaveArchive } from '../../agent/images/test-images.js';
import type { LabHostPlan } from '../../e2e/lab/plan.js';
import { POLL_INTERVAL_MS, waitFor } from './cluster.js';
import { dockerApi, type DockerSwarm } from './docker.js';
import { dockerLeaderAtMs, dockerTimeMs } from './incident.js';
import { REPLICAS, type Breakdown, type Moment, type ReplicaCluster } from './replicas.js';

const SERVICE = 'fo';
const REMOVED_WAIT_MS = 60_000;
/** After the survivors run every copy, how long the managers' task list may take to say so too. */
const STATUS_CATCH_UP_MS = 20_000;

interface DockerTask {
  CreatedAt: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Timestamp?: string };
}
interface DockerContainer {
  Labels?: Record<string, string>;
  State?: string;
}

const filters = (f: Record<string, string[]>): string => encodeURIComponent(JSON.stringify(f));

export class SwarmReplicas implements ReplicaCluster {
  readonly name = 'swarm';

  private constructor(
    private readonly swarm: DockerSwarm,
    private readonly imageId: string,
  ) {}

  /** Loads busybox into every daemon of `swarm` (an archive written in `work`). */
  static async prepare(swarm: DockerSwarm, work: string): Promise<SwarmReplicas> {
    const image = await busyboxImage(['sh']);
    const archive = join(work, 'busybox.tar');
    await writeFile(archive, await dockerSaveArchive(image, ['shoal/busybox:latest']));
    for (const h of swarm.hosts) await swarm.cli(h, 'load', '--quiet', '--input', archive);
    return new SwarmReplicas(swarm, image.configDigest);
  }

  get hosts(): readonly LabHostPlan[] {
    return this.swarm.hosts;
  }

  leader(): Promise<LabHostPlan> {
    return this.swarm.leader();
  }

  private socket(host: LabHostPlan): string {
    return this.swarm.files(host).socket;
  }

  async deploy(): Promise<void> {
    const first = this.hosts[0] as LabHostPlan;
    const services = await dockerApi<unknown[]>(this.socket(first), 'GET', `/services?filters=${filters({ name: [SERVICE] })}`);
    if (services.length > 0) await this.swarm.cli(first, 'service', 'rm', SERVICE);
    await waitFor('swarm: the replicas of the last round removed', REMOVED_WAIT_MS, async () => {
      const running = (await Promise.all(this.hosts.map((h) => this.runningOn(h)))).flat();
      return running.length === 0 ? true : `${running.length} running`;
    });
    // --stop-grace-period 1s: `sleep` as pid 1 ignores SIGTERM, and removing the service at the
    // next round would wait 10 s per container; it plays no part in a node's failure.
    await this.swarm.cli(first, 'service', 'create', '--detach', '--no-resolve-image', '--name', SERVICE, '--replicas', String(REPLICAS), '--stop-grace-period', '1s', this.imageId, 'sleep', '1000000');
  }

  async runningOn(host: LabHostPlan, signal?: AbortSignal): Promise<string[]> {
    const list = await dockerApi<DockerContainer[]>(this.socket(host), 'GET', `/containers/json?filters=${filters({ label: [`com.docker.swarm.service.name=${SERVICE}`] })}`, undefined, signal);
    // Task names are SERVICE.SLOT.ID: a slot is one replica, whichever task runs it.
    return list.filter((c) => c.State === 'running').map((c) => (c.Labels?.['com.docker.swarm.task.name'] ?? '').split('.')[1] ?? '');
  }

  powerLoss(host: LabHostPlan): Promise<void> {
    return this.swarm.powerLoss(host);
  }

  async explain(killed: LabHostPlan, killWallMs: number, copiesLost: number): Promise<Breakdown> {
    const survivors = this.hosts.filter((h) => h !== killed);
    const via = this.socket(survivors[0] as LabHostPlan);
    const moments: Moment[] = [];
    const at = (key: string, what: string, wallMs: number | undefined): void => void (wallMs !== undefined && moments.push({ key, what, atMs: wallMs - killWallMs }));
    const elected = (await Promise.all(survivors.map(async (h) => dockerLeaderAtMs(await readFile(this.swarm.files(h).log, 'utf8').catch(() => ''), killWallMs)))).filter((t): t is number => t !== undefined);
    if (elected.length > 0) at('leads', 'new leader (raft: became leader)', Math.min(...elected));
    const nodes = await this.swarm.nodes(survivors[0] as LabHostPlan);
    const dead = nodes.find((n) => n.Description?.Hostname === killed.name);
    if (dead?.Status?.State === 'down') at('down', `${killed.name} down (its node object's last update)`, dockerTimeMs(dead.UpdatedAt ?? ''));
    const copies = await this.copies(via, killWallMs, copiesLost);
    const last = (times: (number | undefined)[]): number | undefined => (times.length > 0 && times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined);
    at('created', `${copies.length} new tasks created`, last(copies.map((t) => dockerTimeMs(t.CreatedAt))));
    at('running', 'new tasks running (their status)', last(copies.map((t) => (t.Status?.State === 'running' ? dockerTimeMs(t.Status.Timestamp ?? '') : undefined))));
    const falseDowns = nodes.filter((n) => n.Description?.Hostname !== killed.name && n.Status?.State === 'down').map((n) => n.Description?.Hostname ?? n.ID);
    return { moments: moments.sort((a, b) => a.atMs - b.atMs), falseDowns, notes: [] };
  }

  /** The tasks created after the kill, once `expected` of them are running in the managers' list (bounded: then as they are). */
  private async copies(via: string, killWallMs: number, expected: number): Promise<DockerTask[]> {
    const deadline = performance.now() + STATUS_CATCH_UP_MS;
    for (;;) {
      const tasks = await dockerApi<DockerTask[]>(via, 'GET', `/tasks?filters=${filters({ service: [SERVICE] })}`);
      const copies = tasks.filter((t) => (dockerTimeMs(t.CreatedAt) ?? 0) >= killWallMs);
      const running = copies.filter((t) => t.Status?.State === 'running').length;
      if (running >= expected || performance.now() >= deadline) return copies;
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  }

  async reboot(host: LabHostPlan): Promise<void> {
    await this.swarm.restart(host);
    await this.swarm.waitReady(host);
  }
}
