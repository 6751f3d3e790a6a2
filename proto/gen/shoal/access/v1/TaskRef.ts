// Original file: proto/agent.proto


export interface TaskRef {
  'taskId'?: (string);
}

export interface TaskRef__Output {
  'taskId': (string);
}
