// An in-memory WorkerRuntime for the worker's unit tests only: containers are records, an exit
// is what the test says. Never used where a test claims what the real supervisor does.

import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { alreadyExists, notFound, unavailable } from '../../shared/errors.js';
import type { TaskExit } from '../shim/protocol.js';
import type { WorkerRuntime } from './worker.js';

export interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly spec: ContainerSpec__Output;
  running: boolean;
  exit?: TaskExit;
  removed: boolean;
}

export class FakeRuntime implements WorkerRuntime {
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  /** Images a pull fails for (as an unreachable registry would). */
  readonly unpullable = new Set<string>();
  /** Containers a restart fails for. */
  readonly unrestartable = new Set<string>();
  readonly stopGraces: number[] = [];
  readonly calls: string[] = [];
  private waiters = new Map<string, ((e: TaskExit) => void)[]>();
  private nextId = 1;

  list(): ReturnType<WorkerRuntime['list']> {
    return [...this.containers.values()].filter((c) => !c.removed).map((c) => ({ id: c.id, name: c.name, labels: c.spec.labels, running: c.running, ...(c.exit !== undefined ? { exit: c.exit } : {}) }));
  }

  hasImage(reference: string): Promise<boolean> {
    return Promise.resolve(this.images.has(reference));
  }

  pullImage(reference: string): Promise<void> {
    this.calls.push(`pull ${reference}`);
    if (this.unpullable.has(reference)) return Promise.reject(unavailable('registry.unreachable', `no registry answers for ${reference}`));
    this.images.add(reference);
    return Promise.resolve();
  }

  run(name: string, spec: ContainerSpec__Output): Promise<string> {
    this.calls.push(`run ${name}`);
    if (this.list().some((c) => c.name === name)) return Promise.reject(alreadyExists('container.name_in_use', `the name ${name} is already in use`));
    const id = `c${this.nextId++}`;
    this.containers.set(id, { id, name, spec, running: true, removed: false });
    return Promise.resolve(id);
  }

  restart(id: string): Promise<void> {
    this.calls.push(`restart ${id}`);
    const c = this.get(id);
    if (this.unrestartable.has(id)) return Promise.reject(unavailable('container.start_failed', `container ${id} cannot start`));
    c.running = true;
    delete c.exit;
    return Promise.resolve();
  }

  wait(id: string): Promise<TaskExit> {
    const c = this.get(id);
    if (c.exit !== undefined) return Promise.resolve(c.exit);
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  /** Stops at once, whatever the grace (recorded in `stopGraces`). */
  stop(id: string, graceMs?: number): Promise<void> {
    this.calls.push(`stop ${id}`);
    this.stopGraces.push(graceMs ?? 0);
    const c = this.get(id);
    if (c.running) this.exit(id, { exitCode: 143, signal: 'SIGTERM', oomKilled: false, exitedAtMs: 0 });
    return Promise.resolve();
  }

  remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.get(id).removed = true;
    return Promise.resolve();
  }

  /** The container's process ends. */
  exit(id: string, exit: TaskExit): void {
    const c = this.get(id);
    c.running = false;
    c.exit = exit;
    for (const w of this.waiters.get(id) ?? []) w(exit);
    this.waiters.delete(id);
  }

  /** A container made outside the worker (or by an earlier agent). */
  add(name: string, labels: Record<string, string>, running = true): string {
    const id = `c${this.nextId++}`;
    this.containers.set(id, { id, name, spec: { labels } as unknown as ContainerSpec__Output, running, removed: false });
    return id;
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (c === undefined || c.removed) throw notFound('container.not_found', `no container ${id}`);
    return c;
  }
}
