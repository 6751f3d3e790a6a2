import { describe, expect, it } from 'vitest';
import { eventsPlan, parseFilters, parseSince, parseUntil } from './events.js';

const NOW = Date.UTC(2026, 10, 30, 17, 10, 0, 0);

describe('shoal events: --since, --until, --filter', () => {
  it('--since takes a version as before, a duration ago, or an RFC 3339 time', () => {
    expect(parseSince('0', NOW)).toEqual({ version: 0 });
    expect(parseSince('1234', NOW)).toEqual({ version: 1234 });
    expect(parseSince('10m', NOW)).toEqual({ atMs: NOW - 600_000 });
    expect(parseSince('1.5h', NOW)).toEqual({ atMs: NOW - 5_400_000 });
    expect(parseSince('2026-11-30T17:02:03.412Z', NOW)).toEqual({ atMs: Date.UTC(2026, 10, 30, 17, 2, 3, 412) });
    expect(parseSince('2026-11-30T18:02:03+01:00', NOW)).toEqual({ atMs: Date.UTC(2026, 10, 30, 17, 2, 3) });
  });

  it('refuses anything else in one line naming the option', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow('--since "yesterday": must be a version (the last one seen), a duration ago like 10m, or an RFC 3339 time like 2026-11-30T17:02:03Z');
    expect(() => parseSince('-5', NOW)).toThrow(/^--since "-5": must be/);
    expect(() => parseSince('2026-11-30', NOW)).toThrow(/^--since "2026-11-30": must be/);
    expect(() => parseSince('9999h', NOW)).toThrow('--since: "9999h" is not a duration under 24 days');
    expect(() => parseUntil('12', NOW)).toThrow('--until "12": must be a duration ago like 0s (now) or 5m, or an RFC 3339 time like 2026-11-30T17:02:03Z');
    expect(parseUntil('0s', NOW)).toBe(NOW);
  });

  it('--filter: node=, task= and kind= (the kinds as before), anything else refused', () => {
    expect(parseFilters(['node=h4', 'task=web', 'task=3f2a', 'kind=task'])).toEqual({ nodes: ['h4'], tasks: ['web', '3f2a'], kinds: ['task'] });
    expect(() => parseFilters(['kind=pets'])).toThrow('--filter "kind=pets": must be kind=node|task|service|network|cluster');
    expect(() => parseFilters(['name=web'])).toThrow('--filter "name=web": must be node=NODE (hostname or id prefix), task=TASK (name or id prefix) or kind=node|task|service|network|cluster');
    expect(() => parseFilters(['node='])).toThrow(/^--filter "node=": must be/);
  });

  it('plans the watch: follow from now, from a version, from a time; --until now or past ends it, a future one follows', () => {
    expect(eventsPlan({}, NOW)).toEqual({ request: { kinds: [], sinceVersion: 0, sinceMs: 0, noFollow: false } });
    expect(eventsPlan({ since: '42', filter: ['kind=node'] }, NOW)).toEqual({ request: { kinds: ['node'], sinceVersion: 42, sinceMs: 0, noFollow: false } });
    expect(eventsPlan({ since: '10m', until: '0s' }, NOW)).toEqual({ request: { kinds: [], sinceVersion: 0, sinceMs: NOW - 600_000, noFollow: true }, untilMs: NOW });
    expect(eventsPlan({ since: '10m', until: '5m' }, NOW)).toMatchObject({ request: { noFollow: true }, untilMs: NOW - 300_000 });
    expect(eventsPlan({ since: '10m', until: '2026-11-30T18:00:00Z' }, NOW)).toMatchObject({ request: { noFollow: false }, untilMs: Date.UTC(2026, 10, 30, 18) });
    // --until alone: from the oldest event held, as Docker's buffer.
    expect(eventsPlan({ until: '0s' }, NOW).request).toEqual({ kinds: [], sinceVersion: 0, sinceMs: 1, noFollow: true });
    expect(() => eventsPlan({ since: '5m', until: '10m' }, NOW)).toThrow('--since 5m is after --until 10m');
    expect(() => eventsPlan({ until: '2027-01-01T00:00:00Z' }, NOW)).toThrow('--until 2027-01-01T00:00:00Z: at most 24 days ahead');
  });
});
