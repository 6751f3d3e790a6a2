// Control.Watch: the store's changes as a stream, from this manager's replica (every manager
// applies the same log, so any one serves it). Resumes after a version the client saw, if the
// store still holds the events since (`store.watch_compacted` otherwise: list again). Secrets
// (the CA key in the cluster object) never leave. The store cuts off a reader that falls too
// far behind; a client that goes away ends its watcher.

import type { ServerWritableStream } from '@grpc/grpc-js';
import type { WatchEvent } from '../../proto/gen/shoal/control/v1/WatchEvent.js';
import type { WatchRequest__Output } from '../../proto/gen/shoal/control/v1/WatchRequest.js';
import { invalidArgument, oneLine, toGrpcStatus } from '../../shared/errors.js';
import { KINDS, nameOf, type Kind, type StoreObject } from '../store/types.js';
import type { StoreEvent } from '../store/watch.js';
import type { Manager } from './manager.js';

/** The object as the API shows it: without the cluster's CA key. */
export function publicObject(o: StoreObject): StoreObject {
  if (o.kind !== 'cluster' || o.status.rootCaKeyPem === undefined) return o;
  const { rootCaKeyPem: _secret, ...status } = o.status;
  return { ...o, status };
}

const ACTIONS: Record<StoreEvent['type'], string> = { create: 'create', update: 'update', delete: 'remove' };

function eventMessage(e: StoreEvent): WatchEvent {
  const o = publicObject(e.object);
  return { action: ACTIONS[e.type], kind: o.kind, id: o.id, version: e.version, atMs: o.meta.updatedAtMs, name: nameOf(o) ?? (o.kind === 'task' ? o.spec.name : ''), objectJson: JSON.stringify(o) };
}

export function watchHandler(manager: Manager) {
  return (call: ServerWritableStream<WatchRequest__Output, WatchEvent>): void => {
    const run = async (): Promise<void> => {
      const kinds = new Set<Kind>();
      for (const k of call.request.kinds) {
        if (!(KINDS as readonly string[]).includes(k)) throw invalidArgument('manager.bad_kind', `kind ${JSON.stringify(k)}: must be one of ${KINDS.join(', ')}`);
        kinds.add(k as Kind);
      }
      const since = Number(call.request.sinceVersion);
      const watcher = since > 0 ? manager.store.watch(since) : manager.store.watch();
      call.on('cancelled', () => watcher.close());
      for await (const e of watcher) {
        if (kinds.size > 0 && !kinds.has(e.object.kind)) continue;
        if (!call.write(eventMessage(e))) await new Promise<void>((resolve) => call.once('drain', resolve));
        if (call.cancelled) break;
      }
    };
    run().then(
      () => call.end(),
      (err: unknown) => {
        manager.logger.debug({ err: oneLine(err) }, 'watch ended');
        call.emit('error', toGrpcStatus(err));
      },
    );
  };
}
