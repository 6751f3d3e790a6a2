// What spec generation needs to know of this host and its OCI runtime, learnt once per agent:
// the architecture and kernel (which seccomp rules apply), whether containers can have a cgroup
// namespace, and whether the runtime can load seccomp filters at all. The only I/O is here.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import type { RuncDriver } from './runc.js';
import { hostArch, kernelVersion } from './seccomp.js';
import type { HostFacts } from './spec.js';

export interface RuntimeHost extends HostFacts {
  /** False only when the runtime says it was built without seccomp. */
  readonly seccomp: boolean;
}

export async function learnHost(runc: RuncDriver): Promise<RuntimeHost> {
  const features = await runc.features();
  // A runtime too old to answer `features` (runc 1.0) still makes cgroup namespaces; the kernel
  // has them from 4.6 on, when /proc/self/ns/cgroup appeared.
  const runtimeCgroupns = features?.namespaces?.includes('cgroup') ?? true;
  return {
    arch: hostArch(process.arch),
    kernel: kernelVersion(release()),
    cgroupNamespace: runtimeCgroupns && existsSync('/proc/self/ns/cgroup'),
    seccomp: features?.seccomp ?? true,
  };
}
