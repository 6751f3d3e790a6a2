// Original file: proto/raft.proto

export const MessageType = {
  MSG_APP: 'MSG_APP',
  MSG_APP_RESP: 'MSG_APP_RESP',
  MSG_VOTE: 'MSG_VOTE',
  MSG_VOTE_RESP: 'MSG_VOTE_RESP',
  MSG_PRE_VOTE: 'MSG_PRE_VOTE',
  MSG_PRE_VOTE_RESP: 'MSG_PRE_VOTE_RESP',
  MSG_HEARTBEAT: 'MSG_HEARTBEAT',
  MSG_HEARTBEAT_RESP: 'MSG_HEARTBEAT_RESP',
  MSG_SNAP: 'MSG_SNAP',
  MSG_TIMEOUT_NOW: 'MSG_TIMEOUT_NOW',
  MSG_READ_INDEX: 'MSG_READ_INDEX',
  MSG_READ_INDEX_RESP: 'MSG_READ_INDEX_RESP',
  MSG_PROP: 'MSG_PROP',
  MSG_TRANSFER_LEADER: 'MSG_TRANSFER_LEADER',
} as const;

export type MessageType =
  | 'MSG_APP'
  | 0
  | 'MSG_APP_RESP'
  | 1
  | 'MSG_VOTE'
  | 2
  | 'MSG_VOTE_RESP'
  | 3
  | 'MSG_PRE_VOTE'
  | 4
  | 'MSG_PRE_VOTE_RESP'
  | 5
  | 'MSG_HEARTBEAT'
  | 6
  | 'MSG_HEARTBEAT_RESP'
  | 7
  | 'MSG_SNAP'
  | 8
  | 'MSG_TIMEOUT_NOW'
  | 9
  | 'MSG_READ_INDEX'
  | 10
  | 'MSG_READ_INDEX_RESP'
  | 11
  | 'MSG_PROP'
  | 12
  | 'MSG_TRANSFER_LEADER'
  | 13

export type MessageType__Output = typeof MessageType[keyof typeof MessageType]
