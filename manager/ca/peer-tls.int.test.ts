// Certificates of this module on a real grpc-js server and clients over mutual TLS on 127.0.0.1:
// the handler reads the caller's identity from the connection (shared/grpc-peer.ts) and checks it
// (checkPeer); a client whose certificate another CA signed never gets past the handshake.

import { X509Certificate } from 'node:crypto';
import { Client, Server, credentials, type ChannelCredentials, type ServerUnaryCall } from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import { fromGrpcStatus, type ShoalError } from '../../shared/errors.js';
import { clientCredentials, listen, shutdown, unaryHandler, type TlsMaterial } from '../../shared/grpc.js';
import { peerCertificateOf } from '../../shared/grpc-peer.js';
import { checkPeer, peerIdentity, type PeerIdentity } from './identity.js';
import { issueWithNewKey } from './issue.js';
import type { Role } from './subject.js';
import { testRootCa, type TestRootCa } from './testing.js';

const CALL_TIMEOUT_MS = 5_000;
const METHOD = '/shoal.test.v1.Peer/WhoAmI';
const passThrough = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let ours: TestRootCa;
let theirs: TestRootCa;
beforeAll(async () => {
  // TLS checks validity against the real clock, so these certificates are issued now.
  [ours, theirs] = [await testRootCa('cluster-a', systemClock.wallMs()), await testRootCa('cluster-b', systemClock.wallMs())];
});

async function material(ca: TestRootCa, nodeId: string, role: Role, ips: string[] = []): Promise<TlsMaterial> {
  const issued = await issueWithNewKey(ca.ca, { nodeId, role, clusterId: ca.ca.clusterId, ips, nowMs: systemClock.wallMs() });
  return { caPem: Buffer.from(ca.pem.certPem), certPem: Buffer.from(issued.certPem), keyPem: Buffer.from(issued.keyPem) };
}

/**
 * A server on 127.0.0.1 (mutual TLS when `tls` is given) whose one method answers the caller's
 * identity as JSON, for admin and manager certificates only (as the Control API will); `seen`
 * records the identity of every call that reached the handler, allowed or not.
 */
async function startServer(tls: TlsMaterial | undefined): Promise<{ port: number; seen: PeerIdentity[] }> {
  const server = new Server();
  const caCert = new X509Certificate(ours.pem.certPem);
  const seen: PeerIdentity[] = [];
  const whoAmI = unaryHandler(async (_request: Buffer, call: ServerUnaryCall<Buffer, Buffer>) => {
    const der = peerCertificateOf(call);
    seen.push(peerIdentity(der));
    const id = checkPeer(der, caCert, { clusterId: 'cluster-a', roles: ['admin', 'manager'], nowMs: systemClock.wallMs(), what: 'the Control API' });
    return Buffer.from(JSON.stringify(id));
  });
  server.addService({ WhoAmI: { path: METHOD, requestStream: false, responseStream: false, ...passThrough } }, { WhoAmI: whoAmI });
  const bound = await listen(server, { kind: 'tcp', host: '127.0.0.1', port: 0 }, tls);
  cleanups.push(() => shutdown(server, systemClock, 1000));
  return { port: bound.kind === 'tcp' ? bound.port : 0, seen };
}

/** One call; resolves the identity the server answered, or rejects with its ShoalError. */
function whoAmI(port: number, creds: ChannelCredentials): Promise<PeerIdentity> {
  const client = new Client(`127.0.0.1:${port}`, creds);
  cleanups.push(async () => client.close());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(METHOD, passThrough.requestSerialize, passThrough.responseDeserialize, Buffer.alloc(0), { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, value) => {
      if (err) reject(fromGrpcStatus(err));
      else resolve(JSON.parse((value as Buffer).toString()) as PeerIdentity);
    });
  });
}

const failure = (p: Promise<unknown>): Promise<ShoalError> => p.then(() => { throw new Error('the call succeeded'); }, (e: unknown) => e as ShoalError);

describe('mutual TLS with certificates from manager/ca (grpc-js, 127.0.0.1)', () => {
  it('the handler reads the caller from the connection: a worker is refused by role, an admin is served', async () => {
    const server = await startServer(await material(ours, 'mgr-1', 'manager', ['127.0.0.1']));

    const worker = await failure(whoAmI(server.port, clientCredentials(await material(ours, 'w1', 'worker'))));
    expect([worker.kind, worker.code, worker.message]).toEqual(['permission_denied', 'ca.peer_role_denied', 'certificate of worker node w1: the Control API takes admin or manager']);

    const admin = await whoAmI(server.port, clientCredentials(await material(ours, 'cli-1', 'admin')));
    expect(admin).toMatchObject({ nodeId: 'cli-1', role: 'admin', clusterId: 'cluster-a' });
    expect(server.seen.map((s) => `${s.role} ${s.nodeId}`)).toEqual(['worker w1', 'admin cli-1']);
  });

  it('a client whose certificate another CA signed, or that has none, fails the handshake and never reaches the handler', async () => {
    const server = await startServer(await material(ours, 'mgr-1', 'manager', ['127.0.0.1']));
    // It trusts our CA (so it would accept the server) but presents theirs.
    const stranger = await material(theirs, 'cli-1', 'admin');
    const refused = await failure(whoAmI(server.port, clientCredentials({ ...stranger, caPem: Buffer.from(ours.pem.certPem) })));
    expect(refused.kind).toBe('unavailable');
    const anonymous = await failure(whoAmI(server.port, credentials.createSsl(Buffer.from(ours.pem.certPem))));
    expect(anonymous.kind).toBe('unavailable');
    expect(server.seen).toEqual([]);
  });

  it('without TLS there is no peer certificate: unauthenticated, in one line', async () => {
    const server = await startServer(undefined);
    const plain = await failure(whoAmI(server.port, credentials.createInsecure()));
    expect([plain.kind, plain.code, plain.message]).toEqual([
      'unauthenticated', 'grpc.no_peer_certificate', 'the call came without a verified client certificate (a plaintext connection, or TLS without client certificates)',
    ]);
  });
});
