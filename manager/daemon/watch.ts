// Control.Watch: the store's changes as a stream, from this manager's replica (every manager
// applies the same log, so any one serves it). Resumes after a version the client saw, if the
// store still holds the events since (`store.watch_compacted` otherwise: list again), or starts
// at a wall-clock time (a notice first when the log no longer reaches back that far). Follows
// until the client goes away, or (`no_follow`) ends once what the store holds is sent, after a
// read-index (so it holds every write acknowledged before the call) unless asked stale. Each
// update carries the object before it, for the CLI's timeline. Secrets (the CA key in the
// cluster object) never leave. The store cuts off a reader that falls too far behind.

import type { ServerWritableStream } from '@grpc/grpc-js';
import type { WatchEvent } from '../../proto/gen/shoal/control/v1/WatchEvent.js';
import type { WatchRequest__Output } from '../../proto/gen/shoal/control/v1/WatchRequest.js';
import { invalidArgument, oneLine, toGrpcStatus } from '../../shared/errors.js';
import { STALE_READ_METADATA } from '../../shared/manager-hosts.js';
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
  return {
    action: ACTIONS[e.type], kind: o.kind, id: o.id, version: e.version, atMs: e.atMs,
    name: nameOf(o) ?? (o.kind === 'task' ? o.spec.name : ''), objectJson: JSON.stringify(o),
    previousJson: e.before === undefined ? '' : JSON.stringify(publicObject(e.before)),
  };
}

/** Where the stream starts: after a version, and the notice to send first when a time is not covered. */
function startOf(manager: Manager, request: WatchRequest__Output): { fromVersion: number; notice?: WatchEvent } {
  const sinceVersion = Number(request.sinceVersion);
  const sinceMs = Number(request.sinceMs);
  if (sinceMs < 0) throw invalidArgument('manager.bad_watch', `since_ms ${sinceMs}: must be a time (ms since the epoch), or 0`);
  if (sinceMs === 0) return { fromVersion: sinceVersion > 0 ? sinceVersion : manager.store.appliedIndex };
  if (sinceVersion > 0) throw invalidArgument('manager.bad_watch', 'since_version and since_ms: give one of them');
  const start = manager.store.versionAt(sinceMs);
  if (start.complete) return { fromVersion: start.version };
  return { fromVersion: start.version, notice: { action: 'truncated', kind: '', id: '', version: start.version, atMs: start.oldestAtMs ?? 0, name: '', objectJson: '', previousJson: '' } };
}

export function watchHandler(manager: Manager) {
  return (call: ServerWritableStream<WatchRequest__Output, WatchEvent>): void => {
    /** Writes one message, waiting while the client's buffer is full; false once the client left. */
    const send = async (m: WatchEvent): Promise<boolean> => {
      if (!call.write(m)) await new Promise<void>((resolve) => call.once('drain', resolve));
      return !call.cancelled;
    };
    const run = async (): Promise<void> => {
      const kinds = new Set<Kind>();
      for (const k of call.request.kinds) {
        if (!(KINDS as readonly string[]).includes(k)) throw invalidArgument('manager.bad_kind', `kind ${JSON.stringify(k)}: must be one of ${KINDS.join(', ')}`);
        kinds.add(k as Kind);
      }
      const wanted = (e: StoreEvent): boolean => kinds.size === 0 || kinds.has(e.object.kind);
      const { fromVersion, notice } = startOf(manager, call.request);
      if (call.request.noFollow) {
        // What the store holds once every write acknowledged before this call is applied here
        // (read-index; the replica's own copy when asked stale, e.g. without a quorum), taken
        // in one piece: the stream's end means "up to date".
        const store = await manager.readable(call.metadata.get(STALE_READ_METADATA).length > 0);
        const events = store.history(fromVersion);
        if (notice !== undefined && !(await send(notice))) return;
        for (const e of events) if (wanted(e) && !(await send(eventMessage(e)))) return;
        return;
      }
      const watcher = manager.store.watch(fromVersion);
      call.on('cancelled', () => watcher.close());
      if (notice !== undefined && !(await send(notice))) return watcher.close();
      for await (const e of watcher) {
        if (wanted(e) && !(await send(eventMessage(e)))) break;
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
