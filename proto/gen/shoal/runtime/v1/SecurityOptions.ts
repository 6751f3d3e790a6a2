// Original file: proto/runtime.proto


export interface SecurityOptions {
  'seccomp'?: (string);
  'seccompProfileJson'?: (string);
  'seccompProfileSource'?: (string);
}

export interface SecurityOptions__Output {
  'seccomp': (string);
  'seccompProfileJson': (string);
  'seccompProfileSource': (string);
}
