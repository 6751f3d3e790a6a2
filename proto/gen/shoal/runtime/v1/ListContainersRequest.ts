// Original file: proto/runtime.proto


export interface ListContainersRequest {
  'all'?: (boolean);
}

export interface ListContainersRequest__Output {
  'all': (boolean);
}
