// An exclusive lock on a directory for the life of a process: a unix socket bound in the
// abstract namespace under a name made from the directory's real path. The kernel frees it when
// the process ends, however it ends (kill -9, power loss of a lab host), so a lock is never
// left stale; a second process that asks for it is refused at once. Abstract socket names are
// per network namespace: two processes in different network namespaces (two lab hosts) are only
// kept apart by using different directories, which they do.

import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { failedPrecondition, oneLine } from './errors.js';

export interface DirLock {
  release(): Promise<void>;
}

export async function lockDir(dir: string, what: string): Promise<DirLock> {
  const real = await realpath(dir);
  const name = `\0shoal-lock-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(failedPrecondition('fs.dir_locked', `${what} ${dir} is in use by another process (a manager running on it?)`));
      else reject(failedPrecondition('fs.dir_lock_failed', `${what} ${dir}: cannot take its lock (${oneLine(err)})`, { cause: err }));
    });
    server.listen({ path: name }, () => resolve());
  });
  server.unref(); // the lock must not keep the process alive
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
