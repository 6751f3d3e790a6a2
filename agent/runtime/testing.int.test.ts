// purgeAgent against a real agent with overlay networks (root): it removes the iptables chains
// that agent made, and the chains all networks of a host share only when no other Shoal network
// is left. The agent runs in a network namespace of the test's own (as on a lab host), so the
// host's own iptables are never touched.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { RuntimeClient } from '../../shared/runtime-client.js';
import { purgeAgent } from './testing.js';

const SHOAL_BIN = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));
const cleanups: CleanupStep[] = [];
afterEach(async () => {
  await runAllCleanups('purge test', cleanups.splice(0).reverse());
});

/** A network namespace with an underlay address for an agent to advertise; removed (with its iptables) after the test. */
async function labNetns(): Promise<{ netns: string; address: string }> {
  const netns = `shoal-purge-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', netns]);
  cleanups.push(() => run('ip', ['netns', 'del', netns]).then(() => undefined));
  const address = '10.254.7.1';
  // A veth pair inside it stands for the host's underlay (no dummy device on every kernel).
  for (const args of [['link', 'set', 'lo', 'up'], ['link', 'add', 'under0', 'type', 'veth', 'peer', 'name', 'under1'], ['addr', 'add', `${address}/24`, 'dev', 'under0'], ['link', 'set', 'under1', 'up'], ['link', 'set', 'under0', 'up']]) {
    await run('ip', ['-n', netns, ...args]);
  }
  return { netns, address };
}

async function inNetns(netns: string, argv: string[]): Promise<string> {
  return (await run('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv])).stdout;
}

/** The Shoal chains of a table in the namespace, by name. */
async function shoalChains(netns: string, table: 'filter' | 'nat'): Promise<string[]> {
  const out = await inNetns(netns, ['iptables', '-w', '-t', table, '-S']);
  return [...new Set(out.split('\n').flatMap((l) => /^-N (SHOAL-\S+)/.exec(l)?.[1] ?? []))].sort();
}

/** Runs `shoal agent` in the namespace until it serves; `kill` ends it (as a crash would), and so does the test's end. */
async function agentIn(netns: string, address: string): Promise<{ dataDir: string; client: RuntimeClient; kill: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-purge-'));
  const socket = join(dataDir, 'agent.sock');
  const child: ChildProcess = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, SHOAL_BIN, 'agent', '--standalone', '--data-dir', dataDir, '--socket', socket, '--advertise', address], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('agent serving')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the agent exited (code ${code}): ${seen}`)));
  });
  const client = new RuntimeClient(socket);
  cleanups.push(() => client.close());
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    child.kill('SIGKILL');
    await exited;
  };
  return { dataDir, client, kill };
}

describe('purgeAgent and the iptables chains of an agent with networks (root)', () => {
  it("removes the agent's own chains and, with no other Shoal network left, the shared ones and their jumps", async () => {
    const { netns, address } = await labNetns();
    const { dataDir, client, kill } = await agentIn(netns, address);
    await client.createNetwork({ name: 'front', vni: 4301, subnet: '10.43.1.0/24' });
    await client.createNetwork({ name: 'back', vni: 4302, subnet: '10.43.2.0/24' });
    expect(await shoalChains(netns, 'filter')).toEqual(['SHOAL-FORWARD', 'SHOAL-VXLAN', 'SHOAL-VXLAN-4301', 'SHOAL-VXLAN-4302']);
    expect(await shoalChains(netns, 'nat')).toEqual(['SHOAL-DNAT']);

    await kill();
    await purgeAgent(dataDir, { netns });
    expect(await shoalChains(netns, 'filter')).toEqual([]);
    expect(await shoalChains(netns, 'nat')).toEqual([]);
    expect(await inNetns(netns, ['iptables', '-w', '-S'])).not.toMatch(/SHOAL/);
    expect(await inNetns(netns, ['iptables', '-w', '-t', 'nat', '-S'])).not.toMatch(/SHOAL/);
  });

  it("removes only the agent's own chains while another Shoal network still uses the shared ones", async () => {
    const { netns, address } = await labNetns();
    const { dataDir, client, kill } = await agentIn(netns, address);
    await client.createNetwork({ name: 'front', vni: 4311, subnet: '10.43.11.0/24' });
    // Another agent's network in the same namespace, as its agent leaves it: its bridge and its filter chain.
    await inNetns(netns, ['ip', 'link', 'add', 'shb4399', 'type', 'bridge']);
    await inNetns(netns, ['iptables', '-w', '-N', 'SHOAL-VXLAN-4399']);
    await inNetns(netns, ['iptables', '-w', '-A', 'SHOAL-VXLAN-4399', '-j', 'DROP']);

    await kill();
    await purgeAgent(dataDir, { netns });
    expect(await shoalChains(netns, 'filter')).toEqual(['SHOAL-FORWARD', 'SHOAL-VXLAN', 'SHOAL-VXLAN-4399']);
    expect(await shoalChains(netns, 'nat')).toEqual(['SHOAL-DNAT']);
    // Nothing in the shared filter leads to the purged agent's chain any more.
    expect(await inNetns(netns, ['iptables', '-w', '-S', 'SHOAL-VXLAN'])).not.toMatch(/SHOAL-VXLAN-4311/);
    const links = await runUnchecked('ip', ['-n', netns, '-o', 'link', 'show']);
    expect(links.stdout).not.toMatch(/shb4311|shx4311/);
  });
});
