// Shoal's side of the rescheduling benchmark: a cluster lab of three managers that run agents
// (`shoal lab up --managers 3 --workers 0`), six containers `shoal run -d -e
// reschedule:on-node-failure $SHOAL_REGISTRY/shoal/busybox sleep ...` placed by the default
// strategy (spread), a power loss by `lab kill`. Deploying goes through the CLI, as a user would;
// what runs on a host is asked of its agent on its unix socket (as `shoal ctr ls` does), and
// where the time went is read afterwards from the store's changes (Control.Watch through the
// survivors) and the survivors' logs (bench/failover/incident.ts).

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import { ManagerClient } from '../../cli/manager-client.js';
import { labKill } from '../../e2e/lab/faults.js';
import { hostPaths, labEnv, managerAddress, type LabHostPlan, type LabPlan } from '../../e2e/lab/plan.js';
import { oneLine } from '../../shared/errors.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { waitFor } from './cluster.js';
import { incidentComplete, lastOf, logIncident, storeIncident, type StoreEvent } from './incident.js';
import { REPLICAS, type Breakdown, type Moment, type ReplicaCluster } from './replicas.js';
import { SHOAL_COMMAND, ShoalCluster } from './shoal.js';

const run = promisify(execFile);
const NAMES = Array.from({ length: REPLICAS }, (_, i) => `fo${i + 1}`);
const CLI_TIMEOUT_MS = 60_000;
const REMOVED_WAIT_MS = 60_000;
/** After the survivors run every copy, how long the store may take to say so too (its status batches). */
const STORE_CATCH_UP_MS = 20_000;

interface PsRow {
  readonly name: string;
}

export class ShoalReplicas implements ReplicaCluster {
  readonly name = 'shoal';
  private readonly cluster: ShoalCluster;
  private readonly env: Record<string, string>;
  private readonly agents = new Map<string, RuntimeClient>();

  constructor(
    private readonly plan: LabPlan,
    private readonly stateDir: string,
  ) {
    this.cluster = new ShoalCluster(plan, stateDir, plan.hosts);
    this.env = labEnv(plan, stateDir);
  }

  get hosts(): readonly LabHostPlan[] {
    return this.cluster.hosts;
  }

  leader(): Promise<LabHostPlan> {
    return this.cluster.leader();
  }

  private async cli(...args: string[]): Promise<string> {
    try {
      return (await run(SHOAL_COMMAND[0] as string, [...SHOAL_COMMAND.slice(1), ...args], { env: { ...process.env, ...this.env }, timeout: CLI_TIMEOUT_MS })).stdout;
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`shoal ${args.join(' ')}: ${stderr !== undefined && stderr !== '' ? stderr : oneLine(err)}`, { cause: err });
    }
  }

  private async listed(): Promise<string[]> {
    const rows = JSON.parse(await this.cli('--format', 'json', 'ps', '-a')) as PsRow[];
    return rows.map((r) => r.name).filter((n) => NAMES.includes(n));
  }

  async deploy(): Promise<void> {
    const left = [...new Set(await this.listed())];
    if (left.length > 0) await this.cli('rm', '-f', ...left);
    // Removed tasks still count on their nodes until they are gone: spread must start from none.
    await waitFor('shoal: the copies of the last round removed', REMOVED_WAIT_MS, async () => {
      const listed = await this.listed();
      const running = (await Promise.all(this.hosts.map((h) => this.runningOn(h)))).flat();
      return listed.length === 0 && running.length === 0 ? true : `${listed.length} listed, ${running.length} running`;
    });
    const image = `${this.env['SHOAL_REGISTRY'] ?? ''}/shoal/busybox`;
    for (const n of NAMES) await this.cli('run', '-d', '--name', n, '-e', 'reschedule:on-node-failure', image, 'sleep', '1000000');
  }

  async runningOn(host: LabHostPlan, signal?: AbortSignal): Promise<string[]> {
    let agent = this.agents.get(host.name);
    if (agent === undefined) {
      agent = new RuntimeClient(hostPaths(this.stateDir, this.plan.name, host.name).agentSocket);
      this.agents.set(host.name, agent);
    }
    signal?.throwIfAborted();
    const list = await agent.list(false);
    return list.filter((c) => c.state === 'running' && NAMES.includes(c.name)).map((c) => c.name);
  }

  async powerLoss(host: LabHostPlan): Promise<void> {
    await labKill(this.stateDir, this.plan.name, host.name);
  }

  async explain(killed: LabHostPlan, killWallMs: number, copiesLost: number): Promise<Breakdown> {
    const survivors = this.hosts.filter((h) => h !== killed);
    const client = await ManagerClient.connect({ host: survivors.map(managerAddress).join(','), tlsDir: this.env['SHOAL_TLS_DIR'] ?? '' });
    try {
      const { nodes } = await client.call<ListNodesResponse__Output>('ListNodes', {});
      const hostname = new Map(nodes.map((n) => [n.id, n.description?.hostname ?? n.id]));
      const deadId = nodes.find((n) => n.description?.hostname === killed.name)?.id ?? '';
      const events = await this.storeEvents(client, killWallMs, deadId, copiesLost);
      const store = storeIncident(events, killWallMs, deadId);
      const logs = logIncident(await this.logs(survivors, 'managerLog'), await this.logs(survivors, 'agentLog'), killWallMs);
      const moments: Moment[] = [];
      const at = (key: string, what: string, ms: number | undefined): void => void (ms !== undefined && moments.push({ key, what, atMs: ms }));
      if (logs.leads !== undefined) at('leads', `${logs.leads.host} leads`, logs.leads.atMs);
      if (logs.sessions.length > 0) at('sessions', `agents' sessions again (${logs.sessions.map((s) => s.host).join(', ')})`, Math.max(...logs.sessions.map((s) => s.atMs)));
      at('down', `${killed.name} declared down`, store.deadDownAtMs);
      at('created', `${store.copies.length} copies created`, lastOf(store.copies, 'createdAtMs'));
      at('placed', 'copies placed', lastOf(store.copies, 'placedAtMs'));
      at('running', 'copies running (store)', lastOf(store.copies, 'runningAtMs'));
      // Written down in the store, or only said so in a log (a write that failed): either counts.
      const falseDowns = [...new Set([...store.otherDowns.map((d) => d.hostname), ...logs.downs.filter((d) => d.nodeId !== deadId).map((d) => hostname.get(d.nodeId) ?? d.nodeId)])];
      const notes = [
        `copies: ${store.copies.map((c) => `${c.name} → ${hostname.get(c.nodeId ?? '') ?? 'unplaced'}`).join(', ')}`,
        `"node down" lines in the survivors' manager logs: ${logs.downs.map((d) => `${hostname.get(d.nodeId) ?? d.nodeId} by ${d.host} at ${(d.atMs / 1000).toFixed(2)} s`).join(', ') || 'none'}`,
      ];
      if (!incidentComplete(store, copiesLost)) notes.push(`the store did not tell the whole story within ${STORE_CATCH_UP_MS / 1000} s of the copies running`);
      return { moments: moments.sort((a, b) => a.atMs - b.atMs), falseDowns, notes };
    } finally {
      client.close();
    }
  }

  /** The store's node and task changes from the kill on, until they show the copies running (bounded). */
  private async storeEvents(client: ManagerClient, killWallMs: number, deadId: string, copiesLost: number): Promise<StoreEvent[]> {
    const events: StoreEvent[] = [];
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), STORE_CATCH_UP_MS);
    try {
      await client.watch(
        { kinds: ['node', 'task'], sinceVersion: 0, sinceMs: killWallMs },
        (e) => {
          events.push({ action: e.action, kind: e.kind, id: e.id, atMs: Number(e.atMs), objectJson: e.objectJson, previousJson: e.previousJson });
          if (incidentComplete(storeIncident(events, killWallMs, deadId), copiesLost)) stop.abort();
        },
        stop.signal,
      );
    } finally {
      clearTimeout(timer);
    }
    return events;
  }

  private async logs(hosts: readonly LabHostPlan[], which: 'managerLog' | 'agentLog'): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const h of hosts) out.set(h.name, await readFile(hostPaths(this.stateDir, this.plan.name, h.name)[which], 'utf8').catch(() => ''));
    return out;
  }

  async reboot(host: LabHostPlan): Promise<void> {
    // `lab start`: the manager, then the agent, awaited until its node is ready; then every manager a voter.
    await this.cluster.restart(host);
  }

  close(): void {
    for (const a of this.agents.values()) a.close();
    this.agents.clear();
  }
}
