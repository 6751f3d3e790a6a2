// Original file: proto/agent.proto


export interface TaskExecRequest {
  'taskId'?: (string);
  'args'?: (string)[];
  'env'?: (string)[];
  'workingDir'?: (string);
  'stdin'?: (Buffer | Uint8Array | string);
}

export interface TaskExecRequest__Output {
  'taskId': (string);
  'args': (string)[];
  'env': (string)[];
  'workingDir': (string);
  'stdin': (Buffer);
}
