// Original file: proto/runtime.proto


export interface Peer {
  'ip'?: (string);
  'mac'?: (string);
  'vtep'?: (string);
  'dnsNames'?: (string)[];
}

export interface Peer__Output {
  'ip': (string);
  'mac': (string);
  'vtep': (string);
  'dnsNames': (string)[];
}
