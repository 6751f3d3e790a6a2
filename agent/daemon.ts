// A running agent: the supervisor and its local runtime API on a unix socket. Standalone today
// (no manager); the worker that joins the managers comes with the control-plane issue.

import { chmod } from 'node:fs/promises';
import { Server } from '@grpc/grpc-js';
import { listen, shutdown, type Address } from '../shared/grpc.js';
import { AGENT_SOCKET_DEFAULT } from '../shared/runtime-client.js';
import { addRuntimeServices } from './runtime/api.js';
import { Supervisor, type SupervisorOptions } from './runtime/supervisor.js';

export const AGENT_DATA_DIR_DEFAULT = '/var/lib/shoal/agent';
export { AGENT_SOCKET_DEFAULT };

export interface AgentOptions extends SupervisorOptions {
  /** The local runtime API's unix socket. */
  readonly socket: string;
}

export class Agent {
  readonly supervisor: Supervisor;
  private readonly server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });

  constructor(private readonly o: AgentOptions) {
    this.supervisor = new Supervisor(o);
  }

  async start(): Promise<Address> {
    await this.supervisor.open();
    addRuntimeServices(this.server, this.supervisor);
    const address = await listen(this.server, { kind: 'unix', path: this.o.socket });
    // The runtime API is root's: it starts containers.
    await chmod(this.o.socket, 0o600);
    this.o.logger.info({ socket: this.o.socket, dataDir: this.o.dataDir }, 'agent serving');
    return address;
  }

  /** Stops serving; the shim and the containers keep running. */
  async stop(): Promise<void> {
    await shutdown(this.server, this.o.clock, 2_000);
    await this.supervisor.close();
  }
}
