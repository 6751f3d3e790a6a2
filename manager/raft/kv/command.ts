// `shoal raft-kv`: run one member of a replicated key-value store on Shoal's Raft.
//   shoal raft-kv --id 1 --listen 127.0.0.1:7001 --data-dir /tmp/kv1 \
//     --members 1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003

import type { Command } from 'commander';
import type { AreaContext } from '../../../shared/cli-area.js';
import { option } from '../../../shared/cli-option.js';
import { durationMs, intInRange, type Parser } from '../../../shared/config.js';
import { ShoalError, invalidArgument, oneLine } from '../../../shared/errors.js';
import { parseAddress } from '../../../shared/grpc.js';
import { RAFT_NODE_DEFAULTS } from '../node.js';
import { KvServer } from './server.js';

/** `1=127.0.0.1:7001,2=127.0.0.1:7002`: member ids and their addresses. */
export const membersList: Parser<Map<number, string>> = (raw, what) => {
  const out = new Map<number, string>();
  for (const part of raw.split(',').filter((p) => p !== '')) {
    const m = /^(\d+)=(.+)$/.exec(part.trim());
    if (m === null) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(part)} is not ID=HOST:PORT`);
    const id = Number(m[1]);
    if (id < 1 || id > 2 ** 32 - 1) throw invalidArgument('config.invalid', `${what}: member id ${m[1]} must be from 1 to 4294967295`);
    parseAddress(m[2] as string, what);
    if (out.has(id)) throw invalidArgument('config.invalid', `${what}: member ${id} is named twice`);
    out.set(id, m[2] as string);
  }
  return out;
};

export function registerRaftKv(program: Command, ctx: AreaContext): void {
  program
    .command('raft-kv')
    .description("run one member of a replicated key-value store on Shoal's Raft (tests and benchmarks)")
    .addOption(option('--id <n>', 'this member id', intInRange(1, 2 ** 32 - 1)).makeOptionMandatory())
    .addOption(option('--listen <host:port>', 'address for clients and the other members').makeOptionMandatory())
    .addOption(option('--data-dir <dir>', 'where the WAL and snapshots live').makeOptionMandatory())
    .addOption(option('--members <list>', 'members ID=HOST:PORT,...: the founding members, or with --join the existing ones', membersList))
    .option('--join', 'join an existing cluster (a member adds this one) instead of founding one')
    .addOption(option('--cluster-id <n>', 'refuse messages of other clusters', intInRange(1, 2 ** 32 - 1)).default(1))
    .addOption(option('--tick <duration>', 'Raft tick', durationMs).default(RAFT_NODE_DEFAULTS.tickMs))
    .addOption(option('--election-ticks <n>', 'ticks without a leader before an election (randomized up to twice that)', intInRange(2, 1000)).default(RAFT_NODE_DEFAULTS.electionTicks))
    .addOption(option('--snapshot-entries <n>', 'entries between snapshots', intInRange(1, 100_000_000)).default(RAFT_NODE_DEFAULTS.snapshotEntries))
    .action(async (o: { id: number; listen: string; dataDir: string; members?: Map<number, string>; join?: boolean; clusterId: number; tick: number; electionTicks: number; snapshotEntries: number }) => {
      const logger = ctx.logger('raft-kv').child({ node: o.id });
      if (o.members !== undefined && o.join !== true && !o.members.has(o.id)) {
        throw invalidArgument('config.invalid', `--members: does not include this member (--id ${o.id})`);
      }
      const server = new KvServer({
        id: o.id,
        clusterId: o.clusterId,
        listen: o.listen,
        dataDir: o.dataDir,
        initialMembers: o.members ?? new Map(),
        ...(o.join === true ? { join: true } : {}),
        logger,
        tickMs: o.tick,
        electionTicks: o.electionTicks,
        snapshotEntries: o.snapshotEntries,
      });
      const address = await server.start();
      logger.info({ address: address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path }, 'raft-kv serving');
      server.node.onLeaderChange((lead, term) => logger.info({ lead, term }, 'leader changed'));
      // Runs until a signal, or until its storage fails: then it exits with the reason (as etcd
      // does), so that a supervisor and the operator see it instead of a member that only refuses.
      const fatal = await new Promise<Error | undefined>((resolve) => {
        process.once('SIGTERM', () => resolve(undefined));
        process.once('SIGINT', () => resolve(undefined));
        server.node.onFatal((err) => resolve(err));
      });
      await server.stop();
      if (fatal !== undefined) throw new ShoalError('unavailable', 'raft.stopped', `raft-kv member ${o.id} stopped: its storage failed (${oneLine(fatal)})`);
    });
}
