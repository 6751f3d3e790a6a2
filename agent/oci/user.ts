// Resolving the user a container runs as, as Docker does: "", "name", "uid", "name:group",
// "uid:gid" (names looked up in the image's /etc/passwd and /etc/group, passed in as text by
// the edge), with the user's supplementary groups from /etc/group.

import { invalidArgument } from '../../shared/errors.js';
import type { ResolvedUser } from './spec.js';

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

const ID_MAX = 2 ** 32 - 2;

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2] ?? '') && /^\d+$/.test(f[3] ?? ''))
    .map((f) => ({ name: f[0] as string, uid: Number(f[2]), gid: Number(f[3]) }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ name: f[0] as string, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') }));
}

function numericId(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= ID_MAX ? n : undefined;
}

export function resolveUser(spec: string, passwdText: string, groupText: string): ResolvedUser {
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const [userPart = '', groupPart, ...rest] = spec.split(':');
  if (rest.length > 0) throw invalidArgument('container.bad_user', `user ${JSON.stringify(spec)}: expected USER[:GROUP]`);
  let uid: number;
  let gid: number;
  let name: string | undefined;
  if (userPart === '') {
    uid = 0;
    gid = 0;
    name = passwd.find((p) => p.uid === 0)?.name;
  } else {
    const asNumber = numericId(userPart);
    const entry = asNumber === undefined ? passwd.find((p) => p.name === userPart) : passwd.find((p) => p.uid === asNumber);
    if (asNumber === undefined && entry === undefined) {
      throw invalidArgument('container.bad_user', `user ${JSON.stringify(userPart)}: not found in the image's /etc/passwd`);
    }
    uid = asNumber ?? (entry as PasswdEntry).uid;
    gid = entry?.gid ?? 0;
    name = entry?.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    const asNumber = numericId(groupPart);
    const g = asNumber === undefined ? groups.find((x) => x.name === groupPart) : undefined;
    if (asNumber === undefined && g === undefined) {
      throw invalidArgument('container.bad_user', `group ${JSON.stringify(groupPart)}: not found in the image's /etc/group`);
    }
    gid = asNumber ?? (g as GroupEntry).gid;
  }
  const additional = name === undefined ? [] : groups.filter((g) => g.members.includes(name as string) && g.gid !== gid).map((g) => g.gid);
  return { uid, gid, additionalGids: [...new Set(additional)].sort((a, b) => a - b) };
}
