// Original file: proto/dispatcher.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeDescription {
  'hostname'?: (string);
  'advertiseAddress'?: (string);
  'cpus'?: (number);
  'memoryBytes'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'agentVersion'?: (string);
}

export interface NodeDescription__Output {
  'hostname': (string);
  'advertiseAddress': (string);
  'cpus': (number);
  'memoryBytes': (number);
  'labels': ({[key: string]: string});
  'agentVersion': (string);
}
