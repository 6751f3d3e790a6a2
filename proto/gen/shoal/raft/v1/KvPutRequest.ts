// Original file: proto/raft.proto


export interface KvPutRequest {
  'key'?: (string);
  'value'?: (Buffer | Uint8Array | string);
}

export interface KvPutRequest__Output {
  'key': (string);
  'value': (Buffer);
}
