// The words of pending reasons: sizes, CPUs and counts as a user reads them.

import { NANO_CPUS_PER_CPU } from './types.js';

const KIB = 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 536870912 → "512 MiB", 1610612736 → "1.5 GiB", 1000 → "1000 B" (at most two decimals). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  return `${trimmed(value)} ${UNITS[unit]}`;
}

/** 500000000 → "0.5 CPUs", 1e9 → "1 CPU". */
export function formatCpus(nanoCpus: number): string {
  const cpus = nanoCpus / NANO_CPUS_PER_CPU;
  return `${trimmed(cpus)} ${cpus === 1 ? 'CPU' : 'CPUs'}`;
}

function trimmed(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** "1 node", "3 nodes". */
export function nodes(count: number): string {
  return `${count} ${count === 1 ? 'node' : 'nodes'}`;
}

/** The count, then `one` or `many`: counted(2, "has", "have") → "2 have". */
export function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
