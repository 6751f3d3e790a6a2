// Files and folders that are root's alone. The daemons' data dirs hold containers' environments
// (secrets passed with -e), their writable layers (where a container can leave a setuid-root
// binary), images' layers and the Raft log: another user of the host must not even traverse
// them (the lesson of Docker's CVE-2021-41091). Every folder the daemons make for their own
// bookkeeping is 0700 and every record they write 0600, with exact modes whatever the process's
// umask; what a container sees as its own (its root's mode, a volume's root, /etc/hosts) keeps
// the mode the container expects, and is protected by the folders above it.

import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { failedPrecondition } from './errors.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** A path whose mode was narrowed (for the one log line that says so). */
export interface Tightened {
  readonly path: string;
  /** Octal, as `ls` and `stat -c %a` show it. */
  readonly from: string;
  readonly to: string;
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Creates `dir` and any missing parents owner-only; an existing `dir` is made 0700 too. For the
 * daemons' own folders, never for one whose mode a container sees.
 */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates `dir` with exactly `mode` (whatever the umask) when it is missing; an existing one is
 * left as it is — it may be a container's root or volume whose mode the container changed.
 * Its parent must exist.
 */
export async function mkdirWithMode(dir: string, mode: number): Promise<void> {
  try {
    await mkdir(dir, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  await chmod(dir, mode);
}

/**
 * Writes `path` whole or not at all: a new file beside it with exactly `mode` (0600 unless said)
 * from its creation on, flushed to the disk, then renamed over it, and the rename flushed too. A
 * reader sees the old content or the new, no other user ever sees either, and after a power loss
 * the file holds one of them — never the empty or partial file a rename of unflushed data can
 * leave (which would send a container's record to the "damaged" path).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = PRIVATE_FILE_MODE): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', mode & PRIVATE_FILE_MODE);
  try {
    // The umask may have narrowed the mode at creation; a wider one (0644) is set before any byte is in.
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dirname(path));
}

/** Flushes a folder's entries (a rename, a new file) to the disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Removes group and other access from `path` when it has any; symlinks and missing paths are
 * left alone. Returns what changed.
 */
export async function tighten(path: string): Promise<Tightened | undefined> {
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined; // nothing there to protect
    throw e;
  });
  if (st === undefined || st.isSymbolicLink() || (st.mode & 0o077) === 0) return undefined;
  const to = st.mode & 0o700;
  await chmod(path, to);
  return { path, from: octal(st.mode), to: octal(to) };
}

/**
 * A daemon's data dir: created 0700 when missing (with any missing parents), made 0700 when an
 * older version (or `mkdir -p`) left it open. Refused, with nothing changed, when another user
 * owns it: that user could open it again or swap what is inside.
 */
export async function openPrivateRoot(dir: string, what: string): Promise<Tightened | undefined> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = await stat(dir);
  if (!st.isDirectory()) throw failedPrecondition('data_dir.not_a_folder', `${what} ${dir} is not a folder`);
  const uid = process.geteuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw failedPrecondition('data_dir.not_owned', `${what} ${dir} belongs to uid ${st.uid}, not to this process's uid ${uid}: another user could change it; use a folder of your own`);
  }
  // stat, not lstat: a data dir may be a symlink to a larger disk; its target is what is guarded.
  if ((st.mode & 0o077) === 0) return undefined;
  await chmod(dir, PRIVATE_DIR_MODE);
  return { path: dir, from: octal(st.mode), to: octal(PRIVATE_DIR_MODE) };
}

/** Tightened paths as one log field, at most `max` of them listed. */
export function describeTightened(list: readonly Tightened[], max = TIGHTENED_LOGGED_MAX): { count: number; paths: string[]; more: number } {
  return { count: list.length, paths: list.slice(0, max).map((t) => `${t.path} ${t.from}→${t.to}`), more: Math.max(0, list.length - max) };
}

/** How many tightened paths one log line names; the rest are counted. */
export const TIGHTENED_LOGGED_MAX = 20;
