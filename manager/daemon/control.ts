// The Control API (proto/control.proto) on every manager: the cluster and the nodes. Writes, and
// the reads that show the leader's view (which managers are reachable), run on the leader: a
// follower sends them on (once; manager.forwardControl). Other reads are linearizable through
// read-index on the manager called. During an election a call waits a bounded time for a
// leader, then fails with "no leader" (UNAVAILABLE). The calls not written yet answer
// UNIMPLEMENTED.

import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Cluster } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { ControlClient } from '../../proto/gen/shoal/control/v1/Control.js';
import type { IdRequest__Output } from '../../proto/gen/shoal/control/v1/IdRequest.js';
import type { Node } from '../../proto/gen/shoal/control/v1/Node.js';
import type { RemoveNodeRequest__Output } from '../../proto/gen/shoal/control/v1/RemoveNodeRequest.js';
import type { RotateJoinTokenRequest__Output } from '../../proto/gen/shoal/control/v1/RotateJoinTokenRequest.js';
import type { UpdateClusterRequest__Output } from '../../proto/gen/shoal/control/v1/UpdateClusterRequest.js';
import type { UpdateNodeRequest__Output } from '../../proto/gen/shoal/control/v1/UpdateNodeRequest.js';
import { failedPrecondition, invalidArgument, notFound, ShoalError, toGrpcStatus, unavailable } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { STALE_READ_METADATA } from '../../shared/manager-hosts.js';
import { caFingerprintHex } from '../../shared/ca-fingerprint.js';
import { NODE_CERT_VALIDITY_MS } from '../ca/issue.js';
import { newJoinToken } from '../../shared/join-token.js';
import { CERT_EXPIRY_MS_RANGE } from '../store/validate.js';
import { encodeCommand, type StoreOp } from '../store/command.js';
import { NODE_AVAILABILITIES, NODE_ROLES, STRATEGIES, type Meta, type NodeAvailability, type NodeRole, type Strategy, type StoreObjectOf } from '../store/types.js';
import { DEFAULT_STRATEGY } from '../scheduler/types.js';
import type { Manager } from './manager.js';
import { watchHandler } from './watch.js';
import { FORWARDED_METADATA, LEADER_POLL_MS, LEADER_WAIT_MS } from './settings.js';

/** The heartbeat period a cluster may be set to: from 100 ms to 1 minute. */
export const HEARTBEAT_PERIOD_MS_RANGE = { min: 100, max: 60_000 } as const;

export const meta = (m: Meta) => ({ version: m.version, createdAtMs: m.createdAtMs, updatedAtMs: m.updatedAtMs });

/** A node as the API shows it; `leader_status` for managers, as the leader sees them. */
export function nodeMessage(n: StoreObjectOf<'node'>, manager: Manager): Node {
  const raftId = n.status.raft?.id;
  let leaderStatus = '';
  if (n.spec.role === 'manager' && raftId !== undefined) {
    const s = manager.raft.status();
    if (s.lead === raftId) leaderStatus = 'leader';
    else if (s.confState.learners.includes(raftId)) leaderStatus = 'learner';
    else if (s.confState.voters.includes(raftId)) {
      // Only the leader hears every member; a follower (a stale read) knows itself and the leader.
      if (s.role !== 'leader' && raftId !== s.id) leaderStatus = 'unknown';
      else leaderStatus = manager.reachable(raftId) ? 'reachable' : 'unreachable';
    }
    else leaderStatus = 'unreachable';
  }
  return {
    id: n.id,
    meta: meta(n.meta),
    role: n.spec.role,
    availability: n.spec.availability,
    description: { hostname: n.spec.hostname, advertiseAddress: n.status.addr ?? '' },
    state: n.status.state,
    leaderStatus,
    labels: { ...n.spec.labels },
    message: n.status.message ?? '',
  };
}

export function clusterMessage(c: StoreObjectOf<'cluster'>): Cluster {
  const rootCaPem = c.status.rootCaPem ?? '';
  return {
    id: c.id,
    meta: meta(c.meta),
    heartbeatPeriodMs: c.spec.heartbeatPeriodMs,
    workerJoinToken: c.status.joinTokens?.worker ?? '',
    managerJoinToken: c.status.joinTokens?.manager ?? '',
    rootCaFingerprint: rootCaPem === '' ? '' : caFingerprintHex(rootCaPem),
    certExpiryMs: c.spec.certExpiryMs ?? NODE_CERT_VALIDITY_MS,
    strategy: c.spec.strategy ?? DEFAULT_STRATEGY,
  };
}

/**
 * A handler that runs on the leader: here when this manager leads, else sent on to the leader
 * (once: a call that was already sent on and finds no leader here fails with UNAVAILABLE).
 */
export function onLeader<Req, Res>(manager: Manager, method: keyof ControlClient & string, local: (req: Req) => Promise<Res>, staleLocal?: (req: Req) => Res) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const run = async (): Promise<Res> => {
      if (staleLocal !== undefined && isStale(call)) return staleLocal(call.request);
      // A leader that cannot be reached (nothing was sent) is waited out: the next one is tried,
      // within the bounded wait for a leader.
      const deadline = manager.clock.nowMs() + LEADER_WAIT_MS;
      for (;;) {
        await manager.awaitLeader(Math.max(0, deadline - manager.clock.nowMs()));
        if (manager.raft.isLeader()) return local(call.request);
        if (call.metadata.get(FORWARDED_METADATA).length > 0) throw unavailable('manager.not_leader', 'the call was sent on to a manager that does not lead any more; try again');
        try {
          return await manager.forwardControl<Res>(method, call.request as object);
        } catch (err) {
          if (!(err instanceof ShoalError && err.code === 'manager.leader_unreachable') || manager.clock.nowMs() > deadline) throw err;
          await manager.clock.sleep(LEADER_POLL_MS);
        }
      }
    };
    run().then(
      (res) => callback(null, res),
      (err: unknown) => callback(toGrpcStatus(err)),
    );
  };
}

export const isStale = (call: { metadata: { get(key: string): unknown[] } }): boolean => call.metadata.get(STALE_READ_METADATA).length > 0;

function theCluster(manager: Manager): StoreObjectOf<'cluster'> {
  const c = manager.store.list('cluster')[0];
  if (c === undefined) throw unavailable('manager.no_cluster_object', 'the cluster object is not written yet: the first leader writes it; try again');
  return c;
}

export async function write(manager: Manager, ops: StoreOp[]): Promise<void> {
  await manager.raft.propose(encodeCommand({ atMs: manager.clock.wallMs(), ops }));
}

function checkVersion(what: string, current: number, given: number): void {
  if (given !== current) {
    throw new ShoalError('aborted', 'store.conflict', `${what}: changed since it was read (version ${given}, now ${current}); read it again`, { fields: { version: current } });
  }
}

/**
 * Demoting a manager removes it from Raft: never the last one, never one whose removal would
 * leave the others without a quorum of reachable managers (as the leader sees them).
 */
async function demote(manager: Manager, n: StoreObjectOf<'node'>): Promise<void> {
  const raftId = n.status.raft?.id;
  const s = manager.raft.status();
  if (raftId === undefined || !(s.confState.voters.includes(raftId) || s.confState.learners.includes(raftId))) return;
  if (s.confState.learners.includes(raftId)) {
    await manager.raft.removeMember(raftId);
    return;
  }
  const rest = s.confState.voters.filter((id) => id !== raftId);
  if (rest.length === 0) throw failedPrecondition('manager.last_manager', `node ${n.spec.hostname} is the last manager: a cluster needs one (leave the cluster instead of demoting it)`);
  const reachable = rest.filter((id) => manager.reachable(id)).length;
  const quorum = Math.floor(rest.length / 2) + 1;
  if (reachable < quorum) {
    throw failedPrecondition('manager.quorum', `demoting ${n.spec.hostname} would leave ${rest.length} managers of which ${reachable} are reachable, fewer than the ${quorum} a quorum needs`);
  }
  if (raftId === manager.identity.raftId) {
    // The leader leaves: it hands leadership over first, so the change commits under the next one.
    const next = rest.find((id) => manager.reachable(id));
    if (next !== undefined) await manager.raft.transferLeadership(next);
    throw unavailable('manager.leader_moved', 'leadership moved away from the manager being demoted; try again (the new leader will demote it)');
  }
  await manager.raft.removeMember(raftId);
}

export function controlHandlers(manager: Manager) {
  return {
    Watch: watchHandler(manager),

    GetCluster: unaryHandler(async (_req: unknown, call: ServerUnaryCall<unknown, Cluster>) => {
      await manager.readable(isStale(call));
      return clusterMessage(theCluster(manager));
    }),

    ListNodes: onLeader(
      manager,
      'ListNodes',
      async () => {
        const store = await manager.readable();
        return { nodes: store.list('node').map((n) => nodeMessage(n, manager)) };
      },
      () => ({ nodes: manager.store.list('node').map((n) => nodeMessage(n, manager)) }),
    ),

    GetNode: onLeader(
      manager,
      'GetNode',
      async (req: IdRequest__Output) => {
        await manager.readable();
        return nodeMessage(manager.nodeOrThrow(req.id), manager);
      },
      (req: IdRequest__Output) => nodeMessage(manager.nodeOrThrow(req.id), manager),
    ),

    UpdateNode: onLeader(manager, 'UpdateNode', async (req: UpdateNodeRequest__Output) => {
      await manager.readable();
      const n = manager.nodeOrThrow(req.id);
      checkVersion(`node ${n.spec.hostname}`, n.meta.version, Number(req.version));
      if (req.availability !== '' && !(NODE_AVAILABILITIES as readonly string[]).includes(req.availability)) {
        throw invalidArgument('manager.bad_availability', `availability ${JSON.stringify(req.availability)}: must be one of ${NODE_AVAILABILITIES.join(', ')}`);
      }
      if (req.role !== '' && !(NODE_ROLES as readonly string[]).includes(req.role)) throw invalidArgument('manager.bad_role', `role ${JSON.stringify(req.role)}: must be manager or worker`);
      const role = (req.role || n.spec.role) as NodeRole;
      if (role === 'manager' && n.spec.role === 'worker') {
        throw failedPrecondition('manager.promote', `promoting ${n.spec.hostname}: not supported yet; join a manager with the manager token (\`shoal cluster inspect\`)`);
      }
      if (role === 'worker' && n.spec.role === 'manager') {
        try {
          await demote(manager, n);
        } catch (err) {
          // The leader demoting itself handed leadership over: the new leader does it.
          if (!(err instanceof ShoalError && err.code === 'manager.leader_moved')) throw err;
          await manager.awaitLeader();
          return manager.forwardControl<Node>('UpdateNode', req);
        }
      }
      const spec = { ...n.spec, role, availability: (req.availability || n.spec.availability) as NodeAvailability, labels: { ...req.labels } };
      // A demoted manager has no place in Raft any more.
      const status = role === n.spec.role ? undefined : Object.fromEntries(Object.entries(n.status).filter(([k]) => k !== 'raft'));
      await write(manager, [{ op: 'update', kind: 'node', id: n.id, version: n.meta.version, spec, ...(status === undefined ? {} : { status: status as StoreObjectOf<'node'>['status'] }) }]);
      return nodeMessage(manager.nodeOrThrow(n.id), manager);
    }),

    RemoveNode: onLeader(manager, 'RemoveNode', async (req: RemoveNodeRequest__Output) => {
      await manager.readable();
      const n = manager.nodeOrThrow(req.id);
      if (n.spec.role === 'manager' && n.status.raft !== undefined) {
        throw failedPrecondition('manager.remove_manager', `node ${n.spec.hostname} is a manager: demote it first (\`shoal node demote ${n.spec.hostname}\`)`);
      }
      if (n.status.state !== 'down' && n.status.state !== 'disconnected' && !req.force) {
        throw failedPrecondition('manager.node_not_down', `node ${n.spec.hostname} is ${n.status.state}, not down: stop it first, or remove it with --force`);
      }
      await write(manager, [{ op: 'delete', kind: 'node', id: n.id, version: n.meta.version }]);
      return {};
    }),

    UpdateCluster: onLeader(manager, 'UpdateCluster', async (req: UpdateClusterRequest__Output) => {
      await manager.readable();
      const c = theCluster(manager);
      checkVersion('the cluster', c.meta.version, Number(req.version));
      const period = Number(req.heartbeatPeriodMs);
      if (period !== 0 && (period < HEARTBEAT_PERIOD_MS_RANGE.min || period > HEARTBEAT_PERIOD_MS_RANGE.max)) {
        throw invalidArgument('manager.bad_heartbeat', `heartbeat period ${period} ms: must be from ${HEARTBEAT_PERIOD_MS_RANGE.min} ms to ${HEARTBEAT_PERIOD_MS_RANGE.max} ms`);
      }
      const expiry = Number(req.certExpiryMs);
      if (expiry !== 0 && (expiry < CERT_EXPIRY_MS_RANGE.min || expiry > CERT_EXPIRY_MS_RANGE.max)) {
        throw invalidArgument('manager.bad_cert_expiry', `certificate expiry ${expiry} ms: must be from 1 hour to 10 years`);
      }
      if (req.strategy !== '' && !(STRATEGIES as readonly string[]).includes(req.strategy)) {
        throw invalidArgument('manager.bad_strategy', `strategy ${JSON.stringify(req.strategy)}: must be one of ${STRATEGIES.join(', ')}`);
      }
      const spec = { ...c.spec, heartbeatPeriodMs: period || c.spec.heartbeatPeriodMs, ...(expiry !== 0 ? { certExpiryMs: expiry } : {}), ...(req.strategy !== '' ? { strategy: req.strategy as Strategy } : {}) };
      await write(manager, [{ op: 'update', kind: 'cluster', id: c.id, version: c.meta.version, spec }]);
      return clusterMessage(theCluster(manager));
    }),

    RotateJoinToken: onLeader(manager, 'RotateJoinToken', async (req: RotateJoinTokenRequest__Output) => {
      await manager.readable();
      if (!req.worker && !req.manager) throw invalidArgument('manager.rotate_nothing', 'rotate: name the worker token, the manager token, or both');
      const c = theCluster(manager);
      const tokens = c.status.joinTokens;
      const caPem = c.status.rootCaPem;
      if (tokens === undefined || caPem === undefined) throw notFound('manager.no_tokens', 'the cluster has no join tokens yet');
      const joinTokens = { worker: req.worker ? newJoinToken(caPem) : tokens.worker, manager: req.manager ? newJoinToken(caPem) : tokens.manager };
      await write(manager, [{ op: 'update', kind: 'cluster', id: c.id, version: c.meta.version, status: { ...c.status, joinTokens } }]);
      return clusterMessage(theCluster(manager));
    }),
  };
}
