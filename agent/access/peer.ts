// Who may call the agent's TaskAccess service: a manager of this agent's cluster, proven by the
// client certificate of the TLS session (its chain was verified against the cluster's CA at the
// handshake; checked again here on every call, at the time of the call). The agent never imports
// the manager (manager/ca/identity.ts has the managers' own, wider check): this reads the three
// subject fields Shoal's CA writes (CN node id, OU role, O cluster id) with node:crypto alone.

import { X509Certificate } from 'node:crypto';
import { ShoalError } from '../../shared/errors.js';
import { peerCertificateOf, type CallWithAuthContext } from '../../shared/grpc-peer.js';

export interface AccessCheck {
  /** The cluster's CA (the agent's ca.pem), parsed once. */
  readonly ca: X509Certificate;
  readonly clusterId: string;
  /** Wall-clock milliseconds now (Clock#wallMs). */
  readonly nowMs: () => number;
}

const refused = (code: string, message: string): ShoalError => new ShoalError('permission_denied', code, `agent: ${message}`);

function subjectField(cert: X509Certificate, key: 'CN' | 'OU' | 'O'): string | undefined {
  const values = cert.subject.split('\n').flatMap((line) => (line.startsWith(`${key}=`) ? [line.slice(key.length + 1)] : []));
  return values.length === 1 ? values[0] : undefined;
}

/**
 * The calling manager's node id; refused in one line for a call without a verified client
 * certificate (`unauthenticated`), and for a certificate that is not a manager's of this cluster,
 * not signed by its CA, or not valid now (`permission_denied`).
 */
export function managerCaller(call: CallWithAuthContext, o: AccessCheck): string {
  const cert = new X509Certificate(peerCertificateOf(call));
  if (!cert.checkIssued(o.ca) || !cert.verify(o.ca.publicKey)) throw refused('agent.peer_untrusted', "the caller's certificate is not signed by this cluster's CA");
  const now = o.nowMs();
  if (now < cert.validFromDate.getTime() || now > cert.validToDate.getTime()) throw refused('agent.peer_expired', `the caller's certificate is not valid now (valid ${cert.validFrom} to ${cert.validTo})`);
  const nodeId = subjectField(cert, 'CN') ?? '?';
  const role = subjectField(cert, 'OU');
  if (subjectField(cert, 'O') !== o.clusterId) throw refused('agent.peer_other_cluster', `node ${nodeId}'s certificate is for another cluster`);
  if (role !== 'manager') throw refused('agent.peer_not_manager', `${role ?? 'no role'} ${nodeId}: only managers may read logs, exec or inspect the containers of this agent`);
  return nodeId;
}
