// The managers a client dials: `--host`/`SHOAL_HOST`, a comma-separated list of `IP[:PORT]`
// (`[IPv6]:PORT`), the manager port by default. Shared by the CLI and (next) the agent.

import { isIP } from 'node:net';
import { invalidArgument } from './errors.js';

/** The one port a manager serves Raft, the Control API and the dispatcher on. */
export const MANAGER_PORT = 4377;

/**
 * The DNS name every manager's certificate carries (and only managers'): a client that dials a
 * manager checks the server's certificate against this name, so it talks to a manager of its
 * cluster's CA, whatever address it dialled (and Node's TLS gets a host name, not an IP, as
 * its SNI wants).
 */
export const MANAGER_SERVER_NAME = 'manager.shoal';

/** Every connection to a manager checks it shows a manager's certificate of the cluster's CA. */
export const MANAGER_CHANNEL_OPTIONS = { 'grpc.ssl_target_name_override': MANAGER_SERVER_NAME, 'grpc.default_authority': MANAGER_SERVER_NAME } as const;

/**
 * Metadata of a Control read that may be stale: served from the store of the manager called,
 * without read-index or going to the leader (it answers during an election too, but may miss
 * the latest writes).
 */
export const STALE_READ_METADATA = 'shoal-stale-read';

/** Most managers named in one list (a cluster has 1 to 7; more is a mistake). */
export const MANAGER_HOSTS_MAX = 16;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** One address: an IP with or without :PORT. `what` names the flag in the refusal. */
export function parseManagerAddress(raw: string, what: string): HostPort {
  const text = raw.trim();
  if (isIP(text) !== 0) return { host: text, port: MANAGER_PORT };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalidArgument('config.invalid', `${what} ${JSON.stringify(raw)}: not an IP address with an optional :PORT (1-65535)`);
  }
  return { host, port };
}

export function parseManagerHosts(raw: string, what = '--host'): HostPort[] {
  const parts = raw.split(',').filter((p) => p.trim() !== '');
  if (parts.length === 0) throw invalidArgument('config.invalid', `${what}: names no manager`);
  if (parts.length > MANAGER_HOSTS_MAX) throw invalidArgument('config.invalid', `${what}: ${parts.length} managers, more than ${MANAGER_HOSTS_MAX}`);
  return parts.map((p) => parseManagerAddress(p, what));
}

export const hostPortText = (a: HostPort): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);
