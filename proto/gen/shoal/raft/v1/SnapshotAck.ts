// Original file: proto/raft.proto


export interface SnapshotAck {
  'accepted'?: (boolean);
}

export interface SnapshotAck__Output {
  'accepted': (boolean);
}
