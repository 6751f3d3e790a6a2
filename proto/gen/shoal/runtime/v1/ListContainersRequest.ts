// Original file: /work/main/proto/runtime.proto


export interface ListContainersRequest {
  'all'?: (boolean);
}

export interface ListContainersRequest__Output {
  'all': (boolean);
}
