// Original file: proto/runtime.proto


export interface SubscribeRequest {
  'types'?: (string)[];
}

export interface SubscribeRequest__Output {
  'types': (string)[];
}
