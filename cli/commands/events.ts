// `shoal events`: what happened in the cluster, as the incident timeline (cli/timeline.ts) by
// default — one line per thing that happened to a node or a task — or the store's raw object
// changes (`--raw`, `--format json`). Follows new events until interrupted, or with `--until`
// prints what the managers hold up to then and exits (Docker's `docker events --since 10m
// --until 0s`).

import type { Command } from 'commander';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import type { WatchEvent__Output } from '../../proto/gen/shoal/control/v1/WatchEvent.js';
import { option } from '../../shared/cli-option.js';
import { durationMs } from '../../shared/config.js';
import { invalidArgument } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { Timeline, type TimelineFilters } from '../timeline.js';
import { managerOptions, withManager } from './cluster.js';

/** The kinds `shoal events --filter kind=` takes (the store's object kinds). */
export const KINDS_SHOWN = ['node', 'task', 'service', 'network', 'cluster'] as const;

/** `--since`: a store version (resume after it; 0 = from now), or a time. */
export type Since = { readonly version: number } | { readonly atMs: number };

/** The furthest ahead `--until` may be: a timer's longest delay (about 24.8 days). */
const UNTIL_AHEAD_MS_MAX = 2 ** 31 - 1;

const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

/** A duration ago (`10m`, `1h`, `0s`) or an RFC 3339 time, as ms since the epoch; undefined if neither. */
function timeOf(raw: string, nowMs: number, what: string): number | undefined {
  const v = raw.trim();
  if (RFC3339.test(v)) {
    const ms = Date.parse(v.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  // A unit is required: a bare number is a version for --since.
  if (!/^\d+(\.\d+)?(ms|s|m|h)$/.test(v)) return undefined;
  return nowMs - durationMs(v, what);
}

export function parseSince(raw: string, nowMs: number): Since {
  if (/^\d+$/.test(raw.trim())) {
    const version = Number(raw);
    if (Number.isSafeInteger(version)) return { version };
  }
  const atMs = timeOf(raw, nowMs, '--since');
  if (atMs === undefined) throw invalidArgument('config.invalid', `--since ${JSON.stringify(raw)}: must be a version (the last one seen), a duration ago like 10m, or an RFC 3339 time like 2026-11-30T17:02:03Z`);
  return { atMs };
}

export function parseUntil(raw: string, nowMs: number): number {
  const atMs = timeOf(raw, nowMs, '--until');
  if (atMs === undefined) throw invalidArgument('config.invalid', `--until ${JSON.stringify(raw)}: must be a duration ago like 0s (now) or 5m, or an RFC 3339 time like 2026-11-30T17:02:03Z`);
  return atMs;
}

export interface EventFilters extends TimelineFilters {
  readonly kinds: readonly string[];
}

/** `--filter node=X|task=X|kind=K`, each repeatable: within one key any value, across keys all. */
export function parseFilters(raw: readonly string[]): EventFilters {
  const f = { kinds: [] as string[], nodes: [] as string[], tasks: [] as string[] };
  for (const r of raw) {
    const m = /^(\w+)=(.+)$/.exec(r);
    const key = m?.[1];
    const value = m?.[2] ?? '';
    if (key === 'kind') {
      if (!(KINDS_SHOWN as readonly string[]).includes(value)) throw invalidArgument('config.invalid', `--filter ${JSON.stringify(r)}: must be kind=${KINDS_SHOWN.join('|')}`);
      f.kinds.push(value);
    } else if (key === 'node') f.nodes.push(value);
    else if (key === 'task') f.tasks.push(value);
    else throw invalidArgument('config.invalid', `--filter ${JSON.stringify(r)}: must be node=NODE (hostname or id prefix), task=TASK (name or id prefix) or kind=${KINDS_SHOWN.join('|')}`);
  }
  return f;
}

/** What to ask the managers for, from the command line. */
export interface EventsPlan {
  readonly request: { kinds: string[]; sinceVersion: number; sinceMs: number; noFollow: boolean };
  /** Events written after this are not shown; the stream ends at the first (or at this time). */
  readonly untilMs?: number;
}

export function eventsPlan(o: { since?: string; until?: string; filter?: readonly string[] }, nowMs: number): EventsPlan {
  const filters = parseFilters(o.filter ?? []);
  const since: Since = o.since === undefined ? { version: 0 } : parseSince(o.since, nowMs);
  const untilMs = o.until === undefined ? undefined : parseUntil(o.until, nowMs);
  if (untilMs !== undefined && 'atMs' in since && since.atMs > untilMs) throw invalidArgument('config.invalid', `--since ${o.since ?? ''} is after --until ${o.until ?? ''}`);
  if (untilMs !== undefined && untilMs - nowMs > UNTIL_AHEAD_MS_MAX) throw invalidArgument('config.invalid', `--until ${o.until ?? ''}: at most 24 days ahead`);
  // --until alone: from the oldest event the managers hold, as Docker shows its buffer.
  const sinceMs = 'atMs' in since ? Math.max(since.atMs, 1) : untilMs !== undefined && since.version === 0 ? 1 : 0;
  return {
    request: { kinds: [...filters.kinds], sinceVersion: 'version' in since ? since.version : 0, sinceMs, noFollow: untilMs !== undefined && untilMs <= nowMs },
    ...(untilMs !== undefined ? { untilMs } : {}),
  };
}

/** Today's raw line: one object change. */
function rawLine(e: WatchEvent__Output): string {
  const at = new Date(Number(e.atMs)).toISOString();
  if (e.action === 'truncated') return `${at} truncated (older events are no longer kept by the manager; version ${e.version})`;
  return `${at} ${e.kind} ${e.action} ${e.id} (name=${e.name}, version=${e.version})`;
}

function jsonLine(e: WatchEvent__Output): string {
  const at = new Date(Number(e.atMs)).toISOString();
  const object = e.objectJson === '' ? null : (JSON.parse(e.objectJson) as unknown);
  const previous = e.previousJson === '' ? {} : { previous: JSON.parse(e.previousJson) as unknown };
  return JSON.stringify({ at, version: Number(e.version), kind: e.kind, action: e.action, id: e.id, name: e.name, object, ...previous });
}

export function registerEvents(program: Command, ctx: CliContext): void {
  managerOptions(program.command('events'))
    .description("what happened: nodes down and back, containers placed, running, failed, replaced and stopped, one line each; follows until interrupted, or up to --until")
    .addOption(option('--since <when>', 'from a time: a duration ago (10m) or an RFC 3339 time; or after a version (the last one seen): the changes since come first'))
    .addOption(option('--until <when>', 'up to a time (0s: now; 5m: five minutes ago; or RFC 3339), then exit; alone, from the oldest event the managers hold'))
    .option('--filter <key=value>', `node=NODE (its lines and its tasks', both copies of a replaced one), task=NAME|ID-PREFIX, kind=${KINDS_SHOWN.join('|')} (repeatable)`, (v: string, all: string[] = []) => [...all, v])
    .option('--stale', "with --until: read the manager's own copy, which answers without a leader and may miss the latest writes")
    .option('--raw', "one line per change of an object in the managers' store (kind, action, id, name, version) instead of the timeline")
    .action(
      withManager(async (client, o: { since?: string; until?: string; filter?: string[]; raw?: boolean; stale?: boolean }) => {
        const nowMs = Date.now();
        const plan = eventsPlan(o, nowMs);
        const filters = parseFilters(o.filter ?? []);
        const json = ctx.output().format === 'json';
        const timeline = new Timeline({
          filters,
          onLimit: (limit, value) => process.stderr.write(`shoal: events: the timeline remembers at most ${value} ${limit === 'tasksMax' ? 'tasks' : 'nodes'} (${limit}); older ones are forgotten, so --filter may miss their copies\n`),
        });
        // Hostnames for tasks on nodes that have no event in the window (and node= by hostname).
        if ((!json && o.raw !== true) || filters.nodes.length > 0) {
          try {
            const { nodes } = await client.call<ListNodesResponse__Output>('ListNodes', {}, { stale: true });
            for (const n of nodes) timeline.knowNode(n.id, n.description?.hostname ?? '');
          } catch {
            // Dropped: hostnames only make lines nicer (node ids show instead), and a manager
            // that cannot list will fail the watch below with its own line.
          }
        }

        const stop = new AbortController();
        const interrupt = (): void => stop.abort();
        process.once('SIGINT', interrupt);
        process.once('SIGTERM', interrupt);
        const untilTimer = plan.untilMs !== undefined && !plan.request.noFollow ? setTimeout(interrupt, plan.untilMs - nowMs) : undefined;
        const write = (lines: readonly string[]): void => {
          if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
        };
        try {
          await client.watch(plan.request, (e) => {
            if (stop.signal.aborted) return;
            // The notice's time is the oldest event held, not a change: it is told whatever --until says.
            if (plan.untilMs !== undefined && e.action !== 'truncated' && Number(e.atMs) > plan.untilMs) {
              stop.abort();
              return;
            }
            const out = timeline.push({ ...e, version: Number(e.version), atMs: Number(e.atMs) });
            if (json) write(out.shown ? [jsonLine(e)] : []);
            else if (o.raw === true) write(out.shown ? [rawLine(e)] : []);
            else write(out.lines);
          }, stop.signal, { stale: o.stale === true });
          if (!json && o.raw !== true) write(timeline.finish());
        } finally {
          clearTimeout(untilTimer);
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        }
      }),
    );
}
