// Original file: proto/types.proto


export interface NetworkAttachment {
  'network'?: (string);
  'address'?: (string);
  'aliases'?: (string)[];
}

export interface NetworkAttachment__Output {
  'network': (string);
  'address': (string);
  'aliases': (string)[];
}
