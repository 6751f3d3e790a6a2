// The cluster's root CA: made once at `shoal manager init`, its certificate handed to every node
// (pinned by the join token's fingerprint) and its key kept by the managers, which sign node
// certificates with it. Self-signed and the only CA of the chain: a node certificate is issued
// by it directly, so pathLen 0 forbids any intermediate.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { invalidArgument, oneLine } from '../../shared/errors.js';
import { checkCertId, rootSubject, ROOT_CA_COMMON_NAME } from './subject.js';
import { generateKeyPair, privateKeyPem, randomSerialHex, SIGNING_ALGORITHM, EC_KEY_ALGORITHM, x509, type CryptoKey } from '../../shared/x509.js';
import { checkNowMs, checkValidityMs, DAY_MS, validityWindow } from './time.js';

/** How long a root CA is valid: 20 years of 365 days (swarmkit's figure), so a cluster never meets its end in practice. */
export const ROOT_CA_VALIDITY_MS = 20 * 365 * DAY_MS;

export interface RootCaPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A loaded root CA: what signing a node certificate needs. */
export interface RootCa {
  readonly certPem: string;
  /** Parsed once, for checks (node:crypto's, which is native and fast). */
  readonly cert: X509Certificate;
  /** The cluster the CA serves: its subject's O. */
  readonly clusterId: string;
  readonly notAfterMs: number;
  /** The CA's own certificate as @peculiar/x509 reads it: its subject is every issued certificate's issuer, byte for byte. */
  readonly issuer: x509.X509Certificate;
  /** Its subject key identifier (hex), which every issued certificate names as its authority key. */
  readonly keyIdHex: string;
  readonly signingKey: CryptoKey;
}

export interface CreateRootCaOptions {
  readonly clusterId: string;
  /** Wall-clock milliseconds since the epoch (Clock#wallMs). */
  readonly nowMs: number;
  readonly validityMs?: number;
}

/**
 * A new self-signed root CA: ECDSA P-256 key, CN=shoal-root-ca, O=<clusterId>, valid from one
 * clock-skew allowance before `nowMs` for `validityMs`. The serial comes from node:crypto's
 * CSPRNG (not injected: keys and ECDSA signatures are random anyway, so a certificate is never
 * reproducible and tests check what it says, not its bytes).
 */
export async function createRootCa(options: CreateRootCaOptions): Promise<RootCaPem> {
  const clusterId = checkCertId(options.clusterId, 'clusterId');
  const nowMs = checkNowMs(options.nowMs);
  const validityMs = checkValidityMs(options.validityMs ?? ROOT_CA_VALIDITY_MS);
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: rootSubject(clusterId),
    ...validityWindow(nowMs, validityMs),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

const badRoot = (what: string, cause?: unknown): Error =>
  invalidArgument('ca.bad_root', `root CA: ${what}`, cause === undefined ? undefined : { cause });

/**
 * Reads a root CA from its PEM files and checks that it can serve: a self-signed CA certificate
 * allowed to sign certificates, whose subject is Shoal's (CN=shoal-root-ca, O=<cluster id>), with
 * an ECDSA P-256 key that is `keyPem`. Each refusal is one line naming what is wrong.
 */
export async function loadRootCa(certPem: string | Buffer, keyPem: string | Buffer): Promise<RootCa> {
  const cert = parse('certificate is not a PEM certificate', () => new X509Certificate(certPem));
  const key = parse('key is not a PEM private key', () => createPrivateKey(keyPem));
  checkP256(key);
  if (!cert.checkPrivateKey(key)) throw badRoot('the key is not the key of the certificate');
  if (!cert.ca) throw badRoot('the certificate is not a CA certificate (no basicConstraints CA:TRUE)');
  if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) throw badRoot('the certificate is not self-signed (Shoal takes a root CA, not an intermediate)');
  const issuer = new x509.X509Certificate(cert.raw);
  const usage = issuer.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) throw badRoot('its key usage does not allow signing certificates (keyCertSign)');
  const clusterId = clusterIdOf(issuer);
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyIdHex = ski?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(issuer.publicKey)).keyId;
  const signingKey = key.toCryptoKey(EC_KEY_ALGORITHM, false, ['sign']);
  return { certPem: cert.toString(), cert, clusterId, notAfterMs: cert.validToDate.getTime(), issuer, keyIdHex, signingKey };
}

function parse<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw badRoot(`${what} (${oneLine(err)})`, err);
  }
}

function checkP256(key: KeyObject): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw badRoot(`the key is ${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` on ${curve}`}; Shoal's CA signs with ECDSA P-256`);
  }
}

function clusterIdOf(cert: x509.X509Certificate): string {
  const cn = cert.subjectName.getField('CN');
  const o = cert.subjectName.getField('O');
  if (cn.length !== 1 || cn[0] !== ROOT_CA_COMMON_NAME || o.length !== 1) {
    throw badRoot(`its subject is not CN=${ROOT_CA_COMMON_NAME}, O=<cluster id>`);
  }
  return checkCertId(o[0] as string, 'root CA subject O');
}
