// Original file: proto/control.proto


export interface RemoveTaskRequest {
  'id'?: (string);
  'force'?: (boolean);
}

export interface RemoveTaskRequest__Output {
  'id': (string);
  'force': (boolean);
}
