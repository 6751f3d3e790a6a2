// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Event as _shoal_runtime_v1_Event, Event__Output as _shoal_runtime_v1_Event__Output } from '../../../shoal/runtime/v1/Event.js';
import type { SubscribeRequest as _shoal_runtime_v1_SubscribeRequest, SubscribeRequest__Output as _shoal_runtime_v1_SubscribeRequest__Output } from '../../../shoal/runtime/v1/SubscribeRequest.js';

export interface EventsClient extends grpc.Client {
  Subscribe(argument: _shoal_runtime_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_Event__Output>;
  Subscribe(argument: _shoal_runtime_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_Event__Output>;
  subscribe(argument: _shoal_runtime_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_Event__Output>;
  subscribe(argument: _shoal_runtime_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_Event__Output>;
  
}

export interface EventsHandlers extends grpc.UntypedServiceImplementation {
  Subscribe: grpc.handleServerStreamingCall<_shoal_runtime_v1_SubscribeRequest__Output, _shoal_runtime_v1_Event>;
  
}

export interface EventsDefinition extends grpc.ServiceDefinition {
  Subscribe: MethodDefinition<_shoal_runtime_v1_SubscribeRequest, _shoal_runtime_v1_Event, _shoal_runtime_v1_SubscribeRequest__Output, _shoal_runtime_v1_Event__Output>
}
