// Original file: proto/control.proto


export interface NetworkSpec {
  'name'?: (string);
  'subnet'?: (string);
  'gateway'?: (string);
  'mtu'?: (number);
  'labels'?: ({[key: string]: string});
}

export interface NetworkSpec__Output {
  'name': (string);
  'subnet': (string);
  'gateway': (string);
  'mtu': (number);
  'labels': ({[key: string]: string});
}
