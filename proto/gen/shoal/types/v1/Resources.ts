// Original file: proto/types.proto

import type { Long } from '@grpc/proto-loader';

export interface Resources {
  'memoryBytes'?: (number | string | Long);
  'memoryReservationBytes'?: (number | string | Long);
  'nanoCpus'?: (number | string | Long);
  'cpuShares'?: (number);
  'cpusetCpus'?: (string);
  'pidsLimit'?: (number | string | Long);
}

export interface Resources__Output {
  'memoryBytes': (number);
  'memoryReservationBytes': (number);
  'nanoCpus': (number);
  'cpuShares': (number);
  'cpusetCpus': (string);
  'pidsLimit': (number);
}
