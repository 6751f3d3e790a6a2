// `shoal node ls|inspect` and `shoal cluster inspect`: the cluster as the managers' store holds
// it, through the Control API of any manager (cli/manager-client.ts).

import type { Command } from 'commander';
import type { Node__Output } from '../../proto/gen/shoal/control/v1/Node.js';
import type { Cluster__Output } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import { option } from '../../shared/cli-option.js';
import type { CliContext } from '../context.js';
import { ManagerClient, type ManagerFlags } from '../manager-client.js';

const title = (s: string): string => (s === '' ? '' : `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`);

function nodeJson(n: Node__Output): Record<string, unknown> {
  return {
    id: n.id,
    version: Number(n.meta?.version ?? 0),
    hostname: n.description?.hostname ?? '',
    address: n.description?.advertiseAddress ?? '',
    role: n.role,
    status: n.state,
    availability: n.availability,
    managerStatus: n.leaderStatus,
    labels: n.labels,
    createdAt: new Date(Number(n.meta?.createdAtMs ?? 0)).toISOString(),
    updatedAt: new Date(Number(n.meta?.updatedAtMs ?? 0)).toISOString(),
  };
}

function clusterJson(c: Cluster__Output): Record<string, unknown> {
  return {
    id: c.id,
    version: Number(c.meta?.version ?? 0),
    heartbeatPeriodMs: Number(c.heartbeatPeriodMs),
    rootCaFingerprint: c.rootCaFingerprint,
    joinTokens: { worker: c.workerJoinToken, manager: c.managerJoinToken },
    createdAt: new Date(Number(c.meta?.createdAtMs ?? 0)).toISOString(),
  };
}

/** The --host and --tls-dir of a command that talks to the managers. */
function managerOptions(cmd: Command): Command {
  return cmd
    .addOption(option('--host <list>', 'managers to talk to: IP[:PORT],... (SHOAL_HOST; the local manager on its host)'))
    .addOption(option('--tls-dir <dir>', 'an admin bundle: ca.pem, cert.pem, key.pem (SHOAL_TLS_DIR)'));
}

/** A client for the action's flags, closed when the action ends. */
const withManager =
  <A extends unknown[]>(fn: (client: ManagerClient, ...args: A) => Promise<void>) =>
  async (...args: A): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const client = await ManagerClient.connect(cmd.optsWithGlobals<ManagerFlags>());
    try {
      await fn(client, ...args);
    } finally {
      client.close();
    }
  };

export function registerCluster(program: Command, ctx: CliContext): void {
  const node = managerOptions(program.command('node').description("the cluster's nodes (managers and agents)"));
  node
    .command('ls')
    .description('list the nodes, as `docker node ls`')
    .action(
      withManager(async (client) => {
        const { nodes } = await client.call<ListNodesResponse__Output>('ListNodes', {});
        ctx.output().list(
          nodes,
          [
            { header: 'ID', value: (n) => n.id },
            { header: 'HOSTNAME', value: (n) => n.description?.hostname ?? '' },
            { header: 'STATUS', value: (n) => title(n.state) },
            { header: 'AVAILABILITY', value: (n) => title(n.availability) },
            { header: 'MANAGER STATUS', value: (n) => title(n.leaderStatus) },
          ],
          nodeJson,
        );
      }),
    );
  node
    .command('inspect <node>')
    .description('one node: by id, unique id prefix or hostname')
    .action(
      withManager(async (client, ref: string) => {
        ctx.output().object(nodeJson(await client.call<Node__Output>('GetNode', { id: ref })));
      }),
    );

  const cluster = managerOptions(program.command('cluster').description('the cluster itself: its settings, CA and join tokens'));
  cluster
    .command('inspect')
    .description("the cluster's settings, CA fingerprint and join tokens")
    .action(
      withManager(async (client) => {
        ctx.output().object(clusterJson(await client.call<Cluster__Output>('GetCluster', {})));
      }),
    );
}
