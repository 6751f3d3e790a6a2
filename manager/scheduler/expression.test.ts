// Parsing constraints and affinities: the three places that carry them, hard and soft, globs, and
// a one-line refusal naming what is wrong for each kind of bad input.

import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { matches, parseConstraint, parseEnvEntry, parsePlacement, patternOf, type Expression } from './expression.js';
import { SCHEDULER_LIMITS } from './types.js';

function refusal(fn: () => unknown): ShoalError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return err as ShoalError;
  }
  throw new Error('expected a refusal');
}

const env = (raw: string): Expression => {
  const e = parseEnvEntry(raw);
  if (e === undefined) throw new Error(`${raw} is not an expression`);
  return e;
};

describe('--constraint (swarm mode keys)', () => {
  it('reads each key with == and !=', () => {
    expect(parseConstraint('node.id==abc')).toMatchObject({ kind: 'constraint', subject: 'node.id', operator: '==', soft: false, pattern: { exact: 'abc' } });
    expect(parseConstraint('node.hostname!=h2')).toMatchObject({ subject: 'node.hostname', operator: '!=' });
    expect(parseConstraint('node.role==manager')).toMatchObject({ subject: 'node.role', pattern: { exact: 'manager' } });
    expect(parseConstraint('node.labels.zone==b')).toMatchObject({ subject: 'node.labels', labelKey: 'zone', text: 'node.labels.zone==b' });
    expect(parseConstraint('engine.labels.com.example.disk==ssd')).toMatchObject({ subject: 'engine.labels', labelKey: 'com.example.disk' });
  });

  it('drops spaces around the key and the value, and keeps the text trimmed for reasons', () => {
    expect(parseConstraint('  node.labels.zone ==  b ')).toMatchObject({ labelKey: 'zone', pattern: { exact: 'b' }, text: 'node.labels.zone ==  b' });
  });

  it('reads ==~ and !=~ as soft', () => {
    expect(parseConstraint('node.labels.zone==~b')).toMatchObject({ operator: '==', soft: true, pattern: { exact: 'b' } });
    expect(parseConstraint('node.role!=~manager')).toMatchObject({ operator: '!=', soft: true });
  });

  it('refuses a key swarm mode does not know, naming the keys it does', () => {
    const e = refusal(() => parseConstraint('zone==b'));
    expect(e.code).toBe('scheduler.bad_constraint');
    expect(e.message).toBe('constraint "zone==b": unknown key "zone" (node.id, node.hostname, node.role, node.labels.KEY or engine.labels.KEY)');
  });

  it('refuses malformed expressions in one line each', () => {
    expect(refusal(() => parseConstraint('node.labels.zone=b')).message).toBe('constraint "node.labels.zone=b": no operator (==, !=, ==~ or !=~)');
    expect(refusal(() => parseConstraint('==b')).message).toBe('constraint "==b": nothing before ==');
    expect(refusal(() => parseConstraint('node.labels.zone==')).message).toBe('constraint "node.labels.zone==": nothing after ==');
    expect(refusal(() => parseConstraint('node.labels.zone!=~ ')).message).toBe('constraint "node.labels.zone!=~ ": nothing after !=~');
    expect(refusal(() => parseConstraint('node.labels.==b')).message).toBe('constraint "node.labels.==b": node.labels. names no label');
    expect(refusal(() => parseConstraint('node labels==b')).message).toBe('constraint "node labels==b": the key "node labels" has a space in it');
    expect(refusal(() => parseConstraint('node.role==boss')).message).toBe('constraint "node.role==boss": node.role is manager or worker, not "boss"');
  });

  it('refuses regular expressions rather than reading them as text', () => {
    expect(refusal(() => parseConstraint('node.hostname==/h[0-9]/')).message).toBe('constraint "node.hostname==/h[0-9]/": regular expressions (/.../) are not supported; use * globs');
  });

  it('refuses an expression longer than expressionCharsMax', () => {
    const long = `node.labels.zone==${'b'.repeat(SCHEDULER_LIMITS.expressionCharsMax)}`;
    expect(refusal(() => parseConstraint(long)).message).toMatch(/^constraint "node\.labels\.zone==b+\.\.\.": longer than 1024 characters$/);
  });
});

describe('-e entries (Swarm classic)', () => {
  it('ignores ordinary environment variables', () => {
    expect(parseEnvEntry('PATH=/bin')).toBeUndefined();
    expect(parseEnvEntry('reschedule:on-node-failure')).toBeUndefined();
  });

  it('reads constraint:node==X as the node id or hostname, and constraint:K==V as engine label K', () => {
    expect(env('constraint:node==h2')).toMatchObject({ subject: 'node', text: 'constraint:node==h2' });
    expect(env('constraint:storage==ssd')).toMatchObject({ subject: 'engine.labels', labelKey: 'storage' });
    expect(env('constraint:region!=~us-*')).toMatchObject({ subject: 'engine.labels', labelKey: 'region', operator: '!=', soft: true });
  });

  it("reads swarm mode's keys in the env form too", () => {
    expect(env('constraint:node.labels.zone==b')).toMatchObject({ subject: 'node.labels', labelKey: 'zone' });
    expect(env('constraint:node.role==worker')).toMatchObject({ subject: 'node.role' });
  });

  it('reads container and image affinities, hard and soft', () => {
    expect(env('affinity:container==web')).toMatchObject({ kind: 'affinity', subject: 'container', operator: '==', soft: false });
    expect(env('affinity:container!=web')).toMatchObject({ operator: '!=' });
    expect(env('affinity:image==~redis')).toMatchObject({ subject: 'image', soft: true });
  });

  it('compares an exact image in its canonical form', () => {
    expect(env('affinity:image==redis').pattern).toEqual({ exact: 'docker.io/library/redis:latest' });
    expect(env('affinity:image==registry.local:5000/app:2').pattern).toEqual({ exact: 'registry.local:5000/app:2' });
    expect(env('affinity:image==redis:*').pattern.glob).toBeInstanceOf(RegExp);
  });

  it('refuses an unknown affinity and an image reference that does not parse', () => {
    const e = refusal(() => parseEnvEntry('affinity:com.example.type==frontend'));
    expect(e.code).toBe('scheduler.bad_affinity');
    expect(e.message).toBe('affinity "affinity:com.example.type==frontend": unknown kind "com.example.type" (container or image)');
    expect(refusal(() => parseEnvEntry('affinity:image==Redis!')).message).toMatch(/^affinity "affinity:image==Redis!": image reference "Redis!" is not valid: /);
    expect(refusal(() => parseEnvEntry('constraint:')).message).toBe('constraint "constraint:": no operator (==, !=, ==~ or !=~)');
  });
});

describe('parsePlacement', () => {
  it('gathers --constraint, -e and the com.docker.swarm labels, and splits hard from soft', () => {
    const p = parsePlacement({
      constraints: ['node.role==worker'],
      env: ['A=1', 'constraint:zone==~b', 'affinity:container!=web'],
      labels: { 'com.docker.swarm.constraints': '["node==h1"]', 'com.docker.swarm.affinities': '["image==~redis"]' },
    });
    expect(p.hard.map((e) => e.text)).toEqual(['node.role==worker', 'affinity:container!=web', 'constraint:node==h1']);
    expect(p.soft.map((e) => e.text)).toEqual(['constraint:zone==~b', 'affinity:image==~redis']);
  });

  it('refuses a com.docker.swarm label that is not a JSON array of strings', () => {
    const e = refusal(() => parsePlacement({ constraints: [], env: [], labels: { 'com.docker.swarm.constraints': 'node==h1' } }));
    expect(e.code).toBe('scheduler.bad_label');
    expect(e.message).toBe('label com.docker.swarm.constraints: must be a JSON array of strings, like ["node==h2"]');
  });

  it('refuses more than expressionsPerTaskMax expressions', () => {
    const constraints = Array.from({ length: 3 }, (_, i) => `node.labels.k${i}==v`);
    const e = refusal(() => parsePlacement({ constraints, env: [], labels: {} }, { ...SCHEDULER_LIMITS, expressionsPerTaskMax: 2 }));
    expect(e.message).toBe('a task may carry at most 2 constraints and affinities, this one has 3');
  });
});

describe('patterns', () => {
  it('match exactly, without regard to case', () => {
    expect(matches(patternOf('SSD'), 'ssd')).toBe(true);
    expect(matches(patternOf('ssd'), 'ssd2')).toBe(false);
  });

  it('read * as any run of characters and everything else as itself', () => {
    expect(matches(patternOf('us-*'), 'us-east-1')).toBe(true);
    expect(matches(patternOf('us-*'), 'eu-west-1')).toBe(false);
    expect(matches(patternOf('*'), '')).toBe(true);
    expect(matches(patternOf('h?.*'), 'h?.x')).toBe(true);
    expect(matches(patternOf('h?.*'), 'h1.x')).toBe(false);
    expect(matches(patternOf('a.b*'), 'aXb')).toBe(false);
    expect(matches(patternOf('(x)*'), '(x)y')).toBe(true);
  });
});
