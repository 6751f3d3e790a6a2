// A free TCP port on loopback for tests that need to know their addresses before they listen.
import { createServer } from 'node:net';

export function freePortForTests(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
