// Original file: proto/raft.proto

import type { MessageType as _shoal_raft_v1_MessageType, MessageType__Output as _shoal_raft_v1_MessageType__Output } from '../../../shoal/raft/v1/MessageType.js';
import type { Entry as _shoal_raft_v1_Entry, Entry__Output as _shoal_raft_v1_Entry__Output } from '../../../shoal/raft/v1/Entry.js';
import type { SnapshotMetadata as _shoal_raft_v1_SnapshotMetadata, SnapshotMetadata__Output as _shoal_raft_v1_SnapshotMetadata__Output } from '../../../shoal/raft/v1/SnapshotMetadata.js';
import type { Long } from '@grpc/proto-loader';

export interface Message {
  'type'?: (_shoal_raft_v1_MessageType);
  'to'?: (number | string | Long);
  'from'?: (number | string | Long);
  'term'?: (number | string | Long);
  'logTerm'?: (number | string | Long);
  'index'?: (number | string | Long);
  'entries'?: (_shoal_raft_v1_Entry)[];
  'commit'?: (number | string | Long);
  'reject'?: (boolean);
  'rejectHint'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
  'snapshot'?: (_shoal_raft_v1_SnapshotMetadata | null);
}

export interface Message__Output {
  'type': (_shoal_raft_v1_MessageType__Output);
  'to': (number);
  'from': (number);
  'term': (number);
  'logTerm': (number);
  'index': (number);
  'entries': (_shoal_raft_v1_Entry__Output)[];
  'commit': (number);
  'reject': (boolean);
  'rejectHint': (number);
  'context': (Buffer);
  'snapshot': (_shoal_raft_v1_SnapshotMetadata__Output | null);
}
