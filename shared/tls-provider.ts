// Mutual TLS whose material can change while servers and channels run (a renewed certificate is
// used for the next handshakes, with no restart), through grpc-js's certificate providers.
//
// The server asks every client for a certificate and verifies the ones it gets against the CA,
// but lets a client without one finish the handshake: the join calls (proto/ca.proto) are made
// before the joiner has a certificate, and are authenticated by the join token instead. Every
// other service checks the verified certificate of the call (manager/daemon/guard.ts), which a
// client without one, or with another CA's, does not have (shared/grpc-peer.ts).

import { experimental, type ChannelCredentials, type ServerCredentials, type VerifyOptions } from '@grpc/grpc-js';
import type { TlsMaterial } from './grpc.js';

type CaListener = Parameters<experimental.CertificateProvider['addCaCertificateListener']>[0];
type IdentityListener = Parameters<experimental.CertificateProvider['addIdentityCertificateListener']>[0];

export class TlsMaterialProvider implements experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private material: TlsMaterial) {}

  get current(): TlsMaterial {
    return this.material;
  }

  /** New material for the handshakes from now on. */
  update(material: TlsMaterial): void {
    this.material = material;
    for (const l of this.caListeners) l({ caCertificate: material.caPem });
    for (const l of this.identityListeners) l({ certificate: material.certPem, privateKey: material.keyPem });
  }

  // The first notice comes a microtask later: grpc-js's server credentials register their own
  // watcher only after adding this listener, and a notice given at once would reach no watcher
  // (the server then drops every connection as "credentials not loaded").
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => this.caListeners.has(listener) && listener({ caCertificate: this.material.caPem }));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => this.identityListeners.has(listener) && listener({ certificate: this.material.certPem, privateKey: this.material.keyPem }));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  /** Server side: asks for and verifies client certificates; does not require one. */
  serverCredentials(): ServerCredentials {
    return experimental.createCertificateProviderServerCredentials(this, this, false);
  }

  /**
   * Client side: presents this certificate and verifies the server against the CA; `verify` may
   * replace the host name check (a manager dialling an agent checks the node id it expects).
   */
  channelCredentials(verify?: VerifyOptions): ChannelCredentials {
    return experimental.createCertificateProviderChannelCredentials(this, this, verify);
  }
}
