// The agent's command area for the `shoal` binary (registered by bin/shoal.js):
//   shoal agent --standalone [--data-dir DIR] [--socket PATH]
//   shoal agent --advertise IP [--token T] [--insecure-registry HOST:PORT] MANAGER[,MANAGER...]   (in a cluster;
//   or --token T --discover instead of the managers: found on IP's LAN by multicast DNS, worker/discover.ts:
//   the worker runs the tasks the managers assign, worker/worker.ts; the managers read logs of,
//   exec in and inspect those tasks' containers through TaskAccess, access/server.ts, port 4378)

import { cpus, hostname, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { AreaContext, AreaRegistrar } from '../shared/cli-area.js';
import { flag, option } from '../shared/cli-option.js';
import { systemClock } from '../shared/clock.js';
import { byteSize, intInRange, ipv4 } from '../shared/config.js';
import { failedPrecondition, invalidArgument, oneLine } from '../shared/errors.js';
import type { TlsMaterial } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { parseManagerAddress } from '../shared/manager-hosts.js';
import { systemRng } from '../shared/rng.js';
import { shoalVersion } from '../shared/version.js';
import { AGENT_DATA_DIR_DEFAULT, AGENT_SOCKET_DEFAULT, Agent } from './daemon.js';
import { parseUpstream, type Upstream } from './dns/server.js';

/** Where a manager installed on this host keeps its data (packaging/default/shoal-manager). */
const MANAGER_DATA_DIR_DEFAULT = '/var/lib/shoal/manager';

function registerAgent(program: Command, ctx: AreaContext): void {
  program
    .command('agent')
    .description('run the agent of this host: containers, images, the shim (standalone: its local API only)')
    .addOption(flag('--standalone', 'serve only the local runtime API, without managers'))
    .addOption(option('--data-dir <dir>', 'images, containers and logs').default(AGENT_DATA_DIR_DEFAULT))
    .addOption(option('--socket <path>', 'the local runtime API (unix socket)').default(AGENT_SOCKET_DEFAULT))
    .addOption(option('--runc <path>', 'the OCI runtime binary').default('runc'))
    .addOption(option('--log-max-size <size>', "rotate a container's log at this size", byteSize).default(10 * 1024 * 1024, '10m'))
    .addOption(option('--log-max-files <n>', 'log files kept per container', intInRange(1, 100)).default(3))
    .addOption(option('--advertise <ip>', "this host's underlay address for overlay networks (its interface and MTU are detected)", ipv4))
    .addOption(option('--dns-upstream <ip[:port]>', "where containers' DNS forwards other names (repeatable; default: /etc/resolv.conf's)").argParser((v: string, prev: Upstream[] | undefined) => [...(prev ?? []), parseUpstream(v)]))
    .addOption(option('--dns-ttl <seconds>', 'TTL of DNS answers for cluster names', intInRange(0, 3600)).default(5))
    .addOption(option('--token <token>', 'the worker join token (`shoal cluster join-token worker`); only for the first start'))
    .addOption(option('--hostname <name>', "this node's name in `shoal node ls` (the host's name by default)"))
    .addOption(option('--manager-data-dir <dir>', "on a manager's host: the manager's data dir, whose node this agent is (no token needed)").default(MANAGER_DATA_DIR_DEFAULT))
    .addOption(
      new Option('--insecure-registry <host:port>', 'a registry to pull task images from over plain HTTP (repeatable; comma-separated in the environment)')
        .env('SHOAL_INSECURE_REGISTRY')
        .argParser((v: string, all: string[] = []) => [...all, ...v.split(',').filter((r) => r !== '').map(insecureRegistry)]),
    )
    .addOption(
      new Option('--label <key=value>', 'a label of this node, for constraints (engine.labels.KEY; repeatable; one in the environment)')
        .env('SHOAL_LABEL')
        .argParser((v: string, all: string[] = []) => [...all, v]),
    )
    .addOption(option('--managers <list>', 'the managers, as the argument (for a settings file)'))
    .addOption(flag('--discover', "with --token and no managers: find this cluster's managers on the LAN of --advertise by multicast DNS (those whose CA is the token's); for a first join only"))
    .argument('[managers]', 'managers to join or report to: IP[:PORT][,IP[:PORT]...] (not with --standalone; or --discover)')
    .action(async (managerArg: string | undefined, o: { managers?: string; discover?: boolean; standalone?: boolean; dataDir: string; socket: string; runc: string; logMaxSize: number; logMaxFiles: number; advertise?: string; dnsUpstream?: Upstream[]; dnsTtl: number; token?: string; hostname?: string; label?: string[]; insecureRegistry?: string[]; managerDataDir?: string }) => {
      if (managerArg !== undefined && o.managers !== undefined && managerArg !== o.managers) {
        throw invalidArgument('config.invalid', `agent: managers given twice (${managerArg} and --managers/SHOAL_MANAGERS ${o.managers}): give one`);
      }
      if (o.discover === true && o.standalone === true) throw invalidArgument('config.invalid', 'agent: --discover finds managers to join; a --standalone agent has none');
      const cluster = o.standalone === true ? undefined : clusterOptions(managerArg ?? o.managers, o);
      if (process.getuid?.() !== 0) throw failedPrecondition('agent.needs_root', 'agent: must run as root (it mounts file systems and runs runc)');
      const logger = ctx.logger('agent');
      const agent = new Agent({
        // Absolute: the shim accepts only paths under it, and the agent's key is made from it.
        dataDir: resolve(o.dataDir),
        socket: resolve(o.socket),
        clock: systemClock,
        logger,
        runcBinary: o.runc,
        logMaxBytes: o.logMaxSize,
        logMaxFiles: o.logMaxFiles,
        ...(o.advertise !== undefined ? { advertise: o.advertise } : {}),
        ...(o.dnsUpstream !== undefined ? { dnsUpstreams: o.dnsUpstream } : {}),
        dnsTtlSeconds: o.dnsTtl,
      });
      // In a cluster: the membership first (a bad token changes nothing on this host), then the
      // runtime, then the session with the managers.
      // On a manager's host the agent is the manager's node; elsewhere it joins (or resumes) as a worker.
      const worker = cluster === undefined ? undefined : await import('./worker/identity.js');
      // --discover is for a first join with a token; a kept membership knows its managers.
      const kept = cluster?.discover === true && worker !== undefined ? await worker.readAgentIdentity(resolve(o.dataDir)) : undefined;
      if (cluster?.discover === true && cluster.token === undefined && kept === undefined) {
        throw invalidArgument('config.invalid', `--discover: needs --token (the worker token names the cluster to look for); this agent has not joined one (no ${join(resolve(o.dataDir), 'cluster', 'node.json')})`);
      }
      // The default manager dir counts only for an agent that is not a worker already and was
      // given no token: a token (or a worker identity kept in its data dir) means a worker.
      const defaultDirOnly = o.managerDataDir === MANAGER_DATA_DIR_DEFAULT;
      const workerAlready = worker !== undefined && defaultDirOnly && (o.token !== undefined || (await worker.readAgentIdentity(resolve(o.dataDir))) !== undefined);
      const asManager = worker === undefined || o.managerDataDir === undefined || workerAlready ? undefined : await worker.managerNodeIdentity(resolve(o.managerDataDir));
      if (o.managerDataDir !== undefined && o.managerDataDir !== MANAGER_DATA_DIR_DEFAULT && asManager === undefined) {
        throw invalidArgument('config.invalid', `--manager-data-dir ${o.managerDataDir}: no manager there (no manager.json)`);
      }
      const member =
        asManager ??
        (worker === undefined || cluster === undefined
          ? undefined
          : await worker.joinOrResume({ dataDir: resolve(o.dataDir), ...(cluster.token !== undefined ? { token: cluster.token } : {}), managers: cluster.discover ? await discovered(kept !== undefined, cluster, logger) : cluster.managers, advertiseAddr: cluster.advertise, hostname: cluster.hostname }));
      await agent.start();
      let session: { stop(): Promise<void> } | undefined;
      let taskWorker: { stop(): void } | undefined;
      let access: { stop(): Promise<void> } | undefined;
      if (member !== undefined && cluster !== undefined) {
        if (member.joined) logger.info({ clusterId: member.identity.clusterId, nodeId: member.identity.nodeId }, 'joined the cluster as a worker');
        const { ManagerSession } = await import('./worker/session.js');
        const { Worker, supervisorRuntime, TASKS_MAX } = await import('./worker/worker.js');
        const { fileRestartLedger, RESTART_LEDGER_FILE } = await import('./worker/restart-ledger.js');
        // The worker finds the containers it made before this start, then runs what sessions assign.
        const w = new Worker({
          nodeId: member.identity.nodeId,
          runtime: supervisorRuntime(agent.supervisor, o.insecureRegistry ?? [], systemClock),
          clock: systemClock,
          logger,
          restartLedger: fileRestartLedger(join(resolve(o.dataDir), RESTART_LEDGER_FILE), logger, TASKS_MAX),
        });
        w.adopt();
        taskWorker = w;
        const s = new ManagerSession({
          dataDir: resolve(o.dataDir),
          identity: member.identity,
          tls: member.tls,
          description: { hostname: cluster.hostname, advertiseAddress: cluster.advertise, cpus: cpus().length, memoryBytes: totalmem(), labels: cluster.labels, agentVersion: shoalVersion() },
          clock: systemClock,
          rng: systemRng,
          logger,
          listener: { opened: (client, sessionId) => w.sessionOpened(client, sessionId), ended: () => w.sessionEnded(), contact: (sentAtMs) => w.managersReached(sentAtMs) },
        });
        s.start();
        session = s;
        access = await serveTaskAccess(agent, member, cluster.advertise, logger);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await access?.stop();
      await session?.stop();
      taskWorker?.stop();
      await agent.stop();
    });
}

/**
 * The managers' way to this agent's task containers (access/server.ts): logs, exec, inspect, on
 * the advertise address. A port that cannot be bound is logged and the agent goes on: its tasks
 * run all the same, and the managers answer that the node cannot be reached for those calls.
 */
async function serveTaskAccess(agent: Agent, member: { identity: { nodeId: string; clusterId: string }; tls: TlsMaterial }, advertise: string, logger: Logger): Promise<{ stop(): Promise<void> } | undefined> {
  const { TaskAccessServer } = await import('./access/server.js');
  const server = new TaskAccessServer({ runtime: agent.supervisor, nodeId: member.identity.nodeId, clusterId: member.identity.clusterId, tls: member.tls, clock: systemClock, logger });
  try {
    await server.start(advertise);
    return server;
  } catch (err) {
    logger.error({ err: oneLine(err) }, 'cannot serve logs, exec and inspect to the managers: they will say this node cannot be reached for those');
    await server.stop();
    return undefined;
  }
}

/**
 * The managers `--discover` found on the LAN, for a first join; none to look for when this agent
 * kept its membership (a restart: it knows its managers).
 */
async function discovered(kept: boolean, cluster: { advertise: string; token: string | undefined }, logger: Logger): Promise<string[]> {
  if (kept || cluster.token === undefined) {
    logger.info('this agent kept its membership: it knows its managers, nothing to discover');
    return [];
  }
  const { discoverManagers } = await import('./worker/discover.js');
  return discoverManagers({ advertise: cluster.advertise, token: cluster.token, clock: systemClock, logger });
}

/** What cluster mode needs, checked before anything starts: one line for what is wrong. */
function clusterOptions(managerList: string | undefined, o: { advertise?: string; token?: string; hostname?: string; label?: string[]; discover?: boolean }) {
  const discover = o.discover === true;
  if (discover && managerList !== undefined) throw invalidArgument('config.invalid', `agent: --discover or the managers (${managerList}), not both: --discover looks for them`);
  if (managerList === undefined && !discover) throw invalidArgument('config.invalid', 'agent: name the managers to join (IP[:PORT][,...]), or --discover them with --token, or run with --standalone');
  if (o.advertise === undefined) throw invalidArgument('config.invalid', `--advertise: needed in a cluster (the address managers and other hosts reach this one at${discover ? '; --discover asks on its LAN' : ''})`);
  const managers = (managerList ?? '').split(',').filter((m) => m.trim() !== '');
  for (const m of managers) parseManagerAddress(m, 'agent: manager');
  const labels: Record<string, string> = {};
  for (const kv of o.label ?? []) {
    const at = kv.indexOf('=');
    if (at <= 0) throw invalidArgument('config.invalid', `--label ${JSON.stringify(kv)}: must be KEY=VALUE`);
    labels[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return { managers, discover, advertise: o.advertise, hostname: o.hostname ?? hostname(), labels, token: o.token };
}

/** --insecure-registry: HOST:PORT (or HOST), as image references name registries. */
function insecureRegistry(v: string): string {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)) throw invalidArgument('config.invalid', `--insecure-registry ${JSON.stringify(v)}: must be HOST:PORT`);
  return v;
}

export const agentAreas: readonly AreaRegistrar[] = [registerAgent];
