// config.json generation: Docker's semantics, and every generated spec validated against the
// OCI runtime-spec v1.1.0 JSON Schema (draft-04) from ../shared/oci-schemas.

import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { parseSeccompProfile } from './seccomp-profile.js';
import { buildRuntimeSpec, processArgs, processEnv, type ImageConfig } from './spec.js';
import { validRuntimeConfig as validate } from './test-schemas.js';
import { containerInput } from './testing.js';
import { resolveUser } from './user.js';

function expectValid(spec: unknown): void {
  const ok = validate(spec);
  expect(validate.errors ?? [], 'config.json against the OCI runtime-spec schema').toEqual([]);
  expect(ok).toBe(true);
}

const image: ImageConfig = { Entrypoint: ['/bin/app'], Cmd: ['--serve'], Env: ['PATH=/app/bin:/bin', 'MODE=prod'], WorkingDir: '/srv' };

const container = containerInput;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('OCI runtime spec', () => {
  it('the schema check catches an invalid config.json', () => {
    const spec = buildRuntimeSpec(image, container()) as unknown as { process: { user: { uid: number } } };
    spec.process.user.uid = -1;
    expect(validate(spec)).toBe(false);
  });

  it('a minimal container yields a valid config.json with Docker defaults', () => {
    const spec = buildRuntimeSpec(image, container());
    expectValid(spec);
    expect(spec.process.args).toEqual(['/bin/app', '--serve']);
    expect(spec.process.cwd).toBe('/srv');
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.capabilities.bounding).toHaveLength(14);
    expect(spec.process.capabilities.bounding).not.toContain('CAP_SYS_ADMIN');
    expect(spec.linux.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux.readonlyPaths).toContain('/proc/sys');
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network', 'cgroup']);
    expect(spec.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(spec.linux.seccomp?.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(spec.linux.resources.devices[0]).toEqual({ allow: false, access: 'rwm' });
    expect(spec.mounts.map((m) => m.destination)).toEqual(
      expect.arrayContaining(['/proc', '/dev', '/dev/pts', '/dev/shm', '/sys', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname']),
    );
  });

  it('a container with everything set is valid too, and each setting lands where runc reads it', () => {
    const spec = buildRuntimeSpec(
      image,
      container({
        command: ['/bin/sh', '-c'],
        args: ['echo hi'],
        env: ['MODE=dev', 'EXTRA=1'],
        workingDir: '/tmp',
        user: { uid: 1000, gid: 1000, additionalGids: [27] },
        labels: { 'com.example.tier': 'web' },
        readOnlyRootfs: true,
        mounts: [
          { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
          { type: 'volume', source: '/var/lib/shoal/agent/volumes/cache/_data', target: '/cache', readOnly: false },
          { type: 'tmpfs', target: '/scratch', sizeBytes: 16 * 1024 * 1024 },
        ],
        resources: { memoryBytes: 64 * 1024 * 1024, memoryReservationBytes: 32 * 1024 * 1024, cpus: 0.5, cpuShares: 512, cpusetCpus: '0-1', pidsLimit: 100 },
        netnsPath: '/run/netns/shoal-c0ffee',
      }),
    );
    expectValid(spec);
    expect(spec.process.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(spec.process.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [27] });
    expect(spec.root.readonly).toBe(true);
    expect(spec.annotations).toEqual({ 'com.example.tier': 'web' });
    expect(spec.linux.resources.memory).toEqual({ limit: 64 * 1024 * 1024, reservation: 32 * 1024 * 1024 });
    expect(spec.linux.resources.cpu).toEqual({ shares: 512, quota: 50_000, period: 100_000, cpus: '0-1' });
    expect(spec.linux.resources.pids).toEqual({ limit: 100 });
    expect(spec.linux.namespaces.find((n) => n.type === 'network')).toEqual({ type: 'network', path: '/run/netns/shoal-c0ffee' });
    expect(spec.mounts.find((m) => m.destination === '/data')?.options).toEqual(['rbind', 'ro', 'rprivate']);
    expect(spec.mounts.find((m) => m.destination === '/cache')?.source).toBe('/var/lib/shoal/agent/volumes/cache/_data');
    expect(spec.mounts.find((m) => m.destination === '/scratch')?.options).toContain('size=16384k');
  });

  it('seccomp: the default profile on every container, none when unconfined, a user profile fitted to the container', () => {
    const unconfined = buildRuntimeSpec(image, container({ seccomp: { mode: 'unconfined' } }));
    expectValid(unconfined);
    expect(unconfined.linux.seccomp).toBeUndefined();

    const docker = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        archMap: [{ architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
        syscalls: [
          { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
          { names: ['chroot'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_CHROOT'] } },
          { names: ['reboot'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_BOOT'] } },
        ],
      }),
      'mine.json',
    );
    const custom = buildRuntimeSpec(image, container({ seccomp: { mode: 'profile', template: docker }, host: { arch: 'arm64', kernel: { major: 6, minor: 1 }, cgroupNamespace: true } }));
    expectValid(custom);
    expect(custom.linux.seccomp).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      // chroot: the container holds CAP_SYS_CHROOT; reboot: it does not hold CAP_SYS_BOOT.
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['chroot'], action: 'SCMP_ACT_ERRNO' },
      ],
    });
  });

  it('gives a cgroup namespace only where the host has them', () => {
    const spec = buildRuntimeSpec(image, container({ host: { arch: 'amd64', kernel: { major: 4, minor: 4 }, cgroupNamespace: false } }));
    expectValid(spec);
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
  });

  it('follows Docker: a command replaces Entrypoint and Cmd; args replace only Cmd', () => {
    expect(processArgs(image, {})).toEqual(['/bin/app', '--serve']);
    expect(processArgs(image, { args: ['--debug'] })).toEqual(['/bin/app', '--debug']);
    expect(processArgs(image, { command: ['/bin/sh'] })).toEqual(['/bin/sh']);
    expect(processArgs({ Cmd: ['sh'] }, {})).toEqual(['sh']);
  });

  it('merges env: container over image by name, PATH and HOSTNAME always set', () => {
    const env = processEnv(image, { env: ['MODE=dev'], hostname: 'h' });
    expect(env).toContain('PATH=/app/bin:/bin');
    expect(env).toContain('MODE=dev');
    expect(env).not.toContain('MODE=prod');
    expect(env).toContain('HOSTNAME=h');
    expect(processEnv({}, { env: [], hostname: 'h' })[0]).toMatch(/^PATH=/);
  });

  it('refuses bad input with one line naming the field', () => {
    expect(errorOf(() => buildRuntimeSpec({}, container()))).toBe('container.command: none given, and the image has neither Entrypoint nor Cmd');
    expect(errorOf(() => buildRuntimeSpec(image, container({ resources: { ...container().resources, memoryBytes: 1024 } })))).toBe(
      'container.resources.memory: must be at least 6 MiB (got 1024 bytes)',
    );
    expect(errorOf(() => buildRuntimeSpec(image, container({ resources: { ...container().resources, cpus: -1 } })))).toMatch(/^container\.resources\.cpus: /);
    expect(errorOf(() => buildRuntimeSpec(image, container({ resources: { ...container().resources, cpusetCpus: 'all' } })))).toMatch(/cpuset_cpus/);
    expect(errorOf(() => buildRuntimeSpec(image, container({ env: ['NOEQUALS'] })))).toBe('container.env: "NOEQUALS" is not NAME=VALUE');
    expect(errorOf(() => buildRuntimeSpec(image, container({ mounts: [{ type: 'bind', source: 'relative', target: '/x', readOnly: false }] })))).toMatch(/^container\.mounts\[0\]\.source: /);
    expect(errorOf(() => buildRuntimeSpec(image, container({ hostname: 'bad host' })))).toMatch(/^container\.hostname: /);
  });
});

describe('user resolution', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\nbob:x:1000:1000::/home/bob:/bin/sh\n';
  const group = 'root:x:0:\nwww:x:33:\nbob:x:1000:\ndocker:x:999:bob,alice\naudio:x:29:bob\n';

  it('resolves names, ids and groups as Docker does', () => {
    expect(resolveUser('', passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [] });
    expect(resolveUser('bob', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [29, 999] });
    expect(resolveUser('www:docker', passwd, group)).toEqual({ uid: 33, gid: 999, additionalGids: [] });
    expect(resolveUser('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, additionalGids: [] });
    expect(resolveUser('4242:77', passwd, group)).toEqual({ uid: 4242, gid: 77, additionalGids: [] });
  });

  it('refuses names the image does not know', () => {
    expect(() => resolveUser('mallory', passwd, group)).toThrow(`user "mallory": not found in the image's /etc/passwd`);
    expect(() => resolveUser('bob:nogroup', passwd, group)).toThrow(`group "nogroup": not found in the image's /etc/group`);
    expect(() => resolveUser('a:b:c', passwd, group)).toThrow(/expected USER\[:GROUP\]/);
  });
});
