// The agent's data dir, root's alone (shared/fs-modes.ts says why):
//
//   <data>/                  0700   content/ layers/ containers/ volumes/ shims/ runc/   0700
//   <data>/containers/<id>/  0700   container.json, config.json (the environment)        0600
//   <data>/content/images.json, <data>/networks.json, shims/<id>/shim.json, tasks/*.json  0600
//
// What a container sees keeps its own mode: its root (upper/, 0755 when made), a volume's root
// (volumes/<name>/_data, 0755 when made), its /etc/hosts, resolv.conf and hostname (0644) and
// the layers' content as the image ships it, setuid bits included. Other users cannot reach any
// of it because they cannot traverse <data>.
//
// A data dir left open by an older version (0755 folders, 0644 records) is tightened when the
// agent opens it, and one log line says what changed.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeTightened, mkdirPrivate, openPrivateRoot, tighten, type Tightened } from '../../shared/fs-modes.js';
import type { Logger } from '../../shared/logger.js';

/** The agent's own folders under its data dir, each 0700. */
export const AGENT_PRIVATE_FOLDERS = ['containers', 'shims', 'layers', 'volumes', 'content', 'runc'] as const;

/** Records that hold specs, environments or state, per container and per shim. */
const CONTAINER_RECORDS = ['container.json', 'config.json'];
const TOP_RECORDS = [join('content', 'images.json'), 'networks.json'];

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[]; // not made yet: nothing to tighten
    throw e;
  });
}

/** Makes the data dir and its folders root's alone, tightening what an older version left open. */
export async function openAgentDataDir(dataDir: string, logger: Logger): Promise<readonly Tightened[]> {
  const changed: Tightened[] = [];
  const note = (t: Tightened | undefined): void => {
    if (t !== undefined) changed.push(t);
  };
  note(await openPrivateRoot(dataDir, 'the agent data dir'));
  for (const f of AGENT_PRIVATE_FOLDERS) {
    note(await tighten(join(dataDir, f)));
    await mkdirPrivate(join(dataDir, f));
  }
  for (const r of TOP_RECORDS) note(await tighten(join(dataDir, r)));
  for (const id of await entries(join(dataDir, 'containers'))) {
    const dir = join(dataDir, 'containers', id);
    note(await tighten(dir));
    for (const r of CONTAINER_RECORDS) note(await tighten(join(dir, r)));
  }
  for (const id of await entries(join(dataDir, 'volumes'))) note(await tighten(join(dataDir, 'volumes', id)));
  for (const id of await entries(join(dataDir, 'shims'))) {
    const dir = join(dataDir, 'shims', id);
    note(await tighten(dir));
    note(await tighten(join(dir, 'shim.json')));
    note(await tighten(join(dir, 'tasks')));
    for (const t of await entries(join(dir, 'tasks'))) if (t.endsWith('.json')) note(await tighten(join(dir, 'tasks', t)));
  }
  if (changed.length > 0) logger.warn({ dataDir, tightened: describeTightened(changed) }, 'data dir: removed other users\' access an older version left');
  return changed;
}
