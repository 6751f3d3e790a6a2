// Where and how the managers reach an agent about the containers of its tasks (proto/agent.proto):
// the agent serves TaskAccess on its advertise address at AGENT_ACCESS_PORT over mutual TLS, and
// lets only managers of its cluster in. The limits below are the agent's, named here because the
// manager and the CLI refuse bad input with them before anything is dialled.

/** The port an agent in a cluster serves TaskAccess on (the managers' is 4377). */
export const AGENT_ACCESS_PORT = 4378;

/**
 * The name a manager's TLS session with an agent asks for (SNI and authority): agents' worker
 * certificates name only their address, so the manager checks the certificate's node id itself
 * (it must be the node the task is on) instead of a host name.
 */
export const AGENT_ACCESS_SERVER_NAME = 'agent.shoal';

/** `--tail N`: at most this many lines (Docker has no bound; a million lines is already ~100 MB). */
export const LOGS_TAIL_LINES_MAX = 1_000_000;
/** One logs stream carries at most this many bytes of log lines, then ends saying so. */
export const LOGS_STREAM_BYTES_MAX = 1024 * 1024 * 1024;
/** A followed logs stream lasts at most this long, then ends saying so (`logs -f` again goes on). */
export const LOGS_FOLLOW_MS_MAX = 24 * 60 * 60 * 1000;
/** Logs streams an agent serves at once; one more is refused (RESOURCE_EXHAUSTED) in one line. */
export const LOGS_STREAMS_MAX = 64;
/** Execs an agent runs at once for the managers; one more is refused in one line. */
export const EXECS_MAX = 16;
/** What `shoal exec` may send as the command's stdin (-i), at most. */
export const EXEC_STDIN_BYTES_MAX = 4 * 1024 * 1024;
/** An exec relayed by a manager gets this long before the manager gives up on it. */
export const EXEC_TIMEOUT_MS = 10 * 60 * 1000;
/** The command's output an agent keeps (stdout and stderr each); more is cut (agent/runtime). */
export const EXEC_OUTPUT_BYTES_MAX = 16 * 1024 * 1024;
