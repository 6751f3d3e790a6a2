// gRPC helpers shared by manager, agent and CLI: addresses (unix sockets and TCP), credentials
// (insecure today, mutual TLS when the control-plane issue brings certificates), servers whose
// handlers convert ShoalErrors to statuses, and clients with deadlines and bounded retries.

import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server as NetServer } from 'node:net';
import { dirname } from 'node:path';
import {
  ServerCredentials,
  type ChannelCredentials,
  type Server,
  credentials as grpcCredentials,
  type ServiceError,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import type { Clock } from './clock.js';
import { assert, fromGrpcStatus, invalidArgument, toGrpcStatus, unavailable } from './errors.js';
import type { Rng } from './rng.js';
import { withRetry, type BackoffPolicy } from './retry.js';

/** `unix:/run/shoal/agent.sock`, a bare absolute path (taken as a unix socket), or `host:port`. */
export type Address = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export function parseAddress(raw: string, what = 'address'): Address {
  if (raw.startsWith('unix:')) {
    const path = raw.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/')) throw invalidArgument('grpc.bad_address', `${what}: ${JSON.stringify(raw)} must name an absolute socket path`);
    return { kind: 'unix', path };
  }
  if (raw.startsWith('/')) return { kind: 'unix', path: raw };
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (m === null || port < 0 || port > 65535) {
    throw invalidArgument('grpc.bad_address', `${what}: ${JSON.stringify(raw)} is not host:port or unix:/path`);
  }
  return { kind: 'tcp', host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

export function grpcTarget(address: Address): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** PEM material for mutual TLS; absent means insecure (loopback and unix sockets only). */
export interface TlsMaterial {
  readonly caPem: Buffer;
  readonly certPem: Buffer;
  readonly keyPem: Buffer;
}

export function serverCredentials(tls?: TlsMaterial): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.caPem, [{ cert_chain: tls.certPem, private_key: tls.keyPem }], true);
}

export function clientCredentials(tls?: TlsMaterial): ChannelCredentials {
  if (tls === undefined) return grpcCredentials.createInsecure();
  return grpcCredentials.createSsl(tls.caPem, tls.keyPem, tls.certPem);
}

/**
 * Binds a server; for a unix socket, creates its folder and replaces a stale socket file. A unix
 * socket is its owner's alone (the daemons' sockets start containers or write the Raft log):
 * folders made for it are 0700, and the socket is 0600 from its creation on, so no other user can
 * connect in the moment before a chmod. An existing folder (/run, /tmp) is left as it is.
 */
export async function listen(server: Server, address: Address, tls?: TlsMaterial | ServerCredentials): Promise<Address> {
  if (address.kind === 'unix') {
    assert(!(tls instanceof ServerCredentials), 'listen: a unix socket takes TLS material, not credentials');
    return listenUnix(server, address, tls);
  }
  const credentials = tls instanceof ServerCredentials ? tls : serverCredentials(tls);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(grpcTarget(address), credentials, (err, boundPort) => {
      if (err !== null) reject(unavailable('grpc.bind_failed', `cannot listen on ${grpcTarget(address)}: ${err.message}`, { cause: err }));
      else resolve(boundPort);
    });
  });
  return { ...address, port };
}

/** The listening sockets of servers bound to a unix socket by listenUnix; shutdown closes them. */
const unixListeners = new WeakMap<Server, NetServer>();

/**
 * A unix socket bound under umask 077, which the process holds only for the bind itself: grpc-js
 * binds a few turns after bindAsync, and a umask narrowed across those turns would narrow every
 * file the rest of the process made meanwhile (a layer's root made 0755, a log file). So the
 * socket is bound here, by Node's listen(), which binds a unix socket synchronously, and each
 * connection is handed to grpc-js (its connection injector).
 */
async function listenUnix(server: Server, address: Address & { readonly kind: 'unix' }, tls?: TlsMaterial): Promise<Address> {
  await mkdir(dirname(address.path), { recursive: true, mode: 0o700 });
  await rm(address.path, { force: true });
  const injector = server.createConnectionInjector(serverCredentials(tls));
  const listener = createServer((socket) => injector.injectConnection(socket));
  const bound = new Promise<void>((resolve, reject) => {
    listener.once('listening', resolve);
    listener.once('error', (err) => reject(unavailable('grpc.bind_failed', `cannot listen on ${grpcTarget(address)}: ${err.message}`, { cause: err })));
  });
  const umask = process.umask(0o077);
  try {
    listener.listen(address.path);
  } finally {
    process.umask(umask);
  }
  try {
    await bound;
  } catch (e) {
    injector.destroy();
    throw e;
  }
  // An accept that fails later (EMFILE) costs that one client its connection (it sees the connect
  // fail); the listener goes on listening, so there is nothing more to do with the error.
  listener.on('error', () => undefined);
  unixListeners.set(server, listener);
  await chmod(address.path, 0o600);
  return address;
}

/**
 * Stops accepting calls and waits for running ones up to `graceMs`, then cancels the rest and
 * returns. Not later: tryShutdown's callback waits until every connection has closed, and one
 * to a peer whose host died never does (its FIN is never acknowledged), so a manager whose peers
 * were all lost would never stop on SIGTERM.
 */
export async function shutdown(server: Server, clock: Clock, graceMs: number): Promise<void> {
  // A unix socket's listener stops accepting (and its path goes) first; grpc-js ends the sessions.
  unixListeners.get(server)?.close();
  unixListeners.delete(server);
  await new Promise<void>((resolve) => {
    const timer = clock.setTimer(graceMs, () => {
      server.forceShutdown();
      resolve();
    });
    server.tryShutdown(() => {
      timer.cancel();
      resolve();
    });
  });
}

/** Wraps a unary handler: its ShoalErrors (and anything else thrown) become gRPC statuses. */
export function unaryHandler<Req, Res>(fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toGrpcStatus(err) as Partial<ServiceError>),
    );
  };
}

export function deadlineIn(clockWallMs: number, timeoutMs: number): Date {
  return new Date(clockWallMs + timeoutMs);
}

/**
 * A generated unary client method (bound to its client). Typed by its last overload,
 * `(request, callback)`, because that is the one TypeScript infers from; every generated method
 * also takes `(request, options, callback)`, which is how callUnary calls it.
 */
type UnaryMethod<Req, Res> = (request: Req, callback: (err: ServiceError | null, value?: Res) => void) => unknown;
type UnaryMethodWithOptions<Req, Res> = (
  request: Req,
  options: { deadline: Date },
  callback: (err: ServiceError | null, value?: Res) => void,
) => unknown;

/** Calls a unary method with a deadline; failures come back as ShoalErrors. */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, timeoutMs: number, wallMs = Date.now()): Promise<Res> {
  const withOptions = method as unknown as UnaryMethodWithOptions<Req, Res>;
  return new Promise<Res>((resolve, reject) => {
    withOptions(request, { deadline: deadlineIn(wallMs, timeoutMs) }, (err, value) => {
      if (err !== null) reject(fromGrpcStatus(err));
      else resolve(value as Res);
    });
  });
}

export interface RetryingCallOptions {
  readonly timeoutMs: number;
  readonly policy: BackoffPolicy;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
}

/**
 * A unary call retried on `unavailable` and `deadline_exceeded` with backoff, up to the policy's
 * attempt limit. Only for idempotent calls.
 */
export function callUnaryWithRetry<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: RetryingCallOptions): Promise<Res> {
  return withRetry(() => callUnary(method, request, options.timeoutMs, options.clock.wallMs()), {
    policy: options.policy,
    clock: options.clock,
    rng: options.rng,
    retryable: (err) => err instanceof Error && 'kind' in err && (err.kind === 'unavailable' || err.kind === 'deadline_exceeded'),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
