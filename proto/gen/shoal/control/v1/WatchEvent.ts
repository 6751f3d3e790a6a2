// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchEvent {
  'action'?: (string);
  'kind'?: (string);
  'id'?: (string);
  'version'?: (number | string | Long);
  'atMs'?: (number | string | Long);
  'name'?: (string);
  'objectJson'?: (string);
  'previousJson'?: (string);
}

export interface WatchEvent__Output {
  'action': (string);
  'kind': (string);
  'id': (string);
  'version': (number);
  'atMs': (number);
  'name': (string);
  'objectJson': (string);
  'previousJson': (string);
}
