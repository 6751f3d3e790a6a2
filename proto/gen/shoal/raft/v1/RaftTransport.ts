// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MessageBatch as _shoal_raft_v1_MessageBatch, MessageBatch__Output as _shoal_raft_v1_MessageBatch__Output } from '../../../shoal/raft/v1/MessageBatch.js';
import type { SnapshotAck as _shoal_raft_v1_SnapshotAck, SnapshotAck__Output as _shoal_raft_v1_SnapshotAck__Output } from '../../../shoal/raft/v1/SnapshotAck.js';
import type { SnapshotChunk as _shoal_raft_v1_SnapshotChunk, SnapshotChunk__Output as _shoal_raft_v1_SnapshotChunk__Output } from '../../../shoal/raft/v1/SnapshotChunk.js';
import type { StreamAck as _shoal_raft_v1_StreamAck, StreamAck__Output as _shoal_raft_v1_StreamAck__Output } from '../../../shoal/raft/v1/StreamAck.js';

export interface RaftTransportClient extends grpc.Client {
  SendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  SendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  SendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  SendSnapshot(callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  sendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  sendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  sendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  sendSnapshot(callback: grpc.requestCallback<_shoal_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_SnapshotChunk>;
  
  Stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  Stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  Stream(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  Stream(callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  stream(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  stream(callback: grpc.requestCallback<_shoal_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_shoal_raft_v1_MessageBatch>;
  
}

export interface RaftTransportHandlers extends grpc.UntypedServiceImplementation {
  SendSnapshot: grpc.handleClientStreamingCall<_shoal_raft_v1_SnapshotChunk__Output, _shoal_raft_v1_SnapshotAck>;
  
  Stream: grpc.handleClientStreamingCall<_shoal_raft_v1_MessageBatch__Output, _shoal_raft_v1_StreamAck>;
  
}

export interface RaftTransportDefinition extends grpc.ServiceDefinition {
  SendSnapshot: MethodDefinition<_shoal_raft_v1_SnapshotChunk, _shoal_raft_v1_SnapshotAck, _shoal_raft_v1_SnapshotChunk__Output, _shoal_raft_v1_SnapshotAck__Output>
  Stream: MethodDefinition<_shoal_raft_v1_MessageBatch, _shoal_raft_v1_StreamAck, _shoal_raft_v1_MessageBatch__Output, _shoal_raft_v1_StreamAck__Output>
}
