// The join calls (proto/ca.proto), served by every manager without a client certificate: the
// token is the credential. GetRootCA hands out the CA certificate (public). IssueNodeCertificate
// takes the token and a CSR: the token's secret decides the role (the manager token or the
// worker token of the cluster object, read linearizably), and the CA key of the cluster object
// signs. It writes nothing: a refused join changes nothing anywhere.

import type { GetRootCAResponse } from '../../proto/gen/shoal/ca/v1/GetRootCAResponse.js';
import type { IssueNodeCertificateRequest__Output } from '../../proto/gen/shoal/ca/v1/IssueNodeCertificateRequest.js';
import type { IssueNodeCertificateResponse } from '../../proto/gen/shoal/ca/v1/IssueNodeCertificateResponse.js';
import { failedPrecondition, ShoalError } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { MANAGER_SERVER_NAME, parseManagerAddress } from '../../shared/manager-hosts.js';
import { issueNodeCertificate } from '../ca/issue.js';
import { parseJoinToken, secretMatches, tokenMatchesCa } from '../../shared/join-token.js';
import { loadRootCa } from '../ca/root-ca.js';
import { newId, newRaftNumber } from './data-dir.js';
import type { Manager } from './manager.js';

const refused = (what: string): ShoalError => new ShoalError('permission_denied', 'manager.join_refused', `join refused: ${what}`);

export function nodeCaHandlers(manager: Manager) {
  return {
    GetRootCA: unaryHandler(async (): Promise<GetRootCAResponse> => ({ caPem: manager.tls.current.caPem.toString() })),

    IssueNodeCertificate: unaryHandler(async (req: IssueNodeCertificateRequest__Output): Promise<IssueNodeCertificateResponse> => {
      const token = parseJoinToken(req.token);
      const store = await manager.readable();
      const cluster = store.list('cluster')[0];
      const caPem = cluster?.status.rootCaPem;
      const caKeyPem = cluster?.status.rootCaKeyPem;
      const tokens = cluster?.status.joinTokens;
      if (caPem === undefined || caKeyPem === undefined || tokens === undefined) throw failedPrecondition('manager.no_cluster_object', 'the cluster object is not written yet; try again');
      if (!tokenMatchesCa(token, caPem)) throw refused("the token is for another cluster's CA");
      const secretOf = (t: string): string => parseJoinToken(t).secret;
      // Both compared, always, so that the time taken does not tell which one matched.
      const asManager = secretMatches(token.secret, secretOf(tokens.manager));
      const asWorker = secretMatches(token.secret, secretOf(tokens.worker));
      if (!asManager && !asWorker) throw refused('the token is not a current join token of this cluster (rotated, or mistyped)');
      const role = asManager ? 'manager' : 'worker';
      const advertise = parseManagerAddress(req.advertiseAddr, 'advertise address');
      const identity = manager.identity;
      const raftId = role === 'manager' ? unusedRaftId(manager) : undefined;
      const nodeId = newId();
      const issued = await issueNodeCertificate(await loadRootCa(caPem, caKeyPem), {
        csrPem: req.csrPem,
        nodeId,
        role,
        clusterId: cluster!.id,
        ips: [advertise.host],
        ...(raftId !== undefined ? { dnsNames: [MANAGER_SERVER_NAME], raftId } : {}),
        nowMs: manager.clock.wallMs(),
        ...(cluster!.spec.certExpiryMs !== undefined ? { validityMs: cluster!.spec.certExpiryMs } : {}),
      });
      manager.logger.info({ nodeId, role, hostname: req.hostname, advertise: req.advertiseAddr }, 'node certificate issued for a join');
      return { certPem: issued.certPem, nodeId, role, clusterId: cluster!.id, raftClusterId: role === 'manager' ? identity.raftClusterId : 0, raftId: raftId ?? 0 };
    }),
  };
}

/** A Raft member id no member has (bounded: a clash among 2^32 is already unlikely). */
function unusedRaftId(manager: Manager): number {
  const s = manager.raft.status();
  const taken = new Set([...s.confState.voters, ...s.confState.learners, s.id]);
  for (let i = 0; i < 16; i++) {
    const id = newRaftNumber();
    if (!taken.has(id)) return id;
  }
  throw failedPrecondition('manager.no_raft_id', 'could not pick an unused Raft member id');
}
