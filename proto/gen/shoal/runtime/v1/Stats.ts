// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface Stats {
  'cpuUsageNs'?: (number | string | Long);
  'memoryUsageBytes'?: (number | string | Long);
  'memoryLimitBytes'?: (number | string | Long);
  'pidsCurrent'?: (number | string | Long);
  'pidsLimit'?: (number | string | Long);
  'readAtMs'?: (number | string | Long);
}

export interface Stats__Output {
  'cpuUsageNs': (number);
  'memoryUsageBytes': (number);
  'memoryLimitBytes': (number);
  'pidsCurrent': (number);
  'pidsLimit': (number);
  'readAtMs': (number);
}
