// The agent's own resource limits, which containers inherit (as Docker's containers inherit
// dockerd's): a container never asks for more than the agent holds, which runc could not grant.

import { readFileSync } from 'node:fs';

export interface Rlimit {
  readonly soft: number;
  readonly hard: number;
}

/** RLIMIT_NOFILE of this process, from /proc/self/limits. */
export function ownNofileLimit(): Rlimit {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const m = line === undefined ? null : /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
  const n = (s: string | undefined): number => (s === undefined || s === 'unlimited' ? 1_048_576 : Number(s));
  return m === null ? { soft: 1024, hard: 4096 } : { soft: n(m[1]), hard: n(m[2]) };
}
