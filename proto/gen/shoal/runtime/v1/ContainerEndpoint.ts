// Original file: proto/runtime.proto


export interface ContainerEndpoint {
  'network'?: (string);
  'ip'?: (string);
  'mac'?: (string);
  'aliases'?: (string)[];
  'container'?: (string);
}

export interface ContainerEndpoint__Output {
  'network': (string);
  'ip': (string);
  'mac': (string);
  'aliases': (string)[];
  'container': (string);
}
