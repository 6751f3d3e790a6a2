// The default seccomp profile, judged by what a process in the container would see: each call
// below is put through the fitted profile with the kernel's seccomp semantics (the rules for a
// name whose argument conditions all hold; allowed if one of them allows; else its errno, else
// the default action's). Also: the profile's shape for both architectures, its capability-
// dependent parts, and its validity against the OCI runtime-spec schema.

import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES, buildRuntimeSpec } from './spec.js';
import { ALLOWED_ALWAYS, ALLOWED_BY_ARCH, ALLOWED_BY_CAPABILITY, CLONE_NAMESPACE_FLAGS, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER, TRACING } from './seccomp-default.js';
import { defaultSeccomp, fitSeccomp, hostArch, kernelVersion, type OciSeccomp, type SeccompArg, type SeccompTemplate } from './seccomp.js';
import { validRuntimeConfig } from './test-schemas.js';
import { containerInput } from './testing.js';

const EPERM = 1;
const ENOSYS = 38;
const kernel = { major: 6, minor: 1 };
const amd64 = (caps: readonly string[] = DEFAULT_CAPABILITIES): OciSeccomp => defaultSeccomp({ caps, arch: 'amd64', kernel });

type Outcome = 'allowed' | number;

function holds(a: SeccompArg, args: readonly number[]): boolean {
  const v = args[a.index] ?? 0;
  switch (a.op) {
    case 'SCMP_CMP_EQ':
      return v === a.value;
    case 'SCMP_CMP_NE':
      return v !== a.value;
    case 'SCMP_CMP_LT':
      return v < a.value;
    case 'SCMP_CMP_LE':
      return v <= a.value;
    case 'SCMP_CMP_GT':
      return v > a.value;
    case 'SCMP_CMP_GE':
      return v >= a.value;
    case 'SCMP_CMP_MASKED_EQ':
      // Bitwise on 32-bit halves: JavaScript's & works on 32 bits, and every mask here fits.
      return (v & a.value) >>> 0 === (a.valueTwo ?? 0);
  }
}

/** What the call `name(args)` gets under the profile. */
function call(p: OciSeccomp, name: string, ...args: number[]): Outcome {
  const matching = p.syscalls.filter((r) => r.names.includes(name) && (r.args ?? []).every((a) => holds(a, args)));
  if (matching.some((r) => r.action === 'SCMP_ACT_ALLOW')) return 'allowed';
  const first = matching[0];
  if (first !== undefined) return first.errnoRet ?? EPERM;
  return p.defaultErrnoRet ?? EPERM;
}

const SIGCHLD = 17;
const CLONE_VM = 0x100;
const CLONE_THREAD = 0x1_0000;
const AF_INET = 2;
const AF_NETLINK = 16;
const AF_VSOCK = 40;

describe('the default seccomp profile', () => {
  it('denies what is not listed with EPERM, for the three x86 ABIs on amd64 and both ARM ABIs on arm64', () => {
    const p = amd64();
    expect([p.defaultAction, p.defaultErrnoRet]).toEqual(['SCMP_ACT_ERRNO', EPERM]);
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(defaultSeccomp({ caps: DEFAULT_CAPABILITIES, arch: 'arm64', kernel }).architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    // An architecture the profile has no entry for: the filter covers the native one only.
    expect(defaultSeccomp({ caps: DEFAULT_CAPABILITIES, arch: 'riscv64', kernel }).architectures).toEqual([]);
    expect(call(p, 'no_such_syscall')).toBe(EPERM);
  });

  it('refuses a new user, mount or network namespace: unshare, setns and clone with namespace flags', () => {
    const p = amd64();
    expect(call(p, 'unshare', CLONE_NEWUSER)).toBe(EPERM);
    expect(call(p, 'unshare', CLONE_NEWNS)).toBe(EPERM);
    expect(call(p, 'setns', 3, 0)).toBe(EPERM);
    for (const flag of [CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNS]) {
      expect([flag.toString(16), call(p, 'clone', flag | SIGCHLD)]).toEqual([flag.toString(16), EPERM]);
    }
    for (let bit = 0; bit < 31; bit++) {
      const flag = 1 << bit;
      if ((CLONE_NAMESPACE_FLAGS & flag) !== 0) expect(call(p, 'clone', (flag | SIGCHLD) >>> 0)).toBe(EPERM);
    }
  });

  it('lets fork and threads through clone, and answers clone3 with ENOSYS so that libc falls back to clone', () => {
    const p = amd64();
    expect(call(p, 'clone', SIGCHLD)).toBe('allowed');
    expect(call(p, 'clone', CLONE_VM | CLONE_THREAD | SIGCHLD)).toBe('allowed');
    expect(call(p, 'clone3')).toBe(ENOSYS);
    expect(call(p, 'fork')).toBe('allowed');
    expect(call(p, 'vfork')).toBe('allowed');
  });

  it('keeps mount, umount2, pivot_root and the new mount API for CAP_SYS_ADMIN', () => {
    const p = amd64();
    for (const name of ['mount', 'umount2', 'pivot_root', 'fsopen', 'fsmount', 'move_mount', 'open_tree', 'mount_setattr']) expect([name, call(p, name)]).toEqual([name, EPERM]);
    const admin = amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
    for (const name of ['mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'clone3']) expect([name, call(admin, name)]).toEqual([name, 'allowed']);
    expect(call(admin, 'clone', CLONE_NEWUSER | SIGCHLD)).toBe('allowed');
  });

  it('denies keys, BPF, perf, kexec, reboot, swap, modules and io_uring; BPF and perf come back with their own capabilities', () => {
    const p = amd64();
    const denied = [
      'keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'kexec_load', 'kexec_file_load', 'reboot', 'swapon', 'swapoff',
      'init_module', 'finit_module', 'delete_module', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'userfaultfd',
      'open_by_handle_at', 'acct', 'syslog', 'settimeofday', 'clock_settime', 'iopl', 'ioperm', 'vhangup', 'lookup_dcookie',
      'kcmp', 'pidfd_getfd', 'mbind', 'set_mempolicy', 'move_pages', 'quotactl', 'sethostname', 'setdomainname', 'uselib', 'ustat', 'sysfs', 'nfsservctl', 'vm86',
    ];
    for (const name of denied) expect([name, call(p, name)]).toEqual([name, EPERM]);
    expect(call(amd64([...DEFAULT_CAPABILITIES, 'CAP_BPF']), 'bpf')).toBe('allowed');
    expect(call(amd64([...DEFAULT_CAPABILITIES, 'CAP_PERFMON']), 'perf_event_open')).toBe('allowed');
    expect(call(amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_BOOT']), 'reboot')).toBe('allowed');
    expect(call(amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']), 'kcmp')).toBe('allowed');
    expect(call(amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_MODULE']), 'init_module')).toBe('allowed');
    // Nothing grants these.
    const all = amd64(['CAP_SYS_ADMIN', ...Object.keys(ALLOWED_BY_CAPABILITY)]);
    for (const name of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'swapon', 'io_uring_setup']) expect([name, call(all, name)]).toEqual([name, EPERM]);
  });

  it('allows ptrace and process_vm_readv/writev from Linux 4.8 on, as Docker; on an older kernel only with CAP_SYS_PTRACE', () => {
    const on = (release: string, caps: readonly string[] = DEFAULT_CAPABILITIES): OciSeccomp => defaultSeccomp({ caps, arch: 'amd64', kernel: kernelVersion(release) });
    for (const name of TRACING) {
      // 4.4: a tracer could change the traced call after seccomp checked it, so no.
      expect([name, call(on('4.4.0-210-generic'), name), call(on('4.8.0'), name), call(on('6.1.0-18-amd64'), name)]).toEqual([name, EPERM, 'allowed', 'allowed']);
      expect([name, call(on('4.4.0', [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']), name)]).toEqual([name, 'allowed']);
      // A kernel release that cannot be read counts as old.
      expect([name, call(on('unknown'), name)]).toEqual([name, EPERM]);
    }
  });

  it('allows chroot (CAP_SYS_CHROOT is a default capability)', () => {
    const p = amd64();
    expect(call(p, 'chroot')).toBe('allowed');
    expect(call(amd64(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT')), 'chroot')).toBe(EPERM);
  });

  it('allows only the harmless personality values', () => {
    const p = amd64();
    for (const v of [0x0, 0x8, 0x2_0000, 0x2_0008, 0xffff_ffff]) expect([v, call(p, 'personality', v)]).toEqual([v, 'allowed']);
    const ADDR_NO_RANDOMIZE = 0x4_0000;
    const READ_IMPLIES_EXEC = 0x40_0000;
    for (const v of [ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, 0x8 | ADDR_NO_RANDOMIZE]) expect([v, call(p, 'personality', v)]).toEqual([v, EPERM]);
  });

  it('opens sockets of every family but AF_VSOCK, netlink included (ip needs it)', () => {
    const p = amd64();
    expect(call(p, 'socket', AF_INET, 1, 0)).toBe('allowed');
    expect(call(p, 'socket', AF_NETLINK, 3, 0)).toBe('allowed');
    expect(call(p, 'socket', AF_VSOCK, 1, 0)).toBe(EPERM);
  });

  it('on s390x covers both s390 ABIs and reads clone\'s flags from argument 1, where its clone puts them', () => {
    const s390x = (caps: readonly string[] = DEFAULT_CAPABILITIES): OciSeccomp => defaultSeccomp({ caps, arch: 's390x', kernel });
    const p = s390x();
    expect(p.architectures).toEqual(['SCMP_ARCH_S390X', 'SCMP_ARCH_S390']);
    const stack = 0x7fff_0000; // clone(stack, flags, ...) on s390
    for (const flag of [CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET]) expect([flag.toString(16), call(p, 'clone', stack, flag | SIGCHLD)]).toEqual([flag.toString(16), EPERM]);
    expect(call(p, 'clone', stack, SIGCHLD)).toBe('allowed');
    expect(call(p, 'clone', stack, CLONE_VM | CLONE_THREAD | SIGCHLD)).toBe('allowed');
    // Argument 0 is the stack pointer there: whatever bits it has, they are not flags.
    expect(call(p, 'clone', CLONE_NEWUSER, SIGCHLD)).toBe('allowed');
    expect(call(s390x([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']), 'clone', stack, CLONE_NEWUSER | SIGCHLD)).toBe('allowed');
    // And amd64 keeps reading argument 0.
    expect(call(amd64(), 'clone', CLONE_NEWUSER | SIGCHLD, 0)).toBe(EPERM);
  });

  it('gives each architecture its own calls', () => {
    const x86 = amd64();
    const arm = defaultSeccomp({ caps: DEFAULT_CAPABILITIES, arch: 'arm64', kernel });
    const s390 = defaultSeccomp({ caps: DEFAULT_CAPABILITIES, arch: 's390x', kernel });
    for (const name of ALLOWED_BY_ARCH.amd64) expect([name, call(x86, name), call(arm, name), call(s390, name)]).toEqual([name, 'allowed', EPERM, EPERM]);
    for (const name of ALLOWED_BY_ARCH.arm64) expect([name, call(arm, name), call(x86, name), call(s390, name)]).toEqual([name, 'allowed', EPERM, EPERM]);
    for (const name of ALLOWED_BY_ARCH.s390x) expect([name, call(s390, name), call(x86, name), call(arm, name)]).toEqual([name, 'allowed', EPERM, EPERM]);
    for (const name of ['read', 'write', 'execve', 'openat', 'mmap', 'futex', 'clock_gettime']) expect([name, call(arm, name)]).toEqual([name, 'allowed']);
  });

  it('lists each name once, and none of the conditional ones without its condition', () => {
    expect(new Set(ALLOWED_ALWAYS).size).toBe(ALLOWED_ALWAYS.length);
    const conditional = new Set([...Object.values(ALLOWED_BY_CAPABILITY).flat(), ...TRACING, 'socket', 'personality', 'clone', 'clone3', ...Object.values(ALLOWED_BY_ARCH).flat()]);
    expect(ALLOWED_ALWAYS.filter((n) => conditional.has(n))).toEqual([]);
    // The filter the container gets has no conditions left in it: runc does not read them.
    expect(JSON.stringify(amd64())).not.toMatch(/includes|excludes|minKernel/);
  });

  it('is valid in config.json for each architecture it maps, with few and with many capabilities', () => {
    for (const arch of ['amd64', 'arm64', 's390x']) {
      for (const caps of [DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, ...Object.keys(ALLOWED_BY_CAPABILITY)]]) {
        const spec = buildRuntimeSpec({}, containerInput({ command: ['/bin/sh'], host: { arch, kernel, cgroupNamespace: true } }));
        const withCaps = { ...spec, linux: { ...spec.linux, seccomp: defaultSeccomp({ caps, arch, kernel }) } };
        const ok = validRuntimeConfig(withCaps);
        expect([arch, caps.length, validRuntimeConfig.errors ?? []]).toEqual([arch, caps.length, []]);
        expect(ok).toBe(true);
      }
    }
  });
});

describe('fitting a template to a container (Docker profile semantics)', () => {
  const template: SeccompTemplate = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { names: ['a'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_X', 'CAP_Y'] } },
      { names: ['b'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_X', 'CAP_Z'] } },
      { names: ['c'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.10' } },
      { names: ['d'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.10' } },
      { names: ['e'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
      { names: ['f'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['arm64'] } },
    ],
  };
  const names = (caps: string[], release: string, arch = 'amd64'): string[] => fitSeccomp(template, { caps, arch, kernel: kernelVersion(release) }).syscalls.flatMap((s) => s.names);

  it('includes needs every capability, excludes drops the rule on any; minKernel and arches likewise', () => {
    expect(names(['CAP_X'], '5.4.0')).toEqual(['d', 'f']);
    expect(names(['CAP_X', 'CAP_Y'], '5.10.3')).toEqual(['a', 'c', 'f']);
    expect(names([], '6.1.0-18-amd64')).toEqual(['b', 'c', 'f']);
    expect(names([], '6.1', 'arm64')).toEqual(['b', 'c', 'e']);
  });

  it('reads the host: Node architecture names and kernel releases', () => {
    expect([hostArch('x64'), hostArch('arm64'), hostArch('mips')]).toEqual(['amd64', 'arm64', 'mips']);
    expect(kernelVersion('6.18.44-fc-v595')).toEqual({ major: 6, minor: 18 });
    expect(kernelVersion('garbage')).toEqual({ major: 0, minor: 0 });
  });
});
