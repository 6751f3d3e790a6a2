// `shoal manager`: the composition root of one manager — Raft with the cluster store as its
// state machine, one gRPC server on one port over mutual TLS (the Raft transport for managers,
// the Control API for admins and managers), and the leader's first duty: the cluster object and
// this manager's node object, written once when missing.

import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { Metadata as GrpcMetadata, Server, type Metadata, type ServiceError } from '@grpc/grpc-js';
import type { ControlClient } from '../../proto/gen/shoal/control/v1/Control.js';
import { loadProto } from '../../proto/load.js';
import { systemClock, type Clock, type Timer } from '../../shared/clock.js';
import { failedPrecondition, fromGrpcStatus, invalidArgument, notFound, oneLine, ShoalError, unavailable } from '../../shared/errors.js';
import { listen, parseAddress, shutdown, type Address } from '../../shared/grpc.js';
import { TlsMaterialProvider } from '../../shared/tls-provider.js';
import type { Logger } from '../../shared/logger.js';
import { systemRng } from '../../shared/rng.js';
import { readTlsDir } from '../../shared/tls-dir.js';
import { hostPortText, MANAGER_SERVER_NAME, parseManagerAddress, type HostPort } from '../../shared/manager-hosts.js';
import { createRootCa, loadRootCa } from '../ca/root-ca.js';
import { issueWithNewKey } from '../ca/issue.js';
import { newJoinToken } from '../../shared/join-token.js';
import { caFingerprint } from '../../shared/ca-fingerprint.js';
import { writeBundle } from '../../shared/tls-bundle.js';
import { mkdirPrivate, writeFileAtomic } from '../../shared/fs-modes.js';
import { RaftNode } from '../raft/node.js';
import { encodeCommand, type StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import type { StoreObjectOf } from '../store/types.js';
import { controlHandlers } from './control.js';
import { taskHandlers } from './control-tasks.js';
import { containerHandlers } from './control-containers.js';
import { AgentDialer } from './agent-dial.js';
import { ManagerAnnouncer } from './announce.js';
import { newId, newRaftNumber, paths, readIdentity, removePartialInit, writeIdentity, type ManagerIdentity } from './data-dir.js';
import { Dispatcher } from './dispatcher.js';
import { SchedulerLoop } from './scheduler-loop.js';
import { TaskReaper } from './task-reaper.js';
import { OrchestratorLoop } from './orchestrator-loop.js';
import { guarded } from './guard.js';
import { CertRenewer } from './renewal.js';
import { FORWARD_CONNECT_TIMEOUT_MS, FORWARD_TIMEOUT_MS, FORWARDED_METADATA, LEADER_POLL_MS, LEADER_SILENCE_MS, LEADER_WAIT_MS, MANAGER_CHANNEL_OPTIONS, REACHABLE_WITHIN_MS } from './settings.js';
import { managerNodeOp } from './objects.js';
import { membershipHandlers } from './membership.js';
import { nodeCaHandlers } from './node-ca.js';
import type { PeerIdentity } from '../ca/identity.js';
import { SENDER_METADATA } from '../raft/transport.js';

/** How often a manager records when it last heard the others (heard.json). */
export const HEARD_RECORD_MS = 5_000;

/** How often the leader looks for learners that have caught up. */
export const PROMOTION_CHECK_MS = 500;

/**
 * The Raft transport's sender (its `shoal-raft-from` metadata) must be the member the caller's
 * certificate names: a manager cannot speak for another.
 */
function senderIsCaller(caller: PeerIdentity, call: { metadata?: Metadata }): void {
  const claimed = call.metadata?.get(SENDER_METADATA)[0];
  if (claimed !== undefined && String(claimed) !== String(caller.raftId)) {
    throw new ShoalError('permission_denied', 'raft.sender_not_caller', `Raft messages from member ${String(claimed)} sent by manager ${caller.nodeId}, which is member ${caller.raftId ?? 'none'}`);
  }
}

/** The cluster's settings at init (`shoal cluster update` changes them). */
export const CLUSTER_DEFAULTS = { name: 'default', heartbeatPeriodMs: 1_000 } as const;

export interface InitOptions {
  readonly dataDir: string;
  /** The IP (or IP:PORT) other managers, agents and the CLI dial. */
  readonly advertiseAddr: string;
  /** `IP:PORT` to listen on; 0.0.0.0 and the advertised port by default. */
  readonly listenAddr?: string;
  readonly clock?: Clock;
  readonly logger: Logger;
}

/**
 * Creates a cluster in `dataDir`, or finds the one made there before (returned with
 * `created: false`; the flags given then must not contradict it). Everything is written before
 * manager.json, which is written last: a crash half-way leaves no manager.json, and the next
 * init starts again from nothing.
 */
export async function initCluster(o: InitOptions): Promise<{ identity: ManagerIdentity; created: boolean }> {
  const advertise = parseManagerAddress(o.advertiseAddr, '--advertise-addr');
  const listenAt = o.listenAddr === undefined ? { host: '0.0.0.0', port: advertise.port } : parseManagerAddress(o.listenAddr, '--listen-addr');
  const existing = await readIdentity(o.dataDir);
  if (existing !== undefined) return { identity: existing, created: false };
  await removePartialInit(o.dataDir);
  const clock = o.clock ?? systemClock;
  const clusterId = newId();
  const nodeId = newId();
  const p = paths(o.dataDir);
  await mkdirPrivate(o.dataDir);
  const caPem = await createRootCa({ clusterId, nowMs: clock.wallMs() });
  await mkdirPrivate(p.ca);
  await writeFileAtomic(p.caCert, caPem.certPem);
  await writeFileAtomic(p.caKey, caPem.keyPem);
  const ca = await loadRootCa(caPem.certPem, caPem.keyPem);
  const raftId = newRaftNumber();
  const own = await issueWithNewKey(ca, { nodeId, role: 'manager', clusterId, ips: managerCertIps(advertise, listenAt), dnsNames: [MANAGER_SERVER_NAME], raftId, nowMs: clock.wallMs() });
  await writeBundle(p.tls, { caPem: caPem.certPem, certPem: own.certPem, keyPem: own.keyPem });
  const admin = await issueWithNewKey(ca, { nodeId: `admin-${newId().slice(0, 12)}`, role: 'admin', clusterId, ips: [], nowMs: clock.wallMs() });
  await writeBundle(p.admin, { caPem: caPem.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
  const identity: ManagerIdentity = {
    format: 1,
    clusterId,
    raftClusterId: newRaftNumber(),
    nodeId,
    raftId,
    advertiseAddr: hostPortText(advertise),
    listenAddr: hostPortText(listenAt),
  };
  await writeIdentity(o.dataDir, identity);
  o.logger.info({ clusterId, nodeId, advertiseAddr: identity.advertiseAddr }, 'cluster created');
  return { identity, created: true };
}

/** The addresses a manager's certificate names: where it is dialled, and where it listens if that is one address. */
function managerCertIps(advertise: HostPort, listenAt: HostPort): string[] {
  return [...new Set([advertise.host, ...(listenAt.host === '0.0.0.0' || listenAt.host === '::' ? [] : [listenAt.host])])];
}

export interface ManagerOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The node's hostname (its name in `shoal node ls`); the host's by default. */
  readonly hostname?: string;
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly snapshotEntries?: number;
  /** Entries kept behind a snapshot for followers slightly behind (RaftNodeOptions.keepEntries). */
  readonly keepEntries?: number;
  /** Announce this manager on the LAN by multicast DNS (announce.ts); on unless false (`--no-announce`). */
  readonly announce?: boolean;
}

export class Manager {
  readonly store: Store;
  private node: RaftNode | undefined;
  private readonly server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  readonly logger: Logger;
  readonly clock: Clock;
  private id: ManagerIdentity | undefined;
  private tlsProvider: TlsMaterialProvider | undefined;
  address: Address | undefined;
  private bootstrapping: Promise<void> | undefined;
  private promotion: Timer | undefined;
  private heardRecord: Timer | undefined;
  private renewer: CertRenewer | undefined;
  private announcer: ManagerAnnouncer | undefined;
  private promoting = false;
  /** Told when Raft stops on a storage failure: the manager cannot go on. */
  onFatal: ((err: Error) => void) | undefined;
  private stopped = false;
  private readonly dispatcher = new Dispatcher(this);
  /** Clients of the agents' TaskAccess (logs, exec, inspect of a task's container), with this manager's certificate. */
  private readonly agents: AgentDialer;
  /** The leader's loops on the store: pending tasks onto nodes, removed tasks deleted once shut down. */
  private readonly leaderLoops: readonly (SchedulerLoop | TaskReaper | OrchestratorLoop)[];

  constructor(private readonly o: ManagerOptions) {
    this.logger = o.logger;
    this.clock = o.clock ?? systemClock;
    this.store = new Store({ logger: o.logger.child({ module: 'store' }) });
    this.agents = new AgentDialer(() => this.tls, this.clock);
    const loop = {
      store: this.store,
      clock: this.clock,
      confirm: async () => {
        await this.raft.read();
      },
      isLeader: () => this.node?.isLeader() ?? false,
      propose: async (ops: StoreOp[]) => {
        await this.raft.propose(encodeCommand({ atMs: this.clock.wallMs(), ops }));
      },
    };
    this.leaderLoops = [
      new SchedulerLoop({ ...loop, rng: systemRng, logger: o.logger.child({ module: 'scheduler' }) }),
      new TaskReaper({ ...loop, logger: o.logger.child({ module: 'task-reaper' }) }),
      new OrchestratorLoop({ ...loop, logger: o.logger.child({ module: 'orchestrator' }) }),
    ];
  }

  get raft(): RaftNode {
    if (this.node === undefined) throw unavailable('manager.not_started', 'the manager has not started');
    return this.node;
  }

  get identity(): ManagerIdentity {
    if (this.id === undefined) throw unavailable('manager.not_started', 'the manager has not started');
    return this.id;
  }

  /** This manager's TLS material (its certificate may be renewed while it runs). */
  get tls(): TlsMaterialProvider {
    if (this.tlsProvider === undefined) throw unavailable('manager.not_started', 'the manager has not started');
    return this.tlsProvider;
  }

  async start(): Promise<Address> {
    const identity = await readIdentity(this.o.dataDir);
    if (identity === undefined) throw invalidArgument('manager.no_cluster', `--data-dir ${this.o.dataDir}: no cluster here; run shoal manager init (or join) first`);
    const removedAt = await readFile(paths(this.o.dataDir).removed, 'utf8').catch(() => undefined);
    if (removedAt !== undefined) {
      throw failedPrecondition('manager.removed', `--data-dir ${this.o.dataDir}: this manager was removed from cluster ${identity.clusterId} at ${removedAt.trim()}; join again with \`shoal manager join\` and another data dir, or remove this one`);
    }
    this.id = identity;
    const p = paths(this.o.dataDir);
    const tls = new TlsMaterialProvider(await readTlsDir(p.tls, `--data-dir ${this.o.dataDir}: tls`));
    this.tlsProvider = tls;
    // A manager that joined starts from the members the leader named (its log then says who
    // they are); the first one founds the group with itself.
    const joining = identity.joinMembers !== undefined;
    this.node = new RaftNode({
      id: identity.raftId,
      clusterId: identity.raftClusterId,
      dataDir: p.raft,
      initialMembers: joining ? new Map(identity.joinMembers) : new Map([[identity.raftId, identity.advertiseAddr]]),
      ...(joining ? { join: true } : {}),
      stateMachine: this.store,
      clock: this.clock,
      rng: systemRng,
      logger: this.o.logger.child({ module: 'raft' }),
      credentials: tls.channelCredentials(),
      // Peers are checked as managers of this CA (manager.shoal), whatever address they are at.
      channelOptions: MANAGER_CHANNEL_OPTIONS,
      ...(this.o.tickMs !== undefined ? { tickMs: this.o.tickMs } : {}),
      ...(this.o.electionTicks !== undefined ? { electionTicks: this.o.electionTicks } : {}),
      ...(this.o.snapshotEntries !== undefined ? { snapshotEntries: this.o.snapshotEntries } : {}),
      ...(this.o.keepEntries !== undefined ? { keepEntries: this.o.keepEntries } : {}),
    });
    const guard = { caPem: tls.current.caPem, clusterId: identity.clusterId, clock: this.clock, logger: this.logger };
    const raft = loadProto('raft').shoal.raft.v1;
    this.server.addService(raft.RaftTransport.service, guarded(this.node.transportHandlers(), { ...guard, roles: ['manager'], what: 'Raft', check: senderIsCaller }));
    this.server.addService(raft.RaftMembership.service, guarded(membershipHandlers(this), { ...guard, roles: ['manager'], what: 'Raft membership' }));
    this.server.addService(loadProto('control').shoal.control.v1.Control.service, guarded({ ...controlHandlers(this), ...taskHandlers(this), ...containerHandlers(this, this.agents) }, { ...guard, roles: ['admin', 'manager'], what: 'the Control API' }));
    this.server.addService(loadProto('dispatcher').shoal.dispatcher.v1.Dispatcher.service, guarded(this.dispatcher.handlers(), { ...guard, roles: ['worker', 'manager'], what: 'the dispatcher' }));
    // The join calls: no certificate yet, the token is the credential (node-ca.ts).
    this.server.addService(loadProto('ca').shoal.ca.v1.NodeCA.service, nodeCaHandlers(this));
    this.node.onLeaderChange((lead, term) => {
      // One line per change: an incident's timeline (bench/failover.ts reads it) needs when
      // each manager learned of the new leader, and the one that leads says so.
      this.logger.info({ lead, term }, lead === identity.raftId ? 'leader changed: this manager leads' : 'leader changed');
      // Never throws into Raft: the work runs on its own, and a failure is logged and retried
      // at the next leadership.
      if (lead === identity.raftId && !this.stopped) this.bootstrapping ??= this.bootstrap().finally(() => (this.bootstrapping = undefined));
      if (!this.stopped) this.dispatcher.leadershipChanged(lead === identity.raftId);
      if (!this.stopped) for (const l of this.leaderLoops) l.leadershipChanged(lead === identity.raftId);
    });
    this.node.onRemoved(() => {
      // Inside Raft's loop: only schedules. The marker keeps a restart (systemd's) from running
      // a manager that is no member any more.
      void writeFileAtomic(paths(this.o.dataDir).removed, `${new Date(this.clock.wallMs()).toISOString()}\n`).then(
        () => this.onFatal?.(failedPrecondition('manager.removed', 'this manager was removed from the cluster (demoted, or it left)')),
        (err: unknown) => this.onFatal?.(err instanceof Error ? err : new Error(String(err))),
      );
    });
    this.node.onFatal((err) => {
      this.logger.fatal({ err: oneLine(err) }, 'raft stopped; the manager stops');
      this.onFatal?.(err);
    });
    // Raft first: it takes the data dir's lock, so a second manager on the same dir is refused
    // for that reason, before it could fail on the port the first one holds.
    await this.node.start();
    try {
      this.address = await listen(this.server, parseAddress(identity.listenAddr, 'listen address'), tls.serverCredentials());
    } catch (err) {
      await this.node.stop();
      throw err;
    }
    this.schedulePromotion();
    this.scheduleHeardRecord();
    this.renewer = new CertRenewer({ clock: this.clock, rng: systemRng, logger: this.logger, current: () => this.tls.current.certPem, renew: () => this.renewCertificate() });
    this.renewer.start();
    this.logger.info({ nodeId: identity.nodeId, raftId: identity.raftId, listen: identity.listenAddr, advertise: identity.advertiseAddr }, 'manager started');
    if (this.o.announce !== false) {
      const advertise = parseManagerAddress(identity.advertiseAddr, 'advertise address');
      const fingerprint = caFingerprint(tls.current.caPem); // the cluster's CA never changes
      this.announcer = new ManagerAnnouncer({ address: advertise.host, port: advertise.port, fingerprint: () => fingerprint, role: () => this.node?.status().role, clock: this.clock, logger: this.logger.child({ module: 'announce' }) });
      await this.announcer.start();
    }
    return this.address;
  }

  /**
   * The leader promotes to voter the managers that joined as learners once they have caught up
   * (also those a previous leader added and could not promote before it died).
   */
  private schedulePromotion(): void {
    if (this.stopped) return;
    this.promotion = this.clock.setTimer(PROMOTION_CHECK_MS, () => {
      if (this.promoting || !this.raft.isLeader()) return this.schedulePromotion();
      this.promoting = true;
      this.raft
        .promoteCaughtUp()
        .then(
          (id) => id !== undefined && this.logger.info({ raftId: id }, 'manager promoted from learner to voter'),
          (err: unknown) => this.logger.warn({ err: oneLine(err) }, 'promoting a learner failed; tried again'),
        )
        .finally(() => {
          this.promoting = false;
          this.schedulePromotion();
        });
    });
  }

  /**
   * Every `HEARD_RECORD_MS`, when this manager last heard each other member (wall clock), for
   * the report of `shoal manager recover` after a quorum is lost. Best effort: a failed write
   * is logged and tried again.
   */
  private scheduleHeardRecord(): void {
    if (this.stopped) return;
    this.heardRecord = this.clock.setTimer(HEARD_RECORD_MS, () => {
      this.recordHeard().then(
        () => this.scheduleHeardRecord(),
        (err: unknown) => {
          this.logger.warn({ err: oneLine(err) }, 'could not record when the other managers were last heard');
          this.scheduleHeardRecord();
        },
      );
    });
  }

  private async recordHeard(): Promise<void> {
    const s = this.raft.status();
    const now = this.clock.nowMs();
    const wall = this.clock.wallMs();
    const heard: Record<string, string> = {};
    for (const id of [...s.confState.voters, ...s.confState.learners]) {
      const at = this.raft.lastHeardMs(id);
      if (at !== undefined) heard[String(id)] = new Date(wall - (now - at)).toISOString();
    }
    await writeFileAtomic(paths(this.o.dataDir).heard, `${JSON.stringify(heard)}\n`);
  }

  /**
   * A new certificate for a new key, signed with the cluster's CA from the store, valid for the
   * cluster's `certExpiryMs`: written to the data dir, then in use for new connections (open ones
   * go on). Called by the renewer when due; callable at any time.
   */
  async renewCertificate(): Promise<void> {
    const id = this.identity;
    const cluster = this.store.list('cluster')[0];
    const caPem = cluster?.status.rootCaPem;
    const caKeyPem = cluster?.status.rootCaKeyPem;
    if (cluster === undefined || caPem === undefined || caKeyPem === undefined) throw unavailable('manager.no_cluster_object', 'the cluster object (and its CA) is not in this manager\'s store yet');
    const ca = await loadRootCa(caPem, caKeyPem);
    const issued = await issueWithNewKey(ca, {
      nodeId: id.nodeId,
      role: 'manager',
      clusterId: id.clusterId,
      ips: managerCertIps(parseManagerAddress(id.advertiseAddr, 'advertise address'), parseManagerAddress(id.listenAddr, 'listen address')),
      dnsNames: [MANAGER_SERVER_NAME],
      raftId: id.raftId,
      nowMs: this.clock.wallMs(),
      ...(cluster.spec.certExpiryMs !== undefined ? { validityMs: cluster.spec.certExpiryMs } : {}),
    });
    await writeBundle(paths(this.o.dataDir).tls, { caPem, certPem: issued.certPem, keyPem: issued.keyPem });
    this.tls.update({ caPem: Buffer.from(caPem), certPem: Buffer.from(issued.certPem), keyPem: Buffer.from(issued.keyPem) });
  }

  /** The cluster object and this manager's node, written by the leader when missing. */
  private async bootstrap(): Promise<void> {
    const id = this.identity;
    try {
      await this.raft.read(); // the store holds everything committed before this leadership
      const ops: StoreOp[] = [];
      if (this.store.count('cluster') === 0 && id.joinMembers === undefined) {
        const p = paths(this.o.dataDir);
        const [rootCaPem, rootCaKeyPem] = await Promise.all([readFile(p.caCert, 'utf8'), readFile(p.caKey, 'utf8')]);
        ops.push({ op: 'create', kind: 'cluster', id: id.clusterId, spec: { ...CLUSTER_DEFAULTS }, status: { rootCaPem, rootCaKeyPem, joinTokens: { worker: newJoinToken(rootCaPem), manager: newJoinToken(rootCaPem) } } });
      }
      if (this.store.get('node', id.nodeId) === undefined) ops.push(managerNodeOp(id, this.o.hostname ?? osHostname()));
      if (ops.length > 0) await this.raft.propose(encodeCommand({ atMs: this.clock.wallMs(), ops }));
    } catch (err) {
      this.logger.warn({ err: oneLine(err) }, 'leader bootstrap failed; tried again at the next leadership');
    }
  }

  /** Every member of the Raft group with its address, this one included. */
  members(): Map<number, string> {
    const s = this.raft.status();
    return new Map([[this.identity.raftId, this.identity.advertiseAddr], ...s.peers]);
  }

  /** The caller's read: linearizable through read-index unless `stale` (after an election, once there is a leader). */
  async readable(stale = false): Promise<Store> {
    if (stale) return this.store;
    // A read the leader could not confirm (it stepped down, or there was none to ask) is asked
    // again of the next leader, within the bounded wait for one.
    const deadline = this.clock.nowMs() + LEADER_WAIT_MS;
    for (;;) {
      await this.awaitLeader(Math.max(0, deadline - this.clock.nowMs()));
      try {
        await this.raft.read();
        return this.store;
      } catch (err) {
        const retry = err instanceof ShoalError && (err.code === 'raft.leadership_lost' || err.code === 'raft.proposal_dropped');
        if (!retry || this.clock.nowMs() > deadline) throw err;
        await this.clock.sleep(LEADER_POLL_MS);
      }
    }
  }

  /**
   * Resolves once some member leads (this one or another). During an election a call waits up
   * to `LEADER_WAIT_MS`, then fails with "no leader" (UNAVAILABLE), so a client tries another
   * manager or later.
   */
  async awaitLeader(timeoutMs = LEADER_WAIT_MS): Promise<void> {
    const deadline = this.clock.nowMs() + timeoutMs;
    while (!this.leaderAlive()) {
      if (this.stopped || this.clock.nowMs() > deadline) throw unavailable('manager.no_leader', 'no leader: the managers have not elected one (is a majority of them up and reachable?)', { fields: { waitedMs: Math.round(timeoutMs) } });
      await this.clock.sleep(LEADER_POLL_MS);
    }
  }

  /**
   * Some member leads and, unless it is this one, was heard from within `LEADER_SILENCE_MS`: a
   * follower goes on naming a dead leader until its election timeout, and a call sent to it then
   * would wait for nothing.
   */
  private leaderAlive(): boolean {
    const lead = this.raft.status().lead;
    if (lead === 0 || lead === this.identity.raftId) return lead !== 0;
    const heard = this.raft.lastHeardMs(lead);
    return heard !== undefined && this.clock.nowMs() - heard <= LEADER_SILENCE_MS;
  }

  /**
   * Whether the manager that is Raft member `raftId` is reachable, as the leader sees it: heard
   * from within `REACHABLE_WITHIN_MS`. Only the leader hears from every member; elsewhere only
   * this manager itself and the leader are known to be reachable.
   */
  reachable(raftId: number): boolean {
    if (raftId === this.identity.raftId) return true;
    const s = this.raft.status();
    if (s.role !== 'leader') return raftId === s.lead;
    const heard = this.raft.lastHeardMs(raftId);
    return heard !== undefined && this.clock.nowMs() - heard <= REACHABLE_WITHIN_MS;
  }

  private leaderControl: { addr: string; client: ControlClient } | undefined;

  /**
   * A Control call sent on to the leader (writes, and reads that need the leader's view). Sent
   * once: a manager that gets a forwarded call and does not lead answers UNAVAILABLE.
   */
  async forwardControl<Res>(method: keyof ControlClient & string, request: object, timeoutMs = FORWARD_TIMEOUT_MS): Promise<Res> {
    const lead = this.raft.status().lead;
    const addr = lead === 0 ? undefined : this.members().get(lead);
    if (addr === undefined) throw unavailable('manager.no_leader', 'no leader known to send the call to; try again');
    if (this.leaderControl?.addr !== addr) {
      this.leaderControl?.client.close();
      const Control = loadProto('control').shoal.control.v1.Control;
      this.leaderControl = { addr, client: new Control(addr, this.tls.channelCredentials(), MANAGER_CHANNEL_OPTIONS) as unknown as ControlClient };
    }
    const client = this.leaderControl.client;
    // Nothing is sent before the connection is up: a leader that cannot be reached in
    // FORWARD_CONNECT_TIMEOUT_MS is reported as such, and the call may be tried again safely.
    const connected = await new Promise<boolean>((resolve) => client.waitForReady(new Date(this.clock.wallMs() + FORWARD_CONNECT_TIMEOUT_MS), (err) => resolve(err === undefined)));
    if (!connected) {
      client.close();
      this.leaderControl = undefined;
      throw unavailable('manager.leader_unreachable', `the leader at ${addr} cannot be reached`);
    }
    const md = new GrpcMetadata();
    md.set(FORWARDED_METADATA, this.identity.nodeId);
    const fn = (client[method] as (...a: unknown[]) => unknown).bind(client);
    return new Promise<Res>((resolve, reject) => {
      fn(request, md, { deadline: new Date(this.clock.wallMs() + timeoutMs) }, (err: ServiceError | null, value?: Res) => {
        if (err !== null) reject(fromGrpcStatus(err));
        else resolve(value as Res);
      });
    });
  }

  /** A node by id, unique id prefix or hostname; one line when there is none or several. */
  nodeOrThrow(ref: string): StoreObjectOf<'node'> {
    const exact = this.store.get('node', ref) ?? this.store.byNameOf('node', ref);
    const matches = exact !== undefined ? [exact] : this.store.list('node').filter((n) => n.id.startsWith(ref));
    if (matches.length === 1) return matches[0] as StoreObjectOf<'node'>;
    if (matches.length === 0) throw notFound('manager.no_node', `node ${ref}: no such node`);
    throw invalidArgument('manager.ambiguous_node', `node ${ref}: matches ${matches.length} nodes; give more of the id`);
  }

  /** Resolves once this manager is a voter (bounded wait: a learner is promoted once caught up). */
  async waitVoter(timeoutMs = 120_000): Promise<void> {
    const deadline = this.clock.nowMs() + timeoutMs;
    while (!this.raft.status().confState.voters.includes(this.identity.raftId)) {
      if (this.stopped || this.clock.nowMs() > deadline) throw unavailable('manager.not_voter', `not a voter after ${timeoutMs} ms`);
      await this.clock.sleep(50);
    }
  }

  /** The join tokens, once the first leader wrote the cluster object (bounded wait). */
  async joinTokens(timeoutMs = 30_000): Promise<{ worker: string; manager: string }> {
    const deadline = this.clock.nowMs() + timeoutMs;
    for (;;) {
      const tokens = this.store.list('cluster')[0]?.status.joinTokens;
      if (tokens !== undefined) return tokens;
      if (this.stopped || this.clock.nowMs() > deadline) throw unavailable('manager.no_cluster_object', `the cluster object was not written within ${timeoutMs} ms: is a quorum of managers up?`);
      await this.clock.sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.node !== undefined && !this.stopped) {
      await this.recordHeard().catch((err: unknown) => this.logger.warn({ err: oneLine(err) }, 'could not record when the other managers were last heard'));
    }
    this.stopped = true;
    await this.announcer?.stop();
    this.promotion?.cancel();
    this.heardRecord?.cancel();
    await this.renewer?.stop();
    this.leaderControl?.client.close();
    this.agents.close();
    await this.dispatcher.stop();
    await Promise.all(this.leaderLoops.map((l) => l.stop()));
    await this.node?.stop();
    await this.bootstrapping;
    await shutdown(this.server, this.clock, 1000);
  }
}
