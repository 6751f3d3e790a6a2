// A committed entry this server cannot apply although others may: one written by a newer version
// (a command or snapshot format it does not know, during a rolling upgrade). Refusing it, as a
// state machine refuses a bad command, would leave this replica different from the others that
// applied it; so a state machine throws this instead, and the server stops with the reason
// (RaftNode treats it as a failure of this server, like its disk failing), to be upgraded.

export class CannotApply extends Error {
  override readonly name = 'CannotApply';
}
