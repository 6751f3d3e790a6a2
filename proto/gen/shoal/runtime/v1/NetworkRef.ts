// Original file: proto/runtime.proto


export interface NetworkRef {
  'name'?: (string);
}

export interface NetworkRef__Output {
  'name': (string);
}
