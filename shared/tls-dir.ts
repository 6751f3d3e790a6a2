// Mutual TLS material from a folder, as the daemons take it: DIR/ca.pem (the CA every peer's
// certificate must come from), DIR/cert.pem and DIR/key.pem (this process's own). Checked when
// read, so that a wrong file is one clear line at start-up instead of a handshake failure later.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument, oneLine } from './errors.js';
import type { TlsMaterial } from './grpc.js';

export const TLS_DIR_FILES = { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } as const;

export async function readTlsDir(dir: string, what = '--tls-dir'): Promise<TlsMaterial> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, name));
    } catch (err) {
      throw invalidArgument('config.invalid', `${what} ${dir}: cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? oneLine(err)})`, { cause: err });
    }
  };
  // Read one after the other, so that the file named when several are missing is always the first.
  const caPem = await read(TLS_DIR_FILES.ca);
  const certPem = await read(TLS_DIR_FILES.cert);
  const keyPem = await read(TLS_DIR_FILES.key);
  const parse = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw invalidArgument('config.invalid', `${what} ${dir}: ${name} is not a PEM ${name === TLS_DIR_FILES.key ? 'private key' : 'certificate'} (${oneLine(err)})`, { cause: err });
    }
  };
  const ca = parse(TLS_DIR_FILES.ca, () => new X509Certificate(caPem));
  const cert = parse(TLS_DIR_FILES.cert, () => new X509Certificate(certPem));
  const key = parse(TLS_DIR_FILES.key, () => createPrivateKey(keyPem));
  if (!cert.checkPrivateKey(key)) throw invalidArgument('config.invalid', `${what} ${dir}: key.pem is not the key of cert.pem`);
  if (!cert.verify(ca.publicKey)) throw invalidArgument('config.invalid', `${what} ${dir}: cert.pem is not signed by ca.pem`);
  return { caPem, certPem, keyPem };
}
