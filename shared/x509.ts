// The one place @peculiar/x509 is set up. The library reads decorator metadata when its modules
// load, so reflect-metadata must be imported first; and it signs through WebCrypto, which it is
// handed here (Node's own), so every certificate and request Shoal makes goes through OpenSSL.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

// Node's webcrypto is the standard Crypto; only the DOM and Node typings name it differently.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** Every key Shoal makes or accepts, and how it signs: ECDSA on P-256 with SHA-256. */
export const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A new P-256 key pair whose private half can be exported (to be written as key.pem). */
export function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** A private key as PKCS#8 PEM ("PRIVATE KEY"), the form readTlsDir and Node's TLS read. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * A serial number: 16 bytes from the CSPRNG with the top byte in 0x40..0x7f, so it is positive
 * and always 16 bytes long in DER (a leading 0x00 would be a non-minimal INTEGER, which OpenSSL
 * refuses) and keeps 126 random bits (the CA/Browser Forum asks public CAs for at least 64).
 */
export function randomSerialHex(): string {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x3f) | 0x40;
  return serial.toString('hex');
}
