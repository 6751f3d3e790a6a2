// Join tokens: `SHOAL-1-<CA fingerprint>-<secret>`, after swarmkit's SWMTKN-1. The fingerprint
// (SHA-256 of the root CA certificate, 50 base36 characters) lets a joining node pin the CA it
// is handed by a manager it does not trust yet; the secret (128 random bits, 25 base36
// characters) is what the manager checks to grant a role — one secret for workers, another for
// managers. The fingerprint is public; the secret is a password: no message here ever contains
// it, nor any part of a token that failed to parse (a token pasted into the wrong field must not
// end up in a log).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from './errors.js';
import { caFingerprint, FINGERPRINT_BASE36_CHARS, toBase36 } from './ca-fingerprint.js';

export const JOIN_TOKEN_PREFIX = 'SHOAL';
export const JOIN_TOKEN_VERSION = 1;
/** Random bytes in a secret: 128 bits. */
export const JOIN_SECRET_BYTES = 16;
/** Characters of a secret in base36: 36^25 > 2^128 > 36^24. */
export const JOIN_SECRET_CHARS = 25;
/** `SHOAL-1-` + fingerprint + `-` + secret. */
export const JOIN_TOKEN_CHARS = JOIN_TOKEN_PREFIX.length + 3 + FINGERPRINT_BASE36_CHARS + 1 + JOIN_SECRET_CHARS;
/** Longest text parseJoinToken looks into; anything longer is not a token and is refused unread. */
export const JOIN_TOKEN_TEXT_CHARS_MAX = 1024;

export interface JoinToken {
  readonly fingerprint: string;
  readonly secret: string;
}

/** A new token for the CA `caCertPem`, with a fresh secret from node:crypto's CSPRNG. */
export function newJoinToken(caCertPem: string | Buffer): string {
  return formatJoinToken({ fingerprint: caFingerprint(caCertPem), secret: toBase36(randomBytes(JOIN_SECRET_BYTES), JOIN_SECRET_CHARS) });
}

export function formatJoinToken(token: JoinToken): string {
  return `${JOIN_TOKEN_PREFIX}-${JOIN_TOKEN_VERSION}-${token.fingerprint}-${token.secret}`;
}

const BASE36 = /^[0-9a-z]*$/;
const badToken = (what: string, part: string): Error => invalidArgument('ca.bad_join_token', `join token: ${what}`, { fields: { part } });

/**
 * The parts of a token. Surrounding whitespace (a token read from a file) is ignored; anything
 * else malformed is refused in one line that names the part and never quotes the token.
 */
export function parseJoinToken(text: string): JoinToken {
  if (text.length > JOIN_TOKEN_TEXT_CHARS_MAX) throw badToken(`${text.length} characters; a token has ${JOIN_TOKEN_CHARS}`, 'token');
  const token = text.trim();
  if (token.length === 0) throw badToken('empty', 'token');
  const parts = token.split('-');
  if (parts[0] !== JOIN_TOKEN_PREFIX) {
    const hint = parts[0] === 'SWMTKN' ? ' (this is a Docker swarm token)' : '';
    throw badToken(`does not start with ${JOIN_TOKEN_PREFIX}-${hint}`, 'prefix');
  }
  if (parts.length !== 4) throw badToken(`has ${parts.length} parts separated by '-', expected 4 (${JOIN_TOKEN_PREFIX}-${JOIN_TOKEN_VERSION}-<fingerprint>-<secret>)`, 'token');
  const [, version, fingerprint, secret] = parts as [string, string, string, string];
  if (version !== String(JOIN_TOKEN_VERSION)) {
    const shown = /^[0-9]{1,4}$/.test(version) ? `version ${version} is not one this Shoal reads` : 'its version is not a number';
    throw badToken(`${shown} (it reads version ${JOIN_TOKEN_VERSION})`, 'version');
  }
  checkBase36(fingerprint, 'CA fingerprint', FINGERPRINT_BASE36_CHARS, 256);
  checkBase36(secret, 'secret', JOIN_SECRET_CHARS, JOIN_SECRET_BYTES * 8);
  return { fingerprint, secret };
}

function checkBase36(value: string, what: string, chars: number, bits: number): void {
  if (value.length !== chars) throw badToken(`the ${what} has ${value.length} characters, expected ${chars}`, what);
  if (!BASE36.test(value)) throw badToken(`the ${what} has characters other than 0-9 and a-z`, what);
  if (parseBase36(value) >= 1n << BigInt(bits)) throw badToken(`the ${what} is larger than ${bits} bits`, what);
}

function parseBase36(value: string): bigint {
  let n = 0n;
  for (const c of value) n = n * 36n + BigInt(parseInt(c, 36));
  return n;
}

/** Whether the token pins this CA: its fingerprint is the CA certificate's. Throws on a malformed token. */
export function tokenMatchesCa(token: string | JoinToken, caCertPem: string | Buffer): boolean {
  const parsed = typeof token === 'string' ? parseJoinToken(token) : token;
  return parsed.fingerprint === caFingerprint(caCertPem);
}

/**
 * Whether a presented secret is the expected one, in time independent of where they differ:
 * both are hashed first, so timingSafeEqual always compares 32 bytes whatever their lengths
 * (which therefore do not leak either).
 */
export function secretMatches(presented: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
