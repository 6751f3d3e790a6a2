// Original file: proto/runtime.proto


export interface RemovePeerRequest {
  'network'?: (string);
  'ip'?: (string);
}

export interface RemovePeerRequest__Output {
  'network': (string);
  'ip': (string);
}
