// What a Shoal certificate says about its holder, in its subject: CN = the node id, OU = the
// role, O = the cluster id (swarmkit's layout). The CA writes these from what the join token
// granted, never from the request; the APIs read them back on every call.
//
// The values are kept to a small character set so that the subject as Node prints it (one
// `KEY=value` per line, special characters escaped) can be read back exactly by splitting lines:
// anything outside the set, a field twice, a multi-valued RDN or an extra field is refused.

import { invalidArgument } from '../../shared/errors.js';

/** The roles a certificate can carry. `admin` is the CLI's client certificate; it is never a node. */
export const ROLES = ['manager', 'worker', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Longest node or cluster id: RFC 5280's upper bound for a common name. */
export const CERT_ID_CHARS_MAX = 64;
const ID_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${CERT_ID_CHARS_MAX - 1}}$`);

/** The root CA's common name (its O is the cluster id, as on every node certificate). */
export const ROOT_CA_COMMON_NAME = 'shoal-root-ca';

export function isCertId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Refuses an id that cannot go into a subject; `what` names the field ("nodeId"). */
export function checkCertId(value: string, what: string): string {
  if (!isCertId(value)) {
    throw invalidArgument('ca.bad_id', `${what}: must be 1 to ${CERT_ID_CHARS_MAX} characters of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit`, { fields: { field: what } });
  }
  return value;
}

export function checkRole(value: string, what = 'role'): Role {
  if (!isRole(value)) throw invalidArgument('ca.bad_role', `${what}: must be one of ${ROLES.join(', ')}`, { fields: { field: what } });
  return value;
}

export interface SubjectIds {
  readonly nodeId: string;
  readonly role: Role;
  readonly clusterId: string;
}

/** The subject of a node certificate, in the JSON form @peculiar/x509 takes (one RDN each). */
export function nodeSubject(ids: SubjectIds): Record<string, string[]>[] {
  return [{ CN: [ids.nodeId] }, { OU: [ids.role] }, { O: [ids.clusterId] }];
}

export function rootSubject(clusterId: string): Record<string, string[]>[] {
  return [{ CN: [ROOT_CA_COMMON_NAME] }, { O: [clusterId] }];
}

/**
 * The fields of a subject as node:crypto's X509Certificate#subject prints it, when it is one of
 * ours: each line `CN=`, `OU=` or `O=` with a value in the id set, none twice. Anything else
 * comes back as the problem, so the caller's message can say what was wrong.
 */
export function readSubject(printed: string): { fields: Partial<Record<'CN' | 'OU' | 'O', string>> } | { problem: string } {
  const fields: Partial<Record<'CN' | 'OU' | 'O', string>> = {};
  for (const line of printed.split('\n')) {
    const m = /^(CN|OU|O)=(.*)$/.exec(line);
    if (m === null) return { problem: 'its subject has a field other than CN, OU and O' };
    const key = m[1] as 'CN' | 'OU' | 'O';
    const value = m[2] as string;
    if (fields[key] !== undefined) return { problem: `its subject has ${key} twice` };
    if (!isCertId(value)) return { problem: `its subject's ${key} is not an id Shoal writes` };
    fields[key] = value;
  }
  return { fields };
}
