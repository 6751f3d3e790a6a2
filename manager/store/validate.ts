// Checks for untrusted data (commands from the network, snapshots from disk or a leader): each
// returns a fresh plain object holding only the known fields, or throws `store.bad_command` with
// a message that names the field. Unknown fields are refused rather than kept, so that a newer
// manager's field is never silently dropped by an older one.

import { invalidArgument, type ShoalError } from '../../shared/errors.js';
import {
  type ClusterSpec, type ClusterStatus, type NetworkSpec, type NetworkStatus, type NodeDescription, type NodeSpec, type NodeStatus,
  type PublishedPort, type Resources, type RestartPolicy, type ServiceSpec, type ServiceStatus, type TaskPlacement, type TaskResources, type TaskSpec, type TaskStatus,
  DESIRED_STATES, NETWORK_DRIVERS, NODE_AVAILABILITIES, NODE_ROLES, NODE_STATES, PORT_PROTOCOLS, RESCHEDULE_POLICIES, RESTART_CONDITIONS, STOP_ON_DISCONNECT_MS_MAX, STRATEGIES, TASK_STATES,
  type JoinTokens, type Kind, type Labels, type SpecByKind, type StatusByKind,
} from './types.js';

/** Longest id, name, image or label text. */
export const TEXT_CHARS_MAX = 1024;
/** Most labels on one object. */
export const LABELS_MAX = 256;
/** Most entries in a task's args or env, and longest entry: a task's spec stays well under a command's size. */
export const ENTRIES_MAX = 256;
export const ENTRY_CHARS_MAX = 4096;
/** `shoal stop -t`: a grace period of at most an hour (Docker sets none; a longer one is a mistake). */
export const STOP_GRACE_PERIOD_MS_MAX = 60 * 60 * 1000;
/** Most published ports on one task. */
export const PORTS_MAX = 256;
/** Most constraints or env rules on one task (the scheduler takes 64 in all). */
export const PLACEMENT_RULES_MAX = 64;
/** Most images a node's description lists. */
export const NODE_IMAGES_MAX = 1024;

export type Check<T> = (value: unknown, path: string) => T;

export function badCommand(path: string, what: string): ShoalError {
  return invalidArgument('store.bad_command', `${path}: ${what}`, { fields: { path } });
}

export const text: Check<string> = (v, path) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > TEXT_CHARS_MAX) throw badCommand(path, `must be a string of 1 to ${TEXT_CHARS_MAX} characters`);
  return v;
};

/** `true` only: a flag that is absent when false (so older objects and new ones read alike). */
export const trueFlag: Check<true> = (v, path) => {
  if (v !== true) throw badCommand(path, 'must be true (or absent)');
  return v;
};

export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER): Check<number> {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw badCommand(path, `must be a whole number from ${min} to ${max}`);
    return v;
  };
}

/** Node certificates' validity a cluster may be set to: from 1 hour (as Docker's) to 10 years. */
export const CERT_EXPIRY_MS_RANGE = { min: 60 * 60 * 1000, max: 10 * 365 * 24 * 60 * 60 * 1000 } as const;

/** Longest PEM text (a certificate; a chain of a few). */
export const PEM_CHARS_MAX = 16 * 1024;

export const pem: Check<string> = (v, path) => {
  if (typeof v !== 'string' || !v.startsWith('-----BEGIN ') || v.length > PEM_CHARS_MAX) throw badCommand(path, `must be PEM text of at most ${PEM_CHARS_MAX} characters`);
  return v;
};

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, path) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw badCommand(path, `must be one of ${values.join(', ')}`);
    return v as T;
  };
}

export function plainObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badCommand(path, 'must be an object');
  return v as Record<string, unknown>;
}

const labels: Check<Labels> = (v, path) => {
  const o = plainObject(v, path);
  const keys = Object.keys(o);
  if (keys.length > LABELS_MAX) throw badCommand(path, `at most ${LABELS_MAX} labels`);
  // fromEntries defines own properties, so a "__proto__" key is data, not a prototype.
  return Object.fromEntries(keys.map((k) => [text(k, `${path} key`), text(o[k], `${path}.${k}`)]));
};

/** A string of 0 to `max` characters (an argument may be empty). */
function anyText(max: number): Check<string> {
  return (v, path) => {
    if (typeof v !== 'string' || v.length > max) throw badCommand(path, `must be a string of at most ${max} characters`);
    return v;
  };
}

/** A list of at most `max` items, each checked. */
function list<T>(check: Check<T>, max: number): Check<readonly T[]> {
  return (v, path) => {
    if (!Array.isArray(v) || v.length > max) throw badCommand(path, `must be a list of at most ${max} items`);
    return v.map((item, i) => check(item, `${path}[${i}]`));
  };
}

const entryText = (v: unknown, path: string): string => {
  const s = anyText(ENTRY_CHARS_MAX)(v, path);
  if (s === '') throw badCommand(path, 'must not be empty');
  return s;
};

interface Field<T> {
  readonly check: Check<T>;
  readonly optional: boolean;
}
const req = <T>(check: Check<T>): Field<T> => ({ check, optional: false });
const opt = <T>(check: Check<T>): Field<T | undefined> => ({ check, optional: true });

/** A record of exactly these fields (optional ones may be absent), copied in the listed order. */
function record<T>(fields: { [F in keyof T]-?: Field<T[F]> }): Check<T> {
  const names = Object.keys(fields) as (keyof T & string)[];
  return (v, path) => {
    const o = plainObject(v, path);
    for (const k of Object.keys(o)) if (!(k in fields)) throw badCommand(`${path}.${k}`, 'unknown field');
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const field = fields[name] as Field<unknown>;
      if (o[name] === undefined && field.optional) continue;
      out[name] = field.check(o[name], `${path}.${name}`);
    }
    return out as T;
  };
}

const resources = record<Resources>({ memoryBytes: req(wholeNumber(0)), nanoCpus: req(wholeNumber(0)) });

const restartPolicy: Check<RestartPolicy> = (v, path) => {
  const r = record<RestartPolicy>({ condition: req(oneOf(RESTART_CONDITIONS)), maxRetries: opt(wholeNumber(0, 1_000_000)) })(v, path);
  if (r.maxRetries !== undefined && r.condition !== 'on-failure') throw badCommand(`${path}.maxRetries`, 'only with on-failure');
  return r;
};

const port = wholeNumber(1, 65_535);
const publishedPort = record<PublishedPort>({ hostPort: req(port), containerPort: req(port), protocol: req(oneOf(PORT_PROTOCOLS)) });

const nodeDescription = record<NodeDescription>({
  agentVersion: opt(text), engineLabels: req(labels), capacity: req(resources), images: opt(list(text, NODE_IMAGES_MAX)),
});

export const SPEC_CHECKS: { [K in Kind]: Check<SpecByKind[K]> } = {
  node: record<NodeSpec>({ hostname: req(text), role: req(oneOf(NODE_ROLES)), availability: req(oneOf(NODE_AVAILABILITIES)), labels: req(labels) }),
  task: record<TaskSpec>({
    name: req(text), serviceId: opt(text), nodeId: opt(text), image: req(text),
    desiredState: req(oneOf(DESIRED_STATES)), labels: req(labels),
    args: opt(list(anyText(ENTRY_CHARS_MAX), ENTRIES_MAX)),
    env: opt(list(entryText, ENTRIES_MAX)),
    restart: opt(restartPolicy),
    stopOnDisconnectMs: opt(wholeNumber(1, STOP_ON_DISCONNECT_MS_MAX)),
    stopGracePeriodMs: opt(wholeNumber(0, STOP_GRACE_PERIOD_MS_MAX)),
    ports: opt(list(publishedPort, PORTS_MAX)),
    resources: opt(record<TaskResources>({ limits: req(resources), reservations: req(resources) })),
    reschedule: opt(oneOf(RESCHEDULE_POLICIES)),
    placement: opt(record<TaskPlacement>({ constraints: req(list(text, PLACEMENT_RULES_MAX)), env: req(list(text, PLACEMENT_RULES_MAX)) })),
    replacedBy: opt(text), replaces: opt(text),
  }),
  service: record<ServiceSpec>({ name: req(text), image: req(text), replicas: req(wholeNumber(0, 100_000)), labels: req(labels) }),
  network: record<NetworkSpec>({ name: req(text), driver: req(oneOf(NETWORK_DRIVERS)), subnet: opt(text), labels: req(labels) }),
  cluster: record<ClusterSpec>({ name: req(text), heartbeatPeriodMs: req(wholeNumber(1, 3_600_000)), strategy: opt(oneOf(STRATEGIES)), certExpiryMs: opt(wholeNumber(CERT_EXPIRY_MS_RANGE.min, CERT_EXPIRY_MS_RANGE.max)) }),
};

export const STATUS_CHECKS: { [K in Kind]: Check<StatusByKind[K]> } = {
  node: record<NodeStatus>({ state: req(oneOf(NODE_STATES)), addr: opt(text), message: opt(text), raft: opt(record<{ id: number; addr: string }>({ id: req(wholeNumber(1)), addr: req(text) })), description: opt(nodeDescription), downAtMs: opt(wholeNumber(0)) }),
  task: record<TaskStatus>({ state: req(oneOf(TASK_STATES)), message: opt(text), containerId: opt(text), pendingReason: opt(text), lost: opt(trueFlag) }),
  service: record<ServiceStatus>({ message: opt(text) }),
  network: record<NetworkStatus>({ subnet: opt(text), vni: opt(wholeNumber(1, 0xffffff)) }),
  cluster: record<ClusterStatus>({ message: opt(text), rootCaPem: opt(pem), rootCaKeyPem: opt(pem), joinTokens: opt(record<JoinTokens>({ worker: req(text), manager: req(text) })) }),
};

/** Freezes a checked value all the way down: objects handed out by the store are shared. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const inner of Object.values(v)) deepFreeze(inner);
    Object.freeze(v);
  }
  return v;
}
