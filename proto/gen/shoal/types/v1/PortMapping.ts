// Original file: proto/types.proto


// Original file: proto/types.proto

export const _shoal_types_v1_PortMapping_Protocol = {
  TCP: 'TCP',
  UDP: 'UDP',
  SCTP: 'SCTP',
} as const;

export type _shoal_types_v1_PortMapping_Protocol =
  | 'TCP'
  | 0
  | 'UDP'
  | 1
  | 'SCTP'
  | 2

export type _shoal_types_v1_PortMapping_Protocol__Output = typeof _shoal_types_v1_PortMapping_Protocol[keyof typeof _shoal_types_v1_PortMapping_Protocol]

export interface PortMapping {
  'protocol'?: (_shoal_types_v1_PortMapping_Protocol);
  'hostPort'?: (number);
  'containerPort'?: (number);
}

export interface PortMapping__Output {
  'protocol': (_shoal_types_v1_PortMapping_Protocol__Output);
  'hostPort': (number);
  'containerPort': (number);
}
