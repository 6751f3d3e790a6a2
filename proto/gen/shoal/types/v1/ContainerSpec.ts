// Original file: proto/types.proto

import type { Mount as _shoal_types_v1_Mount, Mount__Output as _shoal_types_v1_Mount__Output } from '../../../shoal/types/v1/Mount.js';
import type { Resources as _shoal_types_v1_Resources, Resources__Output as _shoal_types_v1_Resources__Output } from '../../../shoal/types/v1/Resources.js';
import type { NetworkAttachment as _shoal_types_v1_NetworkAttachment, NetworkAttachment__Output as _shoal_types_v1_NetworkAttachment__Output } from '../../../shoal/types/v1/NetworkAttachment.js';
import type { PortMapping as _shoal_types_v1_PortMapping, PortMapping__Output as _shoal_types_v1_PortMapping__Output } from '../../../shoal/types/v1/PortMapping.js';
import type { Long } from '@grpc/proto-loader';

export interface ContainerSpec {
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  'env'?: (string)[];
  'workingDir'?: (string);
  'user'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'readOnlyRootfs'?: (boolean);
  'mounts'?: (_shoal_types_v1_Mount)[];
  'resources'?: (_shoal_types_v1_Resources | null);
  'networks'?: (_shoal_types_v1_NetworkAttachment)[];
  'ports'?: (_shoal_types_v1_PortMapping)[];
  'stopGracePeriodMs'?: (number | string | Long);
  'stopSignal'?: (string);
}

export interface ContainerSpec__Output {
  'image': (string);
  'command': (string)[];
  'args': (string)[];
  'env': (string)[];
  'workingDir': (string);
  'user': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'readOnlyRootfs': (boolean);
  'mounts': (_shoal_types_v1_Mount__Output)[];
  'resources': (_shoal_types_v1_Resources__Output | null);
  'networks': (_shoal_types_v1_NetworkAttachment__Output)[];
  'ports': (_shoal_types_v1_PortMapping__Output)[];
  'stopGracePeriodMs': (number);
  'stopSignal': (string);
}
