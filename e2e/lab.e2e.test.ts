// The lab through the real CLI (root): hosts reach each other over the underlay, `down` leaves
// nothing behind (also after `up` was killed half-way), labs side by side never collide.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findLabResources, isEmpty, type LabSummary } from './lab/lab.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';
import { runInNetns } from './lab/sys.js';
import { run } from '../shared/exec.js';
import { cleanupLabs, shoal, shoalSpawn, uniqueLabName, waitForLine } from './helpers.js';

const made: string[] = [];
afterEach(async () => {
  await cleanupLabs(made.splice(0));
});

function newLab(prefix: string): string {
  const name = uniqueLabName(prefix);
  made.push(name);
  return name;
}

async function ls(name: string): Promise<LabSummary | undefined> {
  const r = await shoal(['lab', 'ls', '--name', name, '--format', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as LabSummary[])[0];
}

/** Whether br_netfilter sends bridged IPv4 through iptables on this host. */
function bridgedTrafficFiltered(): boolean {
  try {
    return readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The FORWARD rules tagged `tag`, in chain order: their target and how many packets they matched. */
async function taggedForwardRules(tag: string): Promise<{ target: string; packets: number }[]> {
  const out = (await run('iptables', ['-w', '-v', '-S', 'FORWARD'])).stdout;
  return out
    .split('\n')
    .filter((l) => l.startsWith('-A FORWARD') && l.includes(`"${tag}"`))
    .map((l) => ({ target: /-j (\S+)/.exec(l)?.[1] ?? '', packets: Number(/ -c (\d+) \d+/.exec(l)?.[1]) }));
}

async function ping(name: string, from: string, to: string): Promise<number | null> {
  return (await shoal(['lab', 'exec', '--name', name, from, '--', 'ping', '-c', '1', '-W', '2', to])).exitCode;
}

async function expectNothingLeft(name: string): Promise<void> {
  const left = await findLabResources(name);
  expect(left, `left behind by lab ${name}`).toEqual({ netns: [], links: [], iptablesRules: [], mounts: [], dirs: [], cgroups: [] });
  expect(existsSync(join(DEFAULT_LAB_STATE_DIR, `${name}.json`))).toBe(false);
}

describe('shoal lab (root)', () => {
  it('brings up three hosts that ping each other over the underlay, and down leaves nothing', async () => {
    const name = newLab('t');
    const up = await shoal(['lab', 'up', '--hosts', '3', '--name', name]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^LAB\s+HOST\s+ADDRESS\s+NETNS\s+STATUS/);
    const lab = await ls(name);
    expect(lab?.status).toBe('ready');
    expect(lab?.hosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    const hosts = lab?.hosts ?? [];
    for (const from of hosts) {
      for (const to of hosts) if (from !== to) expect(await ping(name, from.name, to.address), `${from.name} → ${to.address}`).toBe(0);
    }
    // An address nobody holds does not answer: the ping above can fail.
    expect(await ping(name, 'h1', (lab?.subnet ?? '').replace(/\.0\/24$/, '.250'))).not.toBe(0);
    // Each host has its own hostname (its UTS namespace), as a machine would.
    const hostname = await shoal(['lab', 'exec', '--name', name, 'h2', '--', 'hostname']);
    expect(hostname.stdout).toBe('h2\n');

    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/3 hosts, 4 links, 1 iptables rules, 3 mounts/);
    await expectNothingLeft(name);
    expect(await ls(name)).toBeUndefined();
  });

  it('keeps hosts reachable behind a FORWARD DROP (as where Docker runs), through its own ACCEPT rule', async () => {
    const name = newLab('f');
    expect((await shoal(['lab', 'up', '--hosts', '2', '--name', name])).exitCode).toBe(0);
    const bridge = `slb-${name}`;
    const tag = `shoal-lab:${name}`;
    // Docker's FORWARD DROP, limited to this lab's bridge so no other traffic is touched; tagged
    // with the lab's comment so that `down` removes it too.
    await run('iptables', ['-w', '-A', 'FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', tag, '-j', 'DROP']);
    const h2 = (await ls(name))?.hosts[1]?.address ?? '';
    const filtered = bridgedTrafficFiltered();
    // Either way: the lab made its ACCEPT, and it stands before the DROP.
    expect((await taggedForwardRules(tag)).map((r) => r.target)).toEqual(['ACCEPT', 'DROP']);
    expect(await ping(name, 'h1', h2)).toBe(0);
    const [accept, drop] = await taggedForwardRules(tag);
    if (filtered) {
      // br_netfilter passes bridged frames through FORWARD: the ACCEPT is what let the ping through.
      expect(accept?.packets).toBeGreaterThan(0);
      expect(drop?.packets).toBe(0);
    } else {
      // Without br_netfilter, bridged frames never meet iptables (Docker loads it; this host has not).
      expect([accept?.packets, drop?.packets]).toEqual([0, 0]);
    }
    await run('iptables', ['-w', '-D', 'FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', tag, '-j', 'ACCEPT']);
    expect((await taggedForwardRules(tag)).map((r) => r.target)).toEqual(['DROP']);
    // Without the lab's ACCEPT: dropped where bridged frames meet iptables, untouched where they do not.
    if (filtered) expect(await ping(name, 'h1', h2)).not.toBe(0);
    else expect(await ping(name, 'h1', h2)).toBe(0);
    expect((await shoal(['lab', 'down', '--name', name])).exitCode).toBe(0);
    await expectNothingLeft(name);
  });

  it('down removes everything after up was killed half-way', async () => {
    const name = newLab('k');
    const up = shoalSpawn(['lab', 'up', '--hosts', '8', '--name', name]);
    const exited = new Promise<number | null>((resolve) => up.on('exit', (code) => resolve(code)));
    await waitForLine(up.stderr, /^h2 up at /);
    up.kill('SIGKILL');
    expect(await exited).toBeNull();

    const lab = await ls(name);
    expect(lab?.status).toBe('partial');
    const before = await findLabResources(name);
    expect(before.netns.length).toBeGreaterThanOrEqual(2);
    expect(before.netns.length).toBeLessThan(8);

    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    await expectNothingLeft(name);
  });

  it('down removes a lab whose state file is damaged, by name, and says so', async () => {
    const name = newLab('s');
    expect((await shoal(['lab', 'up', '--hosts', '2', '--name', name])).exitCode).toBe(0);
    writeFileSync(join(DEFAULT_LAB_STATE_DIR, `${name}.json`), '{"version": 1, "pla');
    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`^shoal: warning: lab ${name}: its state file could not be read \\(lab ${name}: state file .* is not valid JSON\\); removed`));
    expect(down.stderr).toMatch(/2 hosts, 3 links, 1 iptables rules/);
    await expectNothingLeft(name);
  });

  it('runs two labs side by side without collision, each isolated from the other', async () => {
    const [a, b] = [newLab('a'), newLab('b')];
    const [upA, upB] = await Promise.all([shoal(['lab', 'up', '--hosts', '2', '--name', a]), shoal(['lab', 'up', '--hosts', '2', '--name', b])]);
    expect(upA.exitCode, upA.stderr).toBe(0);
    expect(upB.exitCode, upB.stderr).toBe(0);
    const [labA, labB] = [await ls(a), await ls(b)];
    expect(labA?.subnet).not.toBe(labB?.subnet);
    expect(await ping(a, 'h1', labA?.hosts[1]?.address ?? '')).toBe(0);
    expect(await ping(b, 'h1', labB?.hosts[1]?.address ?? '')).toBe(0);
    // A host of one lab has no route to the other lab's subnet.
    expect(await ping(a, 'h1', labB?.hosts[1]?.address ?? '')).not.toBe(0);

    expect((await shoal(['lab', 'down', '--name', a])).exitCode).toBe(0);
    await expectNothingLeft(a);
    // Removing one lab leaves the other whole.
    expect(isEmpty(await findLabResources(b))).toBe(false);
    expect(await ping(b, 'h2', labB?.hosts[0]?.address ?? '')).toBe(0);
    expect((await shoal(['lab', 'down', '--name', b])).exitCode).toBe(0);
    await expectNothingLeft(b);
  });

  it('kill ends every process of a host, and exec reports the exit code', async () => {
    const name = newLab('p');
    expect((await shoal(['lab', 'up', '--hosts', '1', '--name', name])).exitCode).toBe(0);
    const exec = shoalSpawn(['lab', 'exec', '--name', name, 'h1', '--', 'sh', '-c', 'echo ready; exec sleep 600']);
    const exited = new Promise<number | null>((resolve) => exec.on('exit', (code) => resolve(code)));
    await waitForLine(exec.stdout, /^ready$/);
    const kill = await shoal(['lab', 'kill', '--name', name, 'h1']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(kill.stderr).toMatch(/sent SIGKILL to 1 process/);
    expect(await exited).toBe(128 + 9);
    expect((await shoal(['lab', 'exec', '--name', name, 'h1', '--', 'sh', '-c', 'exit 7'])).exitCode).toBe(7);
    // The process really ran inside the host: it sees the host's interface, not the machine's.
    const inside = await runInNetns(`shoal-${name}-h1`, ['ip', '-o', 'link']);
    expect(inside.stdout).toMatch(/eth0/);
    expect(inside.stdout).not.toMatch(/slb-/);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const name = newLab('r');
    expect((await shoal(['lab', 'up', '--hosts', '1', '--name', name])).exitCode).toBe(0);
    const lab = await ls(name);

    const again = await shoal(['lab', 'up', '--hosts', '1', '--name', name]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe(`shoal: lab ${name} already exists (see shoal lab ls; remove it with shoal lab down --name ${name})\n`);

    const other = newLab('r');
    const clash = await shoal(['lab', 'up', '--hosts', '1', '--name', other, '--subnet', lab?.subnet ?? '']);
    expect(clash.exitCode).toBe(1);
    expect(clash.stderr).toMatch(/^shoal: --subnet .*: overlaps .*, already routed on this machine\n$/);
    expect(isEmpty(await findLabResources(other))).toBe(true);

    for (const args of [['lab', 'up', '--hosts', '99'], ['lab', 'up', '--name', 'No_Good'], ['lab', 'up', '--subnet', '198.18.0.7/24']]) {
      const r = await shoal(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const missing = await shoal(['lab', 'exec', '--name', name, 'h9', '--', 'true']);
    expect(missing.stderr).toBe(`shoal: lab ${name} has no host "h9" (hosts: h1)\n`);
    expect(missing.exitCode).toBe(1);
    const env = await shoal(['lab', 'env', '--name', name]);
    expect(env.stderr).toBe(`shoal: lab ${name} runs no manager (make one with shoal lab up --managers N)\n`);
    expect([env.exitCode, env.stdout]).toEqual([1, '']);
    // The first lab is still whole.
    expect((await ls(name))?.status).toBe('ready');
  });
});

describe('shoal CLI conventions', () => {
  it('lists its areas in --help and prints its version', async () => {
    const help = await shoal(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Commands:\n\s+lab /m);
    const version = await shoal(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('reports unknown commands and options on one line with exit code 2', async () => {
    for (const args of [['frobnicate'], ['lab', 'ls', '--no-such-flag']]) {
      const r = await shoal(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^shoal: /);
    }
  });
});
