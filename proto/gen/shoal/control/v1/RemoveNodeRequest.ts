// Original file: proto/control.proto


export interface RemoveNodeRequest {
  'id'?: (string);
  'force'?: (boolean);
}

export interface RemoveNodeRequest__Output {
  'id': (string);
  'force': (boolean);
}
