// A manager announces itself on the LAN by multicast DNS (shared/discovery.ts), so that
// `shoal agent --token T --discover` finds it: on the interface of its advertise address, twice
// at start (RFC 6762 §8.3), in answer to queries for the service from that interface's subnet (at
// most one answer a second), and with a goodbye at stop. It gives away what a join shows anyway:
// its address and port, the CA fingerprint, and its Raft role; never a token. Off with
// `shoal manager --no-announce`. Nothing here can stop the manager: a port that cannot be bound
// or an address on no interface is logged and the manager runs without announcing.

import type { Clock, Timer } from '../../shared/clock.js';
import { announcementRecords, AnswerLimiter, asksFor, MDNS_PORT, onSubnet, type ManagerAnnouncement } from '../../shared/discovery.js';
import { oneLine } from '../../shared/errors.js';
import { RateLimitedLog } from '../../shared/log-limit.js';
import type { Logger } from '../../shared/logger.js';
import { interfaceOf, openMdnsSocket, type MdnsPacket, type MdnsSocket, type OpenMdnsSocket } from '../../shared/mdns-socket.js';
import { isLoopbackHost } from '../../shared/net.js';
import { isIP } from 'node:net';

/** RFC 6762 §8.3: the second unsolicited announcement, this long after the first. */
export const ANNOUNCE_REPEAT_MS = 1_000;
/** TTL of answers to legacy unicast queriers (RFC 6762 §6.7: at most 10 s). */
export const LEGACY_ANSWER_TTL_S = 10;

export interface AnnouncerOptions {
  readonly address: string;
  readonly port: number;
  /** The cluster's CA fingerprint, in the join token's form (shared/ca-fingerprint.ts). */
  readonly fingerprint: () => string;
  /** The manager's Raft role now (undefined: not said). */
  readonly role: () => string | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the socket comes from (tests give a fake); on the interface of `address`. */
  readonly openSocket?: OpenMdnsSocket;
  /** The interface of `address` (tests give one); found among the host's by default. */
  readonly iface?: { name: string; netmask: string };
}

export class ManagerAnnouncer {
  private socket: MdnsSocket | undefined;
  private repeat: Timer | undefined;
  private readonly limiter = new AnswerLimiter();
  private readonly limited: RateLimitedLog;
  private stopped = false;

  constructor(private readonly o: AnnouncerOptions) {
    this.limited = new RateLimitedLog(o.logger, o.clock);
  }

  private announcement(): ManagerAnnouncement {
    const role = this.o.role();
    return { address: this.o.address, port: this.o.port, fingerprint: this.o.fingerprint(), ...(role !== undefined ? { role } : {}) };
  }

  /** Starts announcing; never throws (what stops it is logged). */
  async start(): Promise<void> {
    const { address, logger } = this.o;
    if (isIP(address) !== 4 || isLoopbackHost(address)) {
      logger.info({ advertise: address }, 'not announced on the LAN by multicast DNS: the advertise address is not an IPv4 address off loopback');
      return;
    }
    const iface = this.o.iface ?? interfaceOf(address);
    if (iface === undefined) {
      logger.warn({ advertise: address }, 'not announced on the LAN by multicast DNS: no interface of this host has the advertise address');
      return;
    }
    try {
      this.socket = await (this.o.openSocket ?? openMdnsSocket)({ interfaceAddress: address, logger, clock: this.o.clock });
    } catch (err) {
      logger.warn({ err: oneLine(err) }, 'not announced on the LAN by multicast DNS');
      return;
    }
    if (this.stopped) return void (await this.socket.close());
    this.socket.onQuery((query, from) => this.answer(query, from, iface));
    await this.announce();
    this.repeat = this.o.clock.setTimer(ANNOUNCE_REPEAT_MS, () => void this.announce());
    logger.info({ interface: iface.name, advertise: address }, 'announced on the LAN by multicast DNS (shoal agent --discover finds this manager)');
  }

  private async announce(): Promise<void> {
    if (this.stopped || this.socket === undefined) return;
    this.limiter.allow(this.o.clock.nowMs()); // an announcement counts as this second's answer
    await this.socket.respond(announcementRecords(this.announcement()));
  }

  /** A query from the interface's subnet that asks for this manager: answered, at most once a second. */
  private answer(query: MdnsPacket, from: { address: string; port: number }, iface: { name: string; netmask: string }): void {
    if (this.socket === undefined || this.stopped) return;
    if (!asksFor(query.questions, this.o)) return; // most mDNS traffic is other services'
    if (!onSubnet(from.address, this.o.address, iface.netmask)) {
      this.limited.note('debug', `announce.off_subnet:${from.address}`, { from: from.address, interface: iface.name }, 'multicast DNS query from outside the interface\'s subnet; not answered');
      return;
    }
    if (!this.limiter.allow(this.o.clock.nowMs())) {
      this.limited.note('debug', 'announce.rate', { heldBack: this.limiter.heldBack }, 'multicast DNS query not answered: at most one answer a second (RFC 6762 §6), the last one serves it');
      return;
    }
    const legacy = from.port !== MDNS_PORT;
    // A legacy querier (RFC 6762 §6.7: not from port 5353, e.g. dig) gets a unicast answer with its id and question.
    const records = announcementRecords(this.announcement(), legacy ? LEGACY_ANSWER_TTL_S : undefined);
    // The socket logs a failed send itself: nothing to wait for here.
    void (legacy ? this.socket.respond({ ...(query.id !== undefined ? { id: query.id } : {}), questions: (query.questions ?? []).slice(0, 1), ...records }, from) : this.socket.respond(records));
  }

  /** Says goodbye (TTL 0) and closes the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.repeat?.cancel();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    try {
      await socket.respond(announcementRecords(this.announcement(), 0));
    } catch (err) {
      this.o.logger.debug({ err: oneLine(err) }, 'multicast DNS goodbye not sent');
    }
    await socket.close();
  }
}
