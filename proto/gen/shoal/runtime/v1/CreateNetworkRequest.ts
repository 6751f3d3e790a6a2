// Original file: proto/runtime.proto


export interface CreateNetworkRequest {
  'name'?: (string);
  'vni'?: (number);
  'subnet'?: (string);
  'gateway'?: (string);
  'mtu'?: (number);
  'port'?: (number);
}

export interface CreateNetworkRequest__Output {
  'name': (string);
  'vni': (number);
  'subnet': (string);
  'gateway': (string);
  'mtu': (number);
  'port': (number);
}
