// `shoal manager join`: the joiner's side. It checks the CA against the token's fingerprint
// before it sends anything that matters, presents the token with a CSR (its key never leaves
// it), and with the manager certificate it got asks the leader to let it into Raft. Only then
// does it write its data dir (manager.json last). A wrong token, a wrong fingerprint or an
// unreachable manager: one line, and nothing changed here or in the cluster.

import type { ChannelCredentials } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { JoinRaftResponse__Output } from '../../proto/gen/shoal/raft/v1/JoinRaftResponse.js';
import { failedPrecondition, invalidArgument, ShoalError } from '../../shared/errors.js';
import { JOIN_CALL_TIMEOUT_MS, MANAGER_CHANNEL_OPTIONS, obtainCertificate, unreachable } from '../../shared/join-client.js';
import { readTlsDir } from '../../shared/tls-dir.js';
import { callUnary, clientCredentials } from '../../shared/grpc.js';
import { hostPortText, parseManagerAddress, type HostPort } from '../../shared/manager-hosts.js';
import type { Logger } from '../../shared/logger.js';
import { writeBundle } from '../../shared/tls-bundle.js';
import { parseJoinToken } from '../../shared/join-token.js';
import { paths, readIdentity, removePartialInit, writeIdentity, type ManagerIdentity } from './data-dir.js';

/** Followers name the leader; the joiner follows at most this many such answers. */
export const JOIN_LEADER_HOPS_MAX = 3;

export interface JoinOptions {
  readonly dataDir: string;
  readonly advertiseAddr: string;
  readonly listenAddr?: string;
  readonly token: string;
  /** A manager of the cluster: IP[:PORT]. */
  readonly remote: string;
  readonly hostname: string;
  readonly logger: Logger;
}

const channelOptions = MANAGER_CHANNEL_OPTIONS;
const reach = unreachable;

/** Asks `at` to let this manager in; a follower names the leader, which is asked next. */
async function joinRaft(at: HostPort, credentials: ChannelCredentials, request: { raftId: number; addr: string; hostname: string }): Promise<JoinRaftResponse__Output> {
  const Membership = loadProto('raft').shoal.raft.v1.RaftMembership;
  let target = at;
  for (let hop = 0; ; hop++) {
    const client = new Membership(hostPortText(target), credentials, channelOptions);
    try {
      return await callUnary(client.Join.bind(client), request, JOIN_CALL_TIMEOUT_MS);
    } catch (err) {
      const leaderAddr = err instanceof ShoalError ? err.fields['leaderAddr'] : undefined;
      if (err instanceof ShoalError && err.code === 'raft.not_leader' && typeof leaderAddr === 'string' && hop < JOIN_LEADER_HOPS_MAX) {
        target = parseManagerAddress(leaderAddr, 'leader address');
        continue;
      }
      throw reach(err, target);
    } finally {
      client.close();
    }
  }
}

/**
 * Joins the cluster of the manager at `remote` as a manager, or finds the membership made in
 * `dataDir` before (`created: false`).
 */
export async function joinCluster(o: JoinOptions): Promise<{ identity: ManagerIdentity; created: boolean }> {
  const advertise = parseManagerAddress(o.advertiseAddr, '--advertise-addr');
  const listenAt = o.listenAddr === undefined ? { host: '0.0.0.0', port: advertise.port } : parseManagerAddress(o.listenAddr, '--listen-addr');
  const remote = parseManagerAddress(o.remote, 'the manager address');
  parseJoinToken(o.token); // a malformed token is refused before anything else is done
  const existing = await readIdentity(o.dataDir);
  if (existing !== undefined) return { identity: existing, created: false };

  const { tls, issued } = await obtainCertificate(remote, o.token, { advertiseAddr: hostPortText(advertise), hostname: o.hostname });
  if (issued.role !== 'manager') {
    throw failedPrecondition('manager.worker_token', 'this is the worker token: a manager joins with the manager token (`shoal cluster inspect`); a worker joins with `shoal agent --token`');
  }
  const raftId = Number(issued.raftId);
  const { members } = await joinRaft(remote, clientCredentials(tls), { raftId, addr: hostPortText(advertise), hostname: o.hostname });

  await removePartialInit(o.dataDir);
  await writeBundle(paths(o.dataDir).tls, tls);
  const identity: ManagerIdentity = {
    format: 1,
    clusterId: issued.clusterId,
    raftClusterId: Number(issued.raftClusterId),
    nodeId: issued.nodeId,
    raftId,
    advertiseAddr: hostPortText(advertise),
    listenAddr: hostPortText(listenAt),
    joinMembers: members.map((m) => [Number(m.id), m.addr] as const),
  };
  await writeIdentity(o.dataDir, identity);
  o.logger.info({ clusterId: identity.clusterId, nodeId: identity.nodeId, raftId, via: hostPortText(remote) }, 'joined the cluster as a learner');
  return { identity, created: true };
}

/**
 * `shoal manager leave`: this manager asks, with its own certificate, through itself (it sends
 * the call on to the leader), to be demoted. Refused like a demotion: the last manager, or one
 * whose leaving would cost the quorum. Resolves with the node's hostname.
 */
export async function leaveCluster(dataDir: string): Promise<string> {
  const identity = await readIdentity(dataDir);
  if (identity === undefined) throw invalidArgument('manager.no_cluster', `--data-dir ${dataDir}: no manager here`);
  const tls = await readTlsDir(paths(dataDir).tls, `--data-dir ${dataDir}: tls`);
  const at = parseManagerAddress(identity.advertiseAddr, 'advertise address');
  const Control = loadProto('control').shoal.control.v1.Control;
  const client = new Control(hostPortText(at), clientCredentials(tls), channelOptions);
  try {
    const n = await callUnary(client.GetNode.bind(client), { id: identity.nodeId }, JOIN_CALL_TIMEOUT_MS).catch((err: unknown) => {
      throw reach(err, at);
    });
    await callUnary(client.UpdateNode.bind(client), { id: n.id, version: n.meta?.version ?? 0, role: 'worker', availability: '', labels: n.labels }, JOIN_CALL_TIMEOUT_MS);
    return n.description?.hostname ?? n.id;
  } finally {
    client.close();
  }
}
