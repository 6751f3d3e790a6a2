// Original file: proto/control.proto


export interface ListTasksRequest {
  'serviceId'?: (string);
  'nodeId'?: (string);
  'all'?: (boolean);
}

export interface ListTasksRequest__Output {
  'serviceId': (string);
  'nodeId': (string);
  'all': (boolean);
}
