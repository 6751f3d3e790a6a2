// A node's TLS folder as the daemons read it (shared/tls-dir.ts): ca.pem, cert.pem, key.pem in a
// folder that is root's alone. Written when a node joins and each time its certificate is renewed.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { invalidArgument, oneLine } from './errors.js';
import { mkdirPrivate, PRIVATE_FILE_MODE, writeFileAtomic } from './fs-modes.js';
import { TLS_DIR_FILES } from './tls-dir.js';

export interface Bundle {
  readonly caPem: string | Buffer;
  readonly certPem: string | Buffer;
  readonly keyPem: string | Buffer;
}

/**
 * Writes the bundle into `dir` (made 0700 with its parents when missing), each file 0600, whole
 * or not at all (shared/fs-modes writeFileAtomic: temp file, fsync, rename, fsync of the folder).
 * The three are checked first, as readTlsDir will check them (the key is the certificate's, the
 * CA signed it), so a bad bundle is refused in one line and writes nothing.
 *
 * The files are replaced one after the other, so the three together are not atomic: a crash
 * between the key's rename and the certificate's leaves a new key beside the old certificate,
 * which readTlsDir refuses at the next start ("key.pem is not the key of cert.pem"), and the
 * node must join again. Renewal that keeps both pairs until the new one is whole is for the
 * renewal loop (DESIGN.md, "Left").
 */
export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  checkBundle(bundle);
  await mkdirPrivate(dir);
  await writeFileAtomic(join(dir, TLS_DIR_FILES.ca), bundle.caPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(join(dir, TLS_DIR_FILES.key), bundle.keyPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(join(dir, TLS_DIR_FILES.cert), bundle.certPem, PRIVATE_FILE_MODE);
}

function checkBundle(bundle: Bundle): void {
  const read = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw invalidArgument('ca.bad_bundle', `TLS bundle: ${name} is not a PEM ${name === TLS_DIR_FILES.key ? 'private key' : 'certificate'} (${oneLine(err)})`, { cause: err });
    }
  };
  const ca = read(TLS_DIR_FILES.ca, () => new X509Certificate(bundle.caPem));
  const cert = read(TLS_DIR_FILES.cert, () => new X509Certificate(bundle.certPem));
  const key = read(TLS_DIR_FILES.key, () => createPrivateKey(bundle.keyPem));
  if (!cert.checkPrivateKey(key)) throw invalidArgument('ca.bad_bundle', 'TLS bundle: the key is not the key of the certificate');
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw invalidArgument('ca.bad_bundle', 'TLS bundle: the certificate is not signed by the CA');
}
