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
// no container runs, and vfs needs no mount. Docker's trust key and config file are the
// host's own too (--config-file, whose deprecated-key-path names it), not /etc/docker's.

import { execFile } from 'node:child_process';
import { access, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostNamespaces } from '../../e2e/lab/lab.js';
import { readableLogTail } from '../../e2e/lab/managers.js';
import type { LabHostPlan, LabPlan } from '../../e2e/lab/plan.js';
import { mountsUnder, setLink, spawnDaemon, unmount } from '../../e2e/lab/sys.js';
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
/** dockerd makes /run/docker/plugins whatever its --exec-root: removed after, if it was not there before. */
const PLUGINS_DIR = '/run/docker/plugins';

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

interface DockerNode {
  ID: string;
  Version: { Index: number };
  Spec: { Labels?: Record<string, string>; Role: string; Availability: string; Name?: string };
  Description?: { Hostname?: string };
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
  private pluginsDirWasThere = true;

  private constructor(
    private readonly plan: LabPlan,
    private readonly stateDir: string,
    private readonly root: string,
    readonly hosts: readonly LabHostPlan[],
  ) {}

  /** Nothing started yet: `removeFiles` is safe to call from here on, `init` starts the swarm. */
  static async prepare(plan: LabPlan, stateDir: string, root: string, hosts: readonly LabHostPlan[]): Promise<DockerSwarm> {
    const swarm = new DockerSwarm(plan, stateDir, root, hosts);
    swarm.pluginsDirWasThere = await access(PLUGINS_DIR).then(
      () => true,
      () => false,
    );
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

  private async cli(host: LabHostPlan, ...args: string[]): Promise<string> {
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

  private async nodes(via: LabHostPlan, signal?: AbortSignal): Promise<DockerNode[]> {
    return dockerApi<DockerNode[]>(this.files(via).socket, 'GET', '/nodes', undefined, signal);
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
   * What the daemons leave after their processes are gone (the lab's `down` kills them): the
   * bind mount of each data root and the network namespaces of its swarm sandboxes under each
   * exec root, then the folders; and /run/docker/plugins when it was not there before.
   */
  async removeFiles(): Promise<void> {
    const steps = [
      async () => {
        for (const m of await mountsUnder(this.root)) await unmount(m);
      },
      () => rm(this.root, { recursive: true, force: true }),
    ];
    if (!this.pluginsDirWasThere) {
      steps.push(async () => {
        // Only when no other dockerd runs: it could be using the folder.
        const others = await run('pgrep', ['-x', 'dockerd']).then(
          (r) => r.stdout.trim(),
          () => '',
        );
        if (others !== '') return;
        await rmdir(PLUGINS_DIR).catch(() => undefined);
        await rmdir('/run/docker').catch(() => undefined);
      });
    }
    await runAllCleanups('docker: remove what the daemons left', steps);
  }
}
