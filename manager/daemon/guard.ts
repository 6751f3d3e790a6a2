// The role check on every call: a handler runs only for a peer whose certificate this cluster's
// CA signed, for this cluster, with a role the service takes (manager/ca/identity.ts). The peer's
// certificate comes from the TLS session (shared/grpc-peer.ts); the server requires one at the
// handshake, and this check names what it found when it refuses.

import type { Metadata, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Clock } from '../../shared/clock.js';
import { toGrpcStatus } from '../../shared/errors.js';
import { peerCertificateOf, type CallWithAuthContext } from '../../shared/grpc-peer.js';
import type { Logger } from '../../shared/logger.js';
import { checkPeer, type PeerIdentity } from '../ca/identity.js';
import type { Role } from '../ca/subject.js';

export interface GuardOptions {
  readonly caPem: string | Buffer;
  readonly clusterId: string;
  readonly roles: readonly Role[];
  /** What is being called, for the refusal ("the Control API"). */
  readonly what: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A further check of the call against the caller's identity (throws a ShoalError to refuse). */
  readonly check?: (caller: PeerIdentity, call: AnyCall) => void;
}

type AnyCall = Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext' | 'getPeer'> & { emit?: (event: 'error', err: unknown) => boolean; metadata?: Metadata };

/** Who called, checked; throws a ShoalError (unauthenticated or permission_denied) otherwise. */
export function callerOf(call: AnyCall, o: GuardOptions): PeerIdentity {
  return checkPeer(peerCertificateOf(call as CallWithAuthContext), o.caPem, { clusterId: o.clusterId, roles: o.roles, nowMs: o.clock.wallMs(), what: o.what });
}

/**
 * Every handler of a service behind the role check. A unary or client-streaming handler (it has a
 * callback) is answered with the refusal; a server- or bidi-streaming one ends with it.
 */
export function guarded<T extends object>(handlers: T, o: GuardOptions): T {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers as UntypedServiceImplementation)) {
    out[name] = (call: AnyCall, callback?: (err: unknown) => void): void => {
      try {
        const caller = callerOf(call, o);
        o.check?.(caller, call);
      } catch (err) {
        o.logger.warn({ peer: call.getPeer(), method: name, err: (err as Error).message }, 'call refused');
        const status = toGrpcStatus(err);
        if (callback !== undefined) callback(status);
        else call.emit?.('error', status);
        return;
      }
      (handler as (c: AnyCall, cb?: unknown) => void)(call, callback);
    };
  }
  return out as T;
}
