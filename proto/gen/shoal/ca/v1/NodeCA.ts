// Original file: proto/ca.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetRootCARequest as _shoal_ca_v1_GetRootCARequest, GetRootCARequest__Output as _shoal_ca_v1_GetRootCARequest__Output } from '../../../shoal/ca/v1/GetRootCARequest.js';
import type { GetRootCAResponse as _shoal_ca_v1_GetRootCAResponse, GetRootCAResponse__Output as _shoal_ca_v1_GetRootCAResponse__Output } from '../../../shoal/ca/v1/GetRootCAResponse.js';
import type { IssueNodeCertificateRequest as _shoal_ca_v1_IssueNodeCertificateRequest, IssueNodeCertificateRequest__Output as _shoal_ca_v1_IssueNodeCertificateRequest__Output } from '../../../shoal/ca/v1/IssueNodeCertificateRequest.js';
import type { IssueNodeCertificateResponse as _shoal_ca_v1_IssueNodeCertificateResponse, IssueNodeCertificateResponse__Output as _shoal_ca_v1_IssueNodeCertificateResponse__Output } from '../../../shoal/ca/v1/IssueNodeCertificateResponse.js';

export interface NodeCAClient extends grpc.Client {
  GetRootCA(argument: _shoal_ca_v1_GetRootCARequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  GetRootCA(argument: _shoal_ca_v1_GetRootCARequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  GetRootCA(argument: _shoal_ca_v1_GetRootCARequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  GetRootCA(argument: _shoal_ca_v1_GetRootCARequest, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  getRootCa(argument: _shoal_ca_v1_GetRootCARequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  getRootCa(argument: _shoal_ca_v1_GetRootCARequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  getRootCa(argument: _shoal_ca_v1_GetRootCARequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  getRootCa(argument: _shoal_ca_v1_GetRootCARequest, callback: grpc.requestCallback<_shoal_ca_v1_GetRootCAResponse__Output>): grpc.ClientUnaryCall;
  
  IssueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  IssueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  IssueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  IssueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  issueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  issueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  issueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  issueNodeCertificate(argument: _shoal_ca_v1_IssueNodeCertificateRequest, callback: grpc.requestCallback<_shoal_ca_v1_IssueNodeCertificateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface NodeCAHandlers extends grpc.UntypedServiceImplementation {
  GetRootCA: grpc.handleUnaryCall<_shoal_ca_v1_GetRootCARequest__Output, _shoal_ca_v1_GetRootCAResponse>;
  
  IssueNodeCertificate: grpc.handleUnaryCall<_shoal_ca_v1_IssueNodeCertificateRequest__Output, _shoal_ca_v1_IssueNodeCertificateResponse>;
  
}

export interface NodeCADefinition extends grpc.ServiceDefinition {
  GetRootCA: MethodDefinition<_shoal_ca_v1_GetRootCARequest, _shoal_ca_v1_GetRootCAResponse, _shoal_ca_v1_GetRootCARequest__Output, _shoal_ca_v1_GetRootCAResponse__Output>
  IssueNodeCertificate: MethodDefinition<_shoal_ca_v1_IssueNodeCertificateRequest, _shoal_ca_v1_IssueNodeCertificateResponse, _shoal_ca_v1_IssueNodeCertificateRequest__Output, _shoal_ca_v1_IssueNodeCertificateResponse__Output>
}
