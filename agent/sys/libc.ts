// The few libc calls Node lacks, through koffi: each throws a ShoalError naming the call, the
// path and the errno. Everything that makes a syscall lives under agent/sys.

import koffi from 'koffi';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { ShoalError } from '../../shared/errors.js';

const libc = koffi.load('libc.so.6');
const mknodRaw = libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)');
const lsetxattrRaw = libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');
const lgetxattrRaw = libc.func('intptr_t lgetxattr(const char *path, const char *name, void *value, size_t size)');

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

/** The largest attribute value lgetxattr reads (Shoal reads short marks such as systemd's trusted.delegate). */
const XATTR_VALUE_BYTES_MAX = 4096;

/** An extended attribute of the path itself (not a symlink's target); undefined when it has none (ENODATA) or its file system keeps none (ENOTSUP). */
export function lgetxattr(path: string, name: string): string | undefined {
  const buf = Buffer.alloc(XATTR_VALUE_BYTES_MAX);
  const n = lgetxattrRaw(path, name, buf, buf.length) as number;
  if (n >= 0) return buf.subarray(0, n).toString();
  const e = koffi.errno();
  if (e === constants.errno.ENODATA || e === constants.errno.ENOTSUP) return undefined;
  throw new ShoalError('internal', 'sys.call_failed', `lgetxattr ${name} ${path}: ${errnoName(e)}`, { fields: { call: 'lgetxattr', path, errno: e } });
}

const pipe2Raw = libc.func('int pipe2(_Out_ int *fds, int flags)');
const waitpidRaw = libc.func('int waitpid(int pid, _Out_ int *status, int options)');
const prctlRaw = libc.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');

const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;

/**
 * A real pipe (not the socketpair Node's stdio 'pipe' makes, under which /dev/stdout cannot be
 * opened in a container), close-on-exec: hand the write end to a child through spawn's stdio.
 */
export function realPipe(): { readFd: number; writeFd: number } {
  const fds = [-1, -1];
  check(pipe2Raw(fds, O_CLOEXEC) as number, 'pipe2', '-');
  return { readFd: fds[0] as number, writeFd: fds[1] as number };
}

/**
 * Reaps `pid` if it has exited, without blocking: its raw wait status, or undefined while it
 * runs. Only ever for a pid the caller tracks — never -1, which would steal libuv's children.
 */
export function reapIfExited(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) throw new ShoalError('internal', 'sys.bad_pid', `waitpid: refusing pid ${pid}`);
  const status = [0];
  const r = waitpidRaw(pid, status, WNOHANG) as number;
  if (r === 0) return undefined;
  if (r === pid) return status[0] as number;
  const e = koffi.errno();
  if (e === constants.errno.ECHILD) throw new ShoalError('internal', 'sys.not_child', `waitpid ${pid}: not a child of this process`, { fields: { pid } });
  throw new ShoalError('internal', 'sys.call_failed', `waitpid ${pid}: ${errnoName(e)}`, { fields: { pid, errno: e } });
}

/** Orphaned descendants are re-parented to this process instead of init (prctl). */
export function becomeChildSubreaper(): void {
  check(prctlRaw(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) as number, 'prctl(PR_SET_CHILD_SUBREAPER)', '-');
}

const setnsRaw = libc.func('int setns(int fd, int nstype)');
const socketRaw = libc.func('int socket(int domain, int type, int protocol)');
const bindRaw = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const listenRaw = libc.func('int listen(int fd, int backlog)');
const setsockoptRaw = libc.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)');
const closeRaw = libc.func('int close(int fd)');

const CLONE_NEWNET = 0x40000000;
const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;

function sockaddrIn(ip: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  ip.split('.').forEach((o, i) => b.writeUInt8(Number(o), 4 + i));
  return b;
}

/**
 * A UDP and a listening TCP socket bound to ip:port inside the network namespace at
 * `netnsPath`, as raw descriptors for dgram/net to adopt. The calling thread switches into the
 * namespace, creates and binds both sockets synchronously and switches back before returning,
 * so no other code — and no libuv worker thread — ever runs inside the namespace.
 */
export function bindInNetns(netnsPath: string, ip: string, port: number): { udpFd: number; tcpFd: number } {
  const target = openSync(netnsPath, 'r');
  const home = openSync('/proc/thread-self/ns/net', 'r');
  const made: number[] = [];
  try {
    check(setnsRaw(target, CLONE_NEWNET) as number, 'setns', netnsPath);
    try {
      const addr = sockaddrIn(ip, port);
      const udp = socketRaw(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number;
      check(udp < 0 ? -1 : 0, 'socket(udp)', netnsPath);
      made.push(udp);
      check(bindRaw(udp, addr, addr.length) as number, `bind udp ${ip}:${port}`, netnsPath);
      const tcp = socketRaw(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number;
      check(tcp < 0 ? -1 : 0, 'socket(tcp)', netnsPath);
      made.push(tcp);
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      check(setsockoptRaw(tcp, SOL_SOCKET, SO_REUSEADDR, one, 4) as number, 'setsockopt(SO_REUSEADDR)', netnsPath);
      check(bindRaw(tcp, addr, addr.length) as number, `bind tcp ${ip}:${port}`, netnsPath);
      check(listenRaw(tcp, 128) as number, 'listen', netnsPath);
      return { udpFd: udp, tcpFd: tcp };
    } catch (e) {
      for (const fd of made) closeRaw(fd);
      throw e;
    } finally {
      // Back home whatever happened: this thread runs the event loop.
      check(setnsRaw(home, CLONE_NEWNET) as number, 'setns (back)', '/proc/thread-self/ns/net');
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
