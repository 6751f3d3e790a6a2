// A client of an agent's local runtime API (proto/runtime.proto) on its unix socket: what
// `shoal ctr` and the tests use. Unary calls come back as promises (failures as ShoalErrors);
// streams as async iterables.

import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import type { Readable } from 'node:stream';
import { loadProto } from '../proto/load.js';
import type { Container__Output } from '../proto/gen/shoal/runtime/v1/Container.js';
import type { ContainersClient } from '../proto/gen/shoal/runtime/v1/Containers.js';
import type { Event__Output } from '../proto/gen/shoal/runtime/v1/Event.js';
import type { EventsClient } from '../proto/gen/shoal/runtime/v1/Events.js';
import type { ExecResponse__Output } from '../proto/gen/shoal/runtime/v1/ExecResponse.js';
import type { Image__Output } from '../proto/gen/shoal/runtime/v1/Image.js';
import type { ImagesClient } from '../proto/gen/shoal/runtime/v1/Images.js';
import type { ListContainersResponse__Output } from '../proto/gen/shoal/runtime/v1/ListContainersResponse.js';
import type { LogLine__Output } from '../proto/gen/shoal/runtime/v1/LogLine.js';
import type { LogsClient } from '../proto/gen/shoal/runtime/v1/Logs.js';
import type { CreateNetworkRequest } from '../proto/gen/shoal/runtime/v1/CreateNetworkRequest.js';
import type { Network__Output } from '../proto/gen/shoal/runtime/v1/Network.js';
import type { NetworksClient } from '../proto/gen/shoal/runtime/v1/Networks.js';
import type { Peer } from '../proto/gen/shoal/runtime/v1/Peer.js';
import type { PullProgress__Output } from '../proto/gen/shoal/runtime/v1/PullProgress.js';
import type { PullRequest } from '../proto/gen/shoal/runtime/v1/PullRequest.js';
import type { RemoveImageResponse__Output } from '../proto/gen/shoal/runtime/v1/RemoveImageResponse.js';
import type { Stats__Output } from '../proto/gen/shoal/runtime/v1/Stats.js';
import type { TasksClient } from '../proto/gen/shoal/runtime/v1/Tasks.js';
import type { ContainerSpec } from '../proto/gen/shoal/types/v1/ContainerSpec.js';
import type { SecurityOptions } from '../proto/gen/shoal/runtime/v1/SecurityOptions.js';
import type { ExitStatus__Output } from '../proto/gen/shoal/types/v1/ExitStatus.js';
import type { Resources } from '../proto/gen/shoal/types/v1/Resources.js';
import { fromGrpcStatus } from './errors.js';
import { callUnary, grpcTarget, parseAddress } from './grpc.js';

/** Where an agent serves its runtime API unless told otherwise. */
export const AGENT_SOCKET_DEFAULT = '/run/shoal/agent.sock';

/** Calls that return at once; Wait, Stop and Exec take as long as the container does. */
const QUICK_MS = 60_000;
const LONG_MS = 24 * 3_600_000;
const IMPORT_CHUNK_BYTES = 1024 * 1024;

async function* streamOf<T>(call: ClientReadableStream<T>): AsyncGenerator<T> {
  try {
    for await (const item of call) yield item as T;
  } catch (err) {
    throw fromGrpcStatus(err);
  } finally {
    call.cancel();
  }
}

export class RuntimeClient {
  private readonly containers: ContainersClient;
  private readonly tasks: TasksClient;
  private readonly imagesApi: ImagesClient;
  private readonly eventsApi: EventsClient;
  private readonly logsApi: LogsClient;
  private readonly networksApi: NetworksClient;

  constructor(socket: string) {
    const rt = loadProto('runtime').shoal.runtime.v1;
    const target = grpcTarget(parseAddress(socket, '--socket'));
    const creds = credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
    this.containers = new rt.Containers(target, creds, options);
    // One channel for all services: the generated clients share it when given the same target and options.
    this.tasks = new rt.Tasks(target, creds, options);
    this.imagesApi = new rt.Images(target, creds, options);
    this.eventsApi = new rt.Events(target, creds, options);
    this.logsApi = new rt.Logs(target, creds, options);
    this.networksApi = new rt.Networks(target, creds, options);
  }

  close(): void {
    for (const c of [this.containers, this.tasks, this.imagesApi, this.eventsApi, this.logsApi, this.networksApi]) c.close();
  }

  /** `security` unset: the agent's defaults (its default seccomp profile). */
  create(name: string, spec: ContainerSpec, security?: SecurityOptions): Promise<Container__Output> {
    return callUnary(this.containers.Create.bind(this.containers), { name, spec, ...(security !== undefined ? { security } : {}) }, QUICK_MS);
  }
  get(id: string): Promise<Container__Output> {
    return callUnary(this.containers.Get.bind(this.containers), { id }, QUICK_MS);
  }
  async list(all: boolean): Promise<Container__Output[]> {
    return (await this.listWithWarnings(all)).containers;
  }
  /** The containers, and a line for each container folder the agent could not read (moved aside, left alone). */
  listWithWarnings(all: boolean): Promise<ListContainersResponse__Output> {
    return callUnary(this.containers.List.bind(this.containers), { all }, QUICK_MS);
  }
  async remove(id: string, force: boolean): Promise<void> {
    await callUnary(this.containers.Delete.bind(this.containers), { id, force }, QUICK_MS);
  }

  start(id: string): Promise<Container__Output> {
    return callUnary(this.tasks.Start.bind(this.tasks), { id }, QUICK_MS);
  }
  async kill(id: string, signal: string): Promise<void> {
    await callUnary(this.tasks.Kill.bind(this.tasks), { id, signal }, QUICK_MS);
  }
  async stop(id: string, gracePeriodMs = 0): Promise<ExitStatus__Output> {
    return (await callUnary(this.tasks.Stop.bind(this.tasks), { id, gracePeriodMs }, LONG_MS)).exit as ExitStatus__Output;
  }
  async wait(id: string): Promise<ExitStatus__Output> {
    return (await callUnary(this.tasks.Wait.bind(this.tasks), { id }, LONG_MS)).exit as ExitStatus__Output;
  }
  async pause(id: string): Promise<void> {
    await callUnary(this.tasks.Pause.bind(this.tasks), { id }, QUICK_MS);
  }
  async resume(id: string): Promise<void> {
    await callUnary(this.tasks.Resume.bind(this.tasks), { id }, QUICK_MS);
  }
  async update(id: string, resources: Resources): Promise<void> {
    await callUnary(this.tasks.Update.bind(this.tasks), { id, resources }, QUICK_MS);
  }
  exec(id: string, args: string[], options: { env?: string[]; workingDir?: string; stdin?: Buffer } = {}): Promise<ExecResponse__Output> {
    return callUnary(this.tasks.Exec.bind(this.tasks), { id, args, env: options.env ?? [], workingDir: options.workingDir ?? '', stdin: options.stdin ?? Buffer.alloc(0) }, LONG_MS);
  }
  stats(id: string): Promise<Stats__Output> {
    return callUnary(this.tasks.Stats.bind(this.tasks), { id }, QUICK_MS);
  }

  /** Streams an archive (docker save or OCI layout) to the agent. */
  importImage(archive: Readable, reference = ''): Promise<Image__Output[]> {
    return new Promise((resolve, reject) => {
      const call = this.imagesApi.Import((err, res) => {
        if (err !== null) reject(fromGrpcStatus(err));
        else resolve(res?.images ?? []);
      });
      let first = true;
      archive.on('data', (chunk: Buffer) => {
        for (let off = 0; off < chunk.length; off += IMPORT_CHUNK_BYTES) {
          const ok = call.write({ reference: first ? reference : '', data: chunk.subarray(off, off + IMPORT_CHUNK_BYTES) });
          first = false;
          if (!ok) {
            archive.pause();
            call.once('drain', () => archive.resume());
          }
        }
      });
      archive.on('end', () => {
        if (first) call.write({ reference, data: Buffer.alloc(0) });
        call.end();
      });
      archive.on('error', (e) => {
        call.cancel();
        reject(e);
      });
    });
  }
  pull(request: PullRequest): AsyncGenerator<PullProgress__Output> {
    return streamOf(this.imagesApi.Pull(request));
  }
  async images(): Promise<Image__Output[]> {
    return (await callUnary(this.imagesApi.List.bind(this.imagesApi), {}, QUICK_MS)).images;
  }
  /** Removes a name; the answer's `warnings` say why no blob or layer was collected, when none was. */
  removeImage(reference: string): Promise<RemoveImageResponse__Output> {
    return callUnary(this.imagesApi.Remove.bind(this.imagesApi), { reference }, QUICK_MS);
  }

  createNetwork(req: CreateNetworkRequest): Promise<Network__Output> {
    return callUnary(this.networksApi.Create.bind(this.networksApi), req, QUICK_MS);
  }
  network(name: string): Promise<Network__Output> {
    return callUnary(this.networksApi.Get.bind(this.networksApi), { name }, QUICK_MS);
  }
  async networks(): Promise<Network__Output[]> {
    return (await callUnary(this.networksApi.List.bind(this.networksApi), {}, QUICK_MS)).networks;
  }
  async removeNetwork(name: string): Promise<void> {
    await callUnary(this.networksApi.Remove.bind(this.networksApi), { name }, QUICK_MS);
  }
  addPeer(network: string, peer: Peer): Promise<Network__Output> {
    return callUnary(this.networksApi.AddPeer.bind(this.networksApi), { network, peer }, QUICK_MS);
  }
  removePeer(network: string, ip: string): Promise<Network__Output> {
    return callUnary(this.networksApi.RemovePeer.bind(this.networksApi), { network, ip }, QUICK_MS);
  }

  /** Resolves once the agent has registered the subscription: no later event is missed. */
  async events(types: string[] = []): Promise<AsyncGenerator<Event__Output>> {
    const call = this.eventsApi.Subscribe({ types });
    await new Promise<void>((resolve, reject) => {
      call.once('metadata', () => resolve());
      call.once('error', (e) => reject(fromGrpcStatus(e)));
    });
    return streamOf(call);
  }
  logs(id: string, follow: boolean, tailLines = 0): AsyncGenerator<LogLine__Output> {
    return streamOf(this.logsApi.Read({ id, follow, tailLines }));
  }
}
