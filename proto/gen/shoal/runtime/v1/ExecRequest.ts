// Original file: proto/runtime.proto


export interface ExecRequest {
  'id'?: (string);
  'args'?: (string)[];
  'env'?: (string)[];
  'workingDir'?: (string);
  'stdin'?: (Buffer | Uint8Array | string);
}

export interface ExecRequest__Output {
  'id': (string);
  'args': (string)[];
  'env': (string)[];
  'workingDir': (string);
  'stdin': (Buffer);
}
