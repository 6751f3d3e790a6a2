// Original file: proto/dispatcher.proto


export interface RestartPolicy {
  'condition'?: (string);
  'maxRetries'?: (number);
}

export interface RestartPolicy__Output {
  'condition': (string);
  'maxRetries': (number);
}
