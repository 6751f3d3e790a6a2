// The agent's command area for the `shoal` binary (registered by bin/shoal.js):
//   shoal agent --standalone [--data-dir DIR] [--socket PATH]

import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AreaContext, AreaRegistrar } from '../shared/cli-area.js';
import { flag, option } from '../shared/cli-option.js';
import { systemClock } from '../shared/clock.js';
import { byteSize, intInRange, ipv4 } from '../shared/config.js';
import { failedPrecondition } from '../shared/errors.js';
import { AGENT_DATA_DIR_DEFAULT, AGENT_SOCKET_DEFAULT, Agent } from './daemon.js';
import { parseUpstream, type Upstream } from './dns/server.js';

function registerAgent(program: Command, ctx: AreaContext): void {
  program
    .command('agent')
    .description('run the agent of this host: containers, images, the shim (standalone: its local API only)')
    .addOption(flag('--standalone', 'serve only the local runtime API, without managers'))
    .addOption(option('--data-dir <dir>', 'images, containers and logs').default(AGENT_DATA_DIR_DEFAULT))
    .addOption(option('--socket <path>', 'the local runtime API (unix socket)').default(AGENT_SOCKET_DEFAULT))
    .addOption(option('--runc <path>', 'the OCI runtime binary').default('runc'))
    .addOption(option('--log-max-size <size>', "rotate a container's log at this size", byteSize).default(10 * 1024 * 1024, '10m'))
    .addOption(option('--log-max-files <n>', 'log files kept per container', intInRange(1, 100)).default(3))
    .addOption(option('--advertise <ip>', "this host's underlay address for overlay networks (its interface and MTU are detected)", ipv4))
    .addOption(option('--dns-upstream <ip[:port]>', "where containers' DNS forwards other names (repeatable; default: /etc/resolv.conf's)").argParser((v: string, prev: Upstream[] | undefined) => [...(prev ?? []), parseUpstream(v)]))
    .addOption(option('--dns-ttl <seconds>', 'TTL of DNS answers for cluster names', intInRange(0, 3600)).default(5))
    .action(async (o: { standalone?: boolean; dataDir: string; socket: string; runc: string; logMaxSize: number; logMaxFiles: number; advertise?: string; dnsUpstream?: Upstream[]; dnsTtl: number }) => {
      if (o.standalone !== true) throw failedPrecondition('agent.needs_standalone', 'agent: joining managers is not available yet; run with --standalone');
      if (process.getuid?.() !== 0) throw failedPrecondition('agent.needs_root', 'agent: must run as root (it mounts file systems and runs runc)');
      const logger = ctx.logger('agent');
      const agent = new Agent({
        // Absolute: the shim accepts only paths under it, and the agent's key is made from it.
        dataDir: resolve(o.dataDir),
        socket: resolve(o.socket),
        clock: systemClock,
        logger,
        runcBinary: o.runc,
        logMaxBytes: o.logMaxSize,
        logMaxFiles: o.logMaxFiles,
        ...(o.advertise !== undefined ? { advertise: o.advertise } : {}),
        ...(o.dnsUpstream !== undefined ? { dnsUpstreams: o.dnsUpstream } : {}),
        dnsTtlSeconds: o.dnsTtl,
      });
      await agent.start();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await agent.stop();
    });
}

export const agentAreas: readonly AreaRegistrar[] = [registerAgent];
