// The incident timeline of `shoal events`: the store's changes (Control.Watch events, each
// update with the object before it) turned into one human line per thing that happened to a node
// or a task — down, back, ready; created, placed, running, failed, orphaned, replaced (old copy on
// node A → new copy), stopped, removed. Version-only rewrites (the orchestrator's compare-and-set
// on a node, a description reported again) say nothing and print nothing. Pure: events in,
// lines out; the CLI prints them (commands/events.ts).
//
// What it remembers, each bounded (`TIMELINE_LIMITS`, least recently seen forgotten first):
// node ids → hostnames (to say "on h4"), and per task its name, node and the copies it replaces
// or was replaced by (for `--filter node=` to keep both copies of a replaced task, and `task=`
// an id prefix across its copies). A replacement is one transaction of two events (the old task
// marked replacedBy, the new one created with replaces): the line is written when both halves
// are in, or at the end of their transaction (a half alone, e.g. an old manager's stream).

/** The fields of a watch event the timeline reads (proto WatchEvent, longs as numbers). */
export interface TimelineInput {
  readonly action: string;
  readonly kind: string;
  readonly id: string;
  readonly version: number;
  readonly atMs: number;
  readonly objectJson: string;
  /** On an update, the object before it ('' or absent: unknown, e.g. an older manager). */
  readonly previousJson?: string;
}

export interface TimelineLimits {
  /** Tasks remembered (name, node, copies); about 200 bytes each. */
  readonly tasksMax: number;
  /** Node hostnames remembered. */
  readonly nodesMax: number;
}

export const TIMELINE_LIMITS: TimelineLimits = { tasksMax: 10_000, nodesMax: 10_000 };

/** `--filter node=X` (id, id prefix or hostname) and `task=X` (name or id prefix); empty: all. */
export interface TimelineFilters {
  readonly nodes: readonly string[];
  readonly tasks: readonly string[];
}

export interface TimelineOptions {
  readonly filters?: TimelineFilters;
  /** Times in UTC rather than the local zone (tests; `TZ=UTC` does the same for the CLI). */
  readonly utc?: boolean;
  readonly limits?: Partial<TimelineLimits>;
  /** Told once per limit, the first time it makes the timeline forget something. */
  readonly onLimit?: (limit: keyof TimelineLimits, value: number) => void;
}

export interface TimelineOutput {
  /** What to print, in order (a day line first when the day changed). */
  readonly lines: readonly string[];
  /** Whether the event itself passes the filters (for the raw forms of `shoal events`). */
  readonly shown: boolean;
}

// ---- the objects as the store writes them (the fields read here; all optional: JSON) ----------

interface NodeView {
  readonly spec?: { readonly hostname?: string; readonly role?: string; readonly availability?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly status?: { readonly state?: string; readonly message?: string };
}
interface TaskView {
  readonly spec?: { readonly name?: string; readonly nodeId?: string; readonly image?: string; readonly desiredState?: string; readonly replacedBy?: string; readonly replaces?: string };
  readonly status?: { readonly state?: string; readonly message?: string; readonly containerId?: string; readonly pendingReason?: string };
}
interface OtherView {
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** What is known of a task after its events so far. */
interface TaskFacts {
  readonly name: string;
  readonly nodeId: string | undefined;
  readonly replaces: string | undefined;
  readonly replacedBy: string | undefined;
}

/** One half, or both, of a replacement, keyed by the old task's id. */
interface Pair {
  readonly oldId: string;
  newId?: string | undefined;
  name: string;
  oldNodeId?: string | undefined;
  /** The old copy's state after it (orphaned: its node is down; else a drain keeps it running). */
  oldState?: string | undefined;
  newState?: string | undefined;
  atMs: number;
  haveOld: boolean;
  haveNew: boolean;
}

/** Docker's short id. */
export const SHORT_ID_CHARS = 12;
const short = (id: string | undefined): string => (id ?? '').slice(0, SHORT_ID_CHARS);
/** Names narrower than this are padded, so that the lines of one screen line up. */
const NAME_WIDTH = 8;
/** States the agent passes through on the way to running: progress, not news. */
const PROGRESS_STATES = new Set(['new', 'assigned', 'accepted', 'preparing', 'starting']);
/** The agent's message while a running task waits out its restart backoff (agent/worker/restarts.ts). */
const RESTARTING_PREFIX = 'restarting: ';

const parse = <T>(json: string | undefined): T | undefined => (json === undefined || json === '' ? undefined : (JSON.parse(json) as T));
const paren = (s: string | undefined): string => (s === undefined || s === '' ? '' : ` (${s})`);

/** A Map that forgets its least recently set or read entries beyond `max`. */
class Bounded<V> {
  private readonly map = new Map<string, V>();
  constructor(
    private readonly max: number,
    private readonly onEvict: () => void,
  ) {}

  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.max) {
      this.map.delete(this.map.keys().next().value as string);
      this.onEvict();
    }
  }

  delete(k: string): void {
    this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }
}

export class Timeline {
  private readonly filters: TimelineFilters;
  private readonly nodeNames: Bounded<string>;
  /** When each node that is down now was written down (for "0.42 s after w1 went down"). */
  private readonly nodesDownAt: Bounded<number>;
  private readonly tasks: Bounded<TaskFacts>;
  /** Halves of replacements of the transaction being read (flushed when its version ends). */
  private pairs = new Map<string, Pair>();
  private version = -1;
  private day = '';
  private readonly limitsTold = new Set<keyof TimelineLimits>();

  constructor(private readonly options: TimelineOptions = {}) {
    const limits = { ...TIMELINE_LIMITS, ...options.limits };
    this.filters = options.filters ?? { nodes: [], tasks: [] };
    this.nodeNames = new Bounded(limits.nodesMax, () => this.limitHit('nodesMax', limits.nodesMax));
    this.nodesDownAt = new Bounded(limits.nodesMax, () => this.limitHit('nodesMax', limits.nodesMax));
    this.tasks = new Bounded(limits.tasksMax, () => this.limitHit('tasksMax', limits.tasksMax));
  }

  /** A node's hostname known beforehand (`ListNodes`), for tasks on nodes that have no event. */
  knowNode(id: string, hostname: string): void {
    if (hostname !== '') this.nodeNames.set(id, hostname);
  }

  /** Tasks remembered now (for tests of the bound). */
  get tasksRemembered(): number {
    return this.tasks.size;
  }

  push(e: TimelineInput): TimelineOutput {
    const lines: string[] = [];
    if (e.version !== this.version) {
      lines.push(...this.flushPairs());
      this.version = e.version;
    }
    if (e.action === 'truncated') {
      const since = e.atMs > 0 ? `before ${this.dayText(e.atMs)} ${this.timeText(e.atMs)} ` : '';
      lines.push(`(events ${since}are no longer kept by the manager: the timeline starts there)`);
      return { lines, shown: true };
    }
    if (e.kind === 'node') return this.node(e, lines);
    if (e.kind === 'task') return this.task(e, lines);
    return this.other(e, lines);
  }

  /** The end of the stream: a replacement whose second half never came is still told. */
  finish(): string[] {
    return this.flushPairs();
  }

  // ---- nodes --------------------------------------------------------------------------------

  private node(e: TimelineInput, lines: string[]): TimelineOutput {
    const a = parse<NodeView>(e.objectJson) ?? {};
    const b = parse<NodeView>(e.previousJson);
    const hostname = a.spec?.hostname ?? '';
    this.knowNode(e.id, hostname);
    if (a.status?.state === 'down' && b?.status?.state !== 'down') this.nodesDownAt.set(e.id, e.atMs);
    else if (a.status?.state !== 'down') this.nodesDownAt.delete(e.id);
    const shown = this.nodeShown(e.id);
    if (!shown) return { lines, shown };
    const text = nodeText(e.action, a, b);
    if (text !== undefined) this.line(lines, e.atMs, 'node', hostname || short(e.id), text);
    return { lines, shown };
  }

  private nodeMatches(nodeId: string | undefined): boolean {
    if (nodeId === undefined) return false;
    const hostname = this.nodeNames.get(nodeId);
    return this.filters.nodes.some((f) => f === hostname || nodeId.startsWith(f));
  }

  private nodeShown(nodeId: string): boolean {
    if (this.filters.nodes.length > 0) return this.nodeMatches(nodeId);
    return this.filters.tasks.length === 0;
  }

  // ---- tasks --------------------------------------------------------------------------------

  private task(e: TimelineInput, lines: string[]): TimelineOutput {
    const a = parse<TaskView>(e.objectJson) ?? {};
    const b = parse<TaskView>(e.previousJson);
    const facts = this.learnTask(e.id, a);
    const shown = this.taskShown(e.id);
    const name = facts.name;
    const say = (text: string | undefined): void => {
      if (text !== undefined && shown) this.line(lines, e.atMs, 'task', name, `${short(e.id)} ${text}`);
    };
    if (e.action === 'create' && a.spec?.replaces !== undefined) {
      this.half(a.spec.replaces, { newId: e.id, name, newState: a.status?.state ?? 'pending', atMs: e.atMs, haveNew: true }, lines);
    } else if (e.action === 'update' && a.spec?.replacedBy !== undefined && b?.spec?.replacedBy === undefined) {
      this.half(e.id, { newId: a.spec.replacedBy, name, oldNodeId: a.spec.nodeId, oldState: a.status?.state, atMs: e.atMs, haveOld: true }, lines);
    } else if (e.action === 'create') {
      say(`created${paren(a.spec?.image)}${a.spec?.nodeId !== undefined ? ` on ${this.nodeName(a.spec.nodeId)}` : ''}`);
    } else if (e.action === 'remove') {
      // A replaced copy was told stopped already; its deletion is bookkeeping.
      if (!(a.spec?.replacedBy !== undefined && a.status?.state === 'shutdown')) say('removed');
    } else {
      say(this.taskUpdateText(a, b, facts, e.atMs));
    }
    return { lines, shown };
  }

  /** One line for an update: the most telling change, or none for a rewrite that changes nothing shown. */
  private taskUpdateText(a: TaskView, b: TaskView | undefined, facts: TaskFacts, atMs: number): string | undefined {
    const state = a.status?.state ?? '';
    const nodeId = a.spec?.nodeId;
    const on = nodeId !== undefined ? ` on ${this.nodeName(nodeId)}` : '';
    const placed = nodeId !== undefined && b?.spec?.nodeId !== nodeId;
    const message = a.status?.message;
    if (b === undefined || b.status?.state !== state) {
      if (placed && (PROGRESS_STATES.has(state) || state === 'pending')) return `placed${on}`;
      switch (state) {
        case 'pending':
          return `pending${a.status?.pendingReason !== undefined ? `: ${a.status.pendingReason}` : ''}`;
        case 'running':
          return `${b?.status?.state === 'orphaned' ? 'running again' : 'running'}${on}${a.status?.containerId !== undefined ? ` (container ${short(a.status.containerId)})` : ''}${this.replacing(facts, atMs)}`;
        case 'complete':
          return `complete${on}${paren(message)}`;
        case 'failed':
        case 'rejected':
          return `${state}${on}${message !== undefined && message !== '' ? `: ${message}` : ''}`;
        case 'shutdown':
          return `stopped${on}${a.spec?.replacedBy !== undefined ? ` (replaced by ${short(a.spec.replacedBy)})` : ''}`;
        case 'orphaned':
          return `orphaned${on}${paren(message)}`;
        default:
          // Progress on the agent (accepted, preparing, starting): not news.
          if (b !== undefined) return undefined;
      }
    }
    if (placed) return `placed${on}`;
    const desired = a.spec?.desiredState;
    if (b !== undefined && desired !== undefined && desired !== b.spec?.desiredState) {
      if (desired === 'remove' && a.spec?.replacedBy !== undefined) return `to be stopped${on} (replaced by ${short(a.spec.replacedBy)})`;
      return `desired ${desired}${on}`;
    }
    if (b === undefined) return undefined;
    if (state === 'pending' && a.status?.pendingReason !== undefined && a.status.pendingReason !== b.status?.pendingReason) return `pending: ${a.status.pendingReason}`;
    if (state === 'running' && a.status?.containerId !== undefined && b.status?.containerId !== undefined && a.status.containerId !== b.status.containerId) {
      return `restarted${on} (container ${short(a.status.containerId)})`;
    }
    if (state === 'running' && message?.startsWith(RESTARTING_PREFIX) === true && message !== b.status?.message) return `${message}${on}`;
    return undefined;
  }

  /**
   * For a replacement's first `running`: what it replaces and where, and how long after that
   * node was written down (the figure that matters in a node failure), when the timeline saw it.
   */
  private replacing(facts: TaskFacts, atMs: number): string {
    if (facts.replaces === undefined) return '';
    const oldNodeId = this.tasks.get(facts.replaces)?.nodeId;
    if (oldNodeId === undefined) return `, replacing ${short(facts.replaces)}`;
    const downAt = this.nodesDownAt.get(oldNodeId);
    const after = downAt === undefined || atMs < downAt ? '' : ` (${secondsText(atMs - downAt)} after ${this.nodeName(oldNodeId)} went down)`;
    return `, replacing ${short(facts.replaces)} on ${this.nodeName(oldNodeId)}${after}`;
  }

  private learnTask(id: string, a: TaskView): TaskFacts {
    const known = this.tasks.get(id);
    const facts: TaskFacts = {
      name: a.spec?.name ?? known?.name ?? '',
      nodeId: a.spec?.nodeId ?? known?.nodeId,
      replaces: a.spec?.replaces ?? known?.replaces,
      replacedBy: a.spec?.replacedBy ?? known?.replacedBy,
    };
    this.tasks.set(id, facts);
    return facts;
  }

  /** A task's own facts and its copies' (the task it replaces, the one that replaced it). */
  private copies(id: string): { id: string; facts: TaskFacts | undefined }[] {
    const facts = this.tasks.get(id);
    const out = [{ id, facts }];
    for (const other of [facts?.replaces, facts?.replacedBy]) if (other !== undefined) out.push({ id: other, facts: this.tasks.get(other) });
    return out;
  }

  private taskShown(id: string): boolean {
    const copies = this.copies(id);
    const onNode = this.filters.nodes.length === 0 || copies.some((c) => this.nodeMatches(c.facts?.nodeId));
    const isTask = this.filters.tasks.length === 0 || copies.some((c) => this.filters.tasks.some((f) => c.id.startsWith(f) || f === c.facts?.name));
    return onNode && isTask;
  }

  // ---- replacements -------------------------------------------------------------------------

  private half(oldId: string, part: Partial<Pair> & { name: string; atMs: number }, lines: string[]): void {
    const pair: Pair = this.pairs.get(oldId) ?? { oldId, name: part.name, atMs: part.atMs, haveOld: false, haveNew: false };
    Object.assign(pair, Object.fromEntries(Object.entries(part).filter(([, v]) => v !== undefined)));
    this.pairs.set(oldId, pair);
    if (pair.haveOld && pair.haveNew) {
      this.pairs.delete(oldId);
      lines.push(...this.pairLines(pair));
    }
  }

  private flushPairs(): string[] {
    const lines = [...this.pairs.values()].flatMap((p) => this.pairLines(p));
    this.pairs = new Map();
    return lines;
  }

  /** `task web  3f2a1c4d5e6f replaced on h4 (node down) → 9be0d2a1b2c3 (pending)`, if shown. */
  private pairLines(p: Pair): string[] {
    if (!this.taskShown(p.oldId) && (p.newId === undefined || !this.taskShown(p.newId))) return [];
    const oldNodeId = p.oldNodeId ?? this.tasks.get(p.oldId)?.nodeId;
    const on = oldNodeId !== undefined ? ` on ${this.nodeName(oldNodeId)}` : '';
    const why = p.oldState === 'orphaned' ? ' (node down)' : p.oldState !== undefined ? ` (still ${p.oldState})` : '';
    const to = p.newId !== undefined ? ` → ${short(p.newId)}${paren(p.newState)}` : '';
    const lines: string[] = [];
    this.line(lines, p.atMs, 'task', p.name, `${short(p.oldId)} replaced${on}${why}${to}`);
    return lines;
  }

  // ---- services, networks, the cluster ------------------------------------------------------

  private other(e: TimelineInput, lines: string[]): TimelineOutput {
    const shown = this.filters.nodes.length === 0 && this.filters.tasks.length === 0;
    if (!shown) return { lines, shown };
    const a = parse<OtherView>(e.objectJson) ?? {};
    const b = parse<OtherView>(e.previousJson);
    const name = typeof a.spec?.['name'] === 'string' ? a.spec['name'] : short(e.id);
    let text: string | undefined = e.action === 'create' ? 'created' : e.action === 'remove' ? 'removed' : 'updated';
    if (e.action === 'update' && b !== undefined) {
      const changed = specChanges(a.spec ?? {}, b.spec ?? {});
      text = changed.length > 0 ? `updated: ${changed.join(', ')}` : undefined;
    }
    if (text !== undefined) this.line(lines, e.atMs, e.kind, name, text);
    return { lines, shown };
  }

  // ---- the line -------------------------------------------------------------------------------

  private nodeName(nodeId: string): string {
    return this.nodeNames.get(nodeId) ?? short(nodeId);
  }

  private line(lines: string[], atMs: number, kind: string, name: string, text: string): void {
    const day = this.dayText(atMs);
    if (day !== this.day) {
      lines.push(`--- ${day} (${this.zoneText(atMs)}) ---`);
      this.day = day;
    }
    lines.push(`${this.timeText(atMs)}  ${kind.padEnd(4)} ${name.padEnd(NAME_WIDTH)} ${text}`);
  }

  private parts(atMs: number): number[] {
    const d = new Date(atMs);
    return this.options.utc === true
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  }

  private dayText(atMs: number): string {
    const [y, mo, d] = this.parts(atMs);
    return `${y}-${pad(mo, 2)}-${pad(d, 2)}`;
  }

  private timeText(atMs: number): string {
    const [, , , h, mi, s, ms] = this.parts(atMs);
    return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
  }

  private zoneText(atMs: number): string {
    if (this.options.utc === true) return 'UTC';
    const east = -new Date(atMs).getTimezoneOffset();
    return `UTC${east < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(east) / 60), 2)}:${pad(Math.abs(east) % 60, 2)}`;
  }

  private limitHit(limit: keyof TimelineLimits, value: number): void {
    if (this.limitsTold.has(limit)) return;
    this.limitsTold.add(limit);
    this.options.onLimit?.(limit, value);
  }
}

const pad = (n: number | undefined, width: number): string => String(n ?? 0).padStart(width, '0');
const secondsText = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** A node's line for an event, or undefined when nothing shown changed. */
function nodeText(action: string, a: NodeView, b: NodeView | undefined): string | undefined {
  const state = a.status?.state ?? 'unknown';
  const message = a.status?.message;
  if (action === 'create') return `joined as ${a.spec?.role ?? 'worker'}${state !== 'unknown' ? `, ${state}` : ''}`;
  if (action === 'remove') return 'removed';
  const changes: string[] = [];
  // `unknown` with a word is a node between states that says which: "back; stopping 2 replaced
  // containers first" (manager/dispatcher/node-return.ts) reads better alone.
  const stateText = state === 'unknown' && message !== undefined && message !== '' ? message : `${state}${paren(message)}`;
  if (b === undefined || b.status?.state !== state) changes.push(stateText);
  // Same state, a new word from the managers: "back; stopping 2 replaced containers".
  else if (message !== undefined && message !== '' && message !== b.status?.message) changes.push(message);
  if (b !== undefined) {
    if (a.spec?.availability !== b.spec?.availability && a.spec?.availability !== undefined) changes.push(`availability ${a.spec.availability}`);
    if (a.spec?.role !== b.spec?.role && a.spec?.role !== undefined) changes.push(`role ${a.spec.role}`);
    const labels = labelsText(a.spec?.labels);
    if (labels !== labelsText(b.spec?.labels)) changes.push(`labels ${labels === '' ? 'none' : labels}`);
  }
  return changes.length > 0 ? changes.join('; ') : undefined;
}

const labelsText = (labels: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(labels ?? {})
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** `key old → new` for each field of a spec that changed (objects shown as changed). */
function specChanges(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const text = (v: unknown): string => (v === undefined ? 'none' : typeof v === 'object' ? 'changed' : String(v));
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => (typeof a[k] === 'object' || typeof b[k] === 'object' ? `${k} changed` : `${k} ${text(b[k])} → ${text(a[k])}`));
}
