// `shoal ctr` as a user types it (root): the real binary against a standalone agent.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { Agent } from '../daemon.js';
import { hostPlatform } from '../images/manifest.js';
import { busyboxImage, dockerSaveArchive, multiPlatformLayoutArchive, skopeoDockerArchive } from '../images/test-images.js';
import { startRegistry } from '../images/test-registry.js';
import { purgeAgent, shoalCtr } from './testing.js';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';

let dataDir = '';
let socket = '';
let agent: Agent;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-ctr-'));
  socket = join(dataDir, 'agent.sock');
  agent = new Agent({ dataDir, socket, clock: systemClock, logger: silentLogger() });
  await agent.start();
  await writeFile(join(dataDir, 'busybox.tar'), await dockerSaveArchive(await busyboxImage(), ['busybox:latest']));
});

afterAll(async () => {
  await runAllCleanups('ctr test', [() => agent?.stop(), () => (dataDir !== '' ? purgeAgent(dataDir) : undefined)]);
});

/** Prints the pids limit a container sees on its own cgroup, on a cgroup v2 host or a v1/hybrid one. */
const OWN_PIDS_MAX = 'f=/sys/fs/cgroup/pids.max; [ -e $f ] || f=/sys/fs/cgroup/pids/pids.max; cat $f';

/** busybox whose default command prints `word`: which image ran shows in its output. */
function busyboxImageSaying(word: string): ReturnType<typeof busyboxImage> {
  return busyboxImage(['echo', word]);
}

const ctr = (...args: string[]): ReturnType<typeof shoalCtr> => shoalCtr(socket, ...args);

describe('shoal ctr (root)', () => {
  it('imports, runs in the foreground with the exit code, runs detached, execs, reads logs, removes', async () => {
    expect((await ctr('images', 'import', join(dataDir, 'busybox.tar'))).stdout).toMatch(/busybox:latest\s+sha256:/);
    const fg = await ctr('run', '--rm', '-e', 'WHO=world', 'busybox', 'sh', '-c', 'echo hello $WHO; echo warn >&2; exit 5');
    expect([fg.code, fg.stdout, fg.stderr]).toEqual([5, 'hello world\n', 'warn\n']);
    expect((await ctr('ps', '-a')).stdout.split('\n').filter((l) => l !== '')).toHaveLength(1); // --rm: only the header

    const d = await ctr('run', '-d', '--name', 'web', '--memory', '32m', '--pids-limit', '20', 'busybox', 'sh', '-c', 'echo up; exec sleep 1000');
    expect(d.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await ctr('ps')).stdout).toMatch(/web\s+busybox\s+sh -c echo up; exec sleep 1000\s+running/);
    // The container reads its own limit: with its own cgroup namespace, /sys/fs/cgroup is its own
    // cgroup (cgroup v2: pids.max right there; v1 and hybrid: in the pids tree).
    const ex = await ctr('exec', 'web', 'sh', '-c', `${OWN_PIDS_MAX}; exit 3`);
    expect([ex.code, ex.stdout]).toEqual([3, '20\n']);
    expect((await ctr('update', '--pids-limit', '30', 'web')).code).toBe(0);
    expect((await ctr('exec', 'web', 'sh', '-c', OWN_PIDS_MAX)).stdout).toBe('30\n');
    expect((await ctr('logs', 'web')).stdout).toBe('up\n');
    // sleep as the container's PID 1 has no SIGTERM handler: the grace period ends in SIGKILL.
    const stop = await ctr('--format', 'json', 'stop', '-t', '200ms', 'web');
    expect(JSON.parse(stop.stdout)).toMatchObject({ exit_code: 137, signal: 'SIGKILL' });
    expect((await ctr('ps', '-a')).stdout).toMatch(/web .* exited \(137\)/);
    expect((await ctr('rm', 'web')).code).toBe(0);
  });

  it('runs an image by any form of its name, imported from skopeo or from docker save with a short or a docker.io tag', async () => {
    const archives: [string, () => Promise<void>][] = [
      ['skopeo', async () => skopeoDockerArchive(await busyboxImageSaying('skopeo'), join(dataDir, 'skopeo.tar'), 'busybox:latest')],
      ['short', async () => writeFile(join(dataDir, 'short.tar'), await dockerSaveArchive(await busyboxImageSaying('short'), ['busybox:latest']))],
      ['docker.io', async () => writeFile(join(dataDir, 'docker.io.tar'), await dockerSaveArchive(await busyboxImageSaying('docker.io'), ['docker.io/library/busybox:latest']))],
    ];
    try {
      for (const [label, write] of archives) {
        await write();
        const imported = await ctr('images', 'import', join(dataDir, `${label}.tar`));
        expect([label, imported.code, imported.stdout]).toEqual([label, 0, expect.stringMatching(/^REFERENCE\s+DIGEST\nbusybox:latest\s+sha256:[0-9a-f]{64}\n$/)]);
        for (const name of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest']) {
          const r = await ctr('run', '--rm', name);
          expect([label, name, r.code, r.stdout, r.stderr]).toEqual([label, name, 0, `${label}\n`, '']);
        }
        const ls = await ctr('images', 'ls');
        expect(ls.stdout.split('\n').filter((l) => l.startsWith('busybox'))).toEqual([expect.stringMatching(/^busybox:latest\s+sha256:/)]);
        expect(ls.stdout).not.toMatch(/docker\.io/);
      }
      const json = JSON.parse((await ctr('--format', 'json', 'images', 'ls')).stdout) as { name: string; reference: string }[];
      expect(json.filter((i) => i.name.startsWith('busybox')).map((i) => [i.name, i.reference])).toEqual([['busybox:latest', 'docker.io/library/busybox:latest']]);
    } finally {
      // The image the other tests run, as it was.
      expect((await ctr('images', 'import', join(dataDir, 'busybox.tar'))).code).toBe(0);
    }
  });

  it('pulls from a registry with a progress summary and runs the image', async () => {
    const registry = await startRegistry();
    try {
      await writeFile(join(dataDir, 'layout.tar'), await multiPlatformLayoutArchive('pulled:1', [hostPlatform()]));
      await registry.push(join(dataDir, 'layout.tar'), 'team/pulled:1', ['--all']);
      const pull = await ctr('images', 'pull', '--insecure', `${registry.host}/team/pulled:1`);
      expect(pull.code).toBe(0);
      expect(pull.stdout).toMatch(new RegExp(`reference\\s+${registry.host}/team/pulled:1\\ndigest\\s+sha256:[0-9a-f]{64}\\nsize`));
      const r = await ctr('run', '--rm', `${registry.host}/team/pulled:1`, 'echo', 'pulled and running');
      expect([r.code, r.stdout]).toEqual([0, 'pulled and running\n']);
      expect((await ctr('images', 'pull', '--insecure', `${registry.host}/team/absent:1`)).stderr).toMatch(/^shoal: registry 127\.0\.0\.1:\d+, team\/absent:1: HTTP 404/);
      expect((await ctr('images', 'rm', `${registry.host}/team/pulled:1`)).code).toBe(0);
    } finally {
      await registry.stop();
    }
  });

  it('runs every container under the default seccomp profile; --security-opt seccomp=unconfined or a profile file replaces it', async () => {
    const confined = await ctr('run', '--rm', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U -r true || echo refused');
    expect([confined.code, confined.stdout]).toEqual([0, expect.stringMatching(/^Seccomp:\s+2\nrefused\n$/)]);
    expect(confined.stderr).toMatch(/Operation not permitted/);

    const unconfined = await ctr('run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U -r -m sh -c "mount -t tmpfs none /tmp && echo mounted"');
    expect([unconfined.code, unconfined.stdout, unconfined.stderr]).toEqual([0, expect.stringMatching(/^Seccomp:\s+0\nmounted\n$/), '']);

    // Docker's format: everything allowed but making folders, which fails with EACCES.
    const profile = join(dataDir, 'no-mkdir.json');
    await writeFile(
      profile,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] }],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, comment: 'no new folders', args: [], includes: {}, excludes: {} }],
      }),
    );
    const custom = await ctr('run', '--name', 'custom', '--security-opt', `seccomp=${profile}`, 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status; mkdir /tmp/d || echo no-mkdir; unshare -U -r true && echo userns');
    try {
      expect([custom.code, custom.stdout]).toEqual([0, expect.stringMatching(/^Seccomp:\s+2\nno-mkdir\nuserns\n$/)]);
      expect(custom.stderr).toMatch(/Permission denied/);
      const inspected = JSON.parse((await ctr('inspect', 'custom')).stdout) as { security: unknown };
      expect(inspected.security).toEqual({ seccomp: 'profile', seccompProfileJson: '', seccompProfileSource: profile });
    } finally {
      expect((await ctr('rm', 'custom')).code).toBe(0);
    }
  });

  it('answers bad input with one line and exit code 1 or 2', async () => {
    const notJson = join(dataDir, 'not-json.json');
    await writeFile(notJson, '{"defaultAction": "SCMP_ACT_ERRNO",');
    const badAction = join(dataDir, 'bad-action.json');
    await writeFile(badAction, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }] }));
    const cases: [string[], number, RegExp][] = [
      [['run', '--security-opt', 'seccomp=/no/such.json', 'busybox', 'true'], 2, /^shoal: --security-opt seccomp=\/no\/such\.json: cannot read the file \(ENOENT: no such file or directory, stat '\/no\/such\.json'\)\n$/],
      [['run', '--security-opt', `seccomp=${notJson}`, 'busybox', 'true'], 1, new RegExp(`^shoal: seccomp profile ${notJson}: not JSON: [^\\n]+\\n$`)],
      [['run', '--security-opt', `seccomp=${badAction}`, 'busybox', 'true'], 1, new RegExp(`^shoal: seccomp profile ${badAction}: syscalls\\[0\\]\\.action: "ALLOW" is not one of SCMP_ACT_KILL, [^\\n]+\\n$`)],
      [['run', '--security-opt', 'apparmor=unconfined', 'busybox', 'true'], 2, /^shoal: --security-opt: "apparmor=unconfined" is not supported \(Shoal knows seccomp=unconfined and seccomp=PROFILE\.json\)\n$/],
      [['run', 'nosuch:1', 'true'], 1, /^shoal: no image nosuch:1: import or pull it first\n$/],
      [['run', 'busybox:1.0', 'true'], 1, /^shoal: no image busybox:1\.0: import or pull it first\n$/],
      [['run', 'docker.io/library/nosuch', 'true'], 1, /^shoal: no image docker\.io\/library\/nosuch: import or pull it first\n$/],
      [['run', 'BusyBox', 'true'], 1, /^shoal: image reference "BusyBox" is not valid: the repository name must be lowercase\n$/],
      [['run', 'busybox:-1', 'true'], 1, /^shoal: image reference "busybox:-1" is not valid: the tag "-1" is not 1 to 128 letters, digits, _ \. or - starting with a letter, digit or _\n$/],
      [['images', 'pull', 'busybox@sha256:123'], 1, /^shoal: image reference "busybox@sha256:123" is not valid: the digest "sha256:123" is not sha256:<64 lowercase hex digits>\n$/],
      [['images', 'rm', 'docker.io/team/ghost:1'], 1, /^shoal: no image docker\.io\/team\/ghost:1\n$/],
      [['images', 'rm', 'Ghost'], 1, /^shoal: image reference "Ghost" is not valid: the repository name must be lowercase\n$/],
      [['images', 'import', '--name', 'a..b', join(dataDir, 'busybox.tar')], 1, /^shoal: image reference "a\.\.b" is not valid: "a\.\.b" is not a repository path component/],
      [['run', '--memory', 'lots', 'busybox', 'true'], 2, /^shoal: --memory: "lots" is not a size like 64m, 1g or 512k\n$/],
      [['run', '--memory', '1m', 'busybox', 'true'], 1, /^shoal: container\.resources\.memory: must be at least 6 MiB/],
      [['run', '-v', 'relative', 'busybox', 'true'], 2, /^shoal: --volume: "relative" is not SOURCE:\/TARGET\[:ro\]\n$/],
      [['logs', 'ghost'], 1, /^shoal: no container "ghost"\n$/],
      [['kill', '-s', 'SIGNOPE', 'ghost'], 1, /^shoal: no container "ghost"\n$/],
      [['images', 'import', '/no/such/file.tar'], 1, /^shoal: images import: \/no\/such\/file\.tar does not exist\n$/],
      [['images', 'rm', 'ghost:1'], 1, /^shoal: no image ghost:1\n$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await ctr(...args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), code]);
      expect(r.stderr).toMatch(message);
    }
    expect((await ctr('ps', '-a')).stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });
});
