// Shoal's side of the failover benchmark: the lab's own managers (`shoal lab up --managers 3`),
// driven through the CLI's client code (cli/manager-client.ts) in the benchmark's process: a
// fresh ManagerClient per attempt, as each `shoal` command makes one, without the cost of
// starting a Node process per attempt. Docker's side is driven through its Engine API likewise.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import type { Node__Output } from '../../proto/gen/shoal/control/v1/Node.js';
import { ManagerClient } from '../../cli/manager-client.js';
import { labStart } from '../../e2e/lab/faults.js';
import { labEnv, managerAddress, type LabHostPlan, type LabPlan } from '../../e2e/lab/plan.js';
import { repoRoot } from '../lib.js';
import { VOTERS_WAIT_MS, waitFor, type FailoverCluster } from './cluster.js';

const run = promisify(execFile);
export const SHOAL_COMMAND: readonly string[] = [process.execPath, join(repoRoot, 'bin', 'shoal.js')];

export class ShoalCluster implements FailoverCluster {
  readonly name = 'shoal';
  private readonly tlsDir: string;

  constructor(
    private readonly plan: LabPlan,
    private readonly stateDir: string,
    readonly hosts: readonly LabHostPlan[],
  ) {
    this.tlsDir = labEnv(plan, stateDir).SHOAL_TLS_DIR;
  }

  /** SHOAL_HOST for `via`: those managers, in that order. */
  private hostList(via: readonly LabHostPlan[]): string {
    return via.map(managerAddress).join(',');
  }

  private async withClient<T>(via: readonly LabHostPlan[], signal: AbortSignal | undefined, call: (c: ManagerClient) => Promise<T>): Promise<T> {
    const client = await ManagerClient.connect({ host: this.hostList(via), tlsDir: this.tlsDir });
    // ManagerClient takes no signal: an abandoned attempt's channel is closed at once, and its
    // call ends by its own deadline (CONTROL_CALL_TIMEOUT_MS) at the latest.
    const onAbort = (): void => client.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await call(client);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      client.close();
    }
  }

  private async nodes(via: readonly LabHostPlan[], signal?: AbortSignal): Promise<Node__Output[]> {
    return (await this.withClient(via, signal, (c) => c.call<ListNodesResponse__Output>('ListNodes', {}))).nodes;
  }

  async leader(): Promise<LabHostPlan> {
    let found: LabHostPlan | undefined;
    await waitFor('shoal: a leader among the managers', VOTERS_WAIT_MS, async () => {
      const leader = (await this.nodes(this.hosts)).find((n) => n.leaderStatus === 'leader');
      found = this.hosts.find((h) => h.name === leader?.description?.hostname);
      return found !== undefined ? true : 'no manager is leader';
    });
    return found as LabHostPlan;
  }

  async write(via: readonly LabHostPlan[], node: string, round: number, signal: AbortSignal): Promise<void> {
    await this.withClient(via, signal, async (c) => {
      // As `shoal node update --label-add` does (cli/commands/cluster.ts): read, then write at that version.
      const n = await c.call<Node__Output>('GetNode', { id: node });
      await c.call<Node__Output>('UpdateNode', { id: n.id, version: n.meta?.version ?? 0, availability: '', role: '', labels: { ...n.labels, round: String(round) } });
    });
  }

  async shownLeader(via: readonly LabHostPlan[], signal: AbortSignal): Promise<string> {
    const leader = (await this.nodes(via, signal)).find((n) => n.leaderStatus === 'leader');
    if (leader === undefined) throw new Error('node ls shows no leader');
    return leader.description?.hostname ?? '';
  }

  async restart(host: LabHostPlan): Promise<void> {
    // `shoal lab start`: link up, the manager on its data dir, awaited until it answers as a voter.
    await labStart(this.stateDir, this.plan.name, host.name, { shoalCommand: SHOAL_COMMAND });
    await waitFor('shoal: all three managers voters again (leader or reachable)', VOTERS_WAIT_MS, async () => {
      const voters = (await this.nodes(this.hosts)).filter((n) => n.role === 'manager' && (n.leaderStatus === 'leader' || n.leaderStatus === 'reachable'));
      return voters.length === this.hosts.length ? true : `voters: ${voters.map((n) => n.description?.hostname).join(', ')}`;
    });
  }

  async cliUpdateMs(via: readonly LabHostPlan[], node: string, n: number): Promise<number> {
    const env = { ...process.env, SHOAL_HOST: this.hostList(via), SHOAL_TLS_DIR: this.tlsDir };
    const t0 = performance.now();
    await run(SHOAL_COMMAND[0] as string, [...SHOAL_COMMAND.slice(1), 'node', 'update', '--label-add', `cli=${n}`, node], { env, timeout: 30_000 });
    return performance.now() - t0;
  }
}
