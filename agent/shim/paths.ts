// Which paths a shim may act on. The shim runs as root and creates, appends to and hands runc
// whatever paths a request names, so it takes only those under its agent's data folder (the
// `--root` it was started with): a bundle, a log file. Paths are checked after resolving
// symlinks, so a link inside the folder that points out of it is refused too; the log file
// itself is then opened with O_NOFOLLOW (log-writer.ts), so it cannot be swapped for a link
// between the check and the open.

import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { invalidArgument } from '../../shared/errors.js';

/** Whether `path` is `root` or inside it; both already resolved. */
function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function checkShape(path: string, what: string, root: string): void {
  if (typeof path !== 'string' || path === '' || !isAbsolute(path)) throw invalidArgument('shim.bad_path', `${what} ${JSON.stringify(path)}: must be an absolute path under ${root}`);
  if (path.split(sep).includes('..')) throw invalidArgument('shim.bad_path', `${what} ${path}: ".." is not allowed`);
}

async function resolved(path: string, what: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (e) {
    throw invalidArgument('shim.bad_path', `${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The folder the shim may use, resolved once at start. */
export class AllowedRoot {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<AllowedRoot> {
    if (!isAbsolute(root)) throw invalidArgument('shim.bad_root', `--root ${JSON.stringify(root)}: must be an absolute path`);
    return new AllowedRoot(await realpath(root));
  }

  /** A bundle folder: it must exist and resolve to a place under the root. */
  async bundle(path: string): Promise<void> {
    checkShape(path, 'bundle', this.root);
    const real = await resolved(path, 'bundle');
    if (!within(this.root, real)) throw invalidArgument('shim.path_outside', `bundle ${path} is outside the agent's data dir ${this.root}`);
  }

  /** A log file: its folder must resolve under the root, and the file, when it exists, must not be a symlink. */
  async logFile(path: string): Promise<void> {
    checkShape(path, 'log path', this.root);
    const dir = await resolved(dirname(path), 'log path');
    const real = join(dir, basename(path));
    if (!within(this.root, dir) || real === this.root) throw invalidArgument('shim.path_outside', `log path ${path} is outside the agent's data dir ${this.root}`);
    const st = await lstat(real).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined; // the writer creates it
      throw invalidArgument('shim.bad_path', `log path ${path}: ${e.code ?? String(e)}`);
    });
    if (st !== undefined && !st.isFile()) throw invalidArgument('shim.bad_path', `log path ${path}: ${st.isSymbolicLink() ? 'is a symlink' : 'is not a regular file'}`);
  }
}
