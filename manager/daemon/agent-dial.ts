// The manager's side of proto/agent.proto: it dials the agent of the node a task is on, at the
// node's address and AGENT_ACCESS_PORT, with its own manager certificate (the agent lets only
// managers of its cluster in). The agent must show a certificate of the cluster's CA (checked at
// the handshake) for the very node the manager looks for (its CN, checked here): an address
// reused by another node is not mistaken for it. Clients are kept per node and address, at most
// AGENT_CLIENTS_MAX (the oldest closed first).

import type { PeerCertificate } from 'node:tls';
import { loadProto } from '../../proto/load.js';
import type { TaskAccessClient } from '../../proto/gen/shoal/access/v1/TaskAccess.js';
import { AGENT_ACCESS_PORT, AGENT_ACCESS_SERVER_NAME, EXEC_OUTPUT_BYTES_MAX } from '../../shared/agent-access.js';
import type { Clock } from '../../shared/clock.js';
import { unavailable } from '../../shared/errors.js';
import type { TlsMaterialProvider } from '../../shared/tls-provider.js';

/** Agent clients kept open, at most. */
export const AGENT_CLIENTS_MAX = 64;
/** An agent not connected within this long is reported unreachable. */
export const AGENT_CONNECT_TIMEOUT_MS = 2_000;

/** Where an agent is: its node and address. */
export interface AgentTarget {
  readonly nodeId: string;
  readonly hostname: string;
  readonly host: string;
}

/** The agent's certificate must be the node's: its CN is the node id (Shoal's subject layout). */
export function nodeIdentityCheck(nodeId: string) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    const cn = cert.subject.CN;
    return cn === nodeId ? undefined : new Error(`the agent answering shows the certificate of node ${String(cn)}, not of ${nodeId}`);
  };
}

export class AgentDialer {
  private readonly clients = new Map<string, TaskAccessClient>();

  constructor(
    private readonly tls: () => TlsMaterialProvider,
    private readonly clock: Clock,
    private readonly port = AGENT_ACCESS_PORT,
  ) {}

  /** The address dialled, for messages. */
  addressOf(t: AgentTarget): string {
    return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${this.port}`;
  }

  /** A connected client for the target's agent; `unavailable` in one line when it cannot be reached in time. */
  async client(t: AgentTarget): Promise<TaskAccessClient> {
    const address = this.addressOf(t);
    const key = `${t.nodeId}@${address}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      const TaskAccess = loadProto('agent').shoal.access.v1.TaskAccess;
      c = new TaskAccess(address, this.tls().channelCredentials({ checkServerIdentity: nodeIdentityCheck(t.nodeId) }), {
        'grpc.ssl_target_name_override': AGENT_ACCESS_SERVER_NAME,
        'grpc.default_authority': AGENT_ACCESS_SERVER_NAME,
        // An exec's stdout and stderr, each cut at EXEC_OUTPUT_BYTES_MAX by the agent.
        'grpc.max_receive_message_length': 2 * EXEC_OUTPUT_BYTES_MAX + 1024 * 1024,
      }) as unknown as TaskAccessClient;
      this.clients.set(key, c);
      if (this.clients.size > AGENT_CLIENTS_MAX) {
        const [oldest, client] = this.clients.entries().next().value as [string, TaskAccessClient];
        client.close();
        this.clients.delete(oldest);
      }
    }
    const client = c;
    const failed = await new Promise<string | undefined>((resolve) => client.waitForReady(new Date(this.clock.wallMs() + AGENT_CONNECT_TIMEOUT_MS), (err) => resolve(err?.message)));
    if (failed !== undefined) {
      client.close();
      this.clients.delete(key);
      throw unavailable('manager.agent_unreachable', `node ${t.hostname}: its agent at ${address} cannot be reached (${failed})`, { fields: { node: t.hostname } });
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
