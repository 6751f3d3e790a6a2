// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { JoinRaftRequest as _shoal_raft_v1_JoinRaftRequest, JoinRaftRequest__Output as _shoal_raft_v1_JoinRaftRequest__Output } from '../../../shoal/raft/v1/JoinRaftRequest.js';
import type { JoinRaftResponse as _shoal_raft_v1_JoinRaftResponse, JoinRaftResponse__Output as _shoal_raft_v1_JoinRaftResponse__Output } from '../../../shoal/raft/v1/JoinRaftResponse.js';

export interface RaftMembershipClient extends grpc.Client {
  Join(argument: _shoal_raft_v1_JoinRaftRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_raft_v1_JoinRaftRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_raft_v1_JoinRaftRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_raft_v1_JoinRaftRequest, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_raft_v1_JoinRaftRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_raft_v1_JoinRaftRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_raft_v1_JoinRaftRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_raft_v1_JoinRaftRequest, callback: grpc.requestCallback<_shoal_raft_v1_JoinRaftResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface RaftMembershipHandlers extends grpc.UntypedServiceImplementation {
  Join: grpc.handleUnaryCall<_shoal_raft_v1_JoinRaftRequest__Output, _shoal_raft_v1_JoinRaftResponse>;
  
}

export interface RaftMembershipDefinition extends grpc.ServiceDefinition {
  Join: MethodDefinition<_shoal_raft_v1_JoinRaftRequest, _shoal_raft_v1_JoinRaftResponse, _shoal_raft_v1_JoinRaftRequest__Output, _shoal_raft_v1_JoinRaftResponse__Output>
}
