// `shoal node ls|inspect|ps` and `shoal cluster inspect`: the cluster as the managers' store holds
// it, through the Control API of any manager (cli/manager-client.ts).

import type { Command } from 'commander';
import type { Node__Output } from '../../proto/gen/shoal/control/v1/Node.js';
import type { Cluster__Output } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import type { ListTasksResponse__Output } from '../../proto/gen/shoal/control/v1/ListTasksResponse.js';
import { option } from '../../shared/cli-option.js';
import { durationMs, oneOf } from '../../shared/config.js';
import { invalidArgument } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { ManagerClient, type ManagerFlags } from '../manager-client.js';
import { taskColumns, taskJson, taskRows } from './tasks-format.js';

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
    ...(n.message !== '' ? { message: n.message } : {}),
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
    certExpiryMs: Number(c.certExpiryMs),
    strategy: c.strategy,
    rootCaFingerprint: c.rootCaFingerprint,
    joinTokens: { worker: c.workerJoinToken, manager: c.managerJoinToken },
    createdAt: new Date(Number(c.meta?.createdAtMs ?? 0)).toISOString(),
  };
}

/** The --host and --tls-dir of a command that talks to the managers. */
export function managerOptions(cmd: Command): Command {
  return cmd
    .configureHelp({ showGlobalOptions: true })
    .addOption(option('--host <list>', 'managers to talk to: IP[:PORT],... (SHOAL_HOST; the local manager on its host)'))
    .addOption(option('--tls-dir <dir>', 'an admin bundle: ca.pem, cert.pem, key.pem (SHOAL_TLS_DIR)'));
}

/** A client for the action's flags, closed when the action ends. */
export const withManager =
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
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .action(
      withManager(async (client, o: { stale?: boolean }) => {
        const { nodes } = await client.call<ListNodesResponse__Output>('ListNodes', {}, { stale: o.stale === true });
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
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .action(
      withManager(async (client, ref: string, o: { stale?: boolean }) => {
        ctx.output().object(nodeJson(await client.call<Node__Output>('GetNode', { id: ref }, { stale: o.stale === true })));
      }),
    );

  /** Reads the node, changes its spec with `change`, writes it back at the version read. */
  const updateNode = async (client: ManagerClient, ref: string, change: (n: Node__Output) => { availability?: string; role?: string; labels?: Record<string, string> }): Promise<Node__Output> => {
    const n = await client.call<Node__Output>('GetNode', { id: ref });
    const c = change(n);
    return client.call<Node__Output>('UpdateNode', { id: n.id, version: n.meta?.version ?? 0, availability: c.availability ?? '', role: c.role ?? '', labels: c.labels ?? n.labels });
  };
  node
    .command('update <node>')
    .description('change a node: its availability and labels')
    .addOption(option('--availability <state>', 'active (takes tasks), pause (keeps its tasks, takes none) or drain (its tasks move away)', oneOf(['active', 'pause', 'drain'] as const)))
    .option('--label-add <key=value>', 'add or change a label (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--label-rm <key>', 'remove a label (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .action(
      withManager(async (client, ref: string, o: { availability?: string; labelAdd?: string[]; labelRm?: string[] }) => {
        const adds = (o.labelAdd ?? []).map((kv) => {
          const at = kv.indexOf('=');
          if (at <= 0) throw invalidArgument('config.invalid', `--label-add ${JSON.stringify(kv)}: must be KEY=VALUE`);
          return [kv.slice(0, at), kv.slice(at + 1)] as const;
        });
        if (o.availability === undefined && adds.length === 0 && (o.labelRm ?? []).length === 0) throw invalidArgument('config.invalid', 'node update: nothing to change (--availability, --label-add, --label-rm)');
        const n = await updateNode(client, ref, (cur) => {
          const labels = { ...cur.labels };
          for (const k of o.labelRm ?? []) {
            if (!(k in labels)) throw invalidArgument('config.invalid', `--label-rm ${k}: node ${cur.description?.hostname ?? cur.id} has no such label`);
            delete labels[k];
          }
          for (const [k, v] of adds) labels[k] = v;
          return { ...(o.availability !== undefined ? { availability: o.availability } : {}), labels };
        });
        ctx.output().object(nodeJson(n));
      }),
    );
  node
    .command('ps <node>')
    .description("the containers of one node, as `shoal ps --filter node=NODE` (-a: also the ended ones)")
    .option('-a, --all', 'also the ones that ended or are being removed')
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .action(
      withManager(async (client, ref: string, o: { all?: boolean; stale?: boolean }) => {
        const res = await client.call<ListTasksResponse__Output>('ListTasks', { all: o.all === true, nodes: [ref] }, { stale: o.stale === true });
        const now = Date.now();
        ctx.output().list(taskRows(res), taskColumns(now), (r) => taskJson(r, now));
      }),
    );
  node
    .command('demote <node>')
    .description('make a manager a worker: it leaves the managers (refused for the last one, or when the rest would lack a quorum)')
    .action(
      withManager(async (client, ref: string) => {
        const n = await updateNode(client, ref, () => ({ role: 'worker' }));
        ctx.output().note(`Manager ${n.description?.hostname ?? n.id} demoted in the cluster.`);
        if (ctx.output().format === 'json') ctx.output().object(nodeJson(n));
      }),
    );
  node
    .command('rm <node>')
    .description('remove a node that is down (--force: whatever its state); a manager must be demoted first')
    .option('-f, --force', 'remove it even if it is not down')
    .action(
      withManager(async (client, ref: string, o: { force?: boolean }) => {
        const n = await client.call<Node__Output>('GetNode', { id: ref });
        await client.call('RemoveNode', { id: n.id, force: o.force === true });
        ctx.output().note(`Node ${n.description?.hostname ?? n.id} removed.`);
      }),
    );

  const cluster = managerOptions(program.command('cluster').description('the cluster itself: its settings, CA and join tokens'));
  cluster
    .command('update')
    .description("change the cluster's settings")
    .addOption(option('--heartbeat-period <duration>', 'how often agents report to the managers (100ms to 1m; default 1s)', durationMs))
    .addOption(option('--cert-expiry <duration>', 'how long node certificates are valid (1h to 10 years, e.g. 2160h; default 90 days); each node renews at 50-80% of it', durationMs))
    .addOption(option('--strategy <strategy>', 'how the scheduler picks among the nodes that fit: spread (fewest tasks; the default), binpack (fullest first) or random', oneOf(['spread', 'binpack', 'random'] as const)))
    .action(
      withManager(async (client, o: { heartbeatPeriod?: number; certExpiry?: number; strategy?: string }) => {
        if (o.heartbeatPeriod === undefined && o.certExpiry === undefined && o.strategy === undefined) throw invalidArgument('config.invalid', 'cluster update: nothing to change (--heartbeat-period, --cert-expiry, --strategy)');
        const c = await client.call<Cluster__Output>('GetCluster', {});
        ctx.output().object(clusterJson(await client.call<Cluster__Output>('UpdateCluster', { id: c.id, version: c.meta?.version ?? 0, heartbeatPeriodMs: o.heartbeatPeriod ?? 0, certExpiryMs: o.certExpiry ?? 0, strategy: o.strategy ?? '' })));
      }),
    );
  cluster
    .command('join-token <role>')
    .description('the join command for a worker or a manager; --rotate replaces the token (nodes already joined are not affected)')
    .option('--rotate', 'make a new token; the old one is refused from now on')
    .option('-q, --quiet', 'print the token only')
    .action(
      withManager(async (client, role: string, o: { rotate?: boolean; quiet?: boolean }) => {
        if (role !== 'worker' && role !== 'manager') throw invalidArgument('config.invalid', `join-token ${JSON.stringify(role)}: must be worker or manager`);
        const c = o.rotate === true ? await client.call<Cluster__Output>('RotateJoinToken', { worker: role === 'worker', manager: role === 'manager' }) : await client.call<Cluster__Output>('GetCluster', {});
        const token = role === 'worker' ? c.workerJoinToken : c.managerJoinToken;
        if (o.quiet === true) process.stdout.write(`${token}\n`);
        else if (ctx.output().format === 'json') ctx.output().object({ role, token, rotated: o.rotate === true });
        else {
          process.stdout.write(`${o.rotate === true ? `Rotated the ${role} join token.\n` : ''}To add a ${role} to this cluster, run on its host:\n`);
          process.stdout.write(role === 'worker' ? `    shoal agent --advertise <its IP> --token ${token} <manager address>\n` : `    shoal manager join --advertise-addr <its IP> --token ${token} <manager address>\n`);
        }
      }),
    );
  cluster
    .command('inspect')
    .description("the cluster's settings, CA fingerprint and join tokens")
    .option('--stale', "read the manager's own copy: answers without a leader, may miss the latest writes")
    .action(
      withManager(async (client, o: { stale?: boolean }) => {
        ctx.output().object(clusterJson(await client.call<Cluster__Output>('GetCluster', {}, { stale: o.stale === true })));
      }),
    );
}
