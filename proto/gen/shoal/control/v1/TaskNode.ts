// Original file: proto/control.proto


export interface TaskNode {
  'id'?: (string);
  'hostname'?: (string);
  'address'?: (string);
}

export interface TaskNode__Output {
  'id': (string);
  'hostname': (string);
  'address': (string);
}
