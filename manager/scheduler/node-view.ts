// A node as the scheduler sees it during one `schedule` call: the node, and what its live tasks
// (plus the tasks placed on it earlier in the same call) hold there — names, host ports, images,
// reservations, counts per spread group. Placing a task updates it, so each placement counts
// against the next.

import { assert } from '../../shared/errors.js';
import { canonicalReference, familiarReference } from '../../shared/image-reference.js';
import { matches, type Pattern } from './expression.js';
import type { HostPort, NodeTask, SchedulerNode } from './types.js';

/** The key a task spreads by: its service, or for a standalone container its name. */
function spreadGroupOf(task: Pick<NodeTask, 'name' | 'serviceId'>): string {
  return task.serviceId !== undefined ? `service:${task.serviceId}` : `name:${task.name.toLowerCase()}`;
}

const portKey = (p: HostPort): string => `${p.port}/${p.protocol}`;

/**
 * What the nodes of one `schedule` call share: the forms of each image reference, computed once,
 * and a small number for each spread group (a number keys a Map faster than a string, and spread
 * looks a group up on nearly every node for every task).
 */
export class Interned {
  private readonly imageForms = new Map<string, readonly string[]>();
  private readonly groupIds = new Map<string, number>();

  /** [canonical, familiar] in lower case; the text itself when it does not parse. */
  forms(raw: string): readonly string[] {
    let forms = this.imageForms.get(raw);
    if (forms === undefined) {
      try {
        forms = [canonicalReference(raw).toLowerCase(), familiarReference(raw).toLowerCase()];
      } catch {
        forms = [raw.toLowerCase()];
      }
      this.imageForms.set(raw, forms);
    }
    return forms;
  }

  group(task: Pick<NodeTask, 'name' | 'serviceId'>): number {
    const key = spreadGroupOf(task);
    let id = this.groupIds.get(key);
    if (id === undefined) {
      id = this.groupIds.size;
      this.groupIds.set(key, id);
    }
    return id;
  }
}

function wholeAtLeastZero(n: number, what: string): void {
  assert(Number.isSafeInteger(n) && n >= 0, `scheduler: ${what} must be a whole number ≥ 0, got ${n}`);
}

export class NodeView {
  readonly node: SchedulerNode;
  taskCount = 0;
  memoryReservedBytes = 0;
  nanoCpusReserved = 0;
  private readonly groups = new Map<number, number>();
  private readonly names = new Map<string, number>();
  private readonly ports = new Set<string>();
  /** Every form of every image, lower case: canonical ones answer exact patterns, all answer globs. */
  private readonly images = new Set<string>();

  constructor(node: SchedulerNode, private readonly interned: Interned) {
    wholeAtLeastZero(node.capacity.memoryBytes, `node ${node.id} capacity.memoryBytes`);
    wholeAtLeastZero(node.capacity.nanoCpus, `node ${node.id} capacity.nanoCpus`);
    this.node = node;
    for (const image of node.images) this.addImage(image);
    for (const task of node.tasks) this.place(task);
  }

  get memoryFreeBytes(): number {
    return this.node.capacity.memoryBytes - this.memoryReservedBytes;
  }

  get nanoCpusFree(): number {
    return this.node.capacity.nanoCpus - this.nanoCpusReserved;
  }

  /** Counts a task as live here from now on (its name, ports, image, reservations, group). */
  place(task: NodeTask): void {
    wholeAtLeastZero(task.reservations.memoryBytes, `task ${task.name} reservations.memoryBytes`);
    wholeAtLeastZero(task.reservations.nanoCpus, `task ${task.name} reservations.nanoCpus`);
    this.taskCount++;
    this.memoryReservedBytes += task.reservations.memoryBytes;
    this.nanoCpusReserved += task.reservations.nanoCpus;
    const group = this.interned.group(task);
    this.groups.set(group, (this.groups.get(group) ?? 0) + 1);
    const name = task.name.toLowerCase();
    this.names.set(name, (this.names.get(name) ?? 0) + 1);
    for (const p of task.hostPorts) this.ports.add(portKey(p));
    this.addImage(task.image);
  }

  private addImage(raw: string): void {
    for (const form of this.interned.forms(raw)) this.images.add(form);
  }

  /** Live tasks of a spread group (`Interned.group`) here. */
  groupCount(group: number): number {
    return this.groups.get(group) ?? 0;
  }

  hasPort(p: HostPort): boolean {
    return this.ports.has(portKey(p));
  }

  runsContainer(pattern: Pattern): boolean {
    if (pattern.exact !== undefined) return this.names.has(pattern.exact);
    for (const name of this.names.keys()) if (matches(pattern, name)) return true;
    return false;
  }

  hasImage(pattern: Pattern): boolean {
    if (pattern.exact !== undefined) return this.images.has(pattern.exact);
    for (const form of this.images) if (matches(pattern, form)) return true;
    return false;
  }
}
