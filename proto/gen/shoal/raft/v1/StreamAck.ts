// Original file: /work/main/proto/raft.proto


export interface StreamAck {
}

export interface StreamAck__Output {
}
