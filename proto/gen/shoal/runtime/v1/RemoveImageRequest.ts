// Original file: proto/runtime.proto


export interface RemoveImageRequest {
  'reference'?: (string);
}

export interface RemoveImageRequest__Output {
  'reference': (string);
}
