// Loads Shoal's .proto files at run time with the same options the type generator used
// (proto/loader-options.json), and returns them typed by the generated code in proto/gen.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import type { ProtoGrpcType as AgentProto } from './gen/agent.js';
import type { ProtoGrpcType as CaProto } from './gen/ca.js';
import type { ProtoGrpcType as ControlProto } from './gen/control.js';
import type { ProtoGrpcType as DispatcherProto } from './gen/dispatcher.js';
import type { ProtoGrpcType as RaftProto } from './gen/raft.js';
import type { ProtoGrpcType as RuntimeProto } from './gen/runtime.js';

export interface ProtoFiles {
  agent: AgentProto;
  ca: CaProto;
  control: ControlProto;
  dispatcher: DispatcherProto;
  raft: RaftProto;
  runtime: RuntimeProto;
}

/** proto/ in the source tree; from dist/proto, two levels up and back down. */
export function protoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, 'types.proto')) ? here : join(here, '..', '..', 'proto');
}

const cache = new Map<keyof ProtoFiles, GrpcObject>();

export function loadProto<K extends keyof ProtoFiles>(name: K): ProtoFiles[K] {
  let loaded = cache.get(name);
  if (loaded === undefined) {
    const dir = protoDir();
    const options = JSON.parse(readFileSync(join(dir, 'loader-options.json'), 'utf8')) as Options;
    const longs = (options.longs as unknown) === 'Number' ? Number : String;
    const enums = (options.enums as unknown) === 'String' ? String : undefined;
    const definition = loadSync(join(dir, `${name}.proto`), { ...options, longs, ...(enums ? { enums } : {}), includeDirs: [dir] });
    loaded = loadPackageDefinition(definition);
    cache.set(name, loaded);
  }
  return loaded as unknown as ProtoFiles[K];
}
