// Original file: proto/runtime.proto

import type { Image as _shoal_runtime_v1_Image, Image__Output as _shoal_runtime_v1_Image__Output } from '../../../shoal/runtime/v1/Image.js';

export interface ImportResponse {
  'images'?: (_shoal_runtime_v1_Image)[];
}

export interface ImportResponse__Output {
  'images': (_shoal_runtime_v1_Image__Output)[];
}
