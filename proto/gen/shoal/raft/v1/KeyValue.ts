// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { KvEmpty as _shoal_raft_v1_KvEmpty, KvEmpty__Output as _shoal_raft_v1_KvEmpty__Output } from '../../../shoal/raft/v1/KvEmpty.js';
import type { KvGetRequest as _shoal_raft_v1_KvGetRequest, KvGetRequest__Output as _shoal_raft_v1_KvGetRequest__Output } from '../../../shoal/raft/v1/KvGetRequest.js';
import type { KvGetResponse as _shoal_raft_v1_KvGetResponse, KvGetResponse__Output as _shoal_raft_v1_KvGetResponse__Output } from '../../../shoal/raft/v1/KvGetResponse.js';
import type { KvMemberRequest as _shoal_raft_v1_KvMemberRequest, KvMemberRequest__Output as _shoal_raft_v1_KvMemberRequest__Output } from '../../../shoal/raft/v1/KvMemberRequest.js';
import type { KvPutRequest as _shoal_raft_v1_KvPutRequest, KvPutRequest__Output as _shoal_raft_v1_KvPutRequest__Output } from '../../../shoal/raft/v1/KvPutRequest.js';
import type { KvPutResponse as _shoal_raft_v1_KvPutResponse, KvPutResponse__Output as _shoal_raft_v1_KvPutResponse__Output } from '../../../shoal/raft/v1/KvPutResponse.js';
import type { KvPutStreamResponse as _shoal_raft_v1_KvPutStreamResponse, KvPutStreamResponse__Output as _shoal_raft_v1_KvPutStreamResponse__Output } from '../../../shoal/raft/v1/KvPutStreamResponse.js';
import type { KvSession as _shoal_raft_v1_KvSession, KvSession__Output as _shoal_raft_v1_KvSession__Output } from '../../../shoal/raft/v1/KvSession.js';
import type { KvStatus as _shoal_raft_v1_KvStatus, KvStatus__Output as _shoal_raft_v1_KvStatus__Output } from '../../../shoal/raft/v1/KvStatus.js';

export interface KeyValueClient extends grpc.Client {
  AddMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _shoal_raft_v1_KvMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _shoal_raft_v1_KvMemberRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  addMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  addMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  addMember(argument: _shoal_raft_v1_KvMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  addMember(argument: _shoal_raft_v1_KvMemberRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _shoal_raft_v1_KvGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_raft_v1_KvGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_raft_v1_KvGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _shoal_raft_v1_KvGetRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_raft_v1_KvGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_raft_v1_KvGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_raft_v1_KvGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _shoal_raft_v1_KvGetRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvGetResponse__Output>): grpc.ClientUnaryCall;
  
  OpenSession(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _shoal_raft_v1_KvEmpty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _shoal_raft_v1_KvEmpty, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _shoal_raft_v1_KvEmpty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _shoal_raft_v1_KvEmpty, callback: grpc.requestCallback<_shoal_raft_v1_KvSession__Output>): grpc.ClientUnaryCall;
  
  Put(argument: _shoal_raft_v1_KvPutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _shoal_raft_v1_KvPutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _shoal_raft_v1_KvPutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _shoal_raft_v1_KvPutRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _shoal_raft_v1_KvPutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _shoal_raft_v1_KvPutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _shoal_raft_v1_KvPutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _shoal_raft_v1_KvPutRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvPutResponse__Output>): grpc.ClientUnaryCall;
  
  PutStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutStreamResponse__Output>;
  PutStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutStreamResponse__Output>;
  putStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutStreamResponse__Output>;
  putStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutStreamResponse__Output>;
  
  RemoveMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _shoal_raft_v1_KvMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _shoal_raft_v1_KvMemberRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _shoal_raft_v1_KvMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _shoal_raft_v1_KvMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _shoal_raft_v1_KvMemberRequest, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _shoal_raft_v1_KvEmpty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _shoal_raft_v1_KvEmpty, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _shoal_raft_v1_KvEmpty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _shoal_raft_v1_KvEmpty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _shoal_raft_v1_KvEmpty, callback: grpc.requestCallback<_shoal_raft_v1_KvStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface KeyValueHandlers extends grpc.UntypedServiceImplementation {
  AddMember: grpc.handleUnaryCall<_shoal_raft_v1_KvMemberRequest__Output, _shoal_raft_v1_KvStatus>;
  
  Get: grpc.handleUnaryCall<_shoal_raft_v1_KvGetRequest__Output, _shoal_raft_v1_KvGetResponse>;
  
  OpenSession: grpc.handleUnaryCall<_shoal_raft_v1_KvEmpty__Output, _shoal_raft_v1_KvSession>;
  
  Put: grpc.handleUnaryCall<_shoal_raft_v1_KvPutRequest__Output, _shoal_raft_v1_KvPutResponse>;
  
  PutStream: grpc.handleBidiStreamingCall<_shoal_raft_v1_KvPutRequest__Output, _shoal_raft_v1_KvPutStreamResponse>;
  
  RemoveMember: grpc.handleUnaryCall<_shoal_raft_v1_KvMemberRequest__Output, _shoal_raft_v1_KvStatus>;
  
  Status: grpc.handleUnaryCall<_shoal_raft_v1_KvEmpty__Output, _shoal_raft_v1_KvStatus>;
  
}

export interface KeyValueDefinition extends grpc.ServiceDefinition {
  AddMember: MethodDefinition<_shoal_raft_v1_KvMemberRequest, _shoal_raft_v1_KvStatus, _shoal_raft_v1_KvMemberRequest__Output, _shoal_raft_v1_KvStatus__Output>
  Get: MethodDefinition<_shoal_raft_v1_KvGetRequest, _shoal_raft_v1_KvGetResponse, _shoal_raft_v1_KvGetRequest__Output, _shoal_raft_v1_KvGetResponse__Output>
  OpenSession: MethodDefinition<_shoal_raft_v1_KvEmpty, _shoal_raft_v1_KvSession, _shoal_raft_v1_KvEmpty__Output, _shoal_raft_v1_KvSession__Output>
  Put: MethodDefinition<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutResponse, _shoal_raft_v1_KvPutRequest__Output, _shoal_raft_v1_KvPutResponse__Output>
  PutStream: MethodDefinition<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutStreamResponse, _shoal_raft_v1_KvPutRequest__Output, _shoal_raft_v1_KvPutStreamResponse__Output>
  RemoveMember: MethodDefinition<_shoal_raft_v1_KvMemberRequest, _shoal_raft_v1_KvStatus, _shoal_raft_v1_KvMemberRequest__Output, _shoal_raft_v1_KvStatus__Output>
  Status: MethodDefinition<_shoal_raft_v1_KvEmpty, _shoal_raft_v1_KvStatus, _shoal_raft_v1_KvEmpty__Output, _shoal_raft_v1_KvStatus__Output>
}
