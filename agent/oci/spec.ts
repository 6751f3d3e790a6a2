// OCI runtime spec (config.json) generation, pure: an image's config and a container's spec in,
// the bundle's config.json out. The edge (the supervisor) resolves paths, users and the network
// namespace first and passes them in; nothing here reads the disk.
//
// Docker's defaults, as a user of `docker run` expects them: Entrypoint/Cmd precedence, the
// default capability set, masked and read-only /proc and /sys paths, no-new-privileges, the
// default seccomp profile (seccomp.ts), the standard /dev, /proc, /sys mounts and device nodes;
// and a cgroup namespace of its own where the host allows it, as Docker does on cgroup v2.

import { invalidArgument } from '../../shared/errors.js';
import { seccompFor, type KernelVersion, type OciSeccomp, type SeccompChoice } from './seccomp.js';

// ---- the part of the OCI runtime spec that Shoal writes ----

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[]; ambient: string[] };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  annotations: Record<string, string>;
  linux: {
    namespaces: { type: string; path?: string }[];
    cgroupsPath: string;
    resources: {
      devices: { allow: boolean; type?: string; major?: number; minor?: number; access?: string }[];
      memory?: { limit?: number; reservation?: number };
      cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
      pids?: { limit: number };
    };
    devices: { path: string; type: string; major: number; minor: number; fileMode: number; uid: number; gid: number }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
  };
}

// ---- inputs ----

/** The `config` object of an OCI image config (or Docker's, which uses the same names). */
export interface ImageConfig {
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Env?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
}

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
}

export type MountSpec =
  | { readonly type: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  /** A named local volume; `source` is its folder on the host, resolved by the edge. */
  | { readonly type: 'volume'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | { readonly type: 'tmpfs'; readonly target: string; readonly sizeBytes: number };

export interface ResourceLimits {
  /** Hard memory limit; 0 = none. */
  readonly memoryBytes: number;
  readonly memoryReservationBytes: number;
  /** CPUs as a CFS quota: 0.5 = half a CPU; 0 = none. */
  readonly cpus: number;
  readonly cpuShares: number;
  readonly cpusetCpus: string;
  /** 0 = none. */
  readonly pidsLimit: number;
}

export interface ContainerInput {
  readonly id: string;
  readonly hostname: string;
  /** Replaces the image's Entrypoint (and then its Cmd too, as in Docker) when set. */
  readonly command?: readonly string[];
  /** Replaces the image's Cmd when set. */
  readonly args?: readonly string[];
  readonly env: readonly string[];
  readonly workingDir?: string;
  /** The user the process runs as, resolved against the image's /etc/passwd by the edge. */
  readonly user: ResolvedUser;
  readonly labels: Readonly<Record<string, string>>;
  readonly readOnlyRootfs: boolean;
  readonly mounts: readonly MountSpec[];
  readonly resources: ResourceLimits;
  /** The bundle's rootfs (the overlayfs mount point). */
  readonly rootfsPath: string;
  /** A network namespace to join (the networking issue's), or none for a new, empty one. */
  readonly netnsPath?: string;
  readonly cgroupsPath: string;
  /** RLIMIT_NOFILE for the process: the agent's own (agent/sys/limits.ts), never more. */
  readonly nofile: { readonly soft: number; readonly hard: number };
  /** Files the supervisor wrote for this container, bind-mounted over the image's. */
  readonly etcFiles: { readonly hosts: string; readonly resolvConf: string; readonly hostname: string };
  /** Shoal's default profile, none (`--security-opt seccomp=unconfined`) or a user's. */
  readonly seccomp: SeccompChoice;
  /** What the edge learnt of the host and its OCI runtime. */
  readonly host: HostFacts;
}

export interface HostFacts {
  /** Go's name of the host's architecture (amd64, arm64): picks the profile's architectures. */
  readonly arch: string;
  readonly kernel: KernelVersion;
  /** Whether the kernel and the runtime both support cgroup namespaces. */
  readonly cgroupNamespace: boolean;
}

export const OCI_VERSION = '1.0.2';
export const MEMORY_BYTES_MIN = 6 * 1024 * 1024;
export const CFS_PERIOD_US = 100_000;
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default capabilities. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const DEVICE_NODES: readonly [string, number, number][] = [
  ['/dev/null', 1, 3],
  ['/dev/zero', 1, 5],
  ['/dev/full', 1, 7],
  ['/dev/random', 1, 8],
  ['/dev/urandom', 1, 9],
  ['/dev/tty', 5, 0],
];

function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

function bad(field: string, why: string): never {
  throw invalidArgument('container.invalid', `${field}: ${why}`, { fields: { field } });
}

/** Entrypoint + Cmd with Docker's precedence: a command given replaces both of the image's. */
export function processArgs(image: ImageConfig, c: Pick<ContainerInput, 'command' | 'args'>): string[] {
  const entrypoint = c.command ?? image.Entrypoint ?? [];
  const cmd = c.args ?? (c.command !== undefined ? [] : (image.Cmd ?? []));
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) bad('container.command', 'none given, and the image has neither Entrypoint nor Cmd');
  return args;
}

/** Image env, then container env overriding by name; PATH and HOSTNAME are always set. */
export function processEnv(image: ImageConfig, c: Pick<ContainerInput, 'env' | 'hostname'>): string[] {
  const byName = new Map<string, string>();
  const add = (kv: string, field: string): void => {
    const eq = kv.indexOf('=');
    if (eq <= 0) bad(field, `${JSON.stringify(kv)} is not NAME=VALUE`);
    byName.set(kv.slice(0, eq), kv);
  };
  add(DEFAULT_PATH, 'PATH');
  add(`HOSTNAME=${c.hostname}`, 'container.hostname');
  for (const kv of image.Env ?? []) add(kv, 'image.Env');
  for (const kv of c.env) add(kv, 'container.env');
  return [...byName.values()];
}

export function checkResources(r: ResourceLimits): void {
  if (r.memoryBytes !== 0 && r.memoryBytes < MEMORY_BYTES_MIN) bad('container.resources.memory', `must be at least 6 MiB (got ${r.memoryBytes} bytes)`);
  if (r.memoryReservationBytes < 0) bad('container.resources.memory_reservation', 'must not be negative');
  if (r.memoryBytes !== 0 && r.memoryReservationBytes > r.memoryBytes) bad('container.resources.memory_reservation', 'must not exceed the memory limit');
  if (!(r.cpus >= 0) || r.cpus > 1024) bad('container.resources.cpus', `must be from 0 to 1024 (got ${r.cpus})`);
  if (r.cpus > 0 && Math.round(r.cpus * CFS_PERIOD_US) < 1000) bad('container.resources.cpus', 'must be at least 0.01');
  if (r.cpuShares !== 0 && (r.cpuShares < 2 || r.cpuShares > 262_144)) bad('container.resources.cpu_shares', 'must be from 2 to 262144');
  if (r.cpusetCpus !== '' && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(r.cpusetCpus)) bad('container.resources.cpuset_cpus', `${JSON.stringify(r.cpusetCpus)} is not a CPU list like 0-1,3`);
  if (r.pidsLimit < 0) bad('container.resources.pids_limit', 'must not be negative');
}

function userMount(m: MountSpec, i: number): OciMount {
  const field = `container.mounts[${i}]`;
  if (!m.target.startsWith('/')) bad(`${field}.target`, `${JSON.stringify(m.target)} is not an absolute path`);
  if (m.type === 'tmpfs') {
    if (m.sizeBytes < 0) bad(`${field}.size`, 'must not be negative');
    return { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(m.sizeBytes > 0 ? [`size=${Math.ceil(m.sizeBytes / 1024)}k`] : [])] };
  }
  if (!m.source.startsWith('/')) bad(`${field}.source`, `${JSON.stringify(m.source)} is not an absolute path`);
  return { destination: m.target, type: 'bind', source: m.source, options: ['rbind', m.readOnly ? 'ro' : 'rw', 'rprivate'] };
}

/** The cgroup part of config.json: the allowed devices and the limits. */
export function linuxResources(r: ResourceLimits): OciSpec['linux']['resources'] {
  checkResources(r);
  const resources: OciSpec['linux']['resources'] = {
    devices: [
      { allow: false, access: 'rwm' },
      ...DEVICE_NODES.map(([, major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
      { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
      { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
    ],
  };
  if (r.memoryBytes > 0 || r.memoryReservationBytes > 0) {
    resources.memory = { ...(r.memoryBytes > 0 ? { limit: r.memoryBytes } : {}), ...(r.memoryReservationBytes > 0 ? { reservation: r.memoryReservationBytes } : {}) };
  }
  if (r.cpus > 0 || r.cpuShares > 0 || r.cpusetCpus !== '') {
    resources.cpu = {
      ...(r.cpuShares > 0 ? { shares: r.cpuShares } : {}),
      ...(r.cpus > 0 ? { quota: Math.round(r.cpus * CFS_PERIOD_US), period: CFS_PERIOD_US } : {}),
      ...(r.cpusetCpus !== '' ? { cpus: r.cpusetCpus } : {}),
    };
  }
  if (r.pidsLimit > 0) resources.pids = { limit: r.pidsLimit };
  return resources;
}

export function buildRuntimeSpec(image: ImageConfig, c: ContainerInput): OciSpec {
  if (c.id === '') bad('container.id', 'must not be empty');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(c.hostname)) bad('container.hostname', `${JSON.stringify(c.hostname)} is not a valid host name`);
  checkResources(c.resources);
  const r = c.resources;
  const caps = [...DEFAULT_CAPABILITIES];
  const cwd = c.workingDir ?? (image.WorkingDir || '/');
  if (!cwd.startsWith('/')) bad('container.working_dir', `${JSON.stringify(cwd)} is not an absolute path`);
  const resources = linuxResources(r);
  const seccomp = seccompFor(c.seccomp, { caps, arch: c.host.arch, kernel: c.host.kernel });

  const etc: OciMount[] = [
    { destination: '/etc/hosts', type: 'bind', source: c.etcFiles.hosts, options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: c.etcFiles.resolvConf, options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/hostname', type: 'bind', source: c.etcFiles.hostname, options: ['rbind', 'rprivate', 'rw'] },
  ];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: c.user.uid, gid: c.user.gid, ...(c.user.additionalGids.length > 0 ? { additionalGids: [...c.user.additionalGids] } : {}) },
      args: processArgs(image, c),
      env: processEnv(image, c),
      cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: c.nofile.hard, soft: Math.min(c.nofile.soft, c.nofile.hard) }],
      noNewPrivileges: true,
      // The kernel's default, whatever the agent's own: its unit protects the agent and the
      // shim from the OOM killer (OOMScoreAdjust=-500), which containers would otherwise inherit.
      oomScoreAdj: 0,
    },
    root: { path: c.rootfsPath, readonly: c.readOnlyRootfs },
    hostname: c.hostname,
    mounts: [...defaultMounts(), ...etc, ...c.mounts.map(userMount)],
    annotations: { ...c.labels },
    linux: {
      namespaces: namespaces(c),
      cgroupsPath: c.cgroupsPath,
      resources,
      devices: DEVICE_NODES.map(([path, major, minor]) => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 })),
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      ...(seccomp !== undefined ? { seccomp } : {}),
    },
  };
}

/**
 * New pid, ipc, uts and mount namespaces; the network namespace given or a new one; and a cgroup
 * namespace where the host has them, so that the container sees its own cgroup as `/` and
 * learns nothing of the host's cgroup tree from /proc/self/cgroup.
 */
function namespaces(c: ContainerInput): OciSpec['linux']['namespaces'] {
  return [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
    c.netnsPath === undefined ? { type: 'network' } : { type: 'network', path: c.netnsPath },
    ...(c.host.cgroupNamespace ? [{ type: 'cgroup' }] : []),
  ];
}
