// Original file: proto/runtime.proto


export interface DeleteContainerRequest {
  'id'?: (string);
  'force'?: (boolean);
}

export interface DeleteContainerRequest__Output {
  'id': (string);
  'force': (boolean);
}
