// Original file: proto/dispatcher.proto


export interface Endpoint {
  'networkId'?: (string);
  'address'?: (string);
  'mac'?: (string);
  'vtep'?: (string);
  'dnsNames'?: (string)[];
}

export interface Endpoint__Output {
  'networkId': (string);
  'address': (string);
  'mac': (string);
  'vtep': (string);
  'dnsNames': (string)[];
}
