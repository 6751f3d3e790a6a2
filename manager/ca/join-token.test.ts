// The CA fingerprint and join tokens: format, pinning, and refusals that never show the secret.

import { X509Certificate, createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { caFingerprint, caFingerprintHex, FINGERPRINT_BASE36_CHARS } from '../../shared/ca-fingerprint.js';
import { JOIN_SECRET_CHARS, JOIN_TOKEN_CHARS, JOIN_TOKEN_TEXT_CHARS_MAX, newJoinToken, parseJoinToken, secretMatches, tokenMatchesCa } from '../../shared/join-token.js';
import { testRootCa, type TestRootCa } from './testing.js';

let ours: TestRootCa;
let theirs: TestRootCa;
beforeAll(async () => {
  [ours, theirs] = [await testRootCa('cluster-a'), await testRootCa('cluster-a')];
});

describe('caFingerprint', () => {
  it('is the SHA-256 of the certificate’s DER: 50 lowercase base36 characters for tokens, sha256:<hex> for people', () => {
    const der = new X509Certificate(ours.pem.certPem).raw;
    const hex = createHash('sha256').update(der).digest('hex');
    expect(caFingerprintHex(ours.pem.certPem)).toBe(`sha256:${hex}`);
    // The hex form is what openssl and Node print, without the colons.
    expect(caFingerprintHex(ours.pem.certPem)).toBe(`sha256:${new X509Certificate(der).fingerprint256.replaceAll(':', '').toLowerCase()}`);
    const b36 = caFingerprint(ours.pem.certPem);
    expect(b36).toMatch(/^[0-9a-z]{50}$/);
    expect(BigInt(`0x${hex}`)).toBe([...b36].reduce((n, c) => n * 36n + BigInt(parseInt(c, 36)), 0n));
    expect(caFingerprint(der)).toBe(b36);
    expect(caFingerprint(theirs.pem.certPem)).not.toBe(b36);
  });
});

describe('join tokens', () => {
  it('are SHOAL-1-<fingerprint>-<secret>, a fresh 128-bit secret each time, pinning their CA', () => {
    const token = newJoinToken(ours.pem.certPem);
    expect(token).toMatch(new RegExp(`^SHOAL-1-[0-9a-z]{${FINGERPRINT_BASE36_CHARS}}-[0-9a-z]{${JOIN_SECRET_CHARS}}$`));
    expect(token).toHaveLength(JOIN_TOKEN_CHARS);
    const { fingerprint, secret } = parseJoinToken(`${token}\n`);
    expect(fingerprint).toBe(caFingerprint(ours.pem.certPem));
    expect(parseJoinToken(newJoinToken(ours.pem.certPem)).secret).not.toBe(secret);
    expect(tokenMatchesCa(token, ours.pem.certPem)).toBe(true);
    // Another CA for the same cluster id has another fingerprint: the token does not pin it.
    expect(tokenMatchesCa(token, theirs.pem.certPem)).toBe(false);
    expect(tokenMatchesCa(parseJoinToken(token), theirs.pem.certPem)).toBe(false);
  });

  it('refuses every malformed form in one line naming the part, never containing the secret nor the token', () => {
    const fp = caFingerprint(ours.pem.certPem);
    const secret = 'q7zq7zq7zq7zq7zq7zq7zq7zq'; // 25 characters, recognisable in a message
    const cases: [string, string][] = [
      ['', 'join token: empty'],
      [`SHOAL1-${fp}-${secret}`, 'join token: does not start with SHOAL-'],
      [`shoal-1-${fp}-${secret}`, 'join token: does not start with SHOAL-'],
      [`SWMTKN-1-${fp}-${secret}`, 'join token: does not start with SHOAL- (this is a Docker swarm token)'],
      [`SHOAL-1-${fp}${secret}`, "join token: has 3 parts separated by '-', expected 4 (SHOAL-1-<fingerprint>-<secret>)"],
      [`SHOAL-1-${fp}-${secret}-x`, "join token: has 5 parts separated by '-', expected 4 (SHOAL-1-<fingerprint>-<secret>)"],
      [`SHOAL-2-${fp}-${secret}`, 'join token: version 2 is not one this Shoal reads (it reads version 1)'],
      [`SHOAL-${secret}-${fp}-${secret}`, 'join token: its version is not a number (it reads version 1)'],
      [`SHOAL-1-${fp.slice(1)}-${secret}`, 'join token: the CA fingerprint has 49 characters, expected 50'],
      [`SHOAL-1-${fp.toUpperCase()}-${secret}`, 'join token: the CA fingerprint has characters other than 0-9 and a-z'],
      [`SHOAL-1-${'z'.repeat(50)}-${secret}`, 'join token: the CA fingerprint is larger than 256 bits'],
      [`SHOAL-1-${fp}-${secret}q`, 'join token: the secret has 26 characters, expected 25'],
      [`SHOAL-1-${fp}-${secret.slice(1)}`, 'join token: the secret has 24 characters, expected 25'],
      [`SHOAL-1-${fp}-${secret.slice(1)}_`, 'join token: the secret has characters other than 0-9 and a-z'],
      [`SHOAL-1-${fp}-${secret.slice(1)}Q`, 'join token: the secret has characters other than 0-9 and a-z'],
      [`SHOAL-1-${fp}-${'z'.repeat(25)}`, 'join token: the secret is larger than 128 bits'],
      [`SHOAL-1-${fp}-${secret}${' '.repeat(JOIN_TOKEN_TEXT_CHARS_MAX)}`, `join token: ${JOIN_TOKEN_CHARS + JOIN_TOKEN_TEXT_CHARS_MAX} characters; a token has ${JOIN_TOKEN_CHARS}`],
    ];
    for (const [text, message] of cases) {
      let err: unknown;
      try {
        parseJoinToken(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ShoalError);
      const e = err as ShoalError;
      expect([e.code, e.message], text).toEqual(['ca.bad_join_token', message]);
      expect(e.message).not.toContain(secret.slice(1, 21));
      expect(e.message).not.toContain(fp.slice(0, 20));
      expect(JSON.stringify(e.fields)).not.toContain(secret.slice(1, 21));
    }
    expect(() => tokenMatchesCa(`SHOAL-1-${fp}-${secret.slice(1)}`, ours.pem.certPem)).toThrow('join token: the secret has 24 characters, expected 25');
  });
});

describe('secretMatches', () => {
  it('is true for the same secret only, whatever the lengths', () => {
    const { secret } = parseJoinToken(newJoinToken(ours.pem.certPem));
    expect(secretMatches(secret, secret)).toBe(true);
    expect(secretMatches(parseJoinToken(newJoinToken(ours.pem.certPem)).secret, secret)).toBe(false);
    expect(secretMatches(secret.slice(0, -1), secret)).toBe(false);
    expect(secretMatches('', secret)).toBe(false);
  });
});
