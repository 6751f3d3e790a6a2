// An exclusive lock on a directory for the life of a process: a unix socket the holder listens
// on, at `<dir>/lock.sock`. The kernel stops the listening however the holder ends (kill -9, a
// power loss of a lab host), so a lock is never left held: a socket file nobody listens on
// (ECONNREFUSED) is stale and taken over. A second process finds a listener and is refused at
// once — also from another network namespace (a lab host, a container), since the socket is a
// file. A directory whose path is too long for a socket file (`SOCKET_PATH_BYTES_MAX`) is locked
// by an abstract socket named after it instead, which holds within one network namespace only.
//
// Two processes taking over the same stale socket in the same instant could both believe they
// hold it; the window is between one's failed connect and its bind (microseconds), and the
// processes that lock (a manager, its `recover`) are started by people or by systemd, not in bursts.

import { createHash } from 'node:crypto';
import { realpath, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { failedPrecondition, oneLine } from './errors.js';

export interface DirLock {
  release(): Promise<void>;
}

/** Longest socket file path (sun_path is 108 bytes with its terminating NUL). */
export const SOCKET_PATH_BYTES_MAX = 107;
const LOCK_FILE = 'lock.sock';

/** Whether something listens on the unix socket at `path`. */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false)); // ECONNREFUSED (stale) or ENOENT (none): free
  });
}

export async function lockDir(dir: string, what: string): Promise<DirLock> {
  const real = await realpath(dir);
  const file = join(real, LOCK_FILE);
  const byFile = Buffer.byteLength(file) <= SOCKET_PATH_BYTES_MAX;
  const locked = (): Error => failedPrecondition('fs.dir_locked', `${what} ${dir} is in use by another process (a manager running on it?)`);
  if (byFile) {
    if (await listening(file)) throw locked();
    await rm(file, { force: true }); // stale: its holder is gone
  }
  const name = byFile ? file : `\0shoal-lock-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
  const server: Server = createServer((socket) => socket.destroy()); // a probe: answered by closing
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(locked());
      else reject(failedPrecondition('fs.dir_lock_failed', `${what} ${dir}: cannot take its lock (${oneLine(err)})`, { cause: err }));
    });
    server.listen({ path: name }, () => resolve());
  });
  server.unref(); // the lock must not keep the process alive
  return {
    release: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (byFile) await rm(file, { force: true });
    },
  };
}
