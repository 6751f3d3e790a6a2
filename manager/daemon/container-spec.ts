// `shoal run`'s request (proto RunContainerRequest) into a task's spec, checked in full before
// anything is written: the image reference, the name, the environment (Swarm classic's
// `constraint:`, `affinity:` and `reschedule:` entries taken out of it), labels, the reschedule
// policy in both of Swarm 1.2's forms, placement (parsed as the scheduler will parse it), the
// restart policy, --stop-on-disconnect, published ports and resources. Every refusal is one line naming what is wrong
// (`manager.bad_container`, or the parser's own code). Pure: no store, no clock.
//
// Resources that no node could give (more memory than any has) are accepted: the task stays
// pending with the scheduler's reason, as in Swarm. Negative or malformed ones are refused.

import type { PortMapping__Output } from '../../proto/gen/shoal/types/v1/PortMapping.js';
import type { Resources__Output } from '../../proto/gen/shoal/types/v1/Resources.js';
import type { RunContainerRequest__Output } from '../../proto/gen/shoal/control/v1/RunContainerRequest.js';
import { invalidArgument, type ShoalError } from '../../shared/errors.js';
import { parseImageReference } from '../../shared/image-reference.js';
import { parsePlacement } from '../scheduler/expression.js';
import { STOP_ON_DISCONNECT_MS_MAX, type Labels, type PortProtocol, type PublishedPort, type ReschedulePolicy, type RestartPolicy, type TaskResources, type TaskSpec } from '../store/types.js';
import { SPEC_CHECKS } from '../store/validate.js';

/** The label of Swarm 1.2's reschedule policies: a JSON array, `["on-node-failure"]`. */
export const RESCHEDULE_LABEL = 'com.docker.swarm.reschedule-policies';
/** Swarm 1.2's policies: `off` is the default (the container is orphaned when its node dies). */
const RESCHEDULE_WORDS = ['on-node-failure', 'off'] as const;

/** Docker's container names: a letter or digit, then letters, digits, `_`, `.` or `-`. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const NAME_CHARS_MAX = 128;
/** Docker's smallest memory limit. */
export const MEMORY_LIMIT_MIN_BYTES = 6 * 1024 * 1024;
/** Largest task spec, as JSON: a batch of the scheduler's writes stays well under a command's 4 MiB. */
export const TASK_SPEC_BYTES_MAX = 64 * 1024;

const ENV_KEY = /^[^=\0]+$/;

function bad(what: string, why: string): ShoalError {
  return invalidArgument('manager.bad_container', `${what}: ${why}`, { fields: { field: what } });
}

/** A name the user gave; one line when Docker would not take it. */
export function checkTaskName(name: string): string {
  if (name.length > NAME_CHARS_MAX || !NAME.test(name)) {
    throw bad(`name ${JSON.stringify(name)}`, `must be a letter or digit, then letters, digits, _ . or - (at most ${NAME_CHARS_MAX} characters)`);
  }
  return name;
}

/** `no`, `on-failure`, `on-failure:N`, `always` (empty: no). */
export function parseRestart(raw: string): RestartPolicy {
  const text = raw.trim();
  if (text === '' || text === 'no') return { condition: 'no' };
  if (text === 'always') return { condition: 'always' };
  const m = /^on-failure(?::(\d+))?$/.exec(text);
  if (m !== null) {
    if (m[1] === undefined) return { condition: 'on-failure' };
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n > 1_000_000) throw bad(`restart ${JSON.stringify(raw)}`, 'the most restarts is 1000000');
    return { condition: 'on-failure', maxRetries: n };
  }
  if (/^(no|always):/.test(text)) throw bad(`restart ${JSON.stringify(raw)}`, 'a most-restarts count goes only with on-failure (on-failure:N)');
  throw bad(`restart ${JSON.stringify(raw)}`, 'must be no, on-failure[:N] or always');
}

/**
 * The shortest `--stop-on-disconnect`: the agent measures from its last answered heartbeat (one a
 * second by default) and sends the stop signal up to a quarter of D earlier, so a short D would
 * stop containers of healthy nodes between two heartbeats; and the managers cannot act before 3
 * missed periods anyway. 5 s is 5 periods of the default.
 */
export const STOP_ON_DISCONNECT_MS_MIN = 5_000;

/** `--stop-on-disconnect` in ms (0: not asked); one line when it is out of range. */
export function checkStopOnDisconnect(ms: number): number | undefined {
  if (ms === 0) return undefined;
  if (!Number.isSafeInteger(ms) || ms < STOP_ON_DISCONNECT_MS_MIN || ms > STOP_ON_DISCONNECT_MS_MAX) {
    throw bad(`stop-on-disconnect ${ms} ms`, `must be from ${STOP_ON_DISCONNECT_MS_MIN / 1_000} s to ${STOP_ON_DISCONNECT_MS_MAX / 3_600_000} h`);
  }
  return ms;
}

/** The environment split: Swarm classic's rule entries, its reschedule entries, and the container's own. */
interface SplitEnv {
  readonly container: string[];
  readonly rules: string[];
  readonly reschedule: string[];
}

function splitEnv(env: readonly string[]): SplitEnv {
  const out: SplitEnv = { container: [], rules: [], reschedule: [] };
  for (const entry of env) {
    if (entry.startsWith('constraint:') || entry.startsWith('affinity:')) out.rules.push(entry);
    else if (entry.startsWith('reschedule:')) out.reschedule.push(entry.slice('reschedule:'.length).trim());
    else {
      const at = entry.indexOf('=');
      if (at <= 0 || !ENV_KEY.test(entry.slice(0, at))) throw bad(`env ${JSON.stringify(entry)}`, 'must be KEY=VALUE');
      out.container.push(entry);
    }
  }
  return out;
}

/**
 * Swarm 1.2's two forms, `-e reschedule:POLICY` and the label `com.docker.swarm.reschedule-policies`
 * (a JSON array): on-node-failure, or off (the default). An unknown policy, or two that
 * contradict each other, is refused.
 */
export function parseReschedule(fromEnv: readonly string[], labels: Labels): ReschedulePolicy | undefined {
  const policies = [...fromEnv];
  const raw = Object.hasOwn(labels, RESCHEDULE_LABEL) ? labels[RESCHEDULE_LABEL] : undefined;
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw bad(`label ${RESCHEDULE_LABEL}`, 'must be a JSON array of strings, like ["on-node-failure"]');
    policies.push(...(parsed as string[]));
  }
  for (const p of policies) {
    if (!(RESCHEDULE_WORDS as readonly string[]).includes(p)) throw bad(`reschedule policy ${JSON.stringify(p)}`, `unknown (${RESCHEDULE_WORDS.join(' or ')})`);
  }
  const distinct = [...new Set(policies)];
  if (distinct.length > 1) throw bad('reschedule policies', `${distinct.map((p) => JSON.stringify(p)).join(' and ')} contradict each other: give one`);
  return distinct[0] === 'on-node-failure' ? 'on-node-failure' : undefined;
}

function checkLabels(labels: Labels): Labels {
  for (const [k, v] of Object.entries(labels)) {
    if (k === '') throw bad('label', 'an empty key');
    if (v === '') throw bad(`label ${JSON.stringify(k)}`, 'needs a value (KEY=VALUE)');
  }
  return labels;
}

const PROTOCOLS: Readonly<Record<string, PortProtocol>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

function checkPorts(mappings: readonly PortMapping__Output[]): PublishedPort[] {
  const seen = new Set<string>();
  return mappings.map((m) => {
    const protocol = PROTOCOLS[m.protocol] ?? 'tcp';
    const text = `${m.hostPort}:${m.containerPort}/${protocol}`;
    if (m.hostPort < 1 || m.hostPort > 65_535) throw bad(`port ${text}`, 'the host port must be from 1 to 65535 (a port the cluster picks comes later)');
    if (m.containerPort < 1 || m.containerPort > 65_535) throw bad(`port ${text}`, 'the container port must be from 1 to 65535');
    const key = `${m.hostPort}/${protocol}`;
    if (seen.has(key)) throw bad(`port ${text}`, `host port ${key} is published twice`);
    seen.add(key);
    return { hostPort: m.hostPort, containerPort: m.containerPort, protocol };
  });
}

function amount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(what, `${value} is not a whole number ≥ 0`);
  return value;
}

/**
 * Limits and reservations: `memory_bytes` and `nano_cpus` are limits, reserved on the node too (as
 * Swarm classic counted `-m` and the CPU flags) unless `memory_reservation_bytes` names a smaller
 * reservation. Undefined when nothing is asked.
 */
function resourcesOf(r: Resources__Output | null): TaskResources | undefined {
  if (r === null) return undefined;
  if (r.cpuShares !== 0 || r.cpusetCpus !== '' || r.pidsLimit !== 0) throw bad('resources', 'CPU shares, cpusets and pid limits are not supported yet (--memory, --memory-reservation, --cpus are)');
  const memoryLimit = amount(r.memoryBytes, 'memory');
  const memoryReservation = amount(r.memoryReservationBytes, 'memory reservation');
  const nanoCpus = amount(r.nanoCpus, 'cpus');
  if (memoryLimit > 0 && memoryLimit < MEMORY_LIMIT_MIN_BYTES) throw bad('memory', `${memoryLimit} bytes: the smallest memory limit is 6 MiB`);
  if (memoryLimit > 0 && memoryReservation > memoryLimit) throw bad('memory reservation', `${memoryReservation} bytes is more than the memory limit (${memoryLimit} bytes)`);
  if (memoryLimit === 0 && memoryReservation === 0 && nanoCpus === 0) return undefined;
  return {
    limits: { memoryBytes: memoryLimit, nanoCpus },
    reservations: { memoryBytes: memoryReservation > 0 ? memoryReservation : memoryLimit, nanoCpus },
  };
}

/** ContainerSpec fields `shoal run` does not carry yet: refused rather than dropped. */
function refuseUnsupported(spec: NonNullable<RunContainerRequest__Output['spec']>): void {
  const unsupported: [boolean, string][] = [
    [spec.command.length > 0, 'an entrypoint'],
    [spec.workingDir !== '', 'a working dir'],
    [spec.user !== '', 'a user'],
    [spec.hostname !== '', 'a hostname'],
    [spec.readOnlyRootfs, 'a read-only root'],
    [spec.mounts.length > 0, 'mounts'],
    [spec.networks.length > 0, 'networks'],
    [Number(spec.stopGracePeriodMs) !== 0, 'a stop grace period'],
    [spec.stopSignal !== '', 'a stop signal'],
  ];
  const asked = unsupported.filter(([set]) => set).map(([, what]) => what);
  if (asked.length > 0) throw bad('container', `${asked.join(', ')}: not supported by the cluster yet`);
}

/**
 * The task spec of a `shoal run` request, with `name` (given or made up), desired state running
 * and no node. Throws a ShoalError with one line when anything is wrong; nothing is written then.
 */
export function taskSpecOf(req: RunContainerRequest__Output, name: string): TaskSpec {
  const spec = req.spec;
  if (spec === null || spec.image.trim() === '') throw bad('image', 'needed');
  refuseUnsupported(spec);
  const image = spec.image.trim();
  parseImageReference(image);
  checkTaskName(name);
  const labels = checkLabels({ ...spec.labels });
  const env = splitEnv(spec.env);
  const reschedule = parseReschedule(env.reschedule, labels);
  const constraints = req.constraints.map((c) => c.trim());
  parsePlacement({ constraints, env: env.rules, labels });
  const restart = parseRestart(req.restart);
  const stopOnDisconnectMs = checkStopOnDisconnect(Number(req.stopOnDisconnectMs));
  const ports = checkPorts(spec.ports);
  const resources = resourcesOf(spec.resources);
  const task: TaskSpec = {
    name,
    image,
    desiredState: 'running',
    labels,
    ...(spec.args.length > 0 ? { args: [...spec.args] } : {}),
    ...(env.container.length > 0 ? { env: env.container } : {}),
    ...(restart.condition !== 'no' ? { restart } : {}),
    ...(stopOnDisconnectMs !== undefined ? { stopOnDisconnectMs } : {}),
    ...(ports.length > 0 ? { ports } : {}),
    ...(resources !== undefined ? { resources } : {}),
    ...(reschedule !== undefined ? { reschedule } : {}),
    ...(constraints.length > 0 || env.rules.length > 0 ? { placement: { constraints, env: env.rules } } : {}),
  };
  // The store's own checks (its limits on entries, lengths), in the store's words.
  SPEC_CHECKS.task(task, 'container');
  const bytes = Buffer.byteLength(JSON.stringify(task));
  if (bytes > TASK_SPEC_BYTES_MAX) throw bad('container', `its spec is ${bytes} bytes, more than ${TASK_SPEC_BYTES_MAX}`);
  return task;
}
