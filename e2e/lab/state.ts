// The lab's state file: the whole plan, written before anything is created (so that `down`
// can remove what an interrupted `up` made), and marked complete when `up` finishes.
// Files live in the state folder (default /run/shoal/lab, which a reboot empties, as it empties
// the namespaces and links themselves):
//   <lab>.json            the plan and progress, created exclusively (one lab per name)
//   subnets/<a.b.c.d>     claims a subnet for a lab, created exclusively

import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { alreadyExists, ShoalError } from '../../shared/errors.js';
import type { LabPlan } from './plan.js';

export const DEFAULT_LAB_STATE_DIR = '/run/shoal/lab';

export interface LabState {
  readonly version: 1;
  readonly plan: LabPlan;
  /** Pid of the `shoal lab up` that made it. */
  readonly creatorPid: number;
  readonly createdAtMs: number;
  /** True once every host is up. */
  readonly complete: boolean;
  /** Whether `up` added iptables ACCEPT rules. */
  readonly iptables: boolean;
}

const statePath = (dir: string, lab: string): string => join(dir, `${lab}.json`);
const subnetClaimPath = (dir: string, network: string): string => join(dir, 'subnets', network);

async function writeExclusive(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Claims the lab's name; fails when a lab of that name exists. */
export async function createState(dir: string, state: LabState): Promise<void> {
  await mkdir(join(dir, 'subnets'), { recursive: true });
  if (!(await writeExclusive(statePath(dir, state.plan.name), JSON.stringify(state, null, 2)))) {
    throw alreadyExists('lab.exists', `lab ${state.plan.name} already exists (see shoal lab ls; remove it with shoal lab down --name ${state.plan.name})`);
  }
}

/** Replaces the state atomically: temporary file, then rename. */
export async function updateState(dir: string, state: LabState): Promise<void> {
  const path = statePath(dir, state.plan.name);
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(state, null, 2));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

export async function readState(dir: string, lab: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(dir, lab), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as LabState;
  } catch (err) {
    throw new ShoalError('failed_precondition', 'lab.state_corrupt', `lab ${lab}: state file ${statePath(dir, lab)} is not valid JSON`, { cause: err });
  }
}

export async function removeState(dir: string, lab: string): Promise<void> {
  await rm(statePath(dir, lab), { force: true });
}

export async function listStateNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Claims a subnet for a lab; false when another lab holds it. */
export async function claimSubnet(dir: string, network: string, lab: string): Promise<boolean> {
  await mkdir(join(dir, 'subnets'), { recursive: true });
  return writeExclusive(subnetClaimPath(dir, network), lab);
}

/** Releases every subnet claimed by `lab`. */
export async function releaseSubnets(dir: string, lab: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(dir, 'subnets'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // no lab ever claimed one
    throw err;
  }
  for (const network of names) {
    const path = subnetClaimPath(dir, network);
    const owner = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return ''; // released by its lab meanwhile
      throw err;
    });
    if (owner === lab) await rm(path, { force: true });
  }
}
