// `shoal agent --token T --advertise IP --discover`: the managers of the token's cluster, found
// on the LAN of IP by multicast DNS (shared/discovery.ts). Queries go out on IP's interface
// DISCOVERY_QUERIES times over DISCOVERY_WAIT_MS; answers are collected for that long; managers
// whose CA fingerprint is not the token's are other clusters (logged, ignored). The join that
// follows checks the CA against the token again (shared/join-client.ts): a forged answer is
// refused there. Only for a first join: an agent that kept its membership knows its managers.

import type { Clock } from '../../shared/clock.js';
import { discoveryQuestion, DiscoveryCollector, type FoundManager } from '../../shared/discovery.js';
import { invalidArgument, unavailable } from '../../shared/errors.js';
import { parseJoinToken } from '../../shared/join-token.js';
import { RateLimitedLog } from '../../shared/log-limit.js';
import type { Logger } from '../../shared/logger.js';
import { interfaceOf, openMdnsSocket, type OpenMdnsSocket } from '../../shared/mdns-socket.js';

/** How long answers are collected. */
export const DISCOVERY_WAIT_MS = 2_000;
/** Queries sent in that time, evenly spaced from its start (a lost packet is asked again). */
export const DISCOVERY_QUERIES = 3;

export interface DiscoverOptions {
  /** The agent's advertise address: queries go out on its interface. */
  readonly advertise: string;
  readonly token: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly openSocket?: OpenMdnsSocket;
  /** The interface's name (tests give one); found among the host's by default. */
  readonly ifaceName?: string;
  readonly waitMs?: number;
}

const text = (m: FoundManager): string => `${m.address}:${m.port}`;

/**
 * `IP:PORT` of the managers of the token's cluster that answered, the leader first. Refused in
 * one line: a malformed token, an advertise address on no interface, a port that cannot be
 * bound, no manager of this cluster answering in time.
 */
export async function discoverManagers(o: DiscoverOptions): Promise<string[]> {
  const { fingerprint } = parseJoinToken(o.token);
  const ifaceName = o.ifaceName ?? interfaceOf(o.advertise)?.name;
  if (ifaceName === undefined) throw invalidArgument('config.invalid', `--advertise ${o.advertise}: no interface of this host has that address, so --discover has no LAN to ask`);
  const waitMs = o.waitMs ?? DISCOVERY_WAIT_MS;
  const collector = new DiscoveryCollector(fingerprint);
  const limited = new RateLimitedLog(o.logger, o.clock);
  const socket = await (o.openSocket ?? openMdnsSocket)({ interfaceAddress: o.advertise, logger: o.logger, clock: o.clock });
  const timers: { cancel(): void }[] = [];
  try {
    socket.onResponse((packet, from) => {
      const step = collector.add(packet);
      for (const m of step.kept) o.logger.info({ manager: text(m), role: m.role, from: from.address }, 'found a manager of this cluster');
      for (const m of step.otherClusters) o.logger.info({ manager: text(m), fingerprint: m.fingerprint }, "a manager of another cluster answered (its CA is not the token's); ignored");
      for (const p of step.problems) limited.note('debug', `discover.malformed:${from.address}`, { from: from.address, problem: p }, 'a malformed answer about Shoal managers; ignored');
      if (step.overCap > 0) limited.note('warn', 'discover.cap', { max: collector.managers().length }, 'more managers answered than one discovery keeps; the first ones are kept');
    });
    o.logger.info({ interface: ifaceName, waitMs }, 'looking for managers of this cluster by multicast DNS');
    for (let i = 0; i < DISCOVERY_QUERIES; i++) timers.push(o.clock.setTimer(Math.floor((i * waitMs) / DISCOVERY_QUERIES), () => void socket.query([discoveryQuestion()])));
    await o.clock.sleep(waitMs);
  } finally {
    for (const t of timers) t.cancel();
    await socket.close();
  }
  const managers = collector.managers();
  if (managers.length === 0) {
    const others = collector.otherClusterCount();
    const seen = others > 0 ? ` (${others} of another cluster did)` : '';
    throw unavailable('agent.no_manager_found', `no manager of this cluster answered on ${ifaceName} within ${seconds(waitMs)}${seen}; give their addresses instead`);
  }
  o.logger.info({ managers }, 'managers found by multicast DNS');
  return managers;
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;
