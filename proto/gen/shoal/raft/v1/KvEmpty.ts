// Original file: /work/main/proto/raft.proto


export interface KvEmpty {
}

export interface KvEmpty__Output {
}
