// The local runtime API (proto/runtime.proto) over the supervisor: what `shoal ctr` and, later,
// the agent's worker call. Every failure is a ShoalError carried as a gRPC status.

import { PassThrough } from 'node:stream';
import { Metadata, type Server, type ServerReadableStream, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { loadProto } from '../../proto/load.js';
import type { AddPeerRequest__Output } from '../../proto/gen/shoal/runtime/v1/AddPeerRequest.js';
import type { Container } from '../../proto/gen/shoal/runtime/v1/Container.js';
import type { CreateNetworkRequest__Output } from '../../proto/gen/shoal/runtime/v1/CreateNetworkRequest.js';
import type { Network } from '../../proto/gen/shoal/runtime/v1/Network.js';
import type { NetworkRef__Output } from '../../proto/gen/shoal/runtime/v1/NetworkRef.js';
import type { RemovePeerRequest__Output } from '../../proto/gen/shoal/runtime/v1/RemovePeerRequest.js';
import type { ContainerRef__Output } from '../../proto/gen/shoal/runtime/v1/ContainerRef.js';
import type { CreateContainerRequest__Output } from '../../proto/gen/shoal/runtime/v1/CreateContainerRequest.js';
import type { DeleteContainerRequest__Output } from '../../proto/gen/shoal/runtime/v1/DeleteContainerRequest.js';
import type { Event } from '../../proto/gen/shoal/runtime/v1/Event.js';
import type { ExecRequest__Output } from '../../proto/gen/shoal/runtime/v1/ExecRequest.js';
import type { ImportChunk__Output } from '../../proto/gen/shoal/runtime/v1/ImportChunk.js';
import type { ImportResponse } from '../../proto/gen/shoal/runtime/v1/ImportResponse.js';
import type { KillRequest__Output } from '../../proto/gen/shoal/runtime/v1/KillRequest.js';
import type { ListContainersRequest__Output } from '../../proto/gen/shoal/runtime/v1/ListContainersRequest.js';
import type { LogLine } from '../../proto/gen/shoal/runtime/v1/LogLine.js';
import type { LogsRequest__Output } from '../../proto/gen/shoal/runtime/v1/LogsRequest.js';
import type { PullProgress } from '../../proto/gen/shoal/runtime/v1/PullProgress.js';
import type { PullRequest__Output } from '../../proto/gen/shoal/runtime/v1/PullRequest.js';
import type { RemoveImageRequest__Output } from '../../proto/gen/shoal/runtime/v1/RemoveImageRequest.js';
import type { StopRequest__Output } from '../../proto/gen/shoal/runtime/v1/StopRequest.js';
import type { SubscribeRequest__Output } from '../../proto/gen/shoal/runtime/v1/SubscribeRequest.js';
import type { UpdateRequest__Output } from '../../proto/gen/shoal/runtime/v1/UpdateRequest.js';
import type { ExitStatus } from '../../proto/gen/shoal/types/v1/ExitStatus.js';
import { invalidArgument, toGrpcStatus } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { parsePlatform } from '../images/registry.js';
import type { NetworkManager } from '../network/manager.js';
import type { TaskExit } from '../shim/protocol.js';
import type { RuntimeEvent } from './events.js';
import type { ContainerRecord, DamagedContainer, Supervisor } from './supervisor.js';

/** An import may be at most this large (an archive streamed in chunks). */
export const IMPORT_BYTES_MAX = 16 * 1024 ** 3;

export function exitToProto(e: TaskExit | undefined): ExitStatus | null {
  return e === undefined ? null : { exitCode: e.exitCode, signal: e.signal, oomKilled: e.oomKilled, exitedAtMs: e.exitedAtMs };
}

export function containerToProto(c: ContainerRecord): Container {
  return {
    id: c.id,
    name: c.name,
    imageDigest: c.imageDigest,
    spec: c.spec,
    state: c.state,
    pid: c.pid,
    exit: exitToProto(c.exit),
    createdAtMs: c.createdAtMs,
    startedAtMs: c.startedAtMs,
    shimId: c.shimId,
    endpoints: (c.endpoints ?? []).map((e) => ({ network: e.network, ip: e.ip, mac: e.mac, aliases: [...e.aliases] })),
    security: c.security === undefined ? null : { seccomp: c.security.seccomp, seccompProfileSource: c.security.seccompProfileSource ?? '' },
  };
}

function damagedWarning(d: DamagedContainer): string {
  return `container ${d.id}: ${d.problem}; left alone (its folder ${d.dir}, and its process if runc runs one): repair or remove it by hand`;
}

function networkToProto(net: NetworkManager, name: string): Network {
  const n = net.get(name);
  return {
    name: n.name,
    vni: n.vni,
    subnet: n.subnet,
    gateway: n.gateway,
    mtu: net.mtuOf(n),
    port: n.port,
    createdAtMs: n.createdAtMs,
    peers: net.peersOf(n.name).map((p) => ({ ip: p.ip, mac: p.mac, vtep: p.vtep, dnsNames: [...p.dnsNames] })),
    endpoints: net.endpointsOf(n.name).map(({ container, endpoint }) => ({ network: n.name, container: container.name, ip: endpoint.ip, mac: endpoint.mac, aliases: [...endpoint.aliases] })),
  };
}

function eventToProto(e: RuntimeEvent): Event {
  return { type: e.type, id: e.id, atMs: e.atMs, exit: exitToProto(e.exit), attributes: { ...e.attributes } };
}

/** Ends a server stream with the error's status. */
function failStream(call: ServerWritableStream<unknown, unknown>, err: unknown): void {
  call.emit('error', toGrpcStatus(err));
}

export function addRuntimeServices(server: Server, sup: Supervisor, net: NetworkManager): void {
  const rt = loadProto('runtime').shoal.runtime.v1;

  server.addService(rt.Networks.service, {
    Create: unaryHandler(async (req: CreateNetworkRequest__Output) => networkToProto(net, (await net.create(req)).name)),
    Get: unaryHandler(async (req: NetworkRef__Output) => networkToProto(net, req.name)),
    List: unaryHandler(async () => ({ networks: net.list().map((n) => networkToProto(net, n.name)) })),
    Remove: unaryHandler(async (req: NetworkRef__Output) => {
      await net.remove(req.name);
      return {};
    }),
    AddPeer: unaryHandler(async (req: AddPeerRequest__Output) => {
      if (req.peer === null) throw invalidArgument('network.no_peer', 'peer add: give the peer');
      return networkToProto(net, (await net.addPeer(req.network, req.peer)).name);
    }),
    RemovePeer: unaryHandler(async (req: RemovePeerRequest__Output) => networkToProto(net, (await net.removePeer(req.network, req.ip)).name)),
  });

  server.addService(rt.Containers.service, {
    Create: unaryHandler(async (req: CreateContainerRequest__Output) => {
      if (req.spec === null) throw invalidArgument('container.no_spec', 'create: a container spec is required');
      return containerToProto(await sup.create(req.name, req.spec, req.security));
    }),
    Get: unaryHandler(async (req: ContainerRef__Output) => containerToProto(sup.find(req.id))),
    List: unaryHandler(async (req: ListContainersRequest__Output) => ({
      containers: sup.list(req.all).map(containerToProto),
      warnings: sup.damaged.map((d) => damagedWarning(d)),
    })),
    Delete: unaryHandler(async (req: DeleteContainerRequest__Output) => {
      await sup.delete(req.id, req.force);
      return {};
    }),
  });

  server.addService(rt.Tasks.service, {
    Start: unaryHandler(async (req: ContainerRef__Output) => containerToProto(await sup.start(req.id))),
    Kill: unaryHandler(async (req: KillRequest__Output) => {
      await sup.kill(req.id, req.signal === '' ? 'SIGTERM' : req.signal);
      return {};
    }),
    Stop: unaryHandler(async (req: StopRequest__Output) => ({ exit: exitToProto(await sup.stop(req.id, req.gracePeriodMs)) })),
    Wait: unaryHandler(async (req: ContainerRef__Output) => ({ exit: exitToProto(await sup.wait(req.id)) })),
    Pause: unaryHandler(async (req: ContainerRef__Output) => {
      await sup.pause(req.id);
      return {};
    }),
    Resume: unaryHandler(async (req: ContainerRef__Output) => {
      await sup.resume(req.id);
      return {};
    }),
    Update: unaryHandler(async (req: UpdateRequest__Output) => {
      if (req.resources === null) throw invalidArgument('container.no_update', 'update: name at least one limit to change');
      await sup.update(req.id, req.resources);
      return {};
    }),
    Exec: unaryHandler(async (req: ExecRequest__Output) => sup.exec(req.id, req.args, req.env, req.workingDir, req.stdin)),
    Stats: unaryHandler(async (req: ContainerRef__Output) => ({ ...(await sup.stats(req.id)), readAtMs: Date.now() })),
  });

  server.addService(rt.Images.service, {
    Import: (call: ServerReadableStream<ImportChunk__Output, ImportResponse>, callback: sendUnaryData<ImportResponse>) => {
      const body = new PassThrough();
      let reference: string | undefined;
      let first = true;
      let bytes = 0;
      call.on('data', (chunk: ImportChunk__Output) => {
        if (first) {
          reference = chunk.reference === '' ? undefined : chunk.reference;
          first = false;
        }
        bytes += chunk.data.length;
        if (bytes > IMPORT_BYTES_MAX) body.destroy(invalidArgument('image.too_large', `import: archive larger than ${IMPORT_BYTES_MAX} bytes`));
        else if (!body.write(chunk.data)) {
          call.pause();
          body.once('drain', () => call.resume());
        }
      });
      call.on('end', () => {
        if (first) callback(toGrpcStatus(invalidArgument('image.empty_archive', 'import: the archive is empty')));
        body.end();
      });
      call.on('error', (e) => body.destroy(e));
      // The first chunk names the reference; wait for it before starting.
      call.once('data', () => {
        sup.importImage(body, reference).then(
          (records) => callback(null, { images: records.map((r) => ({ reference: r.reference, digest: r.digest, sizeBytes: 0, createdAtMs: r.createdAtMs })) }),
          (err: unknown) => {
            body.resume();
            callback(toGrpcStatus(err));
          },
        );
      });
    },
    Pull: (call: ServerWritableStream<PullRequest__Output, PullProgress>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const req = call.request;
      let lastSent = 0;
      void (async () => {
        try {
          const record = await sup.pullImage(req.reference, {
            insecure: req.insecure,
            ...(req.username !== '' ? { username: req.username, password: req.password } : {}),
            platform: parsePlatform(req.platform),
            signal: abort.signal,
            onProgress: (p) => {
              // At most ten progress messages a second, and every change of status.
              const now = Date.now();
              if (p.status === 'downloading' && now - lastSent < 100 && p.doneBytes < p.totalBytes) return;
              lastSent = now;
              call.write({ digest: p.digest, doneBytes: p.doneBytes, totalBytes: p.totalBytes, status: p.status });
            },
          });
          const summary = (await sup.listImages()).find((i) => i.reference === record.reference);
          call.write({ digest: record.digest, status: 'done', image: { reference: record.reference, digest: record.digest, sizeBytes: summary?.sizeBytes ?? 0, createdAtMs: record.createdAtMs } });
          call.end();
        } catch (err) {
          failStream(call as ServerWritableStream<unknown, unknown>, err);
        }
      })();
    },
    List: unaryHandler(async () => ({
      images: (await sup.listImages()).map((i) => ({ reference: i.reference, digest: i.digest, sizeBytes: i.sizeBytes, createdAtMs: i.createdAtMs })),
    })),
    Remove: unaryHandler(async (req: RemoveImageRequest__Output) => {
      const { record, garbage } = await sup.removeImage(req.reference);
      return {
        reference: record.reference,
        digest: record.digest,
        blobsDeleted: garbage.blobs,
        layersDeleted: garbage.layers,
        warnings: garbage.refused.map((r) => `no blob or layer was deleted: ${r}`),
      };
    }),
  });

  server.addService(rt.Events.service, {
    Subscribe: (call: ServerWritableStream<SubscribeRequest__Output, Event>) => {
      const off = sup.events.subscribe(call.request.types, (e) => call.write(eventToProto(e)));
      call.on('cancelled', off);
      call.on('close', off);
      call.on('error', off);
      // Tells the client the subscription is in place (RuntimeClient.events waits for it).
      call.sendMetadata(new Metadata());
    },
  });

  server.addService(rt.Logs.service, {
    Read: (call: ServerWritableStream<LogsRequest__Output, LogLine>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      void (async () => {
        try {
          for await (const line of sup.logs(call.request.id, call.request.follow, call.request.tailLines, abort.signal)) {
            if (!call.write({ stream: line.stream, line: Buffer.from(line.log), atMs: Date.parse(line.time) })) {
              await new Promise((resolve) => call.once('drain', resolve));
            }
          }
          call.end();
        } catch (err) {
          failStream(call as ServerWritableStream<unknown, unknown>, err);
        }
      })();
    },
  });
}
