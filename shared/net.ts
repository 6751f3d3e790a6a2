// Small network helpers shared by tests, benchmarks and daemons.

import { createServer } from 'node:net';

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
