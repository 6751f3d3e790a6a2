// A manager's data dir (0700, files 0600):
//   manager.json   who this manager is: cluster id, node id, Raft member id, addresses. Written
//                  last by `init`: its presence means the rest is whole, and a second start resumes.
//   ca/            the cluster's root CA (ca.pem, ca-key.pem): managers sign node certificates.
//   tls/           this manager's own bundle (ca.pem, cert.pem, key.pem; shared/tls-dir.ts).
//   admin/         an admin client bundle for the CLI, made by `init` on the first manager.
//   raft/          the Raft log and snapshots (manager/raft).
//   heard.json     when this manager last heard each other manager (for `recover`'s report).
//   removed        present once this manager was removed from the group (it refuses to start).

import { randomBytes, randomInt } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument, oneLine } from '../../shared/errors.js';
import { mkdirPrivate, writeFileAtomic } from '../../shared/fs-modes.js';
import { toBase36 } from '../../shared/ca-fingerprint.js';

export const MANAGER_STATE_FORMAT = 1;

/** Who this manager is; fixed at init (or join). */
export interface ManagerIdentity {
  readonly format: typeof MANAGER_STATE_FORMAT;
  /** The cluster's id (the CA's O, every certificate's O). */
  readonly clusterId: string;
  /** Raft's cluster id: a number that every message between members carries. */
  readonly raftClusterId: number;
  /** This host's node id (a certificate's CN); one node per host, manager and agent alike. */
  readonly nodeId: string;
  /** This manager's Raft member id. */
  readonly raftId: number;
  /** The address other managers, agents and the CLI dial: `IP:PORT`. */
  readonly advertiseAddr: string;
  /** Where the manager listens: `IP:PORT` (0.0.0.0 for every address). */
  readonly listenAddr: string;
  /**
   * A manager that joined: the Raft members the leader named when it let this one in, so that
   * its Raft starts in join mode and can answer them before its log says who they are.
   */
  readonly joinMembers?: readonly (readonly [number, string])[];
}

export const paths = (dir: string) => ({
  identity: join(dir, 'manager.json'),
  ca: join(dir, 'ca'),
  caCert: join(dir, 'ca', 'ca.pem'),
  caKey: join(dir, 'ca', 'ca-key.pem'),
  tls: join(dir, 'tls'),
  admin: join(dir, 'admin'),
  raft: join(dir, 'raft'),
  /** When this manager last heard each member (wall clock), for `shoal manager recover`. */
  heard: join(dir, 'heard.json'),
  /** Written when this manager is removed from the group: it must not run again. */
  removed: join(dir, 'removed'),
});

/** A new random id as Shoal writes them: 25 base36 characters (128 bits), as swarmkit's node ids. */
export const newId = (): string => toBase36(randomBytes(16), 25);

/** Raft member and cluster ids are 32-bit numbers on the wire (MEMBER_LIMITS.nodeIdMax): random, never 0. */
export const newRaftNumber = (): number => randomInt(1, 2 ** 32 - 1);

export async function readIdentity(dir: string): Promise<ManagerIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(paths(dir).identity, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidArgument('manager.bad_data_dir', `--data-dir ${dir}: cannot read manager.json (${oneLine(err)})`, { cause: err });
  }
  let raw: Partial<ManagerIdentity>;
  try {
    raw = JSON.parse(text) as Partial<ManagerIdentity>;
  } catch (err) {
    throw invalidArgument('manager.bad_data_dir', `--data-dir ${dir}: manager.json is not JSON`, { cause: err });
  }
  const wholeNumbers = [raw.raftClusterId, raw.raftId].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0);
  const texts = [raw.clusterId, raw.nodeId, raw.advertiseAddr, raw.listenAddr].every((t) => typeof t === 'string' && t.length > 0);
  if (raw.format !== MANAGER_STATE_FORMAT || !wholeNumbers || !texts) {
    throw invalidArgument('manager.bad_data_dir', `--data-dir ${dir}: manager.json is not a manager's identity (format ${MANAGER_STATE_FORMAT}: clusterId, raftClusterId, nodeId, raftId, advertiseAddr, listenAddr)`);
  }
  return raw as ManagerIdentity;
}

export async function writeIdentity(dir: string, identity: ManagerIdentity): Promise<void> {
  await mkdirPrivate(dir);
  await writeFileAtomic(paths(dir).identity, `${JSON.stringify(identity, null, 2)}\n`);
}

/** What a half-done init left (no manager.json): removed before it starts again. */
export async function removePartialInit(dir: string): Promise<void> {
  const p = paths(dir);
  for (const d of [p.ca, p.tls, p.admin, p.raft]) await rm(d, { recursive: true, force: true });
}
