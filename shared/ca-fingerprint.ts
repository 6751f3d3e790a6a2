// The CA's fingerprint: SHA-256 of its certificate's DER. A join token carries it in base36 so
// that the joining node can pin the CA it is handed before trusting anything signed by it; people
// see it as `sha256:<hex>`, the form `openssl x509 -fingerprint -sha256` prints (without colons).

import { X509Certificate, createHash } from 'node:crypto';
import { invalidArgument, oneLine } from './errors.js';

/** Characters of a SHA-256 digest in base36: 36^50 > 2^256 > 36^49. */
export const FINGERPRINT_BASE36_CHARS = 50;

/** A certificate given as PEM (string or bytes) or DER; refused in one line naming `what`. */
export function readCertificate(cert: string | Buffer, what = 'CA certificate'): X509Certificate {
  try {
    return new X509Certificate(cert);
  } catch (err) {
    throw invalidArgument('ca.bad_certificate', `${what}: not a PEM or DER certificate (${oneLine(err)})`, { cause: err });
  }
}

function digest(certPem: string | Buffer): Buffer {
  return createHash('sha256').update(readCertificate(certPem).raw).digest();
}

/** Lowercase base36 of the digest, zero-padded to 50 characters: the token's form. */
export function caFingerprint(certPem: string | Buffer): string {
  return toBase36(digest(certPem), FINGERPRINT_BASE36_CHARS);
}

/** `sha256:<64 lowercase hex>`: the form shown to people. */
export function caFingerprintHex(certPem: string | Buffer): string {
  return `sha256:${digest(certPem).toString('hex')}`;
}

/** Bytes as a big-endian number in lowercase base36, zero-padded to `chars`. */
export function toBase36(bytes: Buffer, chars: number): string {
  const n = bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
  return n.toString(36).padStart(chars, '0');
}
