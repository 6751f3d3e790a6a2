import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConfChange as _shoal_raft_v1_ConfChange, ConfChange__Output as _shoal_raft_v1_ConfChange__Output } from './shoal/raft/v1/ConfChange.js';
import type { ConfState as _shoal_raft_v1_ConfState, ConfState__Output as _shoal_raft_v1_ConfState__Output } from './shoal/raft/v1/ConfState.js';
import type { Entry as _shoal_raft_v1_Entry, Entry__Output as _shoal_raft_v1_Entry__Output } from './shoal/raft/v1/Entry.js';
import type { HardState as _shoal_raft_v1_HardState, HardState__Output as _shoal_raft_v1_HardState__Output } from './shoal/raft/v1/HardState.js';
import type { JoinRaftRequest as _shoal_raft_v1_JoinRaftRequest, JoinRaftRequest__Output as _shoal_raft_v1_JoinRaftRequest__Output } from './shoal/raft/v1/JoinRaftRequest.js';
import type { JoinRaftResponse as _shoal_raft_v1_JoinRaftResponse, JoinRaftResponse__Output as _shoal_raft_v1_JoinRaftResponse__Output } from './shoal/raft/v1/JoinRaftResponse.js';
import type { KeyValueClient as _shoal_raft_v1_KeyValueClient, KeyValueDefinition as _shoal_raft_v1_KeyValueDefinition } from './shoal/raft/v1/KeyValue.js';
import type { KvEmpty as _shoal_raft_v1_KvEmpty, KvEmpty__Output as _shoal_raft_v1_KvEmpty__Output } from './shoal/raft/v1/KvEmpty.js';
import type { KvGetRequest as _shoal_raft_v1_KvGetRequest, KvGetRequest__Output as _shoal_raft_v1_KvGetRequest__Output } from './shoal/raft/v1/KvGetRequest.js';
import type { KvGetResponse as _shoal_raft_v1_KvGetResponse, KvGetResponse__Output as _shoal_raft_v1_KvGetResponse__Output } from './shoal/raft/v1/KvGetResponse.js';
import type { KvMemberRequest as _shoal_raft_v1_KvMemberRequest, KvMemberRequest__Output as _shoal_raft_v1_KvMemberRequest__Output } from './shoal/raft/v1/KvMemberRequest.js';
import type { KvPutRequest as _shoal_raft_v1_KvPutRequest, KvPutRequest__Output as _shoal_raft_v1_KvPutRequest__Output } from './shoal/raft/v1/KvPutRequest.js';
import type { KvPutResponse as _shoal_raft_v1_KvPutResponse, KvPutResponse__Output as _shoal_raft_v1_KvPutResponse__Output } from './shoal/raft/v1/KvPutResponse.js';
import type { KvPutStreamResponse as _shoal_raft_v1_KvPutStreamResponse, KvPutStreamResponse__Output as _shoal_raft_v1_KvPutStreamResponse__Output } from './shoal/raft/v1/KvPutStreamResponse.js';
import type { KvSession as _shoal_raft_v1_KvSession, KvSession__Output as _shoal_raft_v1_KvSession__Output } from './shoal/raft/v1/KvSession.js';
import type { KvStatus as _shoal_raft_v1_KvStatus, KvStatus__Output as _shoal_raft_v1_KvStatus__Output } from './shoal/raft/v1/KvStatus.js';
import type { Message as _shoal_raft_v1_Message, Message__Output as _shoal_raft_v1_Message__Output } from './shoal/raft/v1/Message.js';
import type { MessageBatch as _shoal_raft_v1_MessageBatch, MessageBatch__Output as _shoal_raft_v1_MessageBatch__Output } from './shoal/raft/v1/MessageBatch.js';
import type { RaftMember as _shoal_raft_v1_RaftMember, RaftMember__Output as _shoal_raft_v1_RaftMember__Output } from './shoal/raft/v1/RaftMember.js';
import type { RaftMembershipClient as _shoal_raft_v1_RaftMembershipClient, RaftMembershipDefinition as _shoal_raft_v1_RaftMembershipDefinition } from './shoal/raft/v1/RaftMembership.js';
import type { RaftTransportClient as _shoal_raft_v1_RaftTransportClient, RaftTransportDefinition as _shoal_raft_v1_RaftTransportDefinition } from './shoal/raft/v1/RaftTransport.js';
import type { SnapshotAck as _shoal_raft_v1_SnapshotAck, SnapshotAck__Output as _shoal_raft_v1_SnapshotAck__Output } from './shoal/raft/v1/SnapshotAck.js';
import type { SnapshotChunk as _shoal_raft_v1_SnapshotChunk, SnapshotChunk__Output as _shoal_raft_v1_SnapshotChunk__Output } from './shoal/raft/v1/SnapshotChunk.js';
import type { SnapshotMetadata as _shoal_raft_v1_SnapshotMetadata, SnapshotMetadata__Output as _shoal_raft_v1_SnapshotMetadata__Output } from './shoal/raft/v1/SnapshotMetadata.js';
import type { StreamAck as _shoal_raft_v1_StreamAck, StreamAck__Output as _shoal_raft_v1_StreamAck__Output } from './shoal/raft/v1/StreamAck.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    raft: {
      v1: {
        ConfChange: MessageTypeDefinition<_shoal_raft_v1_ConfChange, _shoal_raft_v1_ConfChange__Output>
        ConfChangeType: EnumTypeDefinition
        ConfState: MessageTypeDefinition<_shoal_raft_v1_ConfState, _shoal_raft_v1_ConfState__Output>
        Entry: MessageTypeDefinition<_shoal_raft_v1_Entry, _shoal_raft_v1_Entry__Output>
        EntryType: EnumTypeDefinition
        HardState: MessageTypeDefinition<_shoal_raft_v1_HardState, _shoal_raft_v1_HardState__Output>
        JoinRaftRequest: MessageTypeDefinition<_shoal_raft_v1_JoinRaftRequest, _shoal_raft_v1_JoinRaftRequest__Output>
        JoinRaftResponse: MessageTypeDefinition<_shoal_raft_v1_JoinRaftResponse, _shoal_raft_v1_JoinRaftResponse__Output>
        KeyValue: SubtypeConstructor<typeof grpc.Client, _shoal_raft_v1_KeyValueClient> & { service: _shoal_raft_v1_KeyValueDefinition }
        KvEmpty: MessageTypeDefinition<_shoal_raft_v1_KvEmpty, _shoal_raft_v1_KvEmpty__Output>
        KvGetRequest: MessageTypeDefinition<_shoal_raft_v1_KvGetRequest, _shoal_raft_v1_KvGetRequest__Output>
        KvGetResponse: MessageTypeDefinition<_shoal_raft_v1_KvGetResponse, _shoal_raft_v1_KvGetResponse__Output>
        KvMemberRequest: MessageTypeDefinition<_shoal_raft_v1_KvMemberRequest, _shoal_raft_v1_KvMemberRequest__Output>
        KvPutRequest: MessageTypeDefinition<_shoal_raft_v1_KvPutRequest, _shoal_raft_v1_KvPutRequest__Output>
        KvPutResponse: MessageTypeDefinition<_shoal_raft_v1_KvPutResponse, _shoal_raft_v1_KvPutResponse__Output>
        KvPutStreamResponse: MessageTypeDefinition<_shoal_raft_v1_KvPutStreamResponse, _shoal_raft_v1_KvPutStreamResponse__Output>
        KvSession: MessageTypeDefinition<_shoal_raft_v1_KvSession, _shoal_raft_v1_KvSession__Output>
        KvStatus: MessageTypeDefinition<_shoal_raft_v1_KvStatus, _shoal_raft_v1_KvStatus__Output>
        Message: MessageTypeDefinition<_shoal_raft_v1_Message, _shoal_raft_v1_Message__Output>
        MessageBatch: MessageTypeDefinition<_shoal_raft_v1_MessageBatch, _shoal_raft_v1_MessageBatch__Output>
        MessageType: EnumTypeDefinition
        RaftMember: MessageTypeDefinition<_shoal_raft_v1_RaftMember, _shoal_raft_v1_RaftMember__Output>
        RaftMembership: SubtypeConstructor<typeof grpc.Client, _shoal_raft_v1_RaftMembershipClient> & { service: _shoal_raft_v1_RaftMembershipDefinition }
        RaftTransport: SubtypeConstructor<typeof grpc.Client, _shoal_raft_v1_RaftTransportClient> & { service: _shoal_raft_v1_RaftTransportDefinition }
        SnapshotAck: MessageTypeDefinition<_shoal_raft_v1_SnapshotAck, _shoal_raft_v1_SnapshotAck__Output>
        SnapshotChunk: MessageTypeDefinition<_shoal_raft_v1_SnapshotChunk, _shoal_raft_v1_SnapshotChunk__Output>
        SnapshotMetadata: MessageTypeDefinition<_shoal_raft_v1_SnapshotMetadata, _shoal_raft_v1_SnapshotMetadata__Output>
        StreamAck: MessageTypeDefinition<_shoal_raft_v1_StreamAck, _shoal_raft_v1_StreamAck__Output>
      }
    }
  }
}

