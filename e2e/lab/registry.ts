// A cluster lab's registry: Debian's `docker-registry`, plain HTTP, on the lab's gateway address
// (the underlay bridge's, in the root namespace) with its storage in the lab's folder. Not in a
// host of its own: a registry is not a node, so it takes no host name or address, `lab kill` of
// any host leaves it running (only a host's own link going down cuts that host off it), and the
// machine — the CLI, skopeo — reaches it without entering a namespace. It runs in a session of
// its own so that it outlives `lab up`; `down` finds it by its config path on its command line.

import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { ociLayoutArchive, busyboxImage } from '../../agent/images/test-images.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { assert, oneLine, unavailable } from '../../shared/errors.js';
import { run } from '../../shared/exec.js';
import { logTail } from './managers.js';
import { LAB_BUSYBOX_REPOSITORY, registryConfig, registryPaths, type LabPlan } from './plan.js';
import * as sys from './sys.js';

/** How long the registry may take to answer on /v2/ once started. */
export const LAB_REGISTRY_UP_TIMEOUT_MS = 15_000;
export const LAB_REGISTRY_POLL_INTERVAL_MS = 100;
/** One look at /v2/: a registry that does not answer within it is not up yet. */
const REGISTRY_PROBE_TIMEOUT_MS = 1_000;

/** Starts the lab's registry and returns once it answers; fails with one line quoting its log. */
export async function startLabRegistry(plan: LabPlan, stateDir: string, clock: Clock = systemClock): Promise<void> {
  const address = plan.registry;
  assert(address !== undefined, 'startLabRegistry: the plan has no registry');
  const paths = registryPaths(stateDir, plan.name);
  await mkdir(paths.storage, { recursive: true, mode: 0o700 });
  await writeFile(paths.config, registryConfig(address, paths.storage), { mode: 0o600 });
  await appendFile(paths.log, `# ${new Date(clock.wallMs()).toISOString()} shoal lab: docker-registry serve ${paths.config}\n`, { mode: 0o600 });
  const log = await open(paths.log, 'a', 0o600);
  let exited: string | undefined;
  try {
    const child = spawn('docker-registry', ['serve', paths.config], { detached: true, stdio: ['ignore', log.fd, log.fd] });
    child.once('error', (err) => (exited = `it could not be started (${err.message}; is docker-registry installed? scripts/install-deps --demo)`));
    child.once('exit', (code, signal) => (exited = `its process exited (${signal ?? `exit code ${code}`})`));
    child.unref();
  } finally {
    await log.close(); // the child holds its own copy of the descriptor
  }
  const deadline = clock.nowMs() + LAB_REGISTRY_UP_TIMEOUT_MS;
  let last = 'no answer yet';
  for (;;) {
    if (exited !== undefined) throw await registryNotUp(plan, paths.log, exited);
    try {
      const r = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(REGISTRY_PROBE_TIMEOUT_MS) });
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = oneLine(err);
    }
    if (clock.nowMs() >= deadline) throw await registryNotUp(plan, paths.log, `no answer on http://${address}/v2/ within ${LAB_REGISTRY_UP_TIMEOUT_MS / 1000} s (last: ${last})`);
    await clock.sleep(LAB_REGISTRY_POLL_INTERVAL_MS);
  }
}

async function registryNotUp(plan: LabPlan, log: string, why: string): Promise<Error> {
  return unavailable('lab.registry_not_up', `lab ${plan.name}: the registry did not come up: ${why}; its log ${log} ends: ${await logTail(log)}`);
}

/**
 * Pushes busybox-static as an image (agent/images/test-images.ts) into the lab's registry as
 * `<registry>/shoal/busybox:latest`, with skopeo over plain HTTP. Returns the image reference.
 */
export async function pushBusybox(plan: LabPlan, stateDir: string): Promise<string> {
  const address = plan.registry;
  assert(address !== undefined, 'pushBusybox: the plan has no registry');
  const work = await mkdtemp(join(registryPaths(stateDir, plan.name).dir, 'push-'));
  try {
    const archive = join(work, 'busybox.tar');
    await writeFile(archive, await ociLayoutArchive(await busyboxImage(), LAB_BUSYBOX_REPOSITORY));
    const reference = `${address}/${LAB_BUSYBOX_REPOSITORY}`;
    // HOME in the work folder: skopeo reads and may write its configuration there.
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${archive}`, `docker://${reference}`], { env: { ...process.env, HOME: work } });
    return reference;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Pids of the lab's registry: processes whose command line names its config. */
export async function registryPids(stateDir: string, lab: string): Promise<number[]> {
  const config = registryPaths(stateDir, lab).config;
  return sys.pidsWhoseCommandLine((argv) => argv.includes(config));
}
