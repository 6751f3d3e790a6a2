// The agent's event stream: what happened to containers, tasks and images, in order, to every
// subscriber (`shoal ctr events`, the worker that reports to the managers).

import type { TaskExit } from '../shim/protocol.js';

export type EventType =
  | 'container.created'
  | 'container.deleted'
  | 'task.started'
  | 'task.exited'
  | 'task.oom'
  | 'task.paused'
  | 'task.resumed'
  | 'task.updated'
  | 'task.exec'
  | 'image.imported'
  | 'image.pulled'
  | 'image.deleted';

export interface RuntimeEvent {
  readonly type: EventType;
  /** A container id, or an image reference for image.* events. */
  readonly id: string;
  readonly atMs: number;
  readonly exit?: TaskExit;
  readonly attributes: Readonly<Record<string, string>>;
}

export class EventBus {
  private readonly subscribers = new Set<(e: RuntimeEvent) => void>();

  /** Calls `fn` for every later event whose type is in `types` (all when empty); returns the unsubscribe. */
  subscribe(types: readonly string[], fn: (e: RuntimeEvent) => void): () => void {
    const wanted = new Set(types);
    const sub = (e: RuntimeEvent): void => {
      if (wanted.size === 0 || wanted.has(e.type)) fn(e);
    };
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  emit(e: RuntimeEvent): void {
    for (const s of this.subscribers) s(e);
  }
}
