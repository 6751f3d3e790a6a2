// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Container as _shoal_runtime_v1_Container, Container__Output as _shoal_runtime_v1_Container__Output } from '../../../shoal/runtime/v1/Container.js';
import type { ContainerRef as _shoal_runtime_v1_ContainerRef, ContainerRef__Output as _shoal_runtime_v1_ContainerRef__Output } from '../../../shoal/runtime/v1/ContainerRef.js';
import type { CreateContainerRequest as _shoal_runtime_v1_CreateContainerRequest, CreateContainerRequest__Output as _shoal_runtime_v1_CreateContainerRequest__Output } from '../../../shoal/runtime/v1/CreateContainerRequest.js';
import type { DeleteContainerRequest as _shoal_runtime_v1_DeleteContainerRequest, DeleteContainerRequest__Output as _shoal_runtime_v1_DeleteContainerRequest__Output } from '../../../shoal/runtime/v1/DeleteContainerRequest.js';
import type { Empty as _shoal_runtime_v1_Empty, Empty__Output as _shoal_runtime_v1_Empty__Output } from '../../../shoal/runtime/v1/Empty.js';
import type { ListContainersRequest as _shoal_runtime_v1_ListContainersRequest, ListContainersRequest__Output as _shoal_runtime_v1_ListContainersRequest__Output } from '../../../shoal/runtime/v1/ListContainersRequest.js';
import type { ListContainersResponse as _shoal_runtime_v1_ListContainersResponse, ListContainersResponse__Output as _shoal_runtime_v1_ListContainersResponse__Output } from '../../../shoal/runtime/v1/ListContainersResponse.js';

export interface ContainersClient extends grpc.Client {
  Create(argument: _shoal_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Create(argument: _shoal_runtime_v1_CreateContainerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  create(argument: _shoal_runtime_v1_CreateContainerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _shoal_runtime_v1_DeleteContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_runtime_v1_DeleteContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_runtime_v1_DeleteContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Delete(argument: _shoal_runtime_v1_DeleteContainerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_runtime_v1_DeleteContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_runtime_v1_DeleteContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_runtime_v1_DeleteContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  delete(argument: _shoal_runtime_v1_DeleteContainerRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  
  List(argument: _shoal_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_ListContainersRequest, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_ListContainersRequest, callback: grpc.requestCallback<_shoal_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ContainersHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_shoal_runtime_v1_CreateContainerRequest__Output, _shoal_runtime_v1_Container>;
  
  Delete: grpc.handleUnaryCall<_shoal_runtime_v1_DeleteContainerRequest__Output, _shoal_runtime_v1_Empty>;
  
  Get: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Container>;
  
  List: grpc.handleUnaryCall<_shoal_runtime_v1_ListContainersRequest__Output, _shoal_runtime_v1_ListContainersResponse>;
  
}

export interface ContainersDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_shoal_runtime_v1_CreateContainerRequest, _shoal_runtime_v1_Container, _shoal_runtime_v1_CreateContainerRequest__Output, _shoal_runtime_v1_Container__Output>
  Delete: MethodDefinition<_shoal_runtime_v1_DeleteContainerRequest, _shoal_runtime_v1_Empty, _shoal_runtime_v1_DeleteContainerRequest__Output, _shoal_runtime_v1_Empty__Output>
  Get: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_Container, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Container__Output>
  List: MethodDefinition<_shoal_runtime_v1_ListContainersRequest, _shoal_runtime_v1_ListContainersResponse, _shoal_runtime_v1_ListContainersRequest__Output, _shoal_runtime_v1_ListContainersResponse__Output>
}
