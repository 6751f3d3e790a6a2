// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Empty as _shoal_runtime_v1_Empty, Empty__Output as _shoal_runtime_v1_Empty__Output } from '../../../shoal/runtime/v1/Empty.js';
import type { ImportChunk as _shoal_runtime_v1_ImportChunk, ImportChunk__Output as _shoal_runtime_v1_ImportChunk__Output } from '../../../shoal/runtime/v1/ImportChunk.js';
import type { ImportResponse as _shoal_runtime_v1_ImportResponse, ImportResponse__Output as _shoal_runtime_v1_ImportResponse__Output } from '../../../shoal/runtime/v1/ImportResponse.js';
import type { ListImagesResponse as _shoal_runtime_v1_ListImagesResponse, ListImagesResponse__Output as _shoal_runtime_v1_ListImagesResponse__Output } from '../../../shoal/runtime/v1/ListImagesResponse.js';
import type { PullProgress as _shoal_runtime_v1_PullProgress, PullProgress__Output as _shoal_runtime_v1_PullProgress__Output } from '../../../shoal/runtime/v1/PullProgress.js';
import type { PullRequest as _shoal_runtime_v1_PullRequest, PullRequest__Output as _shoal_runtime_v1_PullRequest__Output } from '../../../shoal/runtime/v1/PullRequest.js';
import type { RemoveImageRequest as _shoal_runtime_v1_RemoveImageRequest, RemoveImageRequest__Output as _shoal_runtime_v1_RemoveImageRequest__Output } from '../../../shoal/runtime/v1/RemoveImageRequest.js';
import type { RemoveImageResponse as _shoal_runtime_v1_RemoveImageResponse, RemoveImageResponse__Output as _shoal_runtime_v1_RemoveImageResponse__Output } from '../../../shoal/runtime/v1/RemoveImageResponse.js';

export interface ImagesClient extends grpc.Client {
  Import(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  Import(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  Import(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  Import(callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  import(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  import(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  import(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  import(callback: grpc.requestCallback<_shoal_runtime_v1_ImportResponse__Output>): grpc.ClientWritableStream<_shoal_runtime_v1_ImportChunk>;
  
  List(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _shoal_runtime_v1_Empty, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _shoal_runtime_v1_Empty, callback: grpc.requestCallback<_shoal_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  
  Pull(argument: _shoal_runtime_v1_PullRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_PullProgress__Output>;
  Pull(argument: _shoal_runtime_v1_PullRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_PullProgress__Output>;
  pull(argument: _shoal_runtime_v1_PullRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_PullProgress__Output>;
  pull(argument: _shoal_runtime_v1_PullRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_PullProgress__Output>;
  
  Remove(argument: _shoal_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _shoal_runtime_v1_RemoveImageRequest, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _shoal_runtime_v1_RemoveImageRequest, callback: grpc.requestCallback<_shoal_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ImagesHandlers extends grpc.UntypedServiceImplementation {
  Import: grpc.handleClientStreamingCall<_shoal_runtime_v1_ImportChunk__Output, _shoal_runtime_v1_ImportResponse>;
  
  List: grpc.handleUnaryCall<_shoal_runtime_v1_Empty__Output, _shoal_runtime_v1_ListImagesResponse>;
  
  Pull: grpc.handleServerStreamingCall<_shoal_runtime_v1_PullRequest__Output, _shoal_runtime_v1_PullProgress>;
  
  Remove: grpc.handleUnaryCall<_shoal_runtime_v1_RemoveImageRequest__Output, _shoal_runtime_v1_RemoveImageResponse>;
  
}

export interface ImagesDefinition extends grpc.ServiceDefinition {
  Import: MethodDefinition<_shoal_runtime_v1_ImportChunk, _shoal_runtime_v1_ImportResponse, _shoal_runtime_v1_ImportChunk__Output, _shoal_runtime_v1_ImportResponse__Output>
  List: MethodDefinition<_shoal_runtime_v1_Empty, _shoal_runtime_v1_ListImagesResponse, _shoal_runtime_v1_Empty__Output, _shoal_runtime_v1_ListImagesResponse__Output>
  Pull: MethodDefinition<_shoal_runtime_v1_PullRequest, _shoal_runtime_v1_PullProgress, _shoal_runtime_v1_PullRequest__Output, _shoal_runtime_v1_PullProgress__Output>
  Remove: MethodDefinition<_shoal_runtime_v1_RemoveImageRequest, _shoal_runtime_v1_RemoveImageResponse, _shoal_runtime_v1_RemoveImageRequest__Output, _shoal_runtime_v1_RemoveImageResponse__Output>
}
