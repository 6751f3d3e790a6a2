// Original file: proto/control.proto


export interface TaskExecRequest {
  'id'?: (string);
  'args'?: (string)[];
  'env'?: (string)[];
  'workingDir'?: (string);
  'stdin'?: (Buffer | Uint8Array | string);
}

export interface TaskExecRequest__Output {
  'id': (string);
  'args': (string)[];
  'env': (string)[];
  'workingDir': (string);
  'stdin': (Buffer);
}
