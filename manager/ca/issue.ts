// Node certificates. A joining node makes its own key and sends only a certificate request (CSR),
// so its private key never leaves the host; the CA checks the request's signature (proof that the
// sender holds the key) and signs a certificate whose subject and names come from the CA's
// caller — what the join token granted — and never from the request's subject or extensions.

import { isIP } from 'node:net';
import { failedPrecondition, invalidArgument, oneLine } from '../../shared/errors.js';
import type { RootCa } from './root-ca.js';
import { checkCertId, checkRole, nodeSubject, type Role } from './subject.js';
import { checkNowMs, checkValidityMs, DAY_MS, validityWindow } from './time.js';
import { generateKeyPair, privateKeyPem, randomSerialHex, SIGNING_ALGORITHM, x509, type CryptoKey } from '../../shared/x509.js';

/** How long a node certificate is valid: 90 days (swarmkit's default); renewed well before (renewal.ts). */
export { createNodeKeyAndCsr, type KeyAndCsr } from '../../shared/csr.js';

export const NODE_CERT_VALIDITY_MS = 90 * DAY_MS;
/** Most subject alternative names (IPs and DNS names together) on one certificate. */
export const SAN_ENTRIES_MAX = 32;
/** Longest CSR accepted, in characters: a P-256 request is under 600; this bounds what an unauthenticated joiner can make the CA parse. */
export const CSR_PEM_CHARS_MAX = 16 * 1024;
/** Longest DNS name (RFC 1035). */
export const DNS_NAME_CHARS_MAX = 253;

/** What the certificate will say, decided by the CA's caller. */
export interface NodeCertificateParams {
  readonly nodeId: string;
  readonly role: Role;
  readonly clusterId: string;
  /** IP SANs, IPv4 or IPv6: the addresses peers dial this node at. 127.0.0.1 only if given. */
  readonly ips: readonly string[];
  /** DNS SANs; `localhost` only if given. */
  readonly dnsNames?: readonly string[];
  /**
   * A manager's Raft member id, written as the URI SAN `urn:shoal:raft:<id>` (RAFT_ID_URI): the
   * Raft transport checks a message's sender against it.
   */
  readonly raftId?: number;
  /** Wall-clock milliseconds since the epoch (Clock#wallMs). */
  readonly nowMs: number;
  readonly validityMs?: number;
}

/** The URI SAN that names a manager's Raft member id. */
export const RAFT_ID_URI = 'urn:shoal:raft:';

export interface IssuedCertificate {
  readonly certPem: string;
  /** When it expires (the CA's own expiry at the latest). */
  readonly notAfterMs: number;
}

/**
 * Signs a node's certificate for the key in `csrPem`. Refused in one line: a CSR that is not one,
 * whose signature does not verify or whose key is not P-256; a parameter that cannot go into a
 * certificate; a cluster id other than the CA's; a CA not valid at `nowMs`.
 */
export async function issueNodeCertificate(ca: RootCa, request: NodeCertificateParams & { readonly csrPem: string }): Promise<IssuedCertificate> {
  const params = checkParams(ca, request);
  const publicKey = await verifiedCsrKey(request.csrPem);
  return sign(ca, publicKey, params);
}

/**
 * A key and its certificate in one go, for what the CA makes for itself: the first manager's
 * certificate at `init` and the admin bundle of the CLI.
 */
export async function issueWithNewKey(ca: RootCa, params: NodeCertificateParams): Promise<IssuedCertificate & { readonly keyPem: string }> {
  const checked = checkParams(ca, params);
  const keys = await generateKeyPair();
  const issued = await sign(ca, keys.publicKey, checked);
  return { ...issued, keyPem: await privateKeyPem(keys.privateKey) };
}

interface CheckedParams {
  readonly nodeId: string;
  readonly role: Role;
  readonly clusterId: string;
  readonly sans: x509.JsonGeneralNames;
  readonly nowMs: number;
  readonly validityMs: number;
}

function checkParams(ca: RootCa, p: NodeCertificateParams): CheckedParams {
  const nodeId = checkCertId(p.nodeId, 'nodeId');
  const role = checkRole(p.role);
  const clusterId = checkCertId(p.clusterId, 'clusterId');
  if (clusterId !== ca.clusterId) throw invalidArgument('ca.other_cluster', `clusterId: ${clusterId} is not the cluster of this CA (${ca.clusterId})`);
  const nowMs = checkNowMs(p.nowMs);
  const validityMs = checkValidityMs(p.validityMs ?? NODE_CERT_VALIDITY_MS);
  const caFromMs = ca.cert.validFromDate.getTime();
  if (nowMs < caFromMs || nowMs >= ca.notAfterMs) {
    throw failedPrecondition('ca.root_not_valid', `root CA is not valid at ${iso(nowMs)} (valid from ${iso(caFromMs)} to ${iso(ca.notAfterMs)})`);
  }
  if (p.raftId !== undefined && (role !== 'manager' || !Number.isSafeInteger(p.raftId) || p.raftId < 1)) {
    throw invalidArgument('ca.bad_raft_id', `raftId: ${p.raftId} must be a whole number from 1, on a manager's certificate only`);
  }
  const raftUri = p.raftId === undefined ? [] : [{ type: 'url' as const, value: `${RAFT_ID_URI}${p.raftId}` }];
  return { nodeId, role, clusterId, sans: [...subjectAltNames(p.ips, p.dnsNames ?? []), ...raftUri], nowMs, validityMs };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function subjectAltNames(ips: readonly string[], dnsNames: readonly string[]): x509.JsonGeneralNames {
  if (ips.length + dnsNames.length > SAN_ENTRIES_MAX) {
    throw invalidArgument('ca.too_many_names', `ips and dnsNames: ${ips.length + dnsNames.length} names, at most ${SAN_ENTRIES_MAX}`);
  }
  return [...ips.map((ip, i) => ({ type: 'ip' as const, value: ipSanText(ip, `ips[${i}]`) })), ...dnsNames.map((name, i) => ({ type: 'dns' as const, value: checkDnsName(name, `dnsNames[${i}]`) }))];
}

/**
 * An IP address as @peculiar/x509 encodes it correctly. Its IPv6 reader takes hex groups only,
 * so an IPv4 tail (`::ffff:10.0.0.1`) is rewritten as two groups first; a zone (`%eth0`) has no
 * place in a certificate.
 */
export function ipSanText(ip: string, what: string): string {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6 || ip.includes('%')) throw invalidArgument('ca.bad_ip', `${what}: ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  const tail = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (tail === null) return ip;
  const [a, b, c, d] = tail.slice(2).map(Number) as [number, number, number, number];
  return `${tail[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function checkDnsName(name: string, what: string): string {
  if (name.length > DNS_NAME_CHARS_MAX || !name.split('.').every((label) => DNS_LABEL.test(label))) {
    throw invalidArgument('ca.bad_dns_name', `${what}: ${JSON.stringify(name.slice(0, DNS_NAME_CHARS_MAX))} is not a DNS name (labels of A-Z, a-z, 0-9, '-'; at most ${DNS_NAME_CHARS_MAX} characters)`);
  }
  return name;
}

const badCsr = (what: string, cause?: unknown): Error =>
  invalidArgument('ca.bad_csr', `certificate request: ${what}`, cause === undefined ? undefined : { cause });

/** The public key of a CSR whose signature verifies with it, and which is P-256. */
async function verifiedCsrKey(csrPem: string): Promise<x509.PublicKey> {
  if (typeof csrPem !== 'string' || csrPem.length > CSR_PEM_CHARS_MAX) throw badCsr(`must be PEM text of at most ${CSR_PEM_CHARS_MAX} characters`);
  if (!csrPem.includes('-----BEGIN CERTIFICATE REQUEST-----')) throw badCsr('not a PEM certificate request (no BEGIN CERTIFICATE REQUEST line)');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw badCsr(`cannot be read (${oneLine(err)})`, err);
  }
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') {
    throw badCsr(`its key is ${alg.name ?? 'of an unknown kind'}${alg.namedCurve === undefined ? '' : ` on ${alg.namedCurve}`}; Shoal certificates take ECDSA P-256 keys`);
  }
  let verified: boolean;
  try {
    verified = await csr.verify();
  } catch (err) {
    throw badCsr(`its signature cannot be checked (${oneLine(err)})`, err);
  }
  if (!verified) throw badCsr('its signature does not verify with its own key (altered, or not signed by the key it carries)');
  return csr.publicKey;
}

async function sign(ca: RootCa, publicKey: x509.PublicKey | CryptoKey, p: CheckedParams): Promise<IssuedCertificate> {
  const extensions: x509.Extension[] = [
    // Not a CA, said explicitly (the root's pathLen 0 forbids it anyway).
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    // Both: a node serves its APIs and calls other nodes' with the one certificate.
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    new x509.AuthorityKeyIdentifierExtension(ca.keyIdHex),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  if (p.sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(p.sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: nodeSubject(p),
    issuer: ca.issuer.subjectName,
    ...validityWindow(p.nowMs, p.validityMs, ca.notAfterMs),
    publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return { certPem: cert.toString('pem'), notAfterMs: cert.notAfter.getTime() };
}
