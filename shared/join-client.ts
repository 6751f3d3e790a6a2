// A node joining the cluster, its side of proto/ca.proto (shared by `shoal manager join` and
// `shoal agent --token`): the CA a manager hands out is checked against the token's fingerprint
// before anything that matters is sent; then, over TLS verified against that CA, the token and a
// CSR (the key never leaves this node) are exchanged for a certificate whose role the token
// decides. Writes nothing: the caller keeps what it got once the rest of its join succeeded.

import { credentials as grpcCredentials } from '@grpc/grpc-js';
import { loadProto } from '../proto/load.js';
import type { IssueNodeCertificateResponse__Output } from '../proto/gen/shoal/ca/v1/IssueNodeCertificateResponse.js';
import { caFingerprintHex } from './ca-fingerprint.js';
import { oneLine, ShoalError, unavailable } from './errors.js';
import { callUnary, type TlsMaterial } from './grpc.js';
import { parseJoinToken, tokenMatchesCa } from './join-token.js';
import { hostPortText, MANAGER_CHANNEL_OPTIONS, type HostPort } from './manager-hosts.js';

/** One join call may take this long (a manager's learner add is one Raft round on the leader). */
export const JOIN_CALL_TIMEOUT_MS = 15_000;

export { MANAGER_CHANNEL_OPTIONS };

/** A manager that does not answer (or answers UNAVAILABLE): one line naming it. Other refusals as they are. */
export function unreachable(err: unknown, at: HostPort): ShoalError {
  if (err instanceof ShoalError && err.kind !== 'unavailable' && err.kind !== 'deadline_exceeded') return err;
  return unavailable('manager.unreachable', `cannot reach a manager at ${hostPortText(at)} (${oneLine(err)})`);
}

/** The CA certificate a manager hands out, over TLS that is not trusted yet (the token's fingerprint decides). */
export async function fetchRootCa(at: HostPort): Promise<string> {
  const untrusted = grpcCredentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  const NodeCA = loadProto('ca').shoal.ca.v1.NodeCA;
  const client = new NodeCA(hostPortText(at), untrusted, MANAGER_CHANNEL_OPTIONS);
  try {
    return (await callUnary(client.GetRootCA.bind(client), {}, JOIN_CALL_TIMEOUT_MS)).caPem;
  } catch (err) {
    throw unreachable(err, at);
  } finally {
    client.close();
  }
}

export interface JoinCertificate {
  readonly tls: TlsMaterial;
  readonly issued: IssueNodeCertificateResponse__Output;
}

/**
 * A certificate for this node from the manager at `at`, for `token`. Refused in one line: a
 * malformed token, a manager whose CA is not the token's, a token the cluster does not take, an
 * unreachable manager.
 */
export async function obtainCertificate(at: HostPort, token: string, node: { readonly advertiseAddr: string; readonly hostname: string }): Promise<JoinCertificate> {
  const parsed = parseJoinToken(token);
  const caPem = await fetchRootCa(at);
  if (!tokenMatchesCa(parsed, caPem)) {
    throw new ShoalError('permission_denied', 'manager.wrong_ca', `the manager at ${hostPortText(at)} serves the CA ${caFingerprintHex(caPem)}, not the one the token names: a token of another cluster, or not the manager you meant`);
  }
  // The X.509 library loads here, on a join, not with every module that imports this one.
  const { createNodeKeyAndCsr } = await import('./csr.js');
  const { keyPem, csrPem } = await createNodeKeyAndCsr();
  const NodeCA = loadProto('ca').shoal.ca.v1.NodeCA;
  const client = new NodeCA(hostPortText(at), grpcCredentials.createSsl(Buffer.from(caPem)), MANAGER_CHANNEL_OPTIONS);
  try {
    const issued = await callUnary(client.IssueNodeCertificate.bind(client), { token: token.trim(), csrPem, advertiseAddr: node.advertiseAddr, hostname: node.hostname }, JOIN_CALL_TIMEOUT_MS);
    return { tls: { caPem: Buffer.from(caPem), certPem: Buffer.from(issued.certPem), keyPem: Buffer.from(keyPem) }, issued };
  } catch (err) {
    throw unreachable(err, at);
  } finally {
    client.close();
  }
}
