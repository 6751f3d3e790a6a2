// Original file: proto/raft.proto


export interface KvGetRequest {
  'key'?: (string);
  'stale'?: (boolean);
}

export interface KvGetRequest__Output {
  'key': (string);
  'stale': (boolean);
}
