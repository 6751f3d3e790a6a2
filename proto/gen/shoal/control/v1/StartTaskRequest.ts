// Original file: proto/control.proto


export interface StartTaskRequest {
  'id'?: (string);
}

export interface StartTaskRequest__Output {
  'id': (string);
}
