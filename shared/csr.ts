// The joining node's side of a certificate: its own key, which never leaves it, and a request
// (CSR) the cluster's CA signs (manager/ca/issue.ts decides what the certificate says).

import { generateKeyPair, privateKeyPem, SIGNING_ALGORITHM, x509 } from './x509.js';

export interface KeyAndCsr {
  readonly keyPem: string;
  readonly csrPem: string;
}

/**
 * On the joining node: a new P-256 key and a CSR signed with it. Its subject is a placeholder the
 * CA ignores (the node does not know its id before the CA tells it).
 */
export async function createNodeKeyAndCsr(): Promise<KeyAndCsr> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: ['shoal-node'] }], keys, signingAlgorithm: SIGNING_ALGORITHM });
  return { keyPem: await privateKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}
