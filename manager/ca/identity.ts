// Who is calling: read from the peer's certificate on every gRPC call. The TLS handshake has
// already checked the chain (the server asks for a client certificate and refuses one its CA
// did not sign), but only once per connection and at the time of the handshake; this check runs
// per call, at the caller's `nowMs`, so a connection outliving its certificate is refused, and
// it adds what TLS cannot know: the cluster and the roles this API takes. node:crypto only (a
// native parse and one ECDSA verification, about 0.1 ms), never @peculiar/x509, which is ten
// times slower to parse.

import { X509Certificate } from 'node:crypto';
import { ShoalError, oneLine } from '../../shared/errors.js';
import { checkNowMs } from './time.js';
import { isRole, readSubject, type Role } from './subject.js';

export interface PeerIdentity {
  readonly nodeId: string;
  readonly role: Role;
  readonly clusterId: string;
  readonly notAfterMs: number;
  /** A manager's Raft member id, when its certificate names one. */
  readonly raftId?: number;
}

export interface PeerRequirements {
  /** This cluster's id: a certificate for another cluster is refused. */
  readonly clusterId: string;
  /** The roles the API takes. */
  readonly roles: readonly Role[];
  /** Wall-clock milliseconds since the epoch (Clock#wallMs). */
  readonly nowMs: number;
  /** What is being called, for the refusal ("the Control API"); "this API" when absent. */
  readonly what?: string;
}

export type CertificateInput = Buffer | string | X509Certificate;

const unauthenticated = (code: string, message: string, fields?: Record<string, string>, cause?: unknown): ShoalError =>
  new ShoalError('unauthenticated', code, message, { ...(fields ? { fields } : {}), ...(cause === undefined ? {} : { cause }) });

function parsed(cert: CertificateInput, what: string): X509Certificate {
  if (cert instanceof X509Certificate) return cert;
  try {
    return new X509Certificate(cert);
  } catch (err) {
    throw unauthenticated('ca.peer_unreadable', `${what} is not a certificate (${oneLine(err)})`, undefined, err);
  }
}

/**
 * The node id, role and cluster id a certificate states (CN, OU, O), and when it expires. Reads
 * only: it does not check who signed it (checkPeer does). Refused, `unauthenticated`, when the
 * subject is not one Shoal's CA writes.
 */
export function peerIdentity(cert: CertificateInput): PeerIdentity {
  const x = parsed(cert, 'peer certificate');
  const read = readSubject(x.subject);
  if ('problem' in read) throw unauthenticated('ca.peer_no_identity', `peer certificate: ${read.problem}`);
  const { CN: nodeId, OU: role, O: clusterId } = read.fields;
  if (nodeId === undefined || role === undefined || clusterId === undefined) {
    const missing = [nodeId === undefined && 'CN (node id)', role === undefined && 'OU (role)', clusterId === undefined && 'O (cluster id)'].filter(Boolean);
    throw unauthenticated('ca.peer_no_identity', `peer certificate: its subject has no ${missing.join(', ')}`);
  }
  if (!isRole(role)) throw unauthenticated('ca.peer_no_identity', `peer certificate of ${nodeId}: role ${role} is not one Shoal knows`, { nodeId });
  const raftId = raftIdOf(x);
  return { nodeId, role, clusterId, notAfterMs: x.validToDate.getTime(), ...(raftId === undefined ? {} : { raftId }) };
}

/** The Raft member id a manager's certificate names (its `urn:shoal:raft:<id>` URI SAN). */
function raftIdOf(x: X509Certificate): number | undefined {
  const m = /(?:^|, )URI:urn:shoal:raft:(\d{1,15})(?:,|$)/.exec(x.subjectAltName ?? '');
  return m === null ? undefined : Number(m[1]);
}

/**
 * The identity of a peer whose certificate this CA signed, valid at `nowMs`, for this cluster and
 * in one of the roles wanted. Refusals, one line each: `unauthenticated` for a certificate that
 * proves nothing (another CA's, unreadable, without a Shoal subject, expired or not valid yet);
 * `permission_denied` for a genuine one that may not call this API (another cluster, a role not
 * taken). Pass the CA parsed once (an X509Certificate) on hot paths.
 */
export function checkPeer(cert: CertificateInput, ca: CertificateInput, wanted: PeerRequirements): PeerIdentity {
  const nowMs = checkNowMs(wanted.nowMs);
  const peer = parsed(cert, 'peer certificate');
  const caCert = parsed(ca, 'CA certificate');
  if (!peer.checkIssued(caCert) || !peer.verify(caCert.publicKey)) {
    throw unauthenticated('ca.peer_untrusted', "peer certificate is not signed by this cluster's CA");
  }
  const id = peerIdentity(peer);
  const who = describe(id);
  const fields = { nodeId: id.nodeId, role: id.role };
  const fromMs = peer.validFromDate.getTime();
  if (nowMs < fromMs) throw unauthenticated('ca.peer_not_yet_valid', `certificate of ${who} is not valid before ${iso(fromMs)} (now ${iso(nowMs)})`, fields);
  if (nowMs > id.notAfterMs) throw unauthenticated('ca.peer_expired', `certificate of ${who} expired at ${iso(id.notAfterMs)} (now ${iso(nowMs)})`, fields);
  if (id.clusterId !== wanted.clusterId) {
    throw new ShoalError('permission_denied', 'ca.peer_other_cluster', `certificate of ${who} is for cluster ${id.clusterId}, not this one (${wanted.clusterId})`, { fields });
  }
  if (!wanted.roles.includes(id.role)) {
    throw new ShoalError('permission_denied', 'ca.peer_role_denied', `certificate of ${who}: ${wanted.what ?? 'this API'} takes ${alternatives(wanted.roles)}`, { fields: { ...fields, wanted: wanted.roles.join(',') } });
  }
  return id;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function describe(id: PeerIdentity): string {
  return id.role === 'admin' ? `admin ${id.nodeId}` : `${id.role} node ${id.nodeId}`;
}

/** "admin", "admin or manager", "admin, manager or worker"; "no role" for none. */
function alternatives(roles: readonly Role[]): string {
  if (roles.length === 0) return 'no role';
  const sorted = [...roles].sort();
  return sorted.length === 1 ? (sorted[0] as string) : `${sorted.slice(0, -1).join(', ')} or ${sorted.at(-1) as string}`;
}
