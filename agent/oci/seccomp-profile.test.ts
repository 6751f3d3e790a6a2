// A user's profile file: Docker's format and the OCI one are read; anything wrong is refused
// with one line naming the file, the place in it and what is wrong.

import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { DEFAULT_CAPABILITIES } from './spec.js';
import { parseSeccompProfile } from './seccomp-profile.js';
import { SECCOMP_PROFILE_BYTES_MAX, SECCOMP_PROFILE_NAMES_MAX, fitSeccomp } from './seccomp.js';

const kernel = { major: 6, minor: 1 };

function refusal(profile: unknown): string {
  try {
    parseSeccompProfile(typeof profile === 'string' ? profile : JSON.stringify(profile), 'my.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    expect((e as ShoalError).code).toBe('seccomp.bad_profile');
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected the profile to be refused');
}

describe('seccomp profile files', () => {
  it("reads Docker's format: archMap, name, comments, conditions on capabilities and kernel", () => {
    const docker = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      archMap: [
        { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
        { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: null },
      ],
      syscalls: [
        { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW', args: null, comment: '', includes: {}, excludes: {} },
        { name: 'ptrace', action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390x'] } },
      ],
    };
    const t = parseSeccompProfile(JSON.stringify(docker), 'docker.json');
    expect(fitSeccomp(t, { caps: DEFAULT_CAPABILITIES, arch: 'amd64', kernel })).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
        { names: ['ptrace'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      ],
    });
    expect(fitSeccomp(t, { caps: DEFAULT_CAPABILITIES, arch: 'arm64', kernel: { major: 4, minor: 4 } }).syscalls.map((s) => s.names[0])).toEqual(['read', 'clone']);
    expect(fitSeccomp(t, { caps: DEFAULT_CAPABILITIES, arch: 'arm64', kernel }).architectures).toEqual(['SCMP_ARCH_AARCH64']);
  });

  it("reads the OCI format (config.json's linux.seccomp) as it is", () => {
    const oci = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    };
    expect(fitSeccomp(parseSeccompProfile(JSON.stringify(oci), 'oci.json'), { caps: [], arch: 'arm64', kernel })).toEqual(oci);
  });

  it('refuses what runc would refuse or Shoal cannot honour, naming the file and the place', () => {
    const ok = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
    const rule = (over: Record<string, unknown>): unknown => ({ ...ok, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['write'], action: 'SCMP_ACT_ALLOW', ...over }] });
    const cases: [unknown, string][] = [
      ['{"defaultAction": ', 'seccomp profile my.json: not JSON: '],
      ['[]', 'seccomp profile my.json: must be an object'],
      [{ syscalls: [] }, 'seccomp profile my.json: defaultAction: missing'],
      [{ ...ok, defaultAction: 'ALLOW' }, 'seccomp profile my.json: defaultAction: "ALLOW" is not one of SCMP_ACT_KILL, '],
      [{ ...ok, defaultAction: 'SCMP_ACT_NOTIFY' }, 'seccomp profile my.json: defaultAction: SCMP_ACT_NOTIFY needs a listener process, which Shoal does not run'],
      [{ ...ok, listenerPath: '/run/l.sock' }, 'seccomp profile my.json: listenerPath: seccomp listeners (SCMP_ACT_NOTIFY) are not supported by Shoal'],
      [{ ...ok, defaultErrnoRet: -1 }, 'seccomp profile my.json: defaultErrnoRet: -1 is not an integer from 0 to 4294967295'],
      [{ ...ok, architectures: ['SCMP_ARCH_X86_64', 'x86'] }, 'seccomp profile my.json: architectures[1]: "x86" is not one of SCMP_ARCH_X86, '],
      [{ ...ok, architectures: [], archMap: [] }, 'seccomp profile my.json: give "architectures" or "archMap", not both'],
      [{ ...ok, archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['i386'] }] }, 'seccomp profile my.json: archMap[0].subArchitectures[0]: "i386" is not one of '],
      [{ ...ok, flags: ['SECCOMP_FILTER_FLAG_NEW'] }, 'seccomp profile my.json: flags[0]: "SECCOMP_FILTER_FLAG_NEW" is not one of '],
      [{ ...ok, defaultaction: 'SCMP_ACT_ALLOW' }, 'seccomp profile my.json: unknown field "defaultaction" (known: defaultAction, '],
      [{ ...ok, syscalls: {} }, 'seccomp profile my.json: syscalls: must be an array'],
      [rule({ action: 'SCMP_ACT_ALOW' }), 'seccomp profile my.json: syscalls[1].action: "SCMP_ACT_ALOW" is not one of '],
      [rule({ names: [] }), 'seccomp profile my.json: syscalls[1]: names no syscall'],
      [rule({ names: ['read', 'Write!'] }), 'seccomp profile my.json: syscalls[1].names[1]: "Write!" is not a syscall name'],
      [rule({ name: 'read' }), 'seccomp profile my.json: syscalls[1]: give "name" or "names", not both'],
      [rule({ errnoRet: 1 }), 'seccomp profile my.json: syscalls[1].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value, not SCMP_ACT_ALLOW'],
      [rule({ args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }), 'seccomp profile my.json: syscalls[1].args[0].index: 6 is not an integer from 0 to 5'],
      [rule({ args: [{ index: 0, value: 18446744073709551615, op: 'SCMP_CMP_EQ' }] }), 'seccomp profile my.json: syscalls[1].args[0].value: 18446744073709552000 is not an integer from 0 to 9007199254740991'],
      [rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_IN' }] }), 'seccomp profile my.json: syscalls[1].args[0].op: "SCMP_CMP_IN" is not one of SCMP_CMP_NE, '],
      [rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ', extra: 1 }] }), 'seccomp profile my.json: syscalls[1].args[0]: unknown field "extra"'],
      [rule({ includes: { caps: ['SYS_ADMIN'] } }), 'seccomp profile my.json: syscalls[1].includes.caps[0]: "SYS_ADMIN" is not a capability like CAP_SYS_ADMIN'],
      [rule({ excludes: { minKernel: 'four' } }), 'seccomp profile my.json: syscalls[1].excludes.minKernel: "four" is not a kernel version like "4.8"'],
      [rule({ action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ' }] }), 'seccomp profile my.json: syscalls[1].args[0].value: undefined is not an integer'],
    ];
    for (const [profile, message] of cases) expect(refusal(profile)).toContain(message);
  });

  it('holds the limits: bytes and syscall names', () => {
    expect(refusal(' '.repeat(SECCOMP_PROFILE_BYTES_MAX + 1))).toBe(`seccomp profile my.json: ${SECCOMP_PROFILE_BYTES_MAX + 1} bytes, more than the ${SECCOMP_PROFILE_BYTES_MAX} a profile may have`);
    const many = Array.from({ length: SECCOMP_PROFILE_NAMES_MAX + 1 }, (_, i) => `s${i}`);
    expect(refusal({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: many, action: 'SCMP_ACT_ALLOW' }] })).toBe(
      `seccomp profile my.json: syscalls: name ${SECCOMP_PROFILE_NAMES_MAX + 1} syscalls in all, more than the ${SECCOMP_PROFILE_NAMES_MAX} a profile may`,
    );
  });
});
