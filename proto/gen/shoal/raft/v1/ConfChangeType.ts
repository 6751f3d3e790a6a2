// Original file: proto/raft.proto

export const ConfChangeType = {
  CONF_ADD_VOTER: 'CONF_ADD_VOTER',
  CONF_ADD_LEARNER: 'CONF_ADD_LEARNER',
  CONF_REMOVE: 'CONF_REMOVE',
} as const;

export type ConfChangeType =
  | 'CONF_ADD_VOTER'
  | 0
  | 'CONF_ADD_LEARNER'
  | 1
  | 'CONF_REMOVE'
  | 2

export type ConfChangeType__Output = typeof ConfChangeType[keyof typeof ConfChangeType]
