// Original file: proto/dispatcher.proto


export interface NetworkAssignment {
  'id'?: (string);
  'name'?: (string);
  'vni'?: (number);
  'subnet'?: (string);
  'gateway'?: (string);
  'mtu'?: (number);
}

export interface NetworkAssignment__Output {
  'id': (string);
  'name': (string);
  'vni': (number);
  'subnet': (string);
  'gateway': (string);
  'mtu': (number);
}
