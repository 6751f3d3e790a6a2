// Constraints and affinities: parsing what the user wrote into expressions, and matching values.
//
//   expression := KEY OPERATOR VALUE           spaces around KEY and VALUE are dropped
//   OPERATOR   := "==" | "!=" | "==~" | "!=~"   the "~" forms are soft: preferred, not required
//   VALUE      := text, where "*" matches any run of characters (a glob); compared without regard
//                 to case, as swarm mode and Swarm classic compare. Regular expressions (/.../)
//                 are refused rather than taken as text.
//
// Three places carry them (DESIGN.md, "Expressions"):
//   --constraint EXPR     KEY: node.id, node.hostname, node.role, node.labels.K, engine.labels.K
//   -e constraint:EXPR    the same keys, and Swarm classic's: node (id or hostname), any other K = engine.labels.K
//   -e affinity:EXPR      KEY: container (a live task's name), image (an image the node has or ran)
// and Swarm classic's labels com.docker.swarm.constraints / com.docker.swarm.affinities, JSON
// arrays of the env forms without their prefix.

import { invalidArgument, type ShoalError } from '../../shared/errors.js';
import { canonicalReference } from '../../shared/image-reference.js';
import { SCHEDULER_LIMITS, type Labels, type SchedulerLimits } from './types.js';

export type Operator = '==' | '!=';

/** What an expression looks at on a node. */
export type Subject =
  | 'node.id' | 'node.hostname' | 'node' | 'node.role' | 'node.labels' | 'engine.labels'
  | 'container' | 'image';

/** A value to compare: exact (lower case) or a glob (anchored, case-insensitive). */
export interface Pattern {
  readonly exact?: string;
  readonly glob?: RegExp;
}

export interface Expression {
  readonly kind: 'constraint' | 'affinity';
  /** As the user wrote it, trimmed, with its `constraint:`/`affinity:` prefix when it had one: what reasons quote. */
  readonly text: string;
  readonly subject: Subject;
  /** The label's key, for node.labels and engine.labels. */
  readonly labelKey?: string;
  readonly operator: Operator;
  readonly soft: boolean;
  readonly pattern: Pattern;
}

/** A task's rules: the hard ones filter nodes out, the soft ones rank the nodes that satisfy them first. */
export interface Placement {
  readonly hard: readonly Expression[];
  readonly soft: readonly Expression[];
}

export const CONSTRAINTS_LABEL = 'com.docker.swarm.constraints';
export const AFFINITIES_LABEL = 'com.docker.swarm.affinities';
const CONSTRAINT_PREFIX = 'constraint:';
const AFFINITY_PREFIX = 'affinity:';
const SWARM_MODE_KEYS = 'node.id, node.hostname, node.role, node.labels.KEY or engine.labels.KEY';

function bad(kind: 'constraint' | 'affinity', raw: string, why: string): ShoalError {
  return invalidArgument(`scheduler.bad_${kind}`, `${kind} ${JSON.stringify(raw)}: ${why}`, { fields: { [kind]: raw } });
}

/** `a*b` → /^a.*b$/i; every other character stands for itself. */
function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}

export function patternOf(value: string): Pattern {
  return value.includes('*') ? { glob: globToRegExp(value) } : { exact: value.toLowerCase() };
}

/** Whether `value` (any case) matches; exact patterns hold lower case. */
export function matches(pattern: Pattern, value: string): boolean {
  return pattern.glob !== undefined ? pattern.glob.test(value) : value.toLowerCase() === pattern.exact;
}

interface Split {
  readonly key: string;
  readonly operator: Operator;
  readonly soft: boolean;
  readonly value: string;
}

/** Cuts at the first `==` or `!=`; a `~` right after it makes the expression soft. */
function split(kind: 'constraint' | 'affinity', raw: string, body: string): Split {
  const at = body.search(/[=!]=/);
  if (at < 0) throw bad(kind, raw, 'no operator (==, !=, ==~ or !=~)');
  const operator = body.slice(at, at + 2) as Operator;
  const soft = body[at + 2] === '~';
  const key = body.slice(0, at).trim();
  const value = body.slice(at + (soft ? 3 : 2)).trim();
  if (key === '') throw bad(kind, raw, `nothing before ${operator}`);
  if (/\s/.test(key)) throw bad(kind, raw, `the key ${JSON.stringify(key)} has a space in it`);
  if (value === '') throw bad(kind, raw, `nothing after ${operator}${soft ? '~' : ''}`);
  if (value.length >= 2 && value.startsWith('/') && value.endsWith('/')) {
    throw bad(kind, raw, 'regular expressions (/.../) are not supported; use * globs');
  }
  return { key, operator, soft, value };
}

function labelSubject(key: string): { subject: 'node.labels' | 'engine.labels'; labelKey: string } | undefined {
  for (const subject of ['node.labels', 'engine.labels'] as const) {
    if (key.startsWith(`${subject}.`)) return { subject, labelKey: key.slice(subject.length + 1) };
  }
  return undefined;
}

/** The subject of a constraint key; `classic` admits Swarm classic's `node` and bare engine label keys. */
function constraintSubject(raw: string, key: string, classic: boolean): { subject: Subject; labelKey?: string } {
  if (key === 'node.id' || key === 'node.hostname' || key === 'node.role') return { subject: key };
  const label = labelSubject(key);
  if (label !== undefined) {
    if (label.labelKey === '') throw bad('constraint', raw, `${key} names no label`);
    return label;
  }
  if (classic) return key === 'node' ? { subject: 'node' } : { subject: 'engine.labels', labelKey: key };
  throw bad('constraint', raw, `unknown key ${JSON.stringify(key)} (${SWARM_MODE_KEYS})`);
}

function checkLength(kind: 'constraint' | 'affinity', raw: string, limits: SchedulerLimits): void {
  if (raw.length > limits.expressionCharsMax) throw bad(kind, raw.slice(0, 40) + '...', `longer than ${limits.expressionCharsMax} characters`);
}

function constraint(raw: string, text: string, body: string, classic: boolean): Expression {
  const { key, operator, soft, value } = split('constraint', raw, body);
  const { subject, labelKey } = constraintSubject(raw, key, classic);
  if (subject === 'node.role' && !['manager', 'worker'].includes(value.toLowerCase())) {
    throw bad('constraint', raw, `node.role is manager or worker, not ${JSON.stringify(value)}`);
  }
  return { kind: 'constraint', text, subject, ...(labelKey !== undefined ? { labelKey } : {}), operator, soft, pattern: patternOf(value) };
}

function affinity(raw: string, text: string, body: string): Expression {
  const { key, operator, soft, value } = split('affinity', raw, body);
  if (key !== 'container' && key !== 'image') throw bad('affinity', raw, `unknown kind ${JSON.stringify(key)} (container or image)`);
  let pattern = patternOf(value);
  if (key === 'image' && pattern.exact !== undefined) {
    // An exact image is compared in its canonical form, so `redis` names docker.io/library/redis:latest.
    try {
      pattern = { exact: canonicalReference(value).toLowerCase() };
    } catch (err) {
      throw bad('affinity', raw, (err as Error).message);
    }
  }
  return { kind: 'affinity', text, subject: key, operator, soft, pattern };
}

/** A `--constraint` value (swarm mode's keys). Throws `scheduler.bad_constraint` naming what is wrong. */
export function parseConstraint(raw: string, limits: SchedulerLimits = SCHEDULER_LIMITS): Expression {
  checkLength('constraint', raw, limits);
  return constraint(raw, raw.trim(), raw, false);
}

/**
 * An `-e` entry: its expression when it starts with `constraint:` or `affinity:`, else undefined
 * (an ordinary environment variable). Throws `scheduler.bad_constraint`/`bad_affinity`.
 */
export function parseEnvEntry(raw: string, limits: SchedulerLimits = SCHEDULER_LIMITS): Expression | undefined {
  if (raw.startsWith(CONSTRAINT_PREFIX)) {
    checkLength('constraint', raw, limits);
    return constraint(raw, raw.trim(), raw.slice(CONSTRAINT_PREFIX.length), true);
  }
  if (raw.startsWith(AFFINITY_PREFIX)) {
    checkLength('affinity', raw, limits);
    return affinity(raw, raw.trim(), raw.slice(AFFINITY_PREFIX.length));
  }
  return undefined;
}

/** Swarm classic's label form: a JSON array of strings, each read as the env form without its prefix. */
function fromLabel(labels: Labels, name: string, prefix: string): string[] {
  const raw = labels[name];
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'string')) {
    throw invalidArgument('scheduler.bad_label', `label ${name}: must be a JSON array of strings, like ["${prefix === CONSTRAINT_PREFIX ? 'node==h2' : 'container==web'}"]`, { fields: { label: name } });
  }
  return (parsed as string[]).map((e) => `${prefix}${e}`);
}

export interface PlacementInput {
  readonly constraints: readonly string[];
  readonly env: readonly string[];
  readonly labels: Labels;
}

/**
 * A task's rules from the three places that carry them. Throws a ShoalError
 * (`scheduler.bad_constraint`, `bad_affinity`, `bad_label`, `too_many_expressions`) whose message
 * names the expression and what is wrong with it: the API refuses such a task with it.
 */
export function parsePlacement(input: PlacementInput, limits: SchedulerLimits = SCHEDULER_LIMITS): Placement {
  const fromEnv = [...input.env, ...fromLabel(input.labels, CONSTRAINTS_LABEL, CONSTRAINT_PREFIX), ...fromLabel(input.labels, AFFINITIES_LABEL, AFFINITY_PREFIX)];
  const all: Expression[] = input.constraints.map((c) => parseConstraint(c, limits));
  for (const entry of fromEnv) {
    const e = parseEnvEntry(entry, limits);
    if (e !== undefined) all.push(e);
  }
  if (all.length > limits.expressionsPerTaskMax) {
    throw invalidArgument('scheduler.too_many_expressions', `a task may carry at most ${limits.expressionsPerTaskMax} constraints and affinities, this one has ${all.length}`);
  }
  return { hard: all.filter((e) => !e.soft), soft: all.filter((e) => e.soft) };
}
