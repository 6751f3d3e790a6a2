// The manager's timings and names shared by its parts (manager.ts, control.ts, membership.ts).


/** A call made during an election waits this long for a leader, then fails with "no leader". */
export const LEADER_WAIT_MS = 5_000;
export const LEADER_POLL_MS = 20;
/** A follower that has not heard the leader for this long waits for the next one (heartbeats come every 100 ms). */
export const LEADER_SILENCE_MS = 1_000;
/** A call is sent on to the leader only once a connection to it is up, within this long. */
export const FORWARD_CONNECT_TIMEOUT_MS = 1_000;
/** A call sent on to the leader gets this long there. */
export const FORWARD_TIMEOUT_MS = 10_000;
/** The leader counts a manager unreachable after this long without a message from it. */
export const REACHABLE_WITHIN_MS = 3_000;
/** Metadata of a Control call a manager sent on to the leader: it is not sent on again. */
export const FORWARDED_METADATA = 'shoal-forwarded-by';
export { MANAGER_CHANNEL_OPTIONS } from '../../shared/join-client.js';
