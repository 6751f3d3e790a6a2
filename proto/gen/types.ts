import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from './shoal/types/v1/ContainerSpec.js';
import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from './shoal/types/v1/ExitStatus.js';
import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from './shoal/types/v1/Meta.js';
import type { Mount as _shoal_types_v1_Mount, Mount__Output as _shoal_types_v1_Mount__Output } from './shoal/types/v1/Mount.js';
import type { NetworkAttachment as _shoal_types_v1_NetworkAttachment, NetworkAttachment__Output as _shoal_types_v1_NetworkAttachment__Output } from './shoal/types/v1/NetworkAttachment.js';
import type { PortMapping as _shoal_types_v1_PortMapping, PortMapping__Output as _shoal_types_v1_PortMapping__Output } from './shoal/types/v1/PortMapping.js';
import type { Resources as _shoal_types_v1_Resources, Resources__Output as _shoal_types_v1_Resources__Output } from './shoal/types/v1/Resources.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    types: {
      v1: {
        ContainerSpec: MessageTypeDefinition<_shoal_types_v1_ContainerSpec, _shoal_types_v1_ContainerSpec__Output>
        ExitStatus: MessageTypeDefinition<_shoal_types_v1_ExitStatus, _shoal_types_v1_ExitStatus__Output>
        Meta: MessageTypeDefinition<_shoal_types_v1_Meta, _shoal_types_v1_Meta__Output>
        Mount: MessageTypeDefinition<_shoal_types_v1_Mount, _shoal_types_v1_Mount__Output>
        NetworkAttachment: MessageTypeDefinition<_shoal_types_v1_NetworkAttachment, _shoal_types_v1_NetworkAttachment__Output>
        PortMapping: MessageTypeDefinition<_shoal_types_v1_PortMapping, _shoal_types_v1_PortMapping__Output>
        Resources: MessageTypeDefinition<_shoal_types_v1_Resources, _shoal_types_v1_Resources__Output>
      }
    }
  }
}

