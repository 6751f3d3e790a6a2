// Original file: proto/runtime.proto

import type { Image as _shoal_runtime_v1_Image, Image__Output as _shoal_runtime_v1_Image__Output } from '../../../shoal/runtime/v1/Image.js';
import type { Long } from '@grpc/proto-loader';

export interface PullProgress {
  'digest'?: (string);
  'doneBytes'?: (number | string | Long);
  'totalBytes'?: (number | string | Long);
  'status'?: (string);
  'image'?: (_shoal_runtime_v1_Image | null);
}

export interface PullProgress__Output {
  'digest': (string);
  'doneBytes': (number);
  'totalBytes': (number);
  'status': (string);
  'image': (_shoal_runtime_v1_Image__Output | null);
}
