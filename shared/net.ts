// Small network helpers shared by tests, benchmarks and daemons.

import { BlockList, createServer, isIP } from 'node:net';

/**
 * A TCP port free on loopback right now, for a server that must know its address before it
 * listens (members of a cluster named to each other). Another process could take it in between;
 * callers that can listen on port 0 should.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const loopback6 = new BlockList();
loopback6.addAddress('::1', 'ipv6');

/**
 * Whether a host names this machine's loopback interface only: `localhost`, 127.0.0.0/8, ::1
 * (and 127.x written as an IPv4-mapped IPv6 address). Any other name counts as not loopback,
 * since what it resolves to is not known here.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  switch (isIP(host)) {
    case 4:
      return host.startsWith('127.');
    case 6:
      return loopback6.check(host, 'ipv6') || /^::ffff:127\./i.test(host);
    default:
      return false;
  }
}
