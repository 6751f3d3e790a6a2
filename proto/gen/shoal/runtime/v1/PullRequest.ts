// Original file: proto/runtime.proto


export interface PullRequest {
  'reference'?: (string);
  'insecure'?: (boolean);
  'username'?: (string);
  'password'?: (string);
  'platform'?: (string);
}

export interface PullRequest__Output {
  'reference': (string);
  'insecure': (boolean);
  'username': (string);
  'password': (string);
  'platform': (string);
}
