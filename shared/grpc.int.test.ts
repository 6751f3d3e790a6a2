// gRPC helpers against a real server over a unix socket and TCP loopback.

import { writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, type ServerUnaryCall } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProto } from '../proto/load.js';
import type { Container } from '../proto/gen/shoal/runtime/v1/Container.js';
import type { ContainerRef__Output } from '../proto/gen/shoal/runtime/v1/ContainerRef.js';
import type { ContainersClient } from '../proto/gen/shoal/runtime/v1/Containers.js';
import { systemClock } from './clock.js';
import { ShoalError, notFound, unavailable } from './errors.js';
import { callUnary, callUnaryWithRetry, clientCredentials, listen, parseAddress, shutdown, unaryHandler, type Address } from './grpc.js';
import { SeededRng } from './rng.js';
import { asNobody } from './test-nobody.js';

const runtime = loadProto('runtime').shoal.runtime.v1;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Containers service whose Get answers from `behaviour`; every other method is unimplemented. */
async function startServer(address: Address, behaviour: (ref: ContainerRef__Output, call: ServerUnaryCall<ContainerRef__Output, Container>) => Promise<Container>) {
  const server = new Server();
  const unimplemented = unaryHandler(async () => {
    throw new ShoalError('unimplemented', 'test.unimplemented', 'not in this test');
  });
  server.addService(runtime.Containers.service, { Get: unaryHandler(behaviour), Create: unimplemented, List: unimplemented, Delete: unimplemented });
  const bound = await listen(server, address);
  cleanups.push(() => shutdown(server, systemClock, 1000));
  return bound;
}

function client(address: Address): ContainersClient {
  const target = address.kind === 'unix' ? `unix:${address.path}` : `127.0.0.1:${address.port}`;
  const c = new runtime.Containers(target, clientCredentials());
  cleanups.push(async () => c.close());
  return c;
}

async function tempSocket(): Promise<Address> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-grpc-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return parseAddress(`unix:${join(dir, 'sub', 'api.sock')}`);
}

describe('gRPC helpers (real server)', () => {
  it("serves a unix socket that is its owner's alone: 0600 from its creation in a folder anyone may enter, in a folder made 0700 otherwise", async () => {
    const umask = process.umask();
    const dir = await mkdtemp(join(tmpdir(), 'shoal-grpc-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // A folder like /tmp: anyone may enter and create; only the socket's own mode guards it.
    await chmod(dir, 0o1777);
    const open = join(dir, 'api.sock');
    await startServer({ kind: 'unix', path: open }, async () => ({ id: 'x', name: 'x', state: 'running' }));
    expect((await stat(open)).mode & 0o777).toBe(0o600);
    expect(await asNobody('connect', open)).toBe('EACCES');
    const made = join(dir, 'run', 'shoal', 'api.sock');
    await startServer({ kind: 'unix', path: made }, async () => ({ id: 'x', name: 'x', state: 'running' }));
    expect((await stat(join(dir, 'run', 'shoal'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'run'))).mode & 0o777).toBe(0o700);
    expect((await stat(made)).mode & 0o777).toBe(0o600);
    // The umask is the process's own again once the bind is done.
    expect(process.umask()).toBe(umask);
  });

  it('never leaves the process umask narrowed while other work runs: a file made at the first moment anything else may run keeps its mode', async () => {
    const umask = process.umask(0o022);
    cleanups.push(async () => void process.umask(umask));
    const dir = await mkdtemp(join(tmpdir(), 'shoal-grpc-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const realUmask = process.umask.bind(process);
    const made: string[] = [];
    const spy = vi.spyOn(process, 'umask').mockImplementation(((mask?: number) => {
      const old = mask === undefined ? realUmask() : realUmask(mask);
      if (mask !== undefined && (mask & 0o077) === 0o077) {
        // Other work of the same process (an unpack making a layer's root 0755, a log file),
        // continued at the first moment the binding code lets anything else run.
        queueMicrotask(() => {
          const path = join(dir, `made-${made.length}`);
          writeFileSync(path, '', { mode: 0o644 });
          made.push(path);
        });
      }
      return old;
    }) as typeof process.umask);
    cleanups.push(async () => void spy.mockRestore());
    await startServer(await tempSocket(), async () => ({ id: 'x' }));
    // The bind narrowed the umask (so other work had its chance to run while it was narrow).
    expect(made.length).toBeGreaterThan(0);
    const modes = await Promise.all(made.map(async (p) => ((await stat(p)).mode & 0o777).toString(8)));
    expect(modes).toEqual(made.map(() => '644'));
  });

  it('serves over a unix socket, creating its folder, and carries ShoalErrors across intact', async () => {
    const address = await startServer(await tempSocket(), async (ref) => {
      if (ref.id === 'web') return { id: 'c0ffee', name: 'web', state: 'running' };
      throw notFound('container.not_found', `no container ${ref.id}`, { fields: { id: ref.id } });
    });
    expect((await stat(address.kind === 'unix' ? address.path : '')).isSocket()).toBe(true);
    const c = client(address);
    const got = await callUnary(c.Get.bind(c), { id: 'web' }, 5000);
    expect(got).toMatchObject({ id: 'c0ffee', name: 'web', state: 'running' });

    const err = await callUnary(c.Get.bind(c), { id: 'db' }, 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalError);
    expect(err).toMatchObject({ kind: 'not_found', code: 'container.not_found', message: 'no container db', fields: { id: 'db' } });
  });

  it('serves over TCP on an ephemeral loopback port', async () => {
    const address = await startServer(parseAddress('127.0.0.1:0'), async (ref) => ({ id: ref.id }));
    expect(address.kind === 'tcp' && address.port > 0).toBe(true);
    const c = client(address);
    expect((await callUnary(c.Get.bind(c), { id: 'x' }, 5000)).id).toBe('x');
  });

  it('fails a call at its deadline when the server does not answer', async () => {
    let release: () => void = () => undefined;
    const address = await startServer(await tempSocket(), () => new Promise<Container>((resolve) => (release = () => resolve({}))));
    cleanups.push(async () => release());
    const c = client(address);
    const err = await callUnary(c.Get.bind(c), { id: 'slow' }, 200).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'deadline_exceeded' });
  });

  it('retries unavailable answers with backoff up to the limit, and not final errors', async () => {
    let calls = 0;
    const address = await startServer(await tempSocket(), async (ref) => {
      calls++;
      if (ref.id === 'flaky' && calls < 3) throw unavailable('test.busy', 'busy, try again');
      if (ref.id === 'bad') throw notFound('test.none', 'no such thing');
      if (ref.id === 'down') throw unavailable('test.down', 'always down');
      return { id: ref.id };
    });
    const c = client(address);
    const options = { timeoutMs: 2000, policy: { initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, attemptsMax: 4 }, clock: systemClock, rng: new SeededRng(1) };
    expect((await callUnaryWithRetry(c.Get.bind(c), { id: 'flaky' }, options)).id).toBe('flaky');
    expect(calls).toBe(3);

    calls = 0;
    await expect(callUnaryWithRetry(c.Get.bind(c), { id: 'bad' }, options)).rejects.toMatchObject({ kind: 'not_found' });
    expect(calls).toBe(1);

    calls = 0;
    await expect(callUnaryWithRetry(c.Get.bind(c), { id: 'down' }, options)).rejects.toMatchObject({ kind: 'unavailable', message: 'always down' });
    expect(calls).toBe(4);
  });

  it('parses addresses and refuses malformed ones with the flag named', () => {
    expect(parseAddress('/run/shoal/agent.sock')).toEqual({ kind: 'unix', path: '/run/shoal/agent.sock' });
    expect(parseAddress('unix:///run/x.sock')).toEqual({ kind: 'unix', path: '/run/x.sock' });
    expect(parseAddress('[::1]:4242')).toEqual({ kind: 'tcp', host: '::1', port: 4242 });
    expect(() => parseAddress('nonsense', '--socket')).toThrow('--socket: "nonsense" is not host:port or unix:/path');
    expect(() => parseAddress('unix:relative.sock', '--socket')).toThrow(/absolute socket path/);
  });
});
