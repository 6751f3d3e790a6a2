// Test support for spec generation: one container's input, as the supervisor hands it over.

import type { ContainerInput } from './spec.js';

/** A plain container on an amd64 host with Linux 6.1; `over` changes what a test is about. */
export function containerInput(over: Partial<ContainerInput> = {}): ContainerInput {
  return {
    id: 'c0ffee',
    hostname: 'web-1',
    env: [],
    user: { uid: 0, gid: 0, additionalGids: [] },
    labels: {},
    readOnlyRootfs: false,
    mounts: [],
    resources: { memoryBytes: 0, memoryReservationBytes: 0, cpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0 },
    rootfsPath: '/var/lib/shoal/agent/containers/c0ffee/rootfs',
    nofile: { soft: 1024, hard: 4096 },
    cgroupsPath: '/shoal-agent/c0ffee',
    etcFiles: { hosts: '/run/shoal/c0ffee/hosts', resolvConf: '/run/shoal/c0ffee/resolv.conf', hostname: '/run/shoal/c0ffee/hostname' },
    seccomp: { mode: 'default' },
    host: { arch: 'amd64', kernel: { major: 6, minor: 1 }, cgroupNamespace: true },
    ...over,
  };
}
