// Original file: proto/runtime.proto


export interface KillRequest {
  'id'?: (string);
  'signal'?: (string);
}

export interface KillRequest__Output {
  'id': (string);
  'signal': (string);
}
