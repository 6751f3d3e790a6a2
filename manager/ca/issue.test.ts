// Node certificates from a CSR: what they say comes from the CA's caller, and bad requests are
// refused in one line.

import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { createNodeKeyAndCsr, CSR_PEM_CHARS_MAX, issueNodeCertificate, issueWithNewKey, NODE_CERT_VALIDITY_MS, SAN_ENTRIES_MAX, type NodeCertificateParams } from './issue.js';
import type { RootCa } from './root-ca.js';
import { testRootCa, T0_MS } from './testing.js';
import { CLOCK_SKEW_ALLOWANCE_MS, DAY_MS } from './time.js';
import { generateKeyPair, SIGNING_ALGORITHM, x509 } from '../../shared/x509.js';

let ca: RootCa;
let caCert: X509Certificate;
beforeAll(async () => {
  ca = (await testRootCa('cluster-a')).ca;
  caCert = ca.cert;
});

const params = (over: Partial<NodeCertificateParams> = {}): NodeCertificateParams => ({
  nodeId: 'node-1', role: 'worker', clusterId: 'cluster-a', ips: ['10.0.0.7'], nowMs: T0_MS, ...over,
});

async function refusal(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  expect((err as ShoalError).message).not.toContain('\n');
  return err as ShoalError;
}

/** A CSR's PEM with one byte of its DER changed at `offsetFromEnd` bytes before the end. */
function withByteFlipped(csrPem: string, offsetFromEnd: number): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
  const i = der.length - offsetFromEnd;
  der[i] = (der[i] as number) ^ 0x01;
  return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
}

describe('issueNodeCertificate', () => {
  it('signs the CSR’s key with the ids, role and names it is given; the certificate chains to the CA', async () => {
    const { keyPem, csrPem } = await createNodeKeyAndCsr();
    const { certPem, notAfterMs } = await issueNodeCertificate(ca, {
      ...params({ nodeId: 'node-1', role: 'manager', ips: ['10.0.0.7', '127.0.0.1', 'fd00::5', '::ffff:192.168.1.2'], dnsNames: ['localhost', 'm1.example.org'] }),
      csrPem,
    });
    const cert = new X509Certificate(certPem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.subject).toBe('CN=node-1\nOU=manager\nO=cluster-a');
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.ca).toBe(false);
    expect(cert.validFromDate.getTime()).toBe(T0_MS - CLOCK_SKEW_ALLOWANCE_MS);
    expect(cert.validToDate.getTime()).toBe(T0_MS + NODE_CERT_VALIDITY_MS);
    expect(notAfterMs).toBe(T0_MS + NODE_CERT_VALIDITY_MS);
    // IP SANs as bytes (Node prints IPv6 in full), then DNS names; nothing that was not asked for.
    expect(cert.subjectAltName).toBe(
      'IP Address:10.0.0.7, IP Address:127.0.0.1, IP Address:FD00:0:0:0:0:0:0:5, IP Address:0:0:0:0:0:FFFF:C0A8:102, DNS:localhost, DNS:m1.example.org',
    );
    expect(cert.checkIP('fd00::5')).toBe('fd00::5');
    expect(cert.checkIP('192.168.1.2')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // serverAuth, clientAuth

    const ext = new x509.X509Certificate(certPem);
    const ku = ext.getExtension(x509.KeyUsagesExtension);
    expect([ku?.usages, ku?.critical]).toEqual([x509.KeyUsageFlags.digitalSignature, true]);
    expect(ext.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(ca.keyIdHex);
    const ski = ext.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(ski).toMatch(/^[0-9a-f]{40}$/);
    expect(ski).not.toBe(ca.keyIdHex);
  });

  it('takes the subject from the caller, never from the CSR: a request asking to be admin of another cluster gets what the token granted', async () => {
    const keys = await generateKeyPair();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: ['evil'] }, { OU: ['admin'] }, { O: ['cluster-b'] }],
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'victim.example.org' }]), new x509.BasicConstraintsExtension(true)],
    });
    const { certPem } = await issueNodeCertificate(ca, { ...params({ ips: [] }), csrPem: csr.toString('pem') });
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('CN=node-1\nOU=worker\nO=cluster-a');
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.ca).toBe(false);
  });

  it('never outlives the CA: the certificate ends when the CA does', async () => {
    const short = (await testRootCa('cluster-a', T0_MS, 30 * DAY_MS)).ca;
    const { certPem } = await issueWithNewKey(short, params());
    expect(new X509Certificate(certPem).validToDate.getTime()).toBe(short.notAfterMs);
  });

  it('refuses a CSR whose signature does not verify: altered, or signed by a key other than the one it carries', async () => {
    const { csrPem } = await createNodeKeyAndCsr();
    // The last byte is the end of the ECDSA signature's s: the request still parses.
    const altered = await refusal(issueNodeCertificate(ca, { ...params(), csrPem: withByteFlipped(csrPem, 1) }));
    expect([altered.code, altered.message]).toEqual(['ca.bad_csr', 'certificate request: its signature does not verify with its own key (altered, or not signed by the key it carries)']);

    const [carried, signer] = [await generateKeyPair(), await generateKeyPair()];
    const forged = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=x', keys: { publicKey: carried.publicKey, privateKey: signer.privateKey }, signingAlgorithm: SIGNING_ALGORITHM });
    expect((await refusal(issueNodeCertificate(ca, { ...params(), csrPem: forged.toString('pem') }))).code).toBe('ca.bad_csr');
  });

  it('refuses what is not a P-256 CSR: other text, a certificate, garbage inside the PEM lines, an oversized request', async () => {
    const { csrPem } = await createNodeKeyAndCsr();
    const msg = async (text: string): Promise<string> => (await refusal(issueNodeCertificate(ca, { ...params(), csrPem: text }))).message;
    expect(await msg('hello')).toBe('certificate request: not a PEM certificate request (no BEGIN CERTIFICATE REQUEST line)');
    expect(await msg(ca.certPem)).toBe('certificate request: not a PEM certificate request (no BEGIN CERTIFICATE REQUEST line)');
    expect(await msg('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n')).toMatch(/^certificate request: cannot be read \(/);
    expect(await msg(csrPem + ' '.repeat(CSR_PEM_CHARS_MAX))).toBe(`certificate request: must be PEM text of at most ${CSR_PEM_CHARS_MAX} characters`);
    const p384 = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=x',
      keys: await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
    });
    expect(await msg(p384.toString('pem'))).toBe('certificate request: its key is ECDSA on P-384; Shoal certificates take ECDSA P-256 keys');
  });

  it('refuses parameters that cannot go into the certificate, naming the field', async () => {
    const { csrPem } = await createNodeKeyAndCsr();
    const msg = async (over: Partial<NodeCertificateParams>): Promise<string> => (await refusal(issueNodeCertificate(ca, { ...params(over), csrPem }))).message;
    expect(await msg({ nodeId: 'a\nOU=admin' })).toMatch(/^nodeId: must be 1 to 64 characters/);
    expect(await msg({ role: 'root' as 'admin' })).toBe('role: must be one of manager, worker, admin');
    expect(await msg({ clusterId: 'cluster-b' })).toBe('clusterId: cluster-b is not the cluster of this CA (cluster-a)');
    expect(await msg({ ips: ['10.0.0.1', '10.0.0.256'] })).toBe('ips[1]: "10.0.0.256" is not an IPv4 or IPv6 address');
    expect(await msg({ ips: ['fe80::1%eth0'] })).toBe('ips[0]: "fe80::1%eth0" is not an IPv4 or IPv6 address');
    expect(await msg({ dnsNames: ['-bad.example'] })).toMatch(/^dnsNames\[0\]: "-bad.example" is not a DNS name/);
    expect(await msg({ ips: Array.from({ length: SAN_ENTRIES_MAX + 1 }, (_, i) => `10.0.${i}.1`) })).toBe(`ips and dnsNames: ${SAN_ENTRIES_MAX + 1} names, at most ${SAN_ENTRIES_MAX}`);
    expect(await msg({ validityMs: -1 })).toBe('validityMs: must be a positive whole number of milliseconds, got -1');
    const late = T0_MS + 21 * 365 * DAY_MS;
    expect(await msg({ nowMs: late })).toBe('root CA is not valid at 2046-12-27T00:00:00.000Z (valid from 2025-12-31T23:59:00.000Z to 2045-12-27T00:00:00.000Z)');
  });
});

describe('issueWithNewKey', () => {
  it('makes a key and its certificate (the admin bundle: no names unless asked)', async () => {
    const admin = await issueWithNewKey(ca, params({ nodeId: 'admin-1', role: 'admin', ips: [] }));
    const cert = new X509Certificate(admin.certPem);
    expect(cert.checkPrivateKey(createPrivateKey(admin.keyPem))).toBe(true);
    expect(cert.subject).toBe('CN=admin-1\nOU=admin\nO=cluster-a');
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.verify(caCert.publicKey)).toBe(true);
  });
});

describe("a manager's Raft member id", () => {
  it('is written as a URI SAN on a manager certificate and read back by peerIdentity; refused elsewhere', async () => {
    const { peerIdentity } = await import('./identity.js');
    const m = await issueWithNewKey(ca, params({ role: 'manager', raftId: 4_000_000_001, dnsNames: ['manager.shoal'] }));
    expect(new X509Certificate(m.certPem).subjectAltName).toBe('IP Address:10.0.0.7, DNS:manager.shoal, URI:urn:shoal:raft:4000000001');
    expect(peerIdentity(m.certPem)).toMatchObject({ nodeId: 'node-1', role: 'manager', raftId: 4_000_000_001 });
    expect(peerIdentity((await issueWithNewKey(ca, params())).certPem).raftId).toBeUndefined();
    expect((await refusal(issueWithNewKey(ca, params({ role: 'worker', raftId: 7 })))).code).toBe('ca.bad_raft_id');
    expect((await refusal(issueWithNewKey(ca, params({ role: 'manager', raftId: 0 })))).code).toBe('ca.bad_raft_id');
  });
});
