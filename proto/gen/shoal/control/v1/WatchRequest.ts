// Original file: proto/control.proto


export interface WatchRequest {
  'kinds'?: (string)[];
}

export interface WatchRequest__Output {
  'kinds': (string)[];
}
