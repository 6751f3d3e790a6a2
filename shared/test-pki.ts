// Certificates for tests: a throwaway CA and the leaf certificates it signs, made by `openssl`
// (Debian), for mutual TLS between Shoal's gRPC servers and clients on loopback. Test support
// only: the control-plane issue brings the cluster's own CA.

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';
import type { TlsMaterial } from './grpc.js';

export interface TestCa {
  readonly caPem: Buffer;
  /**
   * A key and a certificate for `name`, valid for 127.0.0.1 and localhost, as server and as
   * client; `subject` (`/CN=n1/OU=manager/O=c1`, Shoal's layout) replaces `/CN=name`.
   */
  issue(name: string, subject?: string): Promise<TlsMaterial>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A new CA whose files live in `dir` (which the caller removes). */
export async function testCa(dir: string, name = 'shoal-test-ca'): Promise<TestCa> {
  const caKey = join(dir, `${name}.key`);
  const caCert = join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '1', '-subj', `/CN=${name}`]);
  const caPem = await readFile(caCert);
  return {
    caPem,
    issue: async (leaf, subject) => {
      const key = join(dir, `${leaf}.key`);
      const csr = join(dir, `${leaf}.csr`);
      const cert = join(dir, `${leaf}.crt`);
      const ext = join(dir, `${leaf}.ext`);
      await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
      await run('openssl', ['req', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', subject ?? `/CN=${leaf}`]);
      // A random serial for each: a serial file (-CAcreateserial) is read and rewritten by every
      // signing, and certificates issued at the same time raced on it.
      const serial = randomBytes(16);
      serial[0] = (serial[0] as number) & 0x7f;
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${serial.toString('hex')}`, '-out', cert, '-days', '1', '-extfile', ext]);
      return { caPem, certPem: await readFile(cert), keyPem: await readFile(key) };
    },
  };
}
