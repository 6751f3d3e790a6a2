// Original file: proto/types.proto

import type { Long } from '@grpc/proto-loader';

export interface ExitStatus {
  'exitCode'?: (number);
  'signal'?: (string);
  'oomKilled'?: (boolean);
  'exitedAtMs'?: (number | string | Long);
}

export interface ExitStatus__Output {
  'exitCode': (number);
  'signal': (string);
  'oomKilled': (boolean);
  'exitedAtMs': (number);
}
