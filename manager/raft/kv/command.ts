// `shoal raft-kv`: run one member of a replicated key-value store on Shoal's Raft.
//   shoal raft-kv --id 1 --listen 127.0.0.1:7001 --data-dir /tmp/kv1 \
//     --members 1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003
// With --tls-dir DIR (ca.pem, cert.pem, key.pem) members and clients talk mutual TLS; without
// it a member talks plaintext, so it refuses any address that is not loopback.

import type { Command } from 'commander';
import type { AreaContext } from '../../../shared/cli-area.js';
import { option } from '../../../shared/cli-option.js';
import { byteSize, durationMs, intInRange, type Parser } from '../../../shared/config.js';
import { ShoalError, invalidArgument, oneLine } from '../../../shared/errors.js';
import { parseAddress, type TlsMaterial } from '../../../shared/grpc.js';
import { isLoopbackHost } from '../../../shared/net.js';
import { readTlsDir } from '../../../shared/tls-dir.js';
import { RAFT_NODE_DEFAULTS } from '../node.js';
import { TRANSPORT_DEFAULTS } from '../transport.js';
import { MEMBER_LIMITS } from '../types.js';
import { KvServer } from './server.js';

/** `1=127.0.0.1:7001,2=127.0.0.1:7002`: member ids and their addresses. */
export const membersList: Parser<Map<number, string>> = (raw, what) => {
  const out = new Map<number, string>();
  for (const part of raw.split(',').filter((p) => p !== '')) {
    const m = /^(\d+)=(.+)$/.exec(part.trim());
    if (m === null) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(part)} is not ID=HOST:PORT`);
    const id = Number(m[1]);
    if (id < 1 || id > MEMBER_LIMITS.nodeIdMax) throw invalidArgument('config.invalid', `${what}: member id ${m[1]} must be from 1 to ${MEMBER_LIMITS.nodeIdMax}`);
    parseAddress(m[2] as string, what);
    if (out.has(id)) throw invalidArgument('config.invalid', `${what}: member ${id} is named twice`);
    out.set(id, m[2] as string);
  }
  return out;
};

/**
 * Without TLS every byte between members and clients is plaintext and unauthenticated: anyone
 * who can reach the port can write, read and send Raft messages. So plaintext stays on loopback.
 */
export function requireLoopbackWithoutTls(listen: string, members: ReadonlyMap<number, string> | undefined): void {
  const why = 'without --tls-dir a member talks plaintext, so it listens and connects on loopback only (127.0.0.1, ::1, localhost)';
  const address = parseAddress(listen, '--listen');
  if (address.kind === 'tcp' && !isLoopbackHost(address.host)) throw invalidArgument('config.invalid', `--listen ${listen}: not a loopback address; ${why}`);
  for (const [id, raw] of members ?? []) {
    const a = parseAddress(raw, '--members');
    if (a.kind === 'tcp' && !isLoopbackHost(a.host)) throw invalidArgument('config.invalid', `--members: member ${id} at ${raw} is not on loopback; ${why}`);
  }
}

interface RaftKvOptions {
  id: number;
  listen: string;
  dataDir: string;
  members?: Map<number, string>;
  join?: boolean;
  clusterId: number;
  tick: number;
  electionTicks: number;
  snapshotEntries: number;
  snapshotBytesMax: number;
  tlsDir?: string;
}

export function registerRaftKv(program: Command, ctx: AreaContext): void {
  program
    .command('raft-kv')
    .description("run one member of a replicated key-value store on Shoal's Raft (tests and benchmarks)")
    .addOption(option('--id <n>', 'this member id', intInRange(1, MEMBER_LIMITS.nodeIdMax)).makeOptionMandatory())
    .addOption(option('--listen <host:port>', 'address for clients and the other members').makeOptionMandatory())
    .addOption(option('--data-dir <dir>', 'where the WAL and snapshots live').makeOptionMandatory())
    .addOption(option('--members <list>', 'members ID=HOST:PORT,...: the founding members, or with --join the existing ones', membersList))
    .option('--join', 'join an existing cluster (a member adds this one) instead of founding one')
    .addOption(option('--cluster-id <n>', 'refuse messages of other clusters', intInRange(1, 2 ** 32 - 1)).default(1))
    .addOption(option('--tick <duration>', 'Raft tick', durationMs).default(RAFT_NODE_DEFAULTS.tickMs))
    .addOption(option('--election-ticks <n>', 'ticks without a leader before an election (randomized up to twice that)', intInRange(2, 1000)).default(RAFT_NODE_DEFAULTS.electionTicks))
    .addOption(option('--snapshot-entries <n>', 'entries between snapshots', intInRange(1, 100_000_000)).default(RAFT_NODE_DEFAULTS.snapshotEntries))
    .addOption(option('--snapshot-bytes-max <size>', 'refuse a snapshot upload from a member larger than this (64m, 1g)', byteSize).default(TRANSPORT_DEFAULTS.snapshotBytesMax, '1g'))
    .addOption(option('--tls-dir <dir>', 'mutual TLS for members and clients: ca.pem, cert.pem, key.pem; without it, loopback only'))
    .action(async (o: RaftKvOptions) => {
      const logger = ctx.logger('raft-kv').child({ node: o.id });
      if (o.members !== undefined && o.join !== true && !o.members.has(o.id)) {
        throw invalidArgument('config.invalid', `--members: does not include this member (--id ${o.id})`);
      }
      let tls: TlsMaterial | undefined;
      if (o.tlsDir === undefined) requireLoopbackWithoutTls(o.listen, o.members);
      else tls = await readTlsDir(o.tlsDir);
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
        snapshotBytesMax: o.snapshotBytesMax,
        ...(tls !== undefined ? { tls } : {}),
      });
      const address = await server.start();
      logger.info({ address: address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path, tls: tls !== undefined }, 'raft-kv serving');
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
