// Seccomp for one container, pure: a profile template (Shoal's default, or a user's file in
// Docker's or the OCI format) fitted to the container's capabilities and the host's architecture
// and kernel, giving config.json's `linux.seccomp`. The edge reads the file and the host facts.
//
// A template is Docker's profile format, a superset of the OCI one: rules may carry `includes`
// and `excludes` (capabilities, architectures, a minimum kernel) and the architectures may come
// as an `archMap` keyed by the host's own. Fitting drops the rules that do not apply and the
// conditions of those that do, as Docker does when it writes config.json.

import { defaultSeccompTemplate } from './seccomp-default.js';

export { SECCOMP_PROFILE_BYTES_MAX } from '../../shared/security-opt.js';

// ---- the OCI runtime spec's linux.seccomp (runtime-spec config-linux.md) ----

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

export const SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
] as const;
export type SeccompArch = (typeof SECCOMP_ARCHES)[number];

export const SECCOMP_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] as const;
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];

export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: SeccompOperator;
}

export interface OciSeccompSyscall {
  readonly names: string[];
  readonly action: SeccompAction;
  readonly errnoRet?: number;
  readonly args?: SeccompArg[];
}

export interface OciSeccomp {
  readonly defaultAction: SeccompAction;
  readonly defaultErrnoRet?: number;
  readonly architectures: SeccompArch[];
  readonly flags?: SeccompFlag[];
  readonly syscalls: OciSeccompSyscall[];
}

// ---- templates (Docker's format) ----

export interface SeccompCondition {
  /** Capabilities: `includes` needs all of them in the bounding set, `excludes` drops the rule on any. */
  readonly caps?: readonly string[];
  /** Go's names for architectures (amd64, arm64, ...), matched against the host's. */
  readonly arches?: readonly string[];
  /** "4.8": `includes` needs at least this kernel, `excludes` drops the rule from it on. */
  readonly minKernel?: string;
}

export interface SeccompRule {
  readonly names: readonly string[];
  readonly action: SeccompAction;
  readonly errnoRet?: number;
  readonly args?: readonly SeccompArg[];
  readonly includes?: SeccompCondition;
  readonly excludes?: SeccompCondition;
}

export interface SeccompTemplate {
  readonly defaultAction: SeccompAction;
  readonly defaultErrnoRet?: number;
  /** Either the architectures themselves, or an archMap from which the host's entry is taken. */
  readonly architectures?: readonly SeccompArch[];
  readonly archMap?: readonly { readonly architecture: SeccompArch; readonly subArchitectures: readonly SeccompArch[] }[];
  readonly flags?: readonly SeccompFlag[];
  readonly syscalls: readonly SeccompRule[];
}

/** What a container's seccomp is: Shoal's default profile, none, or a user's profile. */
export type SeccompChoice = { readonly mode: 'default' } | { readonly mode: 'unconfined' } | { readonly mode: 'profile'; readonly template: SeccompTemplate };

/** The facts a template is fitted to. */
export interface SeccompTarget {
  /** The container's bounding capabilities. */
  readonly caps: readonly string[];
  /** The host's architecture in Go's names (amd64, arm64); see hostArch. */
  readonly arch: string;
  readonly kernel: KernelVersion;
}

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

/** A profile may name at most this many syscalls in all; a larger filter would not fit the kernel's. */
export const SECCOMP_PROFILE_NAMES_MAX = 4096;

/** Node's process.arch → Go's name, which profiles use; the native seccomp architecture of each. */
const ARCHES: Readonly<Record<string, { go: string; native: SeccompArch }>> = {
  x64: { go: 'amd64', native: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', native: 'SCMP_ARCH_AARCH64' },
  arm: { go: 'arm', native: 'SCMP_ARCH_ARM' },
  ia32: { go: '386', native: 'SCMP_ARCH_X86' },
  ppc64: { go: 'ppc64le', native: 'SCMP_ARCH_PPC64LE' },
  s390x: { go: 's390x', native: 'SCMP_ARCH_S390X' },
  riscv64: { go: 'riscv64', native: 'SCMP_ARCH_RISCV64' },
};

/** Go's name of the architecture Node reports (`process.arch`): x64 → amd64. */
export function hostArch(nodeArch: string): string {
  return ARCHES[nodeArch]?.go ?? nodeArch;
}

function nativeArch(goArch: string): SeccompArch | undefined {
  return Object.values(ARCHES).find((a) => a.go === goArch)?.native;
}

/** "6.1.0-18-amd64" → 6.1; what cannot be read counts as 0.0 (no minKernel rule applies). */
export function kernelVersion(release: string): KernelVersion {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m === null ? { major: 0, minor: 0 } : { major: Number(m[1]), minor: Number(m[2]) };
}

function atLeast(k: KernelVersion, min: string): boolean {
  const want = kernelVersion(min);
  return k.major > want.major || (k.major === want.major && k.minor >= want.minor);
}

function applies(rule: SeccompRule, t: SeccompTarget): boolean {
  const has = (cap: string): boolean => t.caps.includes(cap);
  const ex = rule.excludes;
  if (ex?.arches?.includes(t.arch) === true) return false;
  if (ex?.caps?.some(has) === true) return false;
  if (ex?.minKernel !== undefined && atLeast(t.kernel, ex.minKernel)) return false;
  const inc = rule.includes;
  if (inc?.arches !== undefined && inc.arches.length > 0 && !inc.arches.includes(t.arch)) return false;
  if (inc?.caps !== undefined && !inc.caps.every(has)) return false;
  if (inc?.minKernel !== undefined && !atLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

function architecturesOf(p: SeccompTemplate, arch: string): SeccompArch[] {
  if (p.architectures !== undefined) return [...p.architectures];
  const native = nativeArch(arch);
  const entry = p.archMap?.find((e) => e.architecture === native);
  // No entry for this host: the filter covers its native architecture only.
  return entry === undefined ? [] : [entry.architecture, ...entry.subArchitectures];
}

/** The template fitted to one container: the rules that apply to it, without their conditions. */
export function fitSeccomp(p: SeccompTemplate, t: SeccompTarget): OciSeccomp {
  const syscalls = p.syscalls
    .filter((r) => applies(r, t))
    .map(
      (r): OciSeccompSyscall => ({
        names: [...r.names],
        action: r.action,
        ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}),
        ...(r.args !== undefined && r.args.length > 0 ? { args: r.args.map((a) => ({ ...a })) } : {}),
      }),
    );
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures: architecturesOf(p, t.arch),
    ...(p.flags !== undefined && p.flags.length > 0 ? { flags: [...p.flags] } : {}),
    syscalls,
  };
}

/** Shoal's default profile for a container with these capabilities on this host. */
export function defaultSeccomp(t: SeccompTarget): OciSeccomp {
  return fitSeccomp(defaultSeccompTemplate(), t);
}

/** config.json's linux.seccomp for a choice; undefined = unconfined. */
export function seccompFor(choice: SeccompChoice, t: SeccompTarget): OciSeccomp | undefined {
  if (choice.mode === 'unconfined') return undefined;
  return fitSeccomp(choice.mode === 'default' ? defaultSeccompTemplate() : choice.template, t);
}
