import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetRootCARequest as _shoal_ca_v1_GetRootCARequest, GetRootCARequest__Output as _shoal_ca_v1_GetRootCARequest__Output } from './shoal/ca/v1/GetRootCARequest.js';
import type { GetRootCAResponse as _shoal_ca_v1_GetRootCAResponse, GetRootCAResponse__Output as _shoal_ca_v1_GetRootCAResponse__Output } from './shoal/ca/v1/GetRootCAResponse.js';
import type { IssueNodeCertificateRequest as _shoal_ca_v1_IssueNodeCertificateRequest, IssueNodeCertificateRequest__Output as _shoal_ca_v1_IssueNodeCertificateRequest__Output } from './shoal/ca/v1/IssueNodeCertificateRequest.js';
import type { IssueNodeCertificateResponse as _shoal_ca_v1_IssueNodeCertificateResponse, IssueNodeCertificateResponse__Output as _shoal_ca_v1_IssueNodeCertificateResponse__Output } from './shoal/ca/v1/IssueNodeCertificateResponse.js';
import type { NodeCAClient as _shoal_ca_v1_NodeCAClient, NodeCADefinition as _shoal_ca_v1_NodeCADefinition } from './shoal/ca/v1/NodeCA.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    ca: {
      v1: {
        GetRootCARequest: MessageTypeDefinition<_shoal_ca_v1_GetRootCARequest, _shoal_ca_v1_GetRootCARequest__Output>
        GetRootCAResponse: MessageTypeDefinition<_shoal_ca_v1_GetRootCAResponse, _shoal_ca_v1_GetRootCAResponse__Output>
        IssueNodeCertificateRequest: MessageTypeDefinition<_shoal_ca_v1_IssueNodeCertificateRequest, _shoal_ca_v1_IssueNodeCertificateRequest__Output>
        IssueNodeCertificateResponse: MessageTypeDefinition<_shoal_ca_v1_IssueNodeCertificateResponse, _shoal_ca_v1_IssueNodeCertificateResponse__Output>
        NodeCA: SubtypeConstructor<typeof grpc.Client, _shoal_ca_v1_NodeCAClient> & { service: _shoal_ca_v1_NodeCADefinition }
      }
    }
  }
}

