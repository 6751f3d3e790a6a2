// `shoal raft-kv`: a small replicated key-value server on RaftNode — the proof and the benchmark
// target of Shoal's Raft. One gRPC server per member carries both the KeyValue API and the
// RaftTransport between members.

import { Server, type ServerDuplexStream } from '@grpc/grpc-js';
import { loadProto } from '../../../proto/load.js';
import type { KvGetRequest__Output } from '../../../proto/gen/shoal/raft/v1/KvGetRequest.js';
import type { KvMemberRequest__Output } from '../../../proto/gen/shoal/raft/v1/KvMemberRequest.js';
import type { KvPutRequest__Output } from '../../../proto/gen/shoal/raft/v1/KvPutRequest.js';
import type { KvPutStreamResponse } from '../../../proto/gen/shoal/raft/v1/KvPutStreamResponse.js';
import type { KvStatus } from '../../../proto/gen/shoal/raft/v1/KvStatus.js';
import { systemClock, type Clock } from '../../../shared/clock.js';
import { oneLine } from '../../../shared/errors.js';
import { clientCredentials, listen, parseAddress, shutdown, unaryHandler, type Address, type TlsMaterial } from '../../../shared/grpc.js';
import type { Logger } from '../../../shared/logger.js';
import { systemRng } from '../../../shared/rng.js';
import { RaftNode } from '../node.js';
import { KvStateMachine, encodeOpenSession, encodeSessionPut } from './state-machine.js';

export interface KvServerOptions {
  readonly id: number;
  readonly clusterId: number;
  readonly listen: string;
  readonly dataDir: string;
  readonly initialMembers: ReadonlyMap<number, string>;
  /** Join an existing cluster instead of founding one (see RaftNodeOptions.join). */
  readonly join?: boolean;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly snapshotEntries?: number;
  /** Entries kept behind a snapshot (RaftNodeOptions.keepEntries). */
  readonly keepEntries?: number;
  /** A snapshot upload from a peer larger than this is refused (RaftNodeOptions.snapshotBytesMax). */
  readonly snapshotBytesMax?: number;
  readonly proposalTimeoutMs?: number;
  /**
   * Mutual TLS for clients and members alike: this member's certificate (it serves with it and
   * presents it to the other members) and the CA every peer's certificate must come from.
   */
  readonly tls?: TlsMaterial;
}

export class KvServer {
  readonly sm = new KvStateMachine();
  readonly node: RaftNode;
  private readonly server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  address: Address | undefined;

  constructor(private readonly o: KvServerOptions) {
    this.node = new RaftNode({
      id: o.id,
      clusterId: o.clusterId,
      dataDir: o.dataDir,
      initialMembers: o.initialMembers,
      ...(o.join === true ? { join: true } : {}),
      stateMachine: this.sm,
      clock: o.clock ?? systemClock,
      rng: systemRng,
      logger: o.logger,
      credentials: clientCredentials(o.tls),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      ...(o.electionTicks !== undefined ? { electionTicks: o.electionTicks } : {}),
      ...(o.snapshotEntries !== undefined ? { snapshotEntries: o.snapshotEntries } : {}),
      ...(o.keepEntries !== undefined ? { keepEntries: o.keepEntries } : {}),
      ...(o.snapshotBytesMax !== undefined ? { snapshotBytesMax: o.snapshotBytesMax } : {}),
      ...(o.proposalTimeoutMs !== undefined ? { proposalTimeoutMs: o.proposalTimeoutMs } : {}),
    });
    const raft = loadProto('raft').shoal.raft.v1;
    this.server.addService(raft.RaftTransport.service, this.node.transportHandlers());
    this.server.addService(raft.KeyValue.service, {
      Put: unaryHandler(async (req: KvPutRequest__Output) => ({ index: await this.put(req) })),
      OpenSession: unaryHandler(async () => ({ id: (await this.node.propose(encodeOpenSession())) as number })),
      PutStream: (call: ServerDuplexStream<KvPutRequest__Output, KvPutStreamResponse>) => this.putStream(call),
      Get: unaryHandler(async (req: KvGetRequest__Output) => {
        const index = req.stale ? this.sm.lastApplied : await this.node.read();
        const value = this.sm.get(req.key);
        return { found: value !== undefined, value: value ?? Buffer.alloc(0), index };
      }),
      Status: unaryHandler(async () => this.statusMessage()),
      AddMember: unaryHandler(async (req: KvMemberRequest__Output) => {
        await this.node.addMember(req.nodeId, req.address);
        return this.statusMessage();
      }),
      RemoveMember: unaryHandler(async (req: KvMemberRequest__Output) => {
        await this.node.removeMember(req.nodeId);
        return this.statusMessage();
      }),
    });
  }

  /**
   * One write, resolving to the index at which it took effect (in a session, a copy of a write
   * answers with the first's index). A bad key or session rejects, as the state machine does.
   */
  private async put(req: KvPutRequest__Output): Promise<number> {
    return (await this.node.propose(encodeSessionPut({ session: req.session, seq: req.seq, acked: req.acked }, req.key, req.value))) as number;
  }

  /**
   * Each write on the stream is proposed as it arrives (so writes from one stream can share a
   * batch) and answered in the order sent. A failed write is answered with its error and the
   * stream goes on; the stream ends after the last answer once the client has ended it.
   */
  private putStream(call: ServerDuplexStream<KvPutRequest__Output, KvPutStreamResponse>): void {
    let answered: Promise<void> = Promise.resolve();
    call.on('data', (req: KvPutRequest__Output) => {
      const result = this.put(req).then(
        (index): KvPutStreamResponse => ({ index }),
        (err: unknown): KvPutStreamResponse => ({ index: 0, error: oneLine(err) }),
      );
      answered = answered.then(async () => {
        const res = await result;
        if (!call.destroyed) call.write(res);
      });
    });
    call.on('end', () => void answered.then(() => call.end()));
    // A client that goes away mid-stream: nothing to answer; the writes it sent still commit.
    call.on('error', () => undefined);
  }

  private statusMessage(): KvStatus {
    const s = this.node.status();
    return { nodeId: s.id, leaderId: s.lead, term: s.term, commitIndex: s.commit, appliedIndex: s.applied };
  }

  async start(): Promise<Address> {
    this.address = await listen(this.server, parseAddress(this.o.listen, '--listen'), this.o.tls);
    await this.node.start();
    return this.address;
  }

  async stop(): Promise<void> {
    await this.node.stop();
    await shutdown(this.server, this.o.clock ?? systemClock, 1000);
  }
}
