// The certificate a gRPC client presented, as a server handler sees it. grpc-js (1.14) gives it
// through `call.getAuthContext().sslPeerCertificate` — Node's tls PeerCertificate of the
// connection's socket, whose `raw` is the DER — and only when the connection is TLS and the
// handshake verified the client against the server's CA (`socket.authorized`); otherwise the
// auth context is empty. What the certificate means (node, role, cluster) is the manager's CA's
// business (manager/ca/identity.ts): this file stays with the other gRPC helpers, knows nothing
// of roles, and keeps grpc-js out of manager/ca.

import type { PeerCertificate } from 'node:tls';
import { ShoalError } from './errors.js';

/** The part of a grpc-js server call (unary or streaming) this reads. */
export interface CallWithAuthContext {
  getAuthContext(): { readonly transportSecurityType?: string; readonly sslPeerCertificate?: PeerCertificate } | null;
}

/**
 * The DER of the client certificate the TLS handshake verified for this call. Refused,
 * `unauthenticated`, when there is none: a plaintext connection, or a server that does not ask
 * for client certificates.
 */
export function peerCertificateOf(call: CallWithAuthContext): Buffer {
  const raw = call.getAuthContext()?.sslPeerCertificate?.raw;
  if (raw === undefined || raw.length === 0) {
    throw new ShoalError('unauthenticated', 'grpc.no_peer_certificate', 'the call came without a verified client certificate (a plaintext connection, or TLS without client certificates)');
  }
  return raw;
}
