// Original file: proto/ca.proto


export interface GetRootCARequest {
}

export interface GetRootCARequest__Output {
}
