// Original file: proto/control.proto


export interface ListTasksRequest {
  'serviceId'?: (string);
  'nodeId'?: (string);
  'all'?: (boolean);
  'nodes'?: (string)[];
  'names'?: (string)[];
  'labels'?: (string)[];
  'states'?: (string)[];
}

export interface ListTasksRequest__Output {
  'serviceId': (string);
  'nodeId': (string);
  'all': (boolean);
  'nodes': (string)[];
  'names': (string)[];
  'labels': (string)[];
  'states': (string)[];
}
