// The agent's place in a cluster: `shoal agent --token T MANAGER[,MANAGER...]` joins once (the CA
// checked against the token, a worker certificate for its own key: shared/join-client.ts), and
// keeps what it got in its data dir, so that a restart needs no token:
//   <data-dir>/cluster/node.json   cluster id, node id, the managers it knows
//   <data-dir>/cluster/tls/        ca.pem, cert.pem, key.pem (0700, files 0600)
// node.json is written last: without it, a join is started again from nothing.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { failedPrecondition, invalidArgument, oneLine, ShoalError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import type { TlsMaterial } from '../../shared/grpc.js';
import { obtainCertificate } from '../../shared/join-client.js';
import { parseJoinToken } from '../../shared/join-token.js';
import { hostPortText, parseManagerAddress, type HostPort } from '../../shared/manager-hosts.js';
import { writeBundle } from '../../shared/tls-bundle.js';
import { readTlsDir } from '../../shared/tls-dir.js';

export const AGENT_IDENTITY_FORMAT = 1;

export interface AgentIdentity {
  readonly format: typeof AGENT_IDENTITY_FORMAT;
  readonly clusterId: string;
  readonly nodeId: string;
  /** The managers this agent knows, `IP:PORT`: the ones given, then what sessions tell it. */
  readonly managers: readonly string[];
}

export const clusterPaths = (dataDir: string) => ({
  dir: join(dataDir, 'cluster'),
  identity: join(dataDir, 'cluster', 'node.json'),
  tls: join(dataDir, 'cluster', 'tls'),
});

export async function readAgentIdentity(dataDir: string): Promise<AgentIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(clusterPaths(dataDir).identity, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidArgument('agent.bad_identity', `--data-dir ${dataDir}: cannot read cluster/node.json (${oneLine(err)})`, { cause: err });
  }
  try {
    const raw = JSON.parse(text) as Partial<AgentIdentity>;
    if (raw.format === AGENT_IDENTITY_FORMAT && typeof raw.clusterId === 'string' && typeof raw.nodeId === 'string' && Array.isArray(raw.managers) && raw.managers.every((m) => typeof m === 'string')) return raw as AgentIdentity;
  } catch {
    // not JSON: refused below with the same line
  }
  throw invalidArgument('agent.bad_identity', `--data-dir ${dataDir}: cluster/node.json is not an agent's identity (format ${AGENT_IDENTITY_FORMAT}: clusterId, nodeId, managers); remove the cluster folder to join again`);
}

export async function writeAgentIdentity(dataDir: string, identity: AgentIdentity): Promise<void> {
  await writeFileAtomic(clusterPaths(dataDir).identity, `${JSON.stringify(identity, null, 2)}\n`);
}

export interface JoinedAgent {
  readonly identity: AgentIdentity;
  readonly tls: TlsMaterial;
  /** True when this start joined; false when it found a membership made before. */
  readonly joined: boolean;
}

/**
 * On a manager's host the agent is the manager's node (one host, one node): it uses the
 * manager's identity and certificate, read from the manager's data dir (its manager.json and
 * tls/ bundle, a file contract like the CLI's; the agent never imports the manager). Undefined
 * when there is no manager there.
 */
export async function managerNodeIdentity(managerDataDir: string): Promise<JoinedAgent | undefined> {
  let raw: { clusterId?: unknown; nodeId?: unknown; advertiseAddr?: unknown };
  try {
    raw = JSON.parse(await readFile(join(managerDataDir, 'manager.json'), 'utf8')) as typeof raw;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidArgument('agent.bad_manager_dir', `--manager-data-dir ${managerDataDir}: cannot read manager.json (${oneLine(err)})`, { cause: err });
  }
  if (typeof raw.clusterId !== 'string' || typeof raw.nodeId !== 'string' || typeof raw.advertiseAddr !== 'string') {
    throw invalidArgument('agent.bad_manager_dir', `--manager-data-dir ${managerDataDir}: manager.json is not a manager's identity`);
  }
  const tls = await readTlsDir(join(managerDataDir, 'tls'), `--manager-data-dir ${managerDataDir}: tls`);
  return { identity: { format: AGENT_IDENTITY_FORMAT, clusterId: raw.clusterId, nodeId: raw.nodeId, managers: [raw.advertiseAddr] }, tls, joined: false };
}

/**
 * The agent's membership: the one kept in `dataDir`, or a new one from the first manager of
 * `managers` that answers, for `token`. A join is refused in one line (a bad or wrong token, the
 * manager token, no manager reachable) and leaves nothing behind.
 */
export async function joinOrResume(o: { dataDir: string; token?: string; managers: readonly string[]; advertiseAddr: string; hostname: string }): Promise<JoinedAgent> {
  const existing = await readAgentIdentity(o.dataDir);
  if (existing !== undefined) return { identity: existing, tls: await readTlsDir(clusterPaths(o.dataDir).tls, `--data-dir ${o.dataDir}: cluster/tls`), joined: false };
  if (o.token === undefined) throw invalidArgument('config.invalid', `--token: needed to join a cluster (this agent has not joined one: no ${clusterPaths(o.dataDir).identity}); or run with --standalone`);
  parseJoinToken(o.token);
  const managers: HostPort[] = o.managers.map((m) => parseManagerAddress(m, 'the manager address'));
  if (managers.length === 0) throw invalidArgument('config.invalid', 'agent: name at least one manager to join (IP[:PORT][,IP[:PORT]...])');
  let last: ShoalError | undefined;
  for (const at of managers) {
    try {
      const { tls, issued } = await obtainCertificate(at, o.token, { advertiseAddr: o.advertiseAddr, hostname: o.hostname });
      if (issued.role !== 'worker') {
        throw failedPrecondition('agent.manager_token', 'this is the manager token: an agent joins with the worker token (`shoal cluster join-token worker`)');
      }
      const p = clusterPaths(o.dataDir);
      await rm(p.dir, { recursive: true, force: true }); // what an interrupted join left
      await writeBundle(p.tls, tls);
      const identity: AgentIdentity = { format: AGENT_IDENTITY_FORMAT, clusterId: issued.clusterId, nodeId: issued.nodeId, managers: managers.map(hostPortText) };
      await writeAgentIdentity(o.dataDir, identity);
      return { identity, tls, joined: true };
    } catch (err) {
      if (!(err instanceof ShoalError) || err.code !== 'manager.unreachable') throw err;
      last = err;
    }
  }
  throw last as ShoalError;
}
