// A running agent: the supervisor and its local runtime API on a unix socket. In a cluster,
// cli.ts adds the session with the managers and the worker that runs their tasks (worker/).

import { chmod } from 'node:fs/promises';
import { Server } from '@grpc/grpc-js';
import { listen, shutdown, type Address } from '../shared/grpc.js';
import { AGENT_SOCKET_DEFAULT } from '../shared/runtime-client.js';
import { systemRng } from '../shared/rng.js';
import { hostUpstreams, type Upstream } from './dns/server.js';
import { rootRunner } from './network/exec.js';
import { NetworkManager } from './network/manager.js';
import { addRuntimeServices } from './runtime/api.js';
import { Supervisor, type SupervisorOptions } from './runtime/supervisor.js';
import { agentCgroupPlacement, describeLayout, detectCgroupLayout, missingControllers } from './sys/cgroups.js';
import type { Logger } from '../shared/logger.js';

export const AGENT_DATA_DIR_DEFAULT = '/var/lib/shoal/agent';
export { AGENT_SOCKET_DEFAULT };

export interface AgentOptions extends Omit<SupervisorOptions, 'network'> {
  /** The local runtime API's unix socket. */
  readonly socket: string;
  /** This host's underlay address, for overlay networks (VXLAN source, what peers send to). */
  readonly advertise?: string;
  /** Where the embedded DNS server forwards names outside the cluster; default: /etc/resolv.conf's. */
  readonly dnsUpstreams?: readonly Upstream[];
  readonly dnsTtlSeconds?: number;
}

export class Agent {
  readonly supervisor: Supervisor;
  readonly network: NetworkManager;
  private readonly server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });

  constructor(private readonly o: AgentOptions) {
    const network = new NetworkManager({
      dataDir: o.dataDir,
      ...(o.advertise !== undefined ? { advertise: o.advertise } : {}),
      runner: rootRunner,
      clock: o.clock,
      rng: systemRng,
      logger: o.logger,
      upstreams: o.dnsUpstreams ?? hostUpstreams(),
      ...(o.dnsTtlSeconds !== undefined ? { dnsTtlSeconds: o.dnsTtlSeconds } : {}),
    });
    this.network = network;
    this.supervisor = new Supervisor({ ...o, network });
  }

  async start(): Promise<Address> {
    logCgroups(this.o.logger, this.supervisor.cgroupParent);
    await this.supervisor.open();
    addRuntimeServices(this.server, this.supervisor, this.network);
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

/** Says once where the agent's cgroups go and why, and which controllers its containers cannot have. */
function logCgroups(logger: Logger, cgroupParent: string): void {
  const layout = detectCgroupLayout();
  const placement = agentCgroupPlacement(layout);
  logger.info({ layout: describeLayout(layout), cgroupParent, why: placement.why }, 'cgroups');
  const missing = missingControllers(placement.base, layout);
  if (missing.length > 0) logger.warn({ missing, below: placement.base }, 'cgroup controllers missing: containers asking for limits on them (or pause, without the freezer) will fail');
}
