// The root CA: what its certificate says, and what loadRootCa refuses.

import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { issueWithNewKey } from './issue.js';
import { createRootCa, loadRootCa, ROOT_CA_VALIDITY_MS } from './root-ca.js';
import { testRootCa, T0_MS } from './testing.js';
import { CLOCK_SKEW_ALLOWANCE_MS } from './time.js';
import { x509 } from '../../shared/x509.js';

async function refusal(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  expect((err as ShoalError).message).not.toContain('\n');
  return err as ShoalError;
}

describe('createRootCa', () => {
  it('makes a self-signed P-256 CA for the cluster: CA:true pathLen 0 and keyCertSign|cRLSign, both critical, valid 20 years from a minute before now', async () => {
    const { pem, ca } = await testRootCa('cluster-a');
    const cert = new X509Certificate(pem.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=shoal-root-ca\nO=cluster-a');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(createPrivateKey(pem.keyPem))).toBe(true);
    expect(cert.validFromDate.getTime()).toBe(T0_MS - CLOCK_SKEW_ALLOWANCE_MS);
    expect(cert.validToDate.getTime()).toBe(T0_MS + ROOT_CA_VALIDITY_MS);
    expect(ca.clusterId).toBe('cluster-a');

    const ext = new x509.X509Certificate(pem.certPem);
    expect(ext.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    const bc = ext.getExtension(x509.BasicConstraintsExtension);
    expect([bc?.ca, bc?.pathLength, bc?.critical]).toEqual([true, 0, true]);
    const ku = ext.getExtension(x509.KeyUsagesExtension);
    expect([ku?.usages, ku?.critical]).toEqual([x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true]);
    // A positive 16-byte serial, different for each CA.
    expect(cert.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    const other = await createRootCa({ clusterId: 'cluster-a', nowMs: T0_MS });
    expect(new X509Certificate(other.certPem).serialNumber).not.toBe(cert.serialNumber);
  });

  it('refuses a cluster id that cannot go into a subject, and a validity that is not a positive duration', async () => {
    expect((await refusal(createRootCa({ clusterId: 'a,O=b', nowMs: T0_MS }))).message).toMatch(/^clusterId: must be 1 to 64 characters/);
    expect((await refusal(createRootCa({ clusterId: 'c', nowMs: T0_MS, validityMs: 0 }))).message).toBe('validityMs: must be a positive whole number of milliseconds, got 0');
  });
});

describe('loadRootCa refuses, in one line naming what is wrong', () => {
  it('a key that is not the certificate’s', async () => {
    const [a, b] = [await testRootCa(), await testRootCa()];
    const err = await refusal(loadRootCa(a.pem.certPem, b.pem.keyPem));
    expect([err.code, err.message]).toEqual(['ca.bad_root', 'root CA: the key is not the key of the certificate']);
  });

  it('a node certificate in place of the CA’s', async () => {
    const { ca } = await testRootCa();
    const leaf = await issueWithNewKey(ca, { nodeId: 'n1', role: 'manager', clusterId: 'cluster-a', ips: [], nowMs: T0_MS });
    expect((await refusal(loadRootCa(leaf.certPem, leaf.keyPem))).message).toBe('root CA: the certificate is not a CA certificate (no basicConstraints CA:TRUE)');
  });

  it('an RSA key, and text that is not PEM', async () => {
    const { pem } = await testRootCa();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect((await refusal(loadRootCa(pem.certPem, rsa))).message).toBe("root CA: the key is rsa; Shoal's CA signs with ECDSA P-256");
    expect((await refusal(loadRootCa('not a certificate', pem.keyPem))).message).toMatch(/^root CA: certificate is not a PEM certificate \(/);
    expect((await refusal(loadRootCa(pem.certPem, 'not a key'))).message).toMatch(/^root CA: key is not a PEM private key \(/);
  });
});
