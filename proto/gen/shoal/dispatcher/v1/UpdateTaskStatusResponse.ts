// Original file: /work/main/proto/dispatcher.proto


export interface UpdateTaskStatusResponse {
}

export interface UpdateTaskStatusResponse__Output {
}
