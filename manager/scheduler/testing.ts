// Builders for the scheduler's tests and its measure script: a node and a task with everything
// defaulted, so that a test states only what it is about.

import { NANO_CPUS_PER_CPU, NO_RESOURCES, type HostPort, type NodeTask, type SchedulerNode, type SchedulerTask } from './types.js';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
export const CPU = NANO_CPUS_PER_CPU;

/** A ready, active worker with 4 GiB and 4 CPUs, no labels, no images, no tasks. */
export function node(id: string, over: Partial<SchedulerNode> = {}): SchedulerNode {
  return {
    id, hostname: id, role: 'worker', availability: 'active', state: 'ready',
    labels: {}, engineLabels: {}, capacity: { memoryBytes: 4 * GIB, nanoCpus: 4 * CPU }, images: [], tasks: [],
    ...over,
  };
}

/** A standalone task of image `busybox`, with no rules, no ports and no reservations. */
export function task(id: string, over: Partial<SchedulerTask> = {}): SchedulerTask {
  return {
    id, name: id, image: 'busybox', constraints: [], env: [], labels: {}, hostPorts: [], reservations: NO_RESOURCES,
    ...over,
  };
}

/** A live task already on a node. */
export function running(name: string, over: Partial<NodeTask> = {}): NodeTask {
  return { name, image: 'busybox', hostPorts: [], reservations: NO_RESOURCES, ...over };
}

export const tcp = (port: number): HostPort => ({ port, protocol: 'tcp' });
export const udp = (port: number): HostPort => ({ port, protocol: 'udp' });
