// Original file: proto/raft.proto


export interface KvEmpty {
}

export interface KvEmpty__Output {
}
