// Who a peer is, checked as every gRPC call will check it.

import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { checkPeer, peerIdentity, type PeerRequirements } from './identity.js';
import { issueWithNewKey, NODE_CERT_VALIDITY_MS } from './issue.js';
import type { Role } from './subject.js';
import { testRootCa, T0_MS, type TestRootCa } from './testing.js';
import { CLOCK_SKEW_ALLOWANCE_MS } from './time.js';
import { generateKeyPair, SIGNING_ALGORITHM, x509 } from '../../shared/x509.js';

let ours: TestRootCa;
let theirs: TestRootCa;
/** DER of a worker certificate of node abc and of an admin cli-1, both of `ours`. */
let worker: Buffer;
let admin: Buffer;
beforeAll(async () => {
  [ours, theirs] = [await testRootCa('cluster-a'), await testRootCa('cluster-b')];
  worker = await certOf(ours, 'abc', 'worker');
  admin = await certOf(ours, 'cli-1', 'admin');
});

const controlApi: PeerRequirements = { clusterId: 'cluster-a', roles: ['admin', 'manager'], nowMs: T0_MS + 1000, what: 'the Control API' };

async function certOf(ca: TestRootCa, nodeId: string, role: Role, clusterId = ca.ca.clusterId): Promise<Buffer> {
  const { certPem } = await issueWithNewKey(ca.ca, { nodeId, role, clusterId, ips: ['127.0.0.1'], nowMs: T0_MS });
  return new X509Certificate(certPem).raw;
}

function refusal(fn: () => unknown): ShoalError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ShoalError);
  expect((err as ShoalError).message).not.toContain('\n');
  return err as ShoalError;
}

describe('checkPeer', () => {
  it('accepts a certificate of this CA, valid now, for this cluster, in a role the API takes; and says who it is', async () => {
    const der = await certOf(ours, 'mgr-1', 'manager');
    const expected = { nodeId: 'mgr-1', role: 'manager', clusterId: 'cluster-a', notAfterMs: T0_MS + NODE_CERT_VALIDITY_MS };
    expect(checkPeer(der, ours.pem.certPem, controlApi)).toEqual(expected);
    // The CA parsed once (a server's hot path) and the certificate as PEM give the same.
    expect(checkPeer(new X509Certificate(der).toString(), ours.ca.cert, controlApi)).toEqual(expected);
    // Valid from a minute before it was issued to its last second, both ends included.
    expect(checkPeer(der, ours.ca.cert, { ...controlApi, nowMs: T0_MS - CLOCK_SKEW_ALLOWANCE_MS }).nodeId).toBe('mgr-1');
    expect(checkPeer(der, ours.ca.cert, { ...controlApi, nowMs: T0_MS + NODE_CERT_VALIDITY_MS }).nodeId).toBe('mgr-1');
  });

  it('refuses a role the API does not take, permission_denied, naming the role, the node and what was wanted', async () => {
    const err = refusal(() => checkPeer(worker, ours.ca.cert, controlApi));
    expect([err.kind, err.code, err.message]).toEqual(['permission_denied', 'ca.peer_role_denied', 'certificate of worker node abc: the Control API takes admin or manager']);
    expect(err.fields).toEqual({ nodeId: 'abc', role: 'worker', wanted: 'admin,manager' });
    const toDispatcher = refusal(() => checkPeer(admin, ours.ca.cert, { ...controlApi, roles: ['manager', 'worker'], what: 'the Dispatcher' }));
    expect(toDispatcher.message).toBe('certificate of admin cli-1: the Dispatcher takes manager or worker');
  });

  it('refuses another CA’s certificate (another cluster’s CA, even with the same ids), unauthenticated', async () => {
    const stranger = await certOf(theirs, 'mgr-1', 'manager');
    const err = refusal(() => checkPeer(stranger, ours.ca.cert, controlApi));
    expect([err.kind, err.code, err.message]).toEqual(['unauthenticated', 'ca.peer_untrusted', "peer certificate is not signed by this cluster's CA"]);
    // A CA that looks like ours in every field a name check sees (subject, key identifier) but
    // holds another key: only the signature tells them apart.
    const keys = await generateKeyPair();
    const lookalike = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: ours.ca.cert.subject.split('\n').join(', '), keys, signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.SubjectKeyIdentifierExtension(ours.ca.keyIdHex)],
    });
    const lookalikeCa = new X509Certificate(lookalike.toString('pem'));
    expect(new X509Certificate(worker).checkIssued(lookalikeCa)).toBe(true);
    expect(refusal(() => checkPeer(worker, lookalikeCa, controlApi)).code).toBe('ca.peer_untrusted');
  });

  it('refuses a certificate that has expired or is not valid yet at the given time, unauthenticated', async () => {
    const der = await certOf(ours, 'mgr-1', 'manager');
    const expired = refusal(() => checkPeer(der, ours.ca.cert, { ...controlApi, nowMs: T0_MS + NODE_CERT_VALIDITY_MS + 1000 }));
    expect([expired.kind, expired.code, expired.message]).toEqual([
      'unauthenticated', 'ca.peer_expired', 'certificate of manager node mgr-1 expired at 2026-04-01T00:00:00.000Z (now 2026-04-01T00:00:01.000Z)',
    ]);
    const early = refusal(() => checkPeer(der, ours.ca.cert, { ...controlApi, nowMs: T0_MS - CLOCK_SKEW_ALLOWANCE_MS - 1000 }));
    expect([early.kind, early.code]).toEqual(['unauthenticated', 'ca.peer_not_yet_valid']);
  });

  it('refuses a genuine certificate for another cluster than the one asked, permission_denied', async () => {
    const err = refusal(() => checkPeer(worker, ours.ca.cert, { ...controlApi, clusterId: 'cluster-z', roles: ['worker'] }));
    expect([err.kind, err.code, err.message]).toEqual(['permission_denied', 'ca.peer_other_cluster', 'certificate of worker node abc is for cluster cluster-a, not this one (cluster-z)']);
  });

  it('refuses bytes that are not a certificate, and a time that is not one', () => {
    expect(refusal(() => checkPeer(Buffer.from('junk'), ours.ca.cert, controlApi)).code).toBe('ca.peer_unreadable');
    expect(refusal(() => checkPeer(worker, ours.ca.cert, { ...controlApi, nowMs: Number.NaN })).code).toBe('ca.bad_time');
  });
});

describe('peerIdentity', () => {
  it('reads the node id, role and cluster id from the subject', () => {
    expect(peerIdentity(worker)).toEqual({ nodeId: 'abc', role: 'worker', clusterId: 'cluster-a', notAfterMs: T0_MS + NODE_CERT_VALIDITY_MS });
  });

  it('refuses a certificate whose subject does not say who it is: the root CA’s own (no OU), an unknown role, extra fields, escaped values', async () => {
    expect(refusal(() => peerIdentity(ours.pem.certPem)).message).toBe('peer certificate: its subject has no OU (role)');
    const selfMade = async (name: x509.JsonName): Promise<string> => {
      const keys = await generateKeyPair();
      return (await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name, keys, signingAlgorithm: SIGNING_ALGORITHM })).toString('pem');
    };
    const cases: [x509.JsonName, string][] = [
      [[{ CN: ['n1'] }, { OU: ['root'] }, { O: ['c'] }], 'peer certificate of n1: role root is not one Shoal knows'],
      [[{ CN: ['n1'] }, { OU: ['admin'] }, { O: ['c'] }, { L: ['Paris'] }], 'peer certificate: its subject has a field other than CN, OU and O'],
      // Node escapes the newline, so the value is not an id rather than a second line.
      [[{ CN: ['n1\nOU=admin'] }, { O: ['c'] }], "peer certificate: its subject's CN is not an id Shoal writes"],
      // A multi-valued RDN prints as "CN=n1 + OU=admin" on one line: a CN of "n1 + OU=admin".
      [[{ CN: ['n1'], OU: ['admin'] }, { O: ['c'] }], "peer certificate: its subject's CN is not an id Shoal writes"],
      [[{ CN: ['n1'] }, { CN: ['n2'] }, { OU: ['admin'] }, { O: ['c'] }], 'peer certificate: its subject has CN twice'],
    ];
    for (const [name, message] of cases) {
      const pem = await selfMade(name);
      expect(refusal(() => peerIdentity(pem)).message).toBe(message);
    }
  });
});

