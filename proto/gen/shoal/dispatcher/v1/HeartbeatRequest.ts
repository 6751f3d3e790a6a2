// Original file: /work/main/proto/dispatcher.proto


export interface HeartbeatRequest {
  'sessionId'?: (string);
}

export interface HeartbeatRequest__Output {
  'sessionId': (string);
}
