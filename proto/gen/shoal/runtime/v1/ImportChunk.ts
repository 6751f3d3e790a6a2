// Original file: proto/runtime.proto


export interface ImportChunk {
  'reference'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface ImportChunk__Output {
  'reference': (string);
  'data': (Buffer);
}
