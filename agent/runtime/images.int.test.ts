// Image garbage collection racing the work that starts to use an image (root, real agent): what a
// collection decided to delete must not be what an import commits or a create mounts meanwhile.
// The race is made deterministic by the supervisor's seam inside a collection, between its plan
// and its deletions.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock, waitUntil } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { Agent } from '../daemon.js';
import { digestOf } from '../images/content-store.js';
import { busyboxImage, dockerSaveArchive } from '../images/test-images.js';
import { purgeAgent } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(async () => {
  await runAllCleanups('image collection test', cleanups.splice(0).reverse());
});

describe('image garbage collection racing an import and a create (root)', () => {
  it('keeps the layer and blobs of an image imported, and a container created from it, while a collection of another image sharing that layer runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-gc-race-'));
    cleanups.push(() => purgeAgent(dataDir));
    /** Work to run inside the next collection, after it has planned its deletions. */
    let raceInside: (() => Promise<string>) | undefined;
    let raced: Promise<string> | undefined;
    const agent: Agent = new Agent({
      dataDir,
      socket: join(dataDir, 'agent.sock'),
      clock: systemClock,
      logger: silentLogger(),
      onGarbagePlanned: async () => {
        const race = raceInside;
        raceInside = undefined;
        if (race === undefined) return;
        let settled = false;
        raced = race().finally(() => (settled = true));
        // Until the racing work is done — or waits for this collection to finish, as it must.
        await waitUntil(systemClock, 'the import and create to finish or to wait for the collection', () => settled || agent.supervisor.images.waitingForCollection > 0);
      },
    });
    await agent.start();
    const client = new RuntimeClient(join(dataDir, 'agent.sock'));
    cleanups.push(() => agent.stop());
    cleanups.push(() => client.close());

    // Two images, one layer: busybox with two different commands.
    const old = await busyboxImage(['sh']);
    const fresh = await busyboxImage(['true']);
    const layerHex = digestOf(old.layerTar).slice('sha256:'.length);
    await client.importImage(Readable.from(await dockerSaveArchive(old, ['old:1'])));
    // A container unpacks the layer; removed, it leaves the layer to the collector.
    const first = await client.create('', { image: 'old:1', command: ['true'] });
    await client.remove(first.id, false);
    expect(existsSync(join(dataDir, 'layers', layerHex))).toBe(true);

    // Removing old:1 plans to delete its blobs and the layer; meanwhile new:1 comes in and a container is made from it.
    const archive = await dockerSaveArchive(fresh, ['new:1']);
    raceInside = async () => {
      await client.importImage(Readable.from(archive));
      return (await client.create('racer', { image: 'new:1', command: ['sleep', '1000'] })).id;
    };
    await client.removeImage('old:1');
    const id = await (raced as Promise<string>);

    // What the new image and its container use is all there, whichever came first.
    expect(existsSync(join(dataDir, 'content', 'blobs', 'sha256', layerHex))).toBe(true);
    expect(existsSync(join(dataDir, 'content', 'blobs', 'sha256', fresh.configDigest.slice('sha256:'.length)))).toBe(true);
    expect(existsSync(join(dataDir, 'layers', layerHex, 'bin', 'busybox'))).toBe(true);
    expect(existsSync(join(dataDir, 'containers', id, 'rootfs', 'bin', 'busybox'))).toBe(true);
    await client.start(id);
    expect((await client.exec(id, ['cat', '/etc/group'])).stdout.toString()).toMatch(/^root:x:0:/);
    await client.remove(id, true);
  });
});
