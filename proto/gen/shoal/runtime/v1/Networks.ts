// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddPeerRequest as _shoal_runtime_v1_AddPeerRequest, AddPeerRequest__Output as _shoal_runtime_v1_AddPeerRequest__Output } from '../../../shoal/runtime/v1/AddPeerRequest.js';
import type { CreateNetworkRequest as _shoal_runtime_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _shoal_runtime_v1_CreateNetworkRequest__Output } from '../../../shoal/runtime/v1/CreateNetworkRequest.js';
import type { Empty as _shoal_runtime_v1_Empty, Empty__Output as _shoal_runtime_v1_Empty__Output } from '../../../shoal/runtime/v1/Empty.js';
import type { ListNetworksResponse as _shoal_runtime_v1_ListNetworksResponse, ListNetworksResponse__Output as _shoal_runtime_v1_ListNetworksResponse__Output } from '../../../shoal/runtime/v1/ListNetworksResponse.js';
import type { Network as _shoal_runtime_v1_Network, Network__Output as _shoal_runtime_v1_Network__Output } from '../../../shoal/runtime/v1/Network.js';
import type { NetworkRef as _shoal_runtime_v1_NetworkRef, NetworkRef__Output as _shoal_runtime_v1_NetworkRef__Output } from '../../../shoal/runtime/v1/NetworkRef.js';
import type { RemovePeerRequest as _shoal_runtime_v1_RemovePeerRequest, RemovePeerRequest__Output as _shoal_runtime_v1_RemovePeerRequest__Output } from '../../../shoal/runtime/v1/RemovePeerRequest.js';

export interface NetworksClient extends grpc.Client {
  AddPeer(argument: _shoal_runtime_v1_AddPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  AddPeer(argument: _shoal_runtime_v1_AddPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  AddPeer(argument: _shoal_runtime_v1_AddPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  AddPeer(argument: _shoal_runtime_v1_AddPeerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  addPeer(argument: _shoal_runtime_v1_AddPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  addPeer(argument: _shoal_runtime_v1_AddPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  addPeer(argument: _shoal_runtime_v1_AddPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  addPeer(argument: _shoal_runtime_v1_AddPeerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  
  Create(argument: _shoal_runtime_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateNetworkRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateNetworkRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_NetworkRef, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_NetworkRef, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  
  List(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, callback: grpc.requestCallback<_shoal_runtime_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_NetworkRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_NetworkRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RemovePeer(argument: _shoal_runtime_v1_RemovePeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  RemovePeer(argument: _shoal_runtime_v1_RemovePeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  RemovePeer(argument: _shoal_runtime_v1_RemovePeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  RemovePeer(argument: _shoal_runtime_v1_RemovePeerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  removePeer(argument: _shoal_runtime_v1_RemovePeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  removePeer(argument: _shoal_runtime_v1_RemovePeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  removePeer(argument: _shoal_runtime_v1_RemovePeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  removePeer(argument: _shoal_runtime_v1_RemovePeerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Network__Output>): grpc.ClientUnaryCall;
  
}

export interface NetworksHandlers extends grpc.UntypedServiceImplementation {
  AddPeer: grpc.handleUnaryCall<_shoal_runtime_v1_AddPeerRequest__Output, _shoal_runtime_v1_Network>;
  
  Create: grpc.handleUnaryCall<_shoal_runtime_v1_CreateNetworkRequest__Output, _shoal_runtime_v1_Network>;
  
  Get: grpc.handleUnaryCall<_shoal_runtime_v1_NetworkRef__Output, _shoal_runtime_v1_Network>;
  
  List: grpc.handleUnaryCall<_shoal_runtime_v1_Empty__Output, _shoal_runtime_v1_ListNetworksResponse>;
  
  Remove: grpc.handleUnaryCall<_shoal_runtime_v1_NetworkRef__Output, _shoal_runtime_v1_Empty>;
  
  RemovePeer: grpc.handleUnaryCall<_shoal_runtime_v1_RemovePeerRequest__Output, _shoal_runtime_v1_Network>;
  
}

export interface NetworksDefinition extends grpc.ServiceDefinition {
  AddPeer: MethodDefinition<_shoal_runtime_v1_AddPeerRequest, _shoal_runtime_v1_Network, _shoal_runtime_v1_AddPeerRequest__Output, _shoal_runtime_v1_Network__Output>
  Create: MethodDefinition<_shoal_runtime_v1_CreateNetworkRequest, _shoal_runtime_v1_Network, _shoal_runtime_v1_CreateNetworkRequest__Output, _shoal_runtime_v1_Network__Output>
  Get: MethodDefinition<_shoal_runtime_v1_NetworkRef, _shoal_runtime_v1_Network, _shoal_runtime_v1_NetworkRef__Output, _shoal_runtime_v1_Network__Output>
  List: MethodDefinition<_shoal_runtime_v1_Empty, _shoal_runtime_v1_ListNetworksResponse, _shoal_runtime_v1_Empty__Output, _shoal_runtime_v1_ListNetworksResponse__Output>
  Remove: MethodDefinition<_shoal_runtime_v1_NetworkRef, _shoal_runtime_v1_Empty, _shoal_runtime_v1_NetworkRef__Output, _shoal_runtime_v1_Empty__Output>
  RemovePeer: MethodDefinition<_shoal_runtime_v1_RemovePeerRequest, _shoal_runtime_v1_Network, _shoal_runtime_v1_RemovePeerRequest__Output, _shoal_runtime_v1_Network__Output>
}
