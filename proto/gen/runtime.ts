import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddPeerRequest as _shoal_runtime_v1_AddPeerRequest, AddPeerRequest__Output as _shoal_runtime_v1_AddPeerRequest__Output } from './shoal/runtime/v1/AddPeerRequest.js';
import type { Container as _shoal_runtime_v1_Container, Container__Output as _shoal_runtime_v1_Container__Output } from './shoal/runtime/v1/Container.js';
import type { ContainerEndpoint as _shoal_runtime_v1_ContainerEndpoint, ContainerEndpoint__Output as _shoal_runtime_v1_ContainerEndpoint__Output } from './shoal/runtime/v1/ContainerEndpoint.js';
import type { ContainerRef as _shoal_runtime_v1_ContainerRef, ContainerRef__Output as _shoal_runtime_v1_ContainerRef__Output } from './shoal/runtime/v1/ContainerRef.js';
import type { ContainersClient as _shoal_runtime_v1_ContainersClient, ContainersDefinition as _shoal_runtime_v1_ContainersDefinition } from './shoal/runtime/v1/Containers.js';
import type { CreateContainerRequest as _shoal_runtime_v1_CreateContainerRequest, CreateContainerRequest__Output as _shoal_runtime_v1_CreateContainerRequest__Output } from './shoal/runtime/v1/CreateContainerRequest.js';
import type { CreateNetworkRequest as _shoal_runtime_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _shoal_runtime_v1_CreateNetworkRequest__Output } from './shoal/runtime/v1/CreateNetworkRequest.js';
import type { DeleteContainerRequest as _shoal_runtime_v1_DeleteContainerRequest, DeleteContainerRequest__Output as _shoal_runtime_v1_DeleteContainerRequest__Output } from './shoal/runtime/v1/DeleteContainerRequest.js';
import type { Empty as _shoal_runtime_v1_Empty, Empty__Output as _shoal_runtime_v1_Empty__Output } from './shoal/runtime/v1/Empty.js';
import type { Event as _shoal_runtime_v1_Event, Event__Output as _shoal_runtime_v1_Event__Output } from './shoal/runtime/v1/Event.js';
import type { EventsClient as _shoal_runtime_v1_EventsClient, EventsDefinition as _shoal_runtime_v1_EventsDefinition } from './shoal/runtime/v1/Events.js';
import type { ExecRequest as _shoal_runtime_v1_ExecRequest, ExecRequest__Output as _shoal_runtime_v1_ExecRequest__Output } from './shoal/runtime/v1/ExecRequest.js';
import type { ExecResponse as _shoal_runtime_v1_ExecResponse, ExecResponse__Output as _shoal_runtime_v1_ExecResponse__Output } from './shoal/runtime/v1/ExecResponse.js';
import type { Image as _shoal_runtime_v1_Image, Image__Output as _shoal_runtime_v1_Image__Output } from './shoal/runtime/v1/Image.js';
import type { ImagesClient as _shoal_runtime_v1_ImagesClient, ImagesDefinition as _shoal_runtime_v1_ImagesDefinition } from './shoal/runtime/v1/Images.js';
import type { ImportChunk as _shoal_runtime_v1_ImportChunk, ImportChunk__Output as _shoal_runtime_v1_ImportChunk__Output } from './shoal/runtime/v1/ImportChunk.js';
import type { ImportResponse as _shoal_runtime_v1_ImportResponse, ImportResponse__Output as _shoal_runtime_v1_ImportResponse__Output } from './shoal/runtime/v1/ImportResponse.js';
import type { KillRequest as _shoal_runtime_v1_KillRequest, KillRequest__Output as _shoal_runtime_v1_KillRequest__Output } from './shoal/runtime/v1/KillRequest.js';
import type { ListContainersRequest as _shoal_runtime_v1_ListContainersRequest, ListContainersRequest__Output as _shoal_runtime_v1_ListContainersRequest__Output } from './shoal/runtime/v1/ListContainersRequest.js';
import type { ListContainersResponse as _shoal_runtime_v1_ListContainersResponse, ListContainersResponse__Output as _shoal_runtime_v1_ListContainersResponse__Output } from './shoal/runtime/v1/ListContainersResponse.js';
import type { ListImagesResponse as _shoal_runtime_v1_ListImagesResponse, ListImagesResponse__Output as _shoal_runtime_v1_ListImagesResponse__Output } from './shoal/runtime/v1/ListImagesResponse.js';
import type { ListNetworksResponse as _shoal_runtime_v1_ListNetworksResponse, ListNetworksResponse__Output as _shoal_runtime_v1_ListNetworksResponse__Output } from './shoal/runtime/v1/ListNetworksResponse.js';
import type { LogLine as _shoal_runtime_v1_LogLine, LogLine__Output as _shoal_runtime_v1_LogLine__Output } from './shoal/runtime/v1/LogLine.js';
import type { LogsClient as _shoal_runtime_v1_LogsClient, LogsDefinition as _shoal_runtime_v1_LogsDefinition } from './shoal/runtime/v1/Logs.js';
import type { LogsRequest as _shoal_runtime_v1_LogsRequest, LogsRequest__Output as _shoal_runtime_v1_LogsRequest__Output } from './shoal/runtime/v1/LogsRequest.js';
import type { Network as _shoal_runtime_v1_Network, Network__Output as _shoal_runtime_v1_Network__Output } from './shoal/runtime/v1/Network.js';
import type { NetworkRef as _shoal_runtime_v1_NetworkRef, NetworkRef__Output as _shoal_runtime_v1_NetworkRef__Output } from './shoal/runtime/v1/NetworkRef.js';
import type { NetworksClient as _shoal_runtime_v1_NetworksClient, NetworksDefinition as _shoal_runtime_v1_NetworksDefinition } from './shoal/runtime/v1/Networks.js';
import type { Peer as _shoal_runtime_v1_Peer, Peer__Output as _shoal_runtime_v1_Peer__Output } from './shoal/runtime/v1/Peer.js';
import type { PullProgress as _shoal_runtime_v1_PullProgress, PullProgress__Output as _shoal_runtime_v1_PullProgress__Output } from './shoal/runtime/v1/PullProgress.js';
import type { PullRequest as _shoal_runtime_v1_PullRequest, PullRequest__Output as _shoal_runtime_v1_PullRequest__Output } from './shoal/runtime/v1/PullRequest.js';
import type { RemoveImageRequest as _shoal_runtime_v1_RemoveImageRequest, RemoveImageRequest__Output as _shoal_runtime_v1_RemoveImageRequest__Output } from './shoal/runtime/v1/RemoveImageRequest.js';
import type { RemoveImageResponse as _shoal_runtime_v1_RemoveImageResponse, RemoveImageResponse__Output as _shoal_runtime_v1_RemoveImageResponse__Output } from './shoal/runtime/v1/RemoveImageResponse.js';
import type { RemovePeerRequest as _shoal_runtime_v1_RemovePeerRequest, RemovePeerRequest__Output as _shoal_runtime_v1_RemovePeerRequest__Output } from './shoal/runtime/v1/RemovePeerRequest.js';
import type { SecurityOptions as _shoal_runtime_v1_SecurityOptions, SecurityOptions__Output as _shoal_runtime_v1_SecurityOptions__Output } from './shoal/runtime/v1/SecurityOptions.js';
import type { Stats as _shoal_runtime_v1_Stats, Stats__Output as _shoal_runtime_v1_Stats__Output } from './shoal/runtime/v1/Stats.js';
import type { StopRequest as _shoal_runtime_v1_StopRequest, StopRequest__Output as _shoal_runtime_v1_StopRequest__Output } from './shoal/runtime/v1/StopRequest.js';
import type { SubscribeRequest as _shoal_runtime_v1_SubscribeRequest, SubscribeRequest__Output as _shoal_runtime_v1_SubscribeRequest__Output } from './shoal/runtime/v1/SubscribeRequest.js';
import type { TasksClient as _shoal_runtime_v1_TasksClient, TasksDefinition as _shoal_runtime_v1_TasksDefinition } from './shoal/runtime/v1/Tasks.js';
import type { UpdateRequest as _shoal_runtime_v1_UpdateRequest, UpdateRequest__Output as _shoal_runtime_v1_UpdateRequest__Output } from './shoal/runtime/v1/UpdateRequest.js';
import type { WaitResponse as _shoal_runtime_v1_WaitResponse, WaitResponse__Output as _shoal_runtime_v1_WaitResponse__Output } from './shoal/runtime/v1/WaitResponse.js';
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
    runtime: {
      v1: {
        AddPeerRequest: MessageTypeDefinition<_shoal_runtime_v1_AddPeerRequest, _shoal_runtime_v1_AddPeerRequest__Output>
        Container: MessageTypeDefinition<_shoal_runtime_v1_Container, _shoal_runtime_v1_Container__Output>
        ContainerEndpoint: MessageTypeDefinition<_shoal_runtime_v1_ContainerEndpoint, _shoal_runtime_v1_ContainerEndpoint__Output>
        ContainerRef: MessageTypeDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_ContainerRef__Output>
        Containers: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_ContainersClient> & { service: _shoal_runtime_v1_ContainersDefinition }
        CreateContainerRequest: MessageTypeDefinition<_shoal_runtime_v1_CreateContainerRequest, _shoal_runtime_v1_CreateContainerRequest__Output>
        CreateNetworkRequest: MessageTypeDefinition<_shoal_runtime_v1_CreateNetworkRequest, _shoal_runtime_v1_CreateNetworkRequest__Output>
        DeleteContainerRequest: MessageTypeDefinition<_shoal_runtime_v1_DeleteContainerRequest, _shoal_runtime_v1_DeleteContainerRequest__Output>
        Empty: MessageTypeDefinition<_shoal_runtime_v1_Empty, _shoal_runtime_v1_Empty__Output>
        Event: MessageTypeDefinition<_shoal_runtime_v1_Event, _shoal_runtime_v1_Event__Output>
        Events: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_EventsClient> & { service: _shoal_runtime_v1_EventsDefinition }
        ExecRequest: MessageTypeDefinition<_shoal_runtime_v1_ExecRequest, _shoal_runtime_v1_ExecRequest__Output>
        ExecResponse: MessageTypeDefinition<_shoal_runtime_v1_ExecResponse, _shoal_runtime_v1_ExecResponse__Output>
        Image: MessageTypeDefinition<_shoal_runtime_v1_Image, _shoal_runtime_v1_Image__Output>
        Images: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_ImagesClient> & { service: _shoal_runtime_v1_ImagesDefinition }
        ImportChunk: MessageTypeDefinition<_shoal_runtime_v1_ImportChunk, _shoal_runtime_v1_ImportChunk__Output>
        ImportResponse: MessageTypeDefinition<_shoal_runtime_v1_ImportResponse, _shoal_runtime_v1_ImportResponse__Output>
        KillRequest: MessageTypeDefinition<_shoal_runtime_v1_KillRequest, _shoal_runtime_v1_KillRequest__Output>
        ListContainersRequest: MessageTypeDefinition<_shoal_runtime_v1_ListContainersRequest, _shoal_runtime_v1_ListContainersRequest__Output>
        ListContainersResponse: MessageTypeDefinition<_shoal_runtime_v1_ListContainersResponse, _shoal_runtime_v1_ListContainersResponse__Output>
        ListImagesResponse: MessageTypeDefinition<_shoal_runtime_v1_ListImagesResponse, _shoal_runtime_v1_ListImagesResponse__Output>
        ListNetworksResponse: MessageTypeDefinition<_shoal_runtime_v1_ListNetworksResponse, _shoal_runtime_v1_ListNetworksResponse__Output>
        LogLine: MessageTypeDefinition<_shoal_runtime_v1_LogLine, _shoal_runtime_v1_LogLine__Output>
        Logs: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_LogsClient> & { service: _shoal_runtime_v1_LogsDefinition }
        LogsRequest: MessageTypeDefinition<_shoal_runtime_v1_LogsRequest, _shoal_runtime_v1_LogsRequest__Output>
        Network: MessageTypeDefinition<_shoal_runtime_v1_Network, _shoal_runtime_v1_Network__Output>
        NetworkRef: MessageTypeDefinition<_shoal_runtime_v1_NetworkRef, _shoal_runtime_v1_NetworkRef__Output>
        Networks: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_NetworksClient> & { service: _shoal_runtime_v1_NetworksDefinition }
        Peer: MessageTypeDefinition<_shoal_runtime_v1_Peer, _shoal_runtime_v1_Peer__Output>
        PullProgress: MessageTypeDefinition<_shoal_runtime_v1_PullProgress, _shoal_runtime_v1_PullProgress__Output>
        PullRequest: MessageTypeDefinition<_shoal_runtime_v1_PullRequest, _shoal_runtime_v1_PullRequest__Output>
        RemoveImageRequest: MessageTypeDefinition<_shoal_runtime_v1_RemoveImageRequest, _shoal_runtime_v1_RemoveImageRequest__Output>
        RemoveImageResponse: MessageTypeDefinition<_shoal_runtime_v1_RemoveImageResponse, _shoal_runtime_v1_RemoveImageResponse__Output>
        RemovePeerRequest: MessageTypeDefinition<_shoal_runtime_v1_RemovePeerRequest, _shoal_runtime_v1_RemovePeerRequest__Output>
        SecurityOptions: MessageTypeDefinition<_shoal_runtime_v1_SecurityOptions, _shoal_runtime_v1_SecurityOptions__Output>
        Stats: MessageTypeDefinition<_shoal_runtime_v1_Stats, _shoal_runtime_v1_Stats__Output>
        StopRequest: MessageTypeDefinition<_shoal_runtime_v1_StopRequest, _shoal_runtime_v1_StopRequest__Output>
        SubscribeRequest: MessageTypeDefinition<_shoal_runtime_v1_SubscribeRequest, _shoal_runtime_v1_SubscribeRequest__Output>
        Tasks: SubtypeConstructor<typeof grpc.Client, _shoal_runtime_v1_TasksClient> & { service: _shoal_runtime_v1_TasksDefinition }
        UpdateRequest: MessageTypeDefinition<_shoal_runtime_v1_UpdateRequest, _shoal_runtime_v1_UpdateRequest__Output>
        WaitResponse: MessageTypeDefinition<_shoal_runtime_v1_WaitResponse, _shoal_runtime_v1_WaitResponse__Output>
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

