// `shoal manager recover`: after a quorum of managers is lost for good, this manager becomes the
// only member of the same cluster with its whole state (manager/raft/force-new-cluster.ts). It
// first says what it holds, and refuses while a quorum of the old members still answers (then
// the cluster is not lost, and two clusters would think they are one). The others rejoin with
// the manager token, each with a fresh data dir.

import { readFile } from 'node:fs/promises';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { Clock } from '../../shared/clock.js';
import { failedPrecondition, invalidArgument } from '../../shared/errors.js';
import { callUnary } from '../../shared/grpc.js';
import { forceNewCluster, summarizeRaftDir, type RaftDirSummary } from '../raft/force-new-cluster.js';
import { Store } from '../store/store.js';
import { paths, readIdentity, writeIdentity } from './data-dir.js';
import { MANAGER_CHANNEL_OPTIONS } from './settings.js';

/** An old member that does not answer within this long counts as gone. */
export const RECOVER_PROBE_TIMEOUT_MS = 2_000;

/** Whether a manager answers at `addr` (the join call GetRootCA: no certificate needed, nothing changed). */
async function answers(addr: string): Promise<boolean> {
  const NodeCA = loadProto('ca').shoal.ca.v1.NodeCA;
  const client = new NodeCA(addr, grpcCredentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined }), MANAGER_CHANNEL_OPTIONS);
  try {
    await callUnary(client.GetRootCA.bind(client), {}, RECOVER_PROBE_TIMEOUT_MS);
    return true;
  } catch {
    return false; // unreachable, refused or timed out: the member does not answer
  } finally {
    client.close();
  }
}

export interface RecoverReport {
  readonly lines: readonly string[];
}

function describe(s: RaftDirSummary, self: number, heard: Record<string, string>): string[] {
  const member = (id: number, kind: string): string => `    ${id}${id === self ? ' (this manager)' : ''}  ${kind}  ${s.addresses.get(id) ?? '?'}  last heard: ${id === self ? '-' : (heard[String(id)] ?? 'never (by this manager)')}`;
  return [
    `This manager holds the log up to index ${s.lastIndex} (term ${s.lastTerm}; committed as far as it knows: ${s.commit}).`,
    `Members as of that index:`,
    ...s.voters.map((id) => member(id, 'voter')),
    ...s.learners.map((id) => member(id, 'learner')),
  ];
}

export async function recoverManager(dataDir: string, clock: Clock, write: (line: string) => void): Promise<void> {
  const identity = await readIdentity(dataDir);
  if (identity === undefined) throw invalidArgument('manager.no_cluster', `--data-dir ${dataDir}: no manager here`);
  const p = paths(dataDir);
  const heard = JSON.parse(await readFile(p.heard, 'utf8').catch(() => '{}')) as Record<string, string>;
  const summary = await summarizeRaftDir(p.raft, new Store());
  for (const line of describe(summary, identity.raftId, heard)) write(line);

  const others = summary.voters.filter((id) => id !== identity.raftId);
  const answering = (await Promise.all(others.map(async (id) => ((await answers(summary.addresses.get(id) ?? '')) ? id : undefined)))).filter((id) => id !== undefined);
  const quorum = Math.floor(summary.voters.length / 2) + 1;
  const up = (summary.voters.includes(identity.raftId) ? 1 : 0) + answering.length;
  if (up >= quorum) {
    throw failedPrecondition(
      'manager.quorum_up',
      `${up} of the ${summary.voters.length} managers answer (${[identity.raftId, ...answering].join(', ')}), a quorum: the cluster is not lost; recover is for a quorum lost for good`,
    );
  }
  const { keptAt, index } = await forceNewCluster(p.raft, { id: identity.raftId, address: identity.advertiseAddr }, new Store(), new Date(clock.wallMs()).toISOString());
  const { joinMembers: _founded, ...founder } = identity;
  await writeIdentity(dataDir, founder);
  write(`Recovered: this manager is now the only member of cluster ${identity.clusterId}, with everything up to index ${index}.`);
  write(`The old Raft data is kept in ${keptAt}.`);
  write(`Start it (shoal manager --data-dir ${dataDir}), then join the other managers again with the manager token, each with a fresh data dir.`);
}
