// Original file: proto/ca.proto


export interface GetRootCAResponse {
  'caPem'?: (string);
}

export interface GetRootCAResponse__Output {
  'caPem': (string);
}
