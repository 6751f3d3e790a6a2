// Original file: proto/ca.proto


export interface IssueNodeCertificateRequest {
  'token'?: (string);
  'csrPem'?: (string);
  'advertiseAddr'?: (string);
  'hostname'?: (string);
}

export interface IssueNodeCertificateRequest__Output {
  'token': (string);
  'csrPem': (string);
  'advertiseAddr': (string);
  'hostname': (string);
}
