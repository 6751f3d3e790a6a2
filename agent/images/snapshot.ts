// Container root filesystems: overlayfs of the image's unpacked layers (read-only lower
// layers) plus a per-container upper folder (copy-on-write). The mount is computed as data
// (overlayMount) and performed at the edge (mountOverlay), as containerd's snapshotters do.

import { dirname, join } from 'node:path';
import { invalidArgument } from '../../shared/errors.js';
import { mkdirPrivate, mkdirWithMode } from '../../shared/fs-modes.js';
import { run, runUnchecked } from '../../shared/exec.js';

export interface MountSpec {
  readonly type: 'overlay';
  readonly source: 'overlay';
  readonly target: string;
  readonly options: readonly string[];
}

/** The overlay mount for `layers` (base layer first, as in a manifest) under `containerDir`. */
export function overlayMount(layers: readonly string[], containerDir: string): MountSpec & { upper: string; work: string } {
  if (layers.length === 0) throw invalidArgument('snapshot.no_layers', 'an image needs at least one layer for its root filesystem');
  for (const l of layers) if (l.includes(':') || l.includes(',')) throw invalidArgument('snapshot.bad_path', `layer path ${JSON.stringify(l)} cannot be used in an overlay mount`);
  const upper = join(containerDir, 'upper');
  const work = join(containerDir, 'work');
  // overlayfs lists lower layers top first.
  const lowerdir = [...layers].reverse().join(':');
  return { type: 'overlay', source: 'overlay', target: join(containerDir, 'rootfs'), options: [`lowerdir=${lowerdir}`, `upperdir=${upper}`, `workdir=${work}`], upper, work };
}

/**
 * Mounts the overlay, making its folders first (the container's own 0700). No `nosuid`:
 * the mount is the container's root, where setuid binaries are the image's to use (as Docker
 * mounts it). Other users of the host cannot reach it, nor the upper folder or the layers behind
 * it, because the agent's data dir is not traversable (runtime/data-dir.ts).
 */
export async function mountOverlay(m: ReturnType<typeof overlayMount>): Promise<void> {
  await mkdirPrivate(dirname(m.target));
  // The upper folder's mode is the mode of the container's `/`: 0755 when made, then the container's own.
  await mkdirWithMode(m.upper, 0o755);
  await mkdirPrivate(m.work);
  await mkdirWithMode(m.target, 0o700);
  await run('mount', ['-t', m.type, m.source, '-o', m.options.join(','), m.target]);
}

/** Unmounts; a target that is not mounted is fine. */
export async function unmount(target: string): Promise<void> {
  const r = await runUnchecked('umount', [target]);
  if (r.exitCode !== 0 && !/not mounted|no mount point|not found/i.test(r.stderr)) {
    throw invalidArgument('snapshot.umount_failed', `umount ${target}: ${r.stderr.trim()}`);
  }
}
