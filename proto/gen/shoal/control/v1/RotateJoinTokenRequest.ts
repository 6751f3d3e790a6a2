// Original file: proto/control.proto


export interface RotateJoinTokenRequest {
  'worker'?: (boolean);
  'manager'?: (boolean);
}

export interface RotateJoinTokenRequest__Output {
  'worker': (boolean);
  'manager': (boolean);
}
