import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { TaskAccessClient as _shoal_access_v1_TaskAccessClient, TaskAccessDefinition as _shoal_access_v1_TaskAccessDefinition } from './shoal/access/v1/TaskAccess.js';
import type { TaskContainer as _shoal_access_v1_TaskContainer, TaskContainer__Output as _shoal_access_v1_TaskContainer__Output } from './shoal/access/v1/TaskContainer.js';
import type { TaskExecRequest as _shoal_access_v1_TaskExecRequest, TaskExecRequest__Output as _shoal_access_v1_TaskExecRequest__Output } from './shoal/access/v1/TaskExecRequest.js';
import type { TaskExecResponse as _shoal_access_v1_TaskExecResponse, TaskExecResponse__Output as _shoal_access_v1_TaskExecResponse__Output } from './shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine as _shoal_access_v1_TaskLogLine, TaskLogLine__Output as _shoal_access_v1_TaskLogLine__Output } from './shoal/access/v1/TaskLogLine.js';
import type { TaskLogsRequest as _shoal_access_v1_TaskLogsRequest, TaskLogsRequest__Output as _shoal_access_v1_TaskLogsRequest__Output } from './shoal/access/v1/TaskLogsRequest.js';
import type { TaskRef as _shoal_access_v1_TaskRef, TaskRef__Output as _shoal_access_v1_TaskRef__Output } from './shoal/access/v1/TaskRef.js';
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
    access: {
      v1: {
        TaskAccess: SubtypeConstructor<typeof grpc.Client, _shoal_access_v1_TaskAccessClient> & { service: _shoal_access_v1_TaskAccessDefinition }
        TaskContainer: MessageTypeDefinition<_shoal_access_v1_TaskContainer, _shoal_access_v1_TaskContainer__Output>
        TaskExecRequest: MessageTypeDefinition<_shoal_access_v1_TaskExecRequest, _shoal_access_v1_TaskExecRequest__Output>
        TaskExecResponse: MessageTypeDefinition<_shoal_access_v1_TaskExecResponse, _shoal_access_v1_TaskExecResponse__Output>
        TaskLogLine: MessageTypeDefinition<_shoal_access_v1_TaskLogLine, _shoal_access_v1_TaskLogLine__Output>
        TaskLogsRequest: MessageTypeDefinition<_shoal_access_v1_TaskLogsRequest, _shoal_access_v1_TaskLogsRequest__Output>
        TaskRef: MessageTypeDefinition<_shoal_access_v1_TaskRef, _shoal_access_v1_TaskRef__Output>
      }
    }
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

