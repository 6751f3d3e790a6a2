// The few libc calls Node lacks, through koffi: each throws a ShoalError naming the call, the
// path and the errno. Everything that makes a syscall lives under agent/sys.

import koffi from 'koffi';
import { constants } from 'node:os';
import { ShoalError } from '../../shared/errors.js';

const libc = koffi.load('libc.so.6');
const mknodRaw = libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)');
const lsetxattrRaw = libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');

const S_IFCHR = 0o020000;

function errnoName(code: number): string {
  const entry = Object.entries(constants.errno).find(([, v]) => v === code);
  return entry?.[0] ?? `errno ${code}`;
}

function check(rc: number, call: string, path: string): void {
  if (rc === 0) return;
  const e = koffi.errno();
  throw new ShoalError('internal', 'sys.call_failed', `${call} ${path}: ${errnoName(e)}`, { fields: { call, path, errno: e } });
}

/** A character device node `major:minor` (0:0 is an overlayfs whiteout). */
export function mknodChar(path: string, mode: number, major: number, minor: number): void {
  const dev = (BigInt(major & 0xfff) << 8n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n) | (BigInt(major & ~0xfff) << 32n);
  check(mknodRaw(path, S_IFCHR | (mode & 0o7777), dev) as number, 'mknod', path);
}

/** Sets an extended attribute on the path itself (not a symlink's target). */
export function lsetxattr(path: string, name: string, value: string): void {
  const buf = Buffer.from(value);
  check(lsetxattrRaw(path, name, buf, buf.length, 0) as number, 'lsetxattr', path);
}
