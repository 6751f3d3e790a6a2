// Original file: proto/runtime.proto


export interface Empty {
}

export interface Empty__Output {
}
