// For tests: a one-member RaftNode on loopback with fast ticks, started and leading.

import { systemClock, waitUntil } from '../../shared/clock.js';
import { clientCredentials } from '../../shared/grpc.js';
import { silentLogger } from '../../shared/logger.js';
import { SeededRng } from '../../shared/rng.js';
import { RaftNode, type RaftNodeOptions, type StateMachine } from './node.js';

export async function startSoloNode(dataDir: string, stateMachine: StateMachine, options: Partial<RaftNodeOptions> = {}): Promise<RaftNode> {
  const node = new RaftNode({
    id: 1,
    clusterId: 1,
    dataDir,
    initialMembers: new Map([[1, '127.0.0.1:1']]),
    stateMachine,
    clock: systemClock,
    rng: new SeededRng(1),
    logger: silentLogger(),
    credentials: clientCredentials(undefined),
    tickMs: 10,
    ...options,
  });
  await node.start();
  await waitUntil(systemClock, 'a solo node to lead', () => node.isLeader());
  return node;
}
