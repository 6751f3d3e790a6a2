// Original file: proto/runtime.proto


export interface ContainerRef {
  'id'?: (string);
}

export interface ContainerRef__Output {
  'id': (string);
}
