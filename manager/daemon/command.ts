// `shoal manager`: run the manager of the data dir (as shoal-manager.service does), and
// `shoal manager init`: create a cluster there (or find the one made there before), say how to
// join it, and run. Both in the foreground, logging with pino on stderr, until SIGTERM/SIGINT;
// a manager whose Raft storage fails exits non-zero with the reason.

import { Option, type Command } from 'commander';
import type { AreaContext, OutputFormat } from '../../shared/cli-area.js';
import { flag, option } from '../../shared/cli-option.js';
import { intInRange } from '../../shared/config.js';
import { RAFT_NODE_DEFAULTS } from '../raft/node.js';
import { ShoalError, oneLine } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { paths } from './data-dir.js';
import { MANAGER_PORT } from '../../shared/manager-hosts.js';
import { hostname as osHostname } from 'node:os';
import { systemClock } from '../../shared/clock.js';
import type { Manager } from './manager.js';

// The daemon's modules (Raft, the store, the CA with its X.509 library, gRPC) load when a
// manager command runs, not for every `shoal` command: about 100 ms of each CLI start.
const daemon = () => import('./manager.js');

export const MANAGER_DATA_DIR = '/var/lib/shoal/manager';

interface RunOptions {
  dataDir: string;
  announce: boolean;
  hostname?: string;
  snapshotEntries: number;
  snapshotKeepEntries: number;
}

interface InitOptions extends RunOptions {
  advertiseAddr: string;
  listenAddr?: string;
  exit?: boolean;
}

/**
 * Runs the manager until a signal (or its Raft storage fails). `started` is told once it serves;
 * with `exit`, the manager stops once what `started` returns has settled (init and join
 * `--exit`: set the cluster up, say how to join, and leave the running to shoal-manager.service).
 */
async function runUntilSignal(o: RunOptions & { exit?: boolean }, logger: Logger, started?: (m: Manager) => Promise<void>): Promise<void> {
  const { Manager } = await daemon();
  const manager = new Manager({ dataDir: o.dataDir, logger, announce: o.announce, snapshotEntries: o.snapshotEntries, keepEntries: o.snapshotKeepEntries, ...(o.hostname !== undefined ? { hostname: o.hostname } : {}) });
  const fatal = new Promise<Error | undefined>((resolve) => {
    process.once('SIGTERM', () => resolve(undefined));
    process.once('SIGINT', () => resolve(undefined));
    manager.onFatal = resolve;
  });
  await manager.start();
  const ready = started?.(manager);
  const err = o.exit === true ? await Promise.race([fatal, ready?.then(() => undefined)]) : await fatal;
  await manager.stop();
  if (err !== undefined) throw new ShoalError('unavailable', 'manager.stopped', `manager stopped: ${oneLine(err)}`);
}

/** What `docker swarm init` prints: how to join (on stdout, the command's result). */
function printJoinCommands(format: OutputFormat, c: { clusterId: string; nodeId: string; advertiseAddr: string; adminDir: string; tokens: { worker: string; manager: string } }): void {
  const join = {
    worker: `shoal agent --advertise <its IP> --token ${c.tokens.worker} ${c.advertiseAddr}`,
    manager: `shoal manager join --advertise-addr <its IP> --token ${c.tokens.manager} ${c.advertiseAddr}`,
    cli: `export SHOAL_HOST=${c.advertiseAddr} SHOAL_TLS_DIR=${c.adminDir}`,
  };
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ clusterId: c.clusterId, nodeId: c.nodeId, join })}\n`);
    return;
  }
  process.stdout.write(
    [
      `Cluster ${c.clusterId}: this node (${c.nodeId}) is now a manager.`,
      '',
      'To add a worker to this cluster, run on its host:',
      `    ${join.worker}`,
      '',
      'To add a manager to this cluster, run on its host:',
      `    ${join.manager}`,
      '',
      'To use the shoal CLI against this cluster:',
      `    ${join.cli}`,
      '',
    ].join('\n'),
  );
}

export function registerManager(program: Command, ctx: AreaContext): void {
  const manager = program
    .command('manager')
    .description('run the cluster manager of --data-dir (made by `shoal manager init`)')
    .addOption(option('--data-dir <dir>', 'where the manager keeps its identity, certificates and Raft data').default(MANAGER_DATA_DIR))
    .addOption(option('--hostname <name>', "this node's name in `shoal node ls` (the host's name by default)"))
    .addOption(option('--snapshot-entries <n>', 'Raft entries between two snapshots of the store', intInRange(1, 100_000_000)).default(RAFT_NODE_DEFAULTS.snapshotEntries))
    .addOption(option('--snapshot-keep-entries <n>', 'Raft entries kept behind a snapshot for managers slightly behind', intInRange(0, 100_000_000)).default(RAFT_NODE_DEFAULTS.keepEntries))
    // On by default: `shoal agent --token T --discover` finds the managers that announce.
    .addOption(flag('--announce', 'announce this manager on the LAN of its advertise address by multicast DNS, for `shoal agent --discover` (its address and the CA fingerprint, never a token)').default(true))
    .addOption(new Option('--no-announce', 'do not announce this manager on the LAN'))
    // Its subcommands take --data-dir and --hostname from it (`shoal manager init --data-dir D`):
    // commander gives an option to the command that defines it, wherever it stands.
    .configureHelp({ showGlobalOptions: true })
    .action(async (o: RunOptions) => runUntilSignal(o, ctx.logger('manager')));

  manager
    .command('init')
    .description('create a cluster: its CA, this first manager, join tokens and an admin bundle; then run (again: resume)')
    .addOption(option('--advertise-addr <ip[:port]>', `the address other managers, agents and the CLI dial (port ${MANAGER_PORT} by default)`).makeOptionMandatory())
    .addOption(option('--listen-addr <ip:port>', 'where to listen (0.0.0.0 and the advertised port by default)'))
    .option('--exit', 'exit once the cluster is made and the join commands printed (then run it with shoal-manager.service)')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<InitOptions>();
      const logger = ctx.logger('manager');
      const { initCluster } = await daemon();
      const { identity, created } = await initCluster({ dataDir: o.dataDir, advertiseAddr: o.advertiseAddr, ...(o.listenAddr !== undefined ? { listenAddr: o.listenAddr } : {}), logger });
      const out = ctx.output();
      if (!created) process.stdout.write(`Resuming the cluster ${identity.clusterId} found in ${o.dataDir} (the flags of this init are not used).\n`);
      await runUntilSignal(o, logger, (m) =>
        m.joinTokens().then(
          (tokens) => printJoinCommands(out.format, { ...identity, adminDir: paths(o.dataDir).admin, tokens }),
          (err: unknown) => logger.warn({ err: oneLine(err) }, 'the join tokens could not be read; `shoal cluster inspect` shows them'),
        ),
      );
    });

  manager
    .command('leave')
    .description('take this host\'s manager out of the cluster (as `shoal node demote` of it); it then stops')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<RunOptions>();
      const { leaveCluster } = await import('./join.js');
      const n = await leaveCluster(o.dataDir);
      process.stdout.write(`This manager (${n}) left the managers of the cluster; its daemon stops.\n`);
    });

  manager
    .command('recover')
    .description('after a quorum of managers is lost for good: make this (stopped) manager the only member of the cluster, with its whole state')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<RunOptions>();
      const { recoverManager } = await import('./recover.js');
      await recoverManager(o.dataDir, systemClock, (line) => process.stdout.write(`${line}\n`));
    });

  manager
    .command('join <addr>')
    .description('join the cluster of the manager at ADDR (IP[:PORT]) as a manager, with its manager token; then run (again: resume)')
    .addOption(option('--token <token>', 'the manager join token (`shoal cluster inspect`)').makeOptionMandatory())
    .addOption(option('--advertise-addr <ip[:port]>', `the address other managers, agents and the CLI dial (port ${MANAGER_PORT} by default)`).makeOptionMandatory())
    .addOption(option('--listen-addr <ip:port>', 'where to listen (0.0.0.0 and the advertised port by default)'))
    .option('--exit', 'exit once this manager is a voter (then run it with shoal-manager.service)')
    .action(async (addr: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<InitOptions & { token: string }>();
      const logger = ctx.logger('manager');
      const hostname = o.hostname ?? osHostname();
      const { joinCluster } = await import('./join.js');
      const { identity, created } = await joinCluster({ dataDir: o.dataDir, advertiseAddr: o.advertiseAddr, ...(o.listenAddr !== undefined ? { listenAddr: o.listenAddr } : {}), token: o.token, remote: addr, hostname, logger });
      if (!created) process.stdout.write(`Resuming the membership in cluster ${identity.clusterId} found in ${o.dataDir} (the flags of this join are not used).\n`);
      await runUntilSignal({ ...o, hostname }, logger, (m) =>
        m.waitVoter().then(
          () => void process.stdout.write(`This node (${identity.nodeId}) joined cluster ${identity.clusterId} as a manager.\n`),
          (err: unknown) => logger.warn({ err: oneLine(err) }, 'not a voter yet; the leader promotes this manager once it has caught up'),
        ),
      );
    });
}
