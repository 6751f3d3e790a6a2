// Original file: proto/ca.proto

import type { Long } from '@grpc/proto-loader';

export interface IssueNodeCertificateResponse {
  'certPem'?: (string);
  'nodeId'?: (string);
  'role'?: (string);
  'clusterId'?: (string);
  'raftClusterId'?: (number | string | Long);
  'raftId'?: (number | string | Long);
}

export interface IssueNodeCertificateResponse__Output {
  'certPem': (string);
  'nodeId': (string);
  'role': (string);
  'clusterId': (string);
  'raftClusterId': (number);
  'raftId': (number);
}
