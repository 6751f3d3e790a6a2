// Docker swarm mode's side of the failover benchmark: one dockerd, with the containerd it starts
// for itself, in each of three lab hosts (their network and UTS namespaces, so each node is
// named after its host), every path of its own under the benchmark's folder; `docker swarm init`
// on the first, `join` of the other two as managers. Measured through the Engine API over each
// daemon's unix socket, as Shoal is through its Control API: a fresh connection per call, and
// for a write the two calls `docker node update --label-add` makes (inspect, then update at the
// version read).
//
// The daemons leave the host's firewall, forwarding and bridges alone (--iptables=false
// --ip-forward=false --ip-masq=false --bridge=none); swarm's own ports (2377, 7946, 4789) cross
// the lab's underlay, which lets everything between its hosts through. --storage-driver=vfs:
// needs no mount (a busybox container's copy of its layer is 2 MB). Docker's trust key and
// config file are the host's own too (--config-file, whose deprecated-key-path names it), not
// /etc/docker's, and so is the cgroup its containers go under (--cgroup-parent), which is how a
// power loss of the host finds them: they have network namespaces of their own, which the
// host's does not list (`powerLoss`).
//
// Used by two benchmarks: manager-failover (no container runs) and failover (a service of six
// replicas, bench/failover/replicas-docker.ts).

import { execFile } from 'node:child_process';
import { access, mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { hostNamespaces, killUntilNone } from '../../e2e/lab/lab.js';
import { labKill } from '../../e2e/lab/faults.js';
import { readableLogTail } from '../../e2e/lab/managers.js';
import type { LabHostPlan, LabPlan } from '../../e2e/lab/plan.js';
import { mountsUnder, processGone, setLink, spawnDaemon, unmount } from '../../e2e/lab/sys.js';
import { removeCgroup } from '../../agent/sys/cgroups.js';
import { runAllCleanups } from '../../shared/cleanup.js';
import { oneLine } from '../../shared/errors.js';
import { VOTERS_WAIT_MS, waitFor, type FailoverCluster } from './cluster.js';

const run = promisify(execFile);
/** Debian's docker.io, by absolute path: /usr/local/bin may hold another client. */
export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER_CLI = '/usr/bin/docker';
/** The Engine API of docker.io 20.10. */
const API_VERSION = 'v1.41';
const SWARM_PORT = 2377;
const DOCKERD_UP_TIMEOUT_MS = 30_000;
const API_RESPONSE_BYTES_MAX = 4 * 1024 * 1024;
/** Where containerd 1.6 puts its shims' sockets, whatever its own state dir. */
const SHIM_SOCKETS_DIR = '/run/containerd/s';
/**
 * Folders the daemons make whatever their roots (dockerd /run/docker/plugins, containerd its
 * shims' sockets' folder), deepest first: each removed after, if it was not there before and is empty.
 */
const SHARED_DIRS = ['/run/docker/plugins', '/run/docker', SHIM_SOCKETS_DIR, '/run/containerd'];

/** Refuses early, naming the fix, when Debian's docker.io is not installed. */
export async function checkDockerInstalled(): Promise<void> {
  for (const binary of [DOCKERD, DOCKER_CLI]) {
    const there = await access(binary).then(
      () => true,
      () => false,
    );
    if (!there) throw new Error(`docker: ${binary} is missing: install Debian's docker.io (scripts/install-deps --bench)`);
  }
}

export interface DockerNode {
  ID: string;
  Version: { Index: number };
  Spec: { Labels?: Record<string, string>; Role: string; Availability: string; Name?: string };
  Description?: { Hostname?: string };
  UpdatedAt?: string;
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

/** One call of the Engine API over a daemon's unix socket, on a connection of its own. */
export function dockerApi<T>(socket: string, method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: socket,
        method,
        path: `/${API_VERSION}${path}`,
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
        ...(signal !== undefined ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > API_RESPONSE_BYTES_MAX) req.destroy(new Error(`${method} ${path}: answer over ${API_RESPONSE_BYTES_MAX} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 300) {
            reject(new Error(`${method} ${path}: ${status} ${messageOf(text)}`));
            return;
          }
          try {
            resolve((text.trim() === '' || !(res.headers['content-type'] ?? '').includes('json') ? text : JSON.parse(text)) as T);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function messageOf(text: string): string {
  try {
    return String((JSON.parse(text) as { message?: unknown }).message ?? text).trim();
  } catch {
    return text.trim();
  }
}

interface HostFiles {
  readonly dir: string;
  readonly socket: string;
  readonly log: string;
}

export class DockerSwarm implements FailoverCluster {
  readonly name = 'docker';
  /** The SHARED_DIRS that were there before the daemons started. */
  private sharedDirsThere: readonly string[] = SHARED_DIRS;
  /** The sockets of shims killed with their host (SHIM_SOCKETS_DIR), removed at the end. */
  private readonly deadShimSockets = new Set<string>();

  private constructor(
    private readonly plan: LabPlan,
    private readonly stateDir: string,
    private readonly root: string,
    readonly hosts: readonly LabHostPlan[],
  ) {}

  /** Nothing started yet: `removeFiles` is safe to call from here on, `init` starts the swarm. */
  static async prepare(plan: LabPlan, stateDir: string, root: string, hosts: readonly LabHostPlan[]): Promise<DockerSwarm> {
    const swarm = new DockerSwarm(plan, stateDir, root, hosts);
    const there: string[] = [];
    for (const dir of SHARED_DIRS) {
      if (await access(dir).then(() => true, () => false)) there.push(dir);
    }
    swarm.sharedDirsThere = there;
    return swarm;
  }

  /** Starts a dockerd in each host, makes a swarm of three managers, waits until all are reachable. */
  async init(progress: (line: string) => void): Promise<void> {
    const [first, ...others] = this.hosts;
    if (first === undefined) throw new Error('docker: no hosts');
    for (const h of this.hosts) await this.startDaemon(h);
    await this.cli(first, 'swarm', 'init', '--advertise-addr', first.address, '--listen-addr', `${first.address}:${SWARM_PORT}`);
    progress(`docker: swarm initialised on ${first.name}`);
    const token = (await this.cli(first, 'swarm', 'join-token', '-q', 'manager')).trim();
    for (const h of others) {
      await this.cli(h, 'swarm', 'join', '--token', token, '--advertise-addr', h.address, '--listen-addr', `${h.address}:${SWARM_PORT}`, `${first.address}:${SWARM_PORT}`);
      progress(`docker: ${h.name} joined as a manager`);
    }
    await this.waitVoters(first);
  }

  files(host: LabHostPlan): HostFiles {
    const dir = join(this.root, host.name);
    return { dir, socket: join(dir, 'docker.sock'), log: join(dir, 'dockerd.log') };
  }

  /** The cgroup its containers go under (dockerd's --cgroup-parent): of this lab and host alone. */
  cgroupParent(host: LabHostPlan): string {
    return `/shoal-bench-${this.plan.name}-${host.name}`;
  }

  /** The docker CLI against the daemon of `host`; its output. */
  async cli(host: LabHostPlan, ...args: string[]): Promise<string> {
    return (await run(DOCKER_CLI, ['-H', `unix://${this.files(host).socket}`, ...args], { timeout: 60_000 })).stdout;
  }

  /** dockerd inside the host (same data root after a reboot), awaited until its API answers. */
  private async startDaemon(host: LabHostPlan): Promise<void> {
    const f = this.files(host);
    await mkdir(f.dir, { recursive: true, mode: 0o700 });
    // The trust key (the engine's id) is a config file setting only: /etc/docker/key.json otherwise.
    await writeFile(join(f.dir, 'daemon.json'), `${JSON.stringify({ 'deprecated-key-path': join(f.dir, 'key.json') })}\n`);
    const argv = [
      DOCKERD,
      '--data-root', join(f.dir, 'data'),
      '--exec-root', join(f.dir, 'exec'),
      '--pidfile', join(f.dir, 'dockerd.pid'),
      '--host', `unix://${f.socket}`,
      '--config-file', join(f.dir, 'daemon.json'),
      '--iptables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none',
      '--storage-driver=vfs',
      '--cgroup-parent', this.cgroupParent(host),
      '--log-level=info',
    ];
    const child = await spawnDaemon(hostNamespaces(this.stateDir, this.plan.name, host), argv, f.log);
    const exited = (): string | undefined => (child.exitCode !== null || child.signalCode !== null ? `dockerd exited (${child.exitCode ?? child.signalCode})` : undefined);
    try {
      await waitFor(`docker: dockerd of ${host.name} answering on ${f.socket}`, DOCKERD_UP_TIMEOUT_MS, async () => ((await dockerApi<string>(f.socket, 'GET', '/_ping')) === 'OK' ? true : 'no OK to /_ping'), exited);
    } catch (err) {
      throw new Error(`${oneLine(err)}; its log ends: ${await this.logTail(host)}`, { cause: err });
    }
  }

  /** The end of a host's dockerd log, for errors. */
  private async logTail(host: LabHostPlan): Promise<string> {
    const text = await readFile(this.files(host).log, 'utf8').catch(() => '');
    return readableLogTail(text);
  }

  async nodes(via: LabHostPlan, signal?: AbortSignal): Promise<DockerNode[]> {
    return dockerApi<DockerNode[]>(this.files(via).socket, 'GET', '/nodes', undefined, signal);
  }

  /** Until every node is `ready` as `via` lists them (a restarted daemon's node is `down` until it reports). */
  async waitReady(via: LabHostPlan): Promise<void> {
    await waitFor(`docker: all three nodes ready, as ${via.name} lists them`, VOTERS_WAIT_MS, async () => {
      const nodes = await this.nodes(via);
      const notReady = nodes.filter((n) => n.Status?.State !== 'ready');
      return nodes.length === this.hosts.length && notReady.length === 0 ? true : `not ready: ${notReady.map((n) => `${n.Description?.Hostname}: ${n.Status?.State}`).join(', ') || `${nodes.length} nodes`}`;
    });
  }

  /**
   * A power loss of `host`, as `shoal lab kill` makes one for Shoal's hosts: its link down, every
   * process of its network namespace (dockerd, containerd, the shims) SIGKILLed, and then its
   * containers, found by their cgroup.
   */
  async powerLoss(host: LabHostPlan): Promise<void> {
    await labKill(this.stateDir, this.plan.name, host.name);
    await killUntilNone(() => pidsUnderCgroup(this.cgroupParent(host)), `docker: the containers of ${host.name}`);
    // Read now: the restarted containerd removes the dead shims' bundles, and not their sockets.
    for (const s of await this.shimSockets(host)) this.deadShimSockets.add(s);
  }

  /**
   * The sockets of the shims of `host`'s containers: containerd 1.6 puts them in one folder of
   * the machine's whatever its state dir (SHIM_SOCKETS_DIR), and each shim writes its address
   * into its bundle (`address`, under the exec root). A shim killed leaves its socket behind.
   */
  private async shimSockets(host: LabHostPlan): Promise<string[]> {
    const dir = join(this.files(host).dir, 'exec', 'containerd');
    const entries = await readdir(dir, { recursive: true }).catch(() => []); // no container ever ran: none
    const out: string[] = [];
    for (const e of entries.filter((f) => basename(f) === 'address')) {
      const address = (await readFile(join(dir, e), 'utf8').catch(() => '')).trim().replace(/^unix:\/\//, '');
      if (dirname(address) === SHIM_SOCKETS_DIR) out.push(address);
    }
    return out;
  }

  /** Until `via` lists three managers, all reachable (the leader's reachability is "reachable" too). */
  private async waitVoters(via: LabHostPlan): Promise<void> {
    await waitFor(`docker: all three managers reachable, as ${via.name} lists them`, VOTERS_WAIT_MS, async () => {
      const managers = (await this.nodes(via)).filter((n) => n.ManagerStatus !== undefined);
      const reachable = managers.filter((n) => n.ManagerStatus?.Reachability === 'reachable');
      return reachable.length === this.hosts.length ? true : `reachable: ${reachable.map((n) => n.Description?.Hostname).join(', ') || 'none'} of ${managers.length} managers`;
    });
  }

  async leader(): Promise<LabHostPlan> {
    let found: LabHostPlan | undefined;
    await waitFor('docker: a leader among the managers', VOTERS_WAIT_MS, async () => {
      for (const via of this.hosts) {
        const leader = (await this.nodes(via).catch(() => [])).find((n) => n.ManagerStatus?.Leader === true);
        found = this.hosts.find((h) => h.name === leader?.Description?.Hostname);
        if (found !== undefined) return true;
      }
      return 'no manager lists a leader';
    });
    return found as LabHostPlan;
  }

  /** The CLI talks to one daemon: the first of `via`. */
  async write(via: readonly LabHostPlan[], node: string, round: number, signal: AbortSignal): Promise<void> {
    const socket = this.files(via[0] as LabHostPlan).socket;
    const n = await dockerApi<DockerNode>(socket, 'GET', `/nodes/${encodeURIComponent(node)}`, undefined, signal);
    const spec = { ...n.Spec, Labels: { ...n.Spec.Labels, round: String(round) } };
    await dockerApi<string>(socket, 'POST', `/nodes/${n.ID}/update?version=${n.Version.Index}`, spec, signal);
  }

  async shownLeader(via: readonly LabHostPlan[], signal: AbortSignal): Promise<string> {
    const leader = (await this.nodes(via[0] as LabHostPlan, signal)).find((n) => n.ManagerStatus?.Leader === true);
    if (leader === undefined) throw new Error('node ls shows no leader');
    return leader.Description?.Hostname ?? '';
  }

  /** The reboot: link up (as `shoal lab start`), dockerd again on the same data root, all managers reachable. */
  async restart(host: LabHostPlan): Promise<void> {
    await setLink(host.veth, 'up');
    await this.startDaemon(host);
    // Through the restarted daemon: it answers for the swarm only once it is a manager again.
    await this.waitVoters(host);
  }

  async cliUpdateMs(via: readonly LabHostPlan[], node: string, n: number): Promise<number> {
    const t0 = performance.now();
    await this.cli(via[0] as LabHostPlan, 'node', 'update', '--label-add', `cli=${n}`, node);
    return performance.now() - t0;
  }

  /**
   * What the daemons leave after their processes are gone (the lab's `down` kills them): their
   * containers' processes, their shims' sockets, the bind mount of each data root and the network namespaces of its
   * swarm sandboxes and containers under each exec root, then the folders, then the containers'
   * cgroups; and the SHARED_DIRS that were not there before.
   */
  async removeFiles(): Promise<void> {
    const steps = [
      // Containers outlive the daemons that `lab down` killed: their namespaces are their own.
      async () => {
        for (const h of this.hosts) await killUntilNone(() => pidsUnderCgroup(this.cgroupParent(h)), `docker: the containers of ${h.name}`);
      },
      async () => {
        for (const h of this.hosts) for (const s of await this.shimSockets(h)) this.deadShimSockets.add(s);
        for (const s of this.deadShimSockets) await rm(s, { force: true });
      },
      async () => {
        for (const m of await mountsUnder(this.root)) await unmount(m);
      },
      () => rm(this.root, { recursive: true, force: true }),
      async () => {
        for (const h of this.hosts) removeCgroup(this.cgroupParent(h));
      },
    ];
    const made = SHARED_DIRS.filter((d) => !this.sharedDirsThere.includes(d));
    if (made.length > 0) {
      steps.push(async () => {
        // Only when no other dockerd or containerd runs: it could be using the folders. Ours,
        // killed, may linger as zombies until their parent reaps them: those run nothing.
        const listed = await run('pgrep', ['-x', 'dockerd|containerd']).then(
          (r) => r.stdout.split('\n').filter((l) => l.trim() !== '').map(Number),
          () => [],
        );
        for (const pid of listed) {
          if (await processGone(pid)) continue;
          console.error(`docker: ${made.join(', ')} left in place: another dockerd or containerd runs (pid ${pid})`);
          return;
        }
        // rmdir: a folder someone else put something in is kept.
        for (const dir of made) await rmdir(dir).catch(() => undefined);
      });
    }
    await runAllCleanups('docker: remove what the daemons left', steps);
  }
}

/** Pids of the processes in cgroup `parent` or below it, in any hierarchy (/proc/PID/cgroup). */
async function pidsUnderCgroup(parent: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/cgroup`, 'utf8').catch(() => ''); // gone meanwhile: in no cgroup
    // Lines are ID:CONTROLLERS:PATH; the path may hold colons of its own.
    const inside = text.split('\n').some((line) => {
      const path = line.split(':').slice(2).join(':');
      return path === parent || path.startsWith(`${parent}/`);
    });
    if (inside) out.push(Number(entry));
  }
  return out;
}
