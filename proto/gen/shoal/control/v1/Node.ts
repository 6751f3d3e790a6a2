// Original file: proto/control.proto

import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from '../../../shoal/types/v1/Meta.js';
import type { NodeDescription as _shoal_dispatcher_v1_NodeDescription, NodeDescription__Output as _shoal_dispatcher_v1_NodeDescription__Output } from '../../../shoal/dispatcher/v1/NodeDescription.js';

export interface Node {
  'id'?: (string);
  'meta'?: (_shoal_types_v1_Meta | null);
  'role'?: (string);
  'availability'?: (string);
  'description'?: (_shoal_dispatcher_v1_NodeDescription | null);
  'state'?: (string);
  'leaderStatus'?: (string);
  'labels'?: ({[key: string]: string});
  'message'?: (string);
}

export interface Node__Output {
  'id': (string);
  'meta': (_shoal_types_v1_Meta__Output | null);
  'role': (string);
  'availability': (string);
  'description': (_shoal_dispatcher_v1_NodeDescription__Output | null);
  'state': (string);
  'leaderStatus': (string);
  'labels': ({[key: string]: string});
  'message': (string);
}
