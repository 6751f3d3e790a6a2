// `shoal ctr`: the local CLI of an agent's runtime API (as docker-containerd-ctr was to
// containerd), over the agent's unix socket. Works with a standalone agent, no manager needed.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Container__Output } from '../../proto/gen/shoal/runtime/v1/Container.js';
import type { Image__Output } from '../../proto/gen/shoal/runtime/v1/Image.js';
import type { Network__Output } from '../../proto/gen/shoal/runtime/v1/Network.js';
import type { Mount } from '../../proto/gen/shoal/types/v1/Mount.js';
import type { PortMapping } from '../../proto/gen/shoal/types/v1/PortMapping.js';
import type { Resources } from '../../proto/gen/shoal/types/v1/Resources.js';
import { option } from '../../shared/cli-option.js';
import { byteSize, durationMs, intInRange, type Parser } from '../../shared/config.js';
import { invalidArgument, notFound } from '../../shared/errors.js';
import { familiarReference } from '../../shared/image-reference.js';
import { securityOpt, securityOptions, type SecurityOpt } from '../../shared/security-opt.js';
import { AGENT_SOCKET_DEFAULT, RuntimeClient } from '../../shared/runtime-client.js';
import type { CliContext } from '../context.js';

/** CPUs as a decimal, Docker's --cpus: 0.5 is half a CPU. */
export const cpus: Parser<number> = (raw, what) => {
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > 1024) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not a number of CPUs like 0.5 or 2`);
  return n;
};

/** `KEY=VALUE`, repeatable. */
export const envVar: Parser<string> = (raw, what) => {
  if (!/^[^=\s]+=/.test(raw)) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not KEY=VALUE`);
  return raw;
};

/** `-v /host/path:/in/container[:ro]` (a bind) or `-v name:/in/container[:ro]` (a named local volume). */
export const volume: Parser<Mount> = (raw, what) => {
  const parts = raw.split(':');
  const mode = parts.length === 3 ? parts[2] : 'rw';
  if (parts.length < 2 || parts.length > 3 || (mode !== 'ro' && mode !== 'rw') || parts[0] === '' || !(parts[1] ?? '').startsWith('/')) {
    throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not SOURCE:/TARGET[:ro]`);
  }
  const source = parts[0] as string;
  return { type: source.startsWith('/') ? 'BIND' : 'VOLUME', source, target: parts[1] as string, readOnly: mode === 'ro' };
};

const collect =
  <T>(parse: Parser<T>) =>
  (what: string) =>
  (raw: string, prev: T[] | undefined): T[] => [...(prev ?? []), parse(raw, what)];

function shortId(id: string): string {
  return id.slice(0, 12);
}

function ago(ms: number): string {
  if (ms === 0) return '';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function status(c: Container__Output): string {
  if (c.state === 'stopped' && c.exit !== null) return `exited (${c.exit.exitCode})${c.exit.oomKilled ? ' oom' : ''}`;
  return c.state;
}

/** A warning for people, on stderr in every format (as Docker prints its WARNING lines), so JSON on stdout stays clean. */
function warn(line: string): void {
  process.stderr.write(`shoal: warning: ${line}\n`);
}

function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * An image in JSON: `name` is the short form tables show (`busybox:latest`, as `docker images`
 * shows it), `reference` the full name the agent stores (`docker.io/library/busybox:latest`).
 */
function imageJson(i: Image__Output): unknown {
  return { name: familiarReference(i.reference), ...i };
}

interface RunOpts {
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  memory?: number;
  cpus?: number;
  pidsLimit?: number;
  volume?: Mount[];
  workdir?: string;
  user?: string;
  hostname?: string;
  readOnly?: boolean;
  network?: { network: string; address: string }[];
  networkAlias?: string[];
  publish?: PortMapping[];
  securityOpt?: SecurityOpt[];
}

/** `-p 8080:80` or `-p 5353:53/udp`. */
export const publish: Parser<PortMapping> = (raw, what) => {
  const m = /^(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/.exec(raw);
  const [h, c] = [Number(m?.[1]), Number(m?.[2])];
  if (m === null || h < 1 || h > 65535 || c < 1 || c > 65535) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not HOSTPORT:CONTAINERPORT[/udp] with ports from 1 to 65535`);
  return { protocol: m[3] === 'udp' ? 'UDP' : 'TCP', hostPort: h, containerPort: c };
};

/** `--network front` or `--network front:10.1.0.7`. */
export const networkRef: Parser<{ network: string; address: string }> = (raw, what) => {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*)(?::(\d+\.\d+\.\d+\.\d+))?$/.exec(raw);
  if (m === null) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not NAME or NAME:IPv4`);
  return { network: m[1] as string, address: m[2] ?? '' };
};

function resources(o: { memory?: number; cpus?: number; pidsLimit?: number }): Resources {
  return {
    ...(o.memory !== undefined ? { memoryBytes: o.memory } : {}),
    ...(o.cpus !== undefined ? { nanoCpus: Math.round(o.cpus * 1e9) } : {}),
    ...(o.pidsLimit !== undefined ? { pidsLimit: o.pidsLimit } : {}),
  };
}

export function registerCtr(program: Command, ctx: CliContext): void {
  const ctr = program
    .command('ctr')
    .description("drive this host's agent directly through its local runtime API (containers, images, logs, events)")
    .addOption(option('--socket <path>', "the agent's socket (SHOAL_SOCKET)").default(AGENT_SOCKET_DEFAULT))
    // `run IMAGE sh -c ...` and `exec NAME ls -l`: options after the image or container belong
    // to the container's command (passThroughOptions needs positional options in the parent).
    .enablePositionalOptions();

  /** A client for the action's --socket, closed when the action ends. */
  const withClient =
    <A extends unknown[]>(fn: (client: RuntimeClient, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const client = new RuntimeClient(cmd.optsWithGlobals<{ socket: string }>().socket);
      try {
        await fn(client, ...args);
      } finally {
        client.close();
      }
    };

  // ---- images ----
  const images = ctr.command('images').description('images in the agent’s content store');
  images
    .command('import <file>')
    .description('import a `docker save` archive or an OCI image layout archive')
    .option('--name <reference>', 'the name for an OCI layout that names none')
    .action(
      withClient(async (client, file: string, o: { name?: string }) => {
        await stat(file).catch(() => {
          throw notFound('cli.no_file', `images import: ${file} does not exist`);
        });
        const got = await client.importImage(createReadStream(file), o.name ?? '');
        ctx.output().list(
          got,
          [
            { header: 'reference', value: (i) => familiarReference(i.reference) },
            { header: 'digest', value: (i) => i.digest },
          ],
          imageJson,
        );
      }),
    );
  images
    .command('pull <reference>')
    .description('pull an image from a registry (OCI distribution API)')
    .option('--insecure', 'plain http (registries on loopback)')
    .addOption(option('--username <name>', 'registry user'))
    .addOption(option('--password <secret>', 'registry password (or SHOAL_PASSWORD)'))
    .addOption(option('--platform <os/arch>', "the platform to pick from an index (default: this host's)"))
    .action(
      withClient(async (client, reference: string, o: { insecure?: boolean; username?: string; password?: string; platform?: string }) => {
        const out = ctx.output();
        const bar = out.format === 'table' && process.stderr.isTTY ? new SingleBar({ format: '{status} |{bar}| {percentage}% {value}/{total} bytes', hideCursor: true }) : undefined;
        let started = false;
        let last: Awaited<ReturnType<typeof client.pull>> extends AsyncGenerator<infer P> ? P | undefined : never;
        for await (const p of client.pull({ reference, insecure: o.insecure === true, username: o.username ?? '', password: o.password ?? '', platform: o.platform ?? '' })) {
          last = p;
          if (bar === undefined) continue;
          if (!started && p.totalBytes > 0) {
            bar.start(p.totalBytes, p.doneBytes, { status: p.status });
            started = true;
          } else if (started) {
            bar.setTotal(Math.max(p.totalBytes, 1));
            bar.update(p.doneBytes, { status: p.status });
          }
        }
        bar?.stop();
        if (last?.image) out.object({ name: familiarReference(last.image.reference), reference: last.image.reference, digest: last.image.digest, size: humanBytes(last.image.sizeBytes) });
      }),
    );
  images
    .command('ls')
    .description('list images')
    .action(
      withClient(async (client) => {
        ctx.output().list(
          await client.images(),
          [
            { header: 'reference', value: (i) => familiarReference(i.reference) },
            { header: 'digest', value: (i) => i.digest.slice(0, 19) },
            { header: 'size', value: (i) => humanBytes(i.sizeBytes) },
            { header: 'created', value: (i) => ago(i.createdAtMs) },
          ],
          imageJson,
        );
      }),
    );
  images
    .command('rm <reference>')
    .description('remove an image name; unreferenced blobs and layers are collected')
    .action(
      withClient(async (client, reference: string) => {
        // As docker rmi: the name is gone (exit 0); space that could not be reclaimed is a warning.
        for (const w of (await client.removeImage(reference)).warnings) warn(w);
      }),
    );

  // ---- networks ----
  const network = ctr.command('network').description('overlay networks of this agent (VXLAN between hosts)');
  const printNetwork = (n: Network__Output): void =>
    ctx.output().object({
      name: n.name,
      vni: n.vni,
      subnet: n.subnet,
      gateway: n.gateway,
      mtu: n.mtu,
      port: n.port,
      endpoints: n.endpoints.map((e) => `${e.container} ${e.ip}`).join(', '),
      peers: n.peers.map((p) => `${p.ip} on ${p.vtep}${p.dnsNames.length > 0 ? ` (${p.dnsNames.join(' ')})` : ''}`).join(', '),
    });
  network
    .command('create <name>')
    .description('create a network: a bridge and a VXLAN device on this host')
    .addOption(option('--vni <n>', 'VXLAN network identifier, the same on every host', intInRange(1, 16_777_215)).makeOptionMandatory())
    .addOption(option('--subnet <cidr>', 'its IPv4 subnet, like 10.1.0.0/24').makeOptionMandatory())
    .addOption(option('--gateway <ip>', 'reserved address (default: the first of the subnet)'))
    .addOption(option('--mtu <n>', "containers' MTU (default and most: the underlay's less 50)", intInRange(576, 65_535)))
    .addOption(option('--port <n>', 'VXLAN UDP port', intInRange(1, 65_535)).default(4789))
    .action(
      withClient(async (client, name: string, o: { vni: number; subnet: string; gateway?: string; mtu?: number; port: number }) => {
        printNetwork(await client.createNetwork({ name, vni: o.vni, subnet: o.subnet, gateway: o.gateway ?? '', mtu: o.mtu ?? 0, port: o.port }));
      }),
    );
  network
    .command('ls')
    .description('list networks')
    .action(
      withClient(async (client) => {
        ctx.output().list(await client.networks(), [
          { header: 'name', value: (n) => n.name },
          { header: 'vni', value: (n) => n.vni },
          { header: 'subnet', value: (n) => n.subnet },
          { header: 'mtu', value: (n) => n.mtu },
          { header: 'containers', value: (n) => n.endpoints.length },
          { header: 'peers', value: (n) => n.peers.length },
        ]);
      }),
    );
  network
    .command('inspect <name>')
    .description('a network, its containers and its peers')
    .action(
      withClient(async (client, name: string) => {
        printNetwork(await client.network(name));
      }),
    );
  network
    .command('rm <name>')
    .description('remove a network (its devices and entries) once no container uses it')
    .action(
      withClient(async (client, name: string) => {
        await client.removeNetwork(name);
      }),
    );
  const peer = network.command('peer').description('endpoints of a network on other hosts');
  peer
    .command('add <network>')
    .description('reach an endpoint on another host: a static FDB and neighbour entry, and its DNS names')
    .addOption(option('--ip <ip>', "the endpoint's address").makeOptionMandatory())
    .addOption(option('--vtep <ip>', "its host's underlay address").makeOptionMandatory())
    .addOption(option('--mac <mac>', 'its MAC (default: derived from the address, as Shoal does)'))
    .option('--dns-name <name>', 'a name it answers to (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .action(
      withClient(async (client, net: string, o: { ip: string; vtep: string; mac?: string; dnsName?: string[] }) => {
        printNetwork(await client.addPeer(net, { ip: o.ip, vtep: o.vtep, mac: o.mac ?? '', dnsNames: o.dnsName ?? [] }));
      }),
    );
  peer
    .command('rm <network>')
    .description('forget a remote endpoint: its entries go, nothing else changes')
    .addOption(option('--ip <ip>', "the endpoint's address").makeOptionMandatory())
    .action(
      withClient(async (client, net: string, o: { ip: string }) => {
        printNetwork(await client.removePeer(net, o.ip));
      }),
    );

  // ---- containers ----
  ctr
    .command('run <image> [command...]')
    .description('create and start a container; without -d, stream its output and exit with its exit code')
    .passThroughOptions()
    .option('-d, --detach', 'print the id and return at once')
    .option('--rm', 'remove the container when it exits')
    .option('--name <name>', 'container name')
    .option('-e, --env <KEY=VALUE>', 'environment variable (repeatable)', collect(envVar)('--env'))
    .addOption(option('--memory <size>', 'memory limit, like 64m', byteSize))
    .addOption(option('--cpus <n>', 'CPU limit, like 0.5', cpus))
    .addOption(option('--pids-limit <n>', 'process limit', intInRange(1, 4_194_304)))
    .option('-v, --volume <src:dst[:ro]>', 'bind mount (absolute source) or named volume (repeatable)', collect(volume)('--volume'))
    .option('-w, --workdir <dir>', 'working directory')
    .option('-u, --user <user>', 'user[:group] or uid[:gid]')
    .option('--hostname <name>', 'host name')
    .option('--read-only', 'read-only root file system')
    .option('--network <name[:ip]>', 'attach to an overlay network, optionally at an address (repeatable: one interface each)', collect(networkRef)('--network'))
    .option('--network-alias <name>', 'another DNS name on its networks (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('-p, --publish <hostPort:ctrPort[/udp]>', "publish a container port on this host's addresses (repeatable)", collect(publish)('--publish'))
    .option('--security-opt <seccomp=unconfined|seccomp=FILE.json>', 'no seccomp filter, or this profile (Docker or OCI format) instead of the default', collect(securityOpt)('--security-opt'))
    .action(
      withClient(async (client, image: string, command: string[], o: RunOpts) => {
        const security = await securityOptions(o.securityOpt ?? []);
        const c = await client.create(o.name ?? '', {
          image,
          ...(command.length > 0 ? { command } : {}),
          env: o.env ?? [],
          mounts: o.volume ?? [],
          resources: resources(o),
          ...(o.workdir !== undefined ? { workingDir: o.workdir } : {}),
          ...(o.user !== undefined ? { user: o.user } : {}),
          ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
          readOnlyRootfs: o.readOnly === true,
          networks: (o.network ?? []).map((n) => ({ ...n, aliases: o.networkAlias ?? [] })),
          ports: o.publish ?? [],
        }, security);
        try {
          await client.start(c.id);
        } catch (e) {
          await client.remove(c.id, true).catch(() => undefined);
          throw e;
        }
        if (o.detach === true) {
          process.stdout.write(`${c.id}\n`);
          return;
        }
        // Signals to the client go to the container, as `docker run` proxies them.
        const forward = (sig: NodeJS.Signals): void => void client.kill(c.id, sig).catch(() => undefined);
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        try {
          for await (const line of client.logs(c.id, true)) (line.stream === 'stderr' ? process.stderr : process.stdout).write(line.line);
          const exit = await client.wait(c.id);
          ctx.exitCode = exit.exitCode;
        } finally {
          process.off('SIGINT', forward);
          process.off('SIGTERM', forward);
          if (o.rm === true) await client.remove(c.id, true);
        }
      }),
    );
  ctr
    .command('ps')
    .description('list running containers')
    .option('-a, --all', 'stopped ones too')
    .action(
      withClient(async (client, o: { all?: boolean }) => {
        const { containers, warnings } = await client.listWithWarnings(o.all === true);
        for (const w of warnings) warn(w);
        ctx.output().list(
          containers,
          [
            { header: 'id', value: (c) => shortId(c.id) },
            { header: 'name', value: (c) => c.name },
            { header: 'image', value: (c) => c.spec?.image ?? '' },
            { header: 'command', value: (c) => [...(c.spec?.command ?? []), ...(c.spec?.args ?? [])].join(' ').slice(0, 40) },
            { header: 'status', value: (c) => status(c) },
            { header: 'started', value: (c) => ago(c.startedAtMs) },
          ],
          (c) => c,
        );
      }),
    );
  ctr
    .command('inspect <container>')
    .description('everything known of a container (JSON)')
    .action(
      withClient(async (client, id: string) => {
        process.stdout.write(`${JSON.stringify(await client.get(id), null, 2)}\n`);
      }),
    );
  ctr
    .command('logs <container>')
    .description("a container's output")
    .option('-f, --follow', 'keep printing until it exits')
    .addOption(option('--tail <n>', 'only the last n lines', intInRange(1, 10_000_000)))
    .action(
      withClient(async (client, id: string, o: { follow?: boolean; tail?: number }) => {
        for await (const line of client.logs(id, o.follow === true, o.tail ?? 0)) (line.stream === 'stderr' ? process.stderr : process.stdout).write(line.line);
      }),
    );
  ctr
    .command('exec <container> <command...>')
    .description('run a command in a running container; exits with its exit code')
    .passThroughOptions()
    .option('-e, --env <KEY=VALUE>', 'environment variable (repeatable)', collect(envVar)('--env'))
    .option('-w, --workdir <dir>', 'working directory')
    .action(
      withClient(async (client, id: string, command: string[], o: { env?: string[]; workdir?: string }) => {
        const r = await client.exec(id, command, { env: o.env ?? [], ...(o.workdir !== undefined ? { workingDir: o.workdir } : {}) });
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
        ctx.exitCode = r.exitCode;
      }),
    );
  ctr
    .command('kill <container>')
    .description('send a signal (default SIGKILL, as docker kill)')
    .option('-s, --signal <signal>', 'signal name or number', 'SIGKILL')
    .action(
      withClient(async (client, id: string, o: { signal: string }) => {
        await client.kill(id, o.signal);
      }),
    );
  ctr
    .command('stop <container>')
    .description('SIGTERM (or its stop signal), then SIGKILL after the grace period')
    .addOption(option('-t, --time <duration>', 'grace period (default: the container’s, else 10s)', durationMs))
    .action(
      withClient(async (client, id: string, o: { time?: number }) => {
        const exit = await client.stop(id, o.time ?? 0);
        ctx.output().object({ container: id, exit_code: exit.exitCode, ...(exit.signal !== '' ? { signal: exit.signal } : {}) });
      }),
    );
  for (const [verb, what] of [
    ['pause', 'freeze every process of a container'],
    ['resume', 'thaw a paused container'],
    ['start', 'start a created or stopped container'],
  ] as const) {
    ctr
      .command(`${verb} <container>`)
      .description(what)
      .action(
        withClient(async (client, id: string) => {
          if (verb === 'pause') await client.pause(id);
          else if (verb === 'resume') await client.resume(id);
          else await client.start(id);
        }),
      );
  }
  ctr
    .command('update <container>')
    .description("change a container's limits while it runs (as docker update)")
    .addOption(option('--memory <size>', 'memory limit, like 64m', byteSize))
    .addOption(option('--cpus <n>', 'CPU limit, like 0.5', cpus))
    .addOption(option('--pids-limit <n>', 'process limit', intInRange(1, 4_194_304)))
    .action(
      withClient(async (client, id: string, o: { memory?: number; cpus?: number; pidsLimit?: number }) => {
        const r = resources(o);
        if (Object.keys(r).length === 0) throw invalidArgument('config.invalid', 'update: name at least one of --memory, --cpus, --pids-limit');
        await client.update(id, r);
      }),
    );
  ctr
    .command('stats <container>')
    .description('CPU, memory and pids of a running container, from its cgroup')
    .action(
      withClient(async (client, id: string) => {
        const s = await client.stats(id);
        ctx.output().object({ cpu_seconds: (s.cpuUsageNs / 1e9).toFixed(3), memory: humanBytes(s.memoryUsageBytes), memory_limit: humanBytes(s.memoryLimitBytes), pids: s.pidsCurrent, pids_limit: s.pidsLimit });
      }),
    );
  ctr
    .command('rm <container>')
    .description('remove a container (its root file system and log)')
    .option('-f, --force', 'kill it first if it runs')
    .action(
      withClient(async (client, id: string, o: { force?: boolean }) => {
        await client.remove(id, o.force === true);
      }),
    );
  ctr
    .command('events')
    .description('print events as they happen, one JSON object a line')
    .option('--type <type>', 'only this type, like task.exited (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .action(
      withClient(async (client, o: { type?: string[] }) => {
        for await (const e of await client.events(o.type ?? [])) process.stdout.write(`${JSON.stringify({ type: e.type, id: e.id, at: new Date(e.atMs).toISOString(), ...(e.exit !== null ? { exit: e.exit } : {}), attributes: e.attributes })}\n`);
      }),
    );
}
