// Where the time of a failover went, read after the fact (bench/failover.ts). Pure: the store's
// changes (Control.Watch events) and log lines in, moments out, each in ms after the power loss
// began (`killWallMs`, the benchmark's wall clock; the managers and agents run on the same
// machine, so their clocks are the same one).
//
// From Shoal's store: when the dead node was written down, when each copy of its containers was
// created (a task that `replaces` another), placed on a node and reported running, and whether
// any other node was written down meanwhile (a false down). From the logs: when a manager said it
// leads (manager.log), when each surviving agent held a session again (agent.log), and each
// manager's "node down" lines. From Docker: its raft's "became leader" line in dockerd.log.

/** The fields of a watch event read here (proto WatchEvent, longs as numbers). */
export interface StoreEvent {
  readonly action: string;
  readonly kind: string;
  readonly id: string;
  readonly atMs: number;
  readonly objectJson: string;
  readonly previousJson?: string;
}

interface NodeView {
  readonly spec?: { readonly hostname?: string };
  readonly status?: { readonly state?: string };
}
interface TaskView {
  readonly spec?: { readonly name?: string; readonly nodeId?: string; readonly replaces?: string };
  readonly status?: { readonly state?: string };
}

export interface CopyMoments {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly placedAtMs?: number;
  readonly nodeId?: string;
  readonly runningAtMs?: number;
}

export interface StoreIncident {
  /** When the dead node was written down; undefined when it was not (yet). */
  readonly deadDownAtMs?: number;
  /** Other nodes written down after the kill: false downs. */
  readonly otherDowns: readonly { readonly nodeId: string; readonly hostname: string; readonly atMs: number }[];
  /** The copies created after the kill, in the order they were created. */
  readonly copies: readonly CopyMoments[];
}

function parse<T>(json: string | undefined): T | undefined {
  if (json === undefined || json === '') return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined; // not an object this reader knows: nothing to learn from it
  }
}

/** The incident as the store's changes tell it, from the kill on. */
export function storeIncident(events: readonly StoreEvent[], killWallMs: number, deadNodeId: string): StoreIncident {
  let deadDownAtMs: number | undefined;
  const otherDowns: { nodeId: string; hostname: string; atMs: number }[] = [];
  const copies = new Map<string, { id: string; name: string; createdAtMs: number; placedAtMs?: number; nodeId?: string; runningAtMs?: number }>();
  for (const e of events) {
    if (e.atMs < killWallMs) continue;
    const atMs = e.atMs - killWallMs;
    if (e.kind === 'node' && e.action === 'update') {
      const now = parse<NodeView>(e.objectJson);
      const before = parse<NodeView>(e.previousJson);
      if (now?.status?.state !== 'down' || before?.status?.state === 'down') continue;
      if (e.id === deadNodeId) deadDownAtMs ??= atMs;
      else otherDowns.push({ nodeId: e.id, hostname: now.spec?.hostname ?? e.id, atMs });
    } else if (e.kind === 'task') {
      const task = parse<TaskView>(e.objectJson);
      if (e.action === 'create' && task?.spec?.replaces !== undefined) {
        copies.set(e.id, { id: e.id, name: task.spec.name ?? e.id, createdAtMs: atMs });
      }
      const copy = copies.get(e.id);
      if (copy === undefined || task === undefined) continue;
      if (copy.placedAtMs === undefined && task.spec?.nodeId !== undefined && task.spec.nodeId !== '') {
        copy.placedAtMs = atMs;
        copy.nodeId = task.spec.nodeId;
      }
      if (copy.runningAtMs === undefined && task.status?.state === 'running') copy.runningAtMs = atMs;
    }
  }
  return { ...(deadDownAtMs !== undefined ? { deadDownAtMs } : {}), otherDowns, copies: [...copies.values()] };
}

/** Whether the store has told the whole story: the node down and `expected` copies running. */
export function incidentComplete(i: StoreIncident, expected: number): boolean {
  return i.deadDownAtMs !== undefined && i.copies.length >= expected && i.copies.every((c) => c.runningAtMs !== undefined);
}

/** The latest of the copies' `field`, or undefined when a copy lacks it. */
export function lastOf(copies: readonly CopyMoments[], field: 'createdAtMs' | 'placedAtMs' | 'runningAtMs'): number | undefined {
  if (copies.length === 0) return undefined;
  let last = -Infinity;
  for (const c of copies) {
    const v = c[field];
    if (v === undefined) return undefined;
    last = Math.max(last, v);
  }
  return last;
}

/** One line of a pino JSON log: its time (wall ms), message and fields. */
export interface LogLine {
  readonly atMs: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The JSON lines of a pino log at or after `sinceWallMs` (other lines, such as the lab's `# ...` ones, skipped). */
export function pinoLines(text: string, sinceWallMs: number): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    const o = parse<Record<string, unknown>>(raw);
    const atMs = typeof o?.['time'] === 'string' ? Date.parse(o['time']) : typeof o?.['time'] === 'number' ? o['time'] : NaN;
    if (o === undefined || Number.isNaN(atMs) || atMs < sinceWallMs) continue;
    out.push({ atMs, msg: typeof o['msg'] === 'string' ? o['msg'] : '', fields: o });
  }
  return out;
}

/** What Shoal's logs say of an incident, in ms after the kill. */
export interface LogIncident {
  /** The first "this manager leads" line of a manager (its host). */
  readonly leads?: { readonly host: string; readonly atMs: number };
  /** Each manager's "node down" lines: the node ids it declared down. */
  readonly downs: readonly { readonly host: string; readonly nodeId: string; readonly atMs: number }[];
  /** Each surviving agent's first session opened after the kill. */
  readonly sessions: readonly { readonly host: string; readonly atMs: number }[];
}

export const MANAGER_LEADS_MSG = 'leader changed: this manager leads';
export const NODE_DOWN_MSG = 'node down: its heartbeats stopped';
export const AGENT_SESSION_MSG = 'session with the managers';

/** From the survivors' manager.log and agent.log texts (by host), read from the kill on. */
export function logIncident(managerLogs: ReadonlyMap<string, string>, agentLogs: ReadonlyMap<string, string>, killWallMs: number): LogIncident {
  let leads: { host: string; atMs: number } | undefined;
  const downs: { host: string; nodeId: string; atMs: number }[] = [];
  for (const [host, text] of managerLogs) {
    for (const l of pinoLines(text, killWallMs)) {
      const atMs = l.atMs - killWallMs;
      if (l.msg === MANAGER_LEADS_MSG && (leads === undefined || atMs < leads.atMs)) leads = { host, atMs };
      if (l.msg === NODE_DOWN_MSG) downs.push({ host, nodeId: String(l.fields['nodeId'] ?? ''), atMs });
    }
  }
  const sessions: { host: string; atMs: number }[] = [];
  for (const [host, text] of agentLogs) {
    const first = pinoLines(text, killWallMs).find((l) => l.msg === AGENT_SESSION_MSG);
    if (first !== undefined) sessions.push({ host, atMs: first.atMs - killWallMs });
  }
  return { ...(leads !== undefined ? { leads } : {}), downs, sessions };
}

/**
 * The first "became leader" line of swarmkit's raft in a dockerd log (logrus text:
 * `time="2026-11-30T17:56:59.120031712Z" level=info msg="abc became leader at term 5" module=raft`)
 * at or after `sinceWallMs`: its wall time in ms, or undefined.
 */
export function dockerLeaderAtMs(text: string, sinceWallMs: number): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.includes('became leader at term')) continue;
    const atMs = dockerTimeMs(/time="([^"]+)"/.exec(line)?.[1] ?? '');
    if (atMs !== undefined && atMs >= sinceWallMs) return atMs;
  }
  return undefined;
}

/** An RFC 3339 time with up to nanoseconds (Docker's), as wall ms; undefined when it does not parse. */
export function dockerTimeMs(text: string): number | undefined {
  // Date.parse takes milliseconds: the digits after them are cut.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}
