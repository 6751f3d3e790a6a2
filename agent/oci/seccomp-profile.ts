// A user's seccomp profile file (`--security-opt seccomp=FILE.json`), read into a template, pure.
// Both formats are accepted: Docker's (archMap, `name`, includes/excludes, comments) and the
// OCI runtime spec's `linux.seccomp` object, which is a subset of it. Anything that runc would
// refuse later, or that Shoal cannot honour, is refused here with one line naming the file, the
// place in it and what is wrong, before anything of the container exists.

import { invalidArgument } from '../../shared/errors.js';
import {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  SECCOMP_PROFILE_BYTES_MAX,
  SECCOMP_PROFILE_NAMES_MAX,
  type SeccompArg,
  type SeccompCondition,
  type SeccompRule,
  type SeccompTemplate,
} from './seccomp.js';

type Json = Record<string, unknown>;

/** Syscall arguments are numbered from 0 to 5. */
const ARG_INDEX_MAX = 5;
const UINT32_MAX = 0xffff_ffff;

class ProfileError extends Error {}

function fail(where: string, why: string): never {
  throw new ProfileError(where === '' ? why : `${where}: ${why}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, where: string, known: readonly string[]): Json {
  if (!isObject(v)) fail(where, 'must be an object');
  const unknown = Object.keys(v).find((k) => !known.includes(k));
  if (unknown !== undefined) fail(where, `unknown field ${JSON.stringify(unknown)} (known: ${known.join(', ')})`);
  return v;
}

/** An optional array: missing and null are an empty one, as Go's decoder reads them. */
function arrayAt(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be an array');
  return v;
}

function oneOf<T extends string>(v: unknown, where: string, choices: readonly T[]): T {
  if (v === 'SCMP_ACT_NOTIFY') fail(where, 'SCMP_ACT_NOTIFY needs a listener process, which Shoal does not run');
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) fail(where, `${JSON.stringify(v)} is not one of ${choices.join(', ')}`);
  return v as T;
}

function integerAt(v: unknown, where: string, max: number): number {
  // JSON numbers above 2^53 lose their exact value in JavaScript: refused rather than rounded.
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) fail(where, `${JSON.stringify(v)} is not an integer from 0 to ${max}`);
  return v;
}

function stringsAt(v: unknown, where: string, pattern: RegExp, what: string): string[] {
  return arrayAt(v, where).map((s, i) => {
    if (typeof s !== 'string' || !pattern.test(s)) fail(`${where}[${i}]`, `${JSON.stringify(s)} is not ${what}`);
    return s;
  });
}

const SYSCALL_NAME = /^[a-z_][a-z0-9_]*$/;

function condition(v: unknown, where: string): SeccompCondition | undefined {
  if (v === undefined || v === null) return undefined;
  const o = objectAt(v, where, ['caps', 'arches', 'minKernel']);
  const minKernel = o['minKernel'];
  if (minKernel !== undefined && minKernel !== null && minKernel !== '' && (typeof minKernel !== 'string' || !/^\d+\.\d+$/.test(minKernel))) {
    fail(`${where}.minKernel`, `${JSON.stringify(minKernel)} is not a kernel version like "4.8"`);
  }
  return {
    caps: stringsAt(o['caps'], `${where}.caps`, /^CAP_[A-Z_]+$/, 'a capability like CAP_SYS_ADMIN'),
    arches: stringsAt(o['arches'], `${where}.arches`, /^[a-z0-9]+$/, 'an architecture like amd64'),
    ...(typeof minKernel === 'string' && minKernel !== '' ? { minKernel } : {}),
  };
}

function arg(v: unknown, where: string): SeccompArg {
  const o = objectAt(v, where, ['index', 'value', 'valueTwo', 'op']);
  const index = integerAt(o['index'], `${where}.index`, ARG_INDEX_MAX);
  const value = integerAt(o['value'], `${where}.value`, Number.MAX_SAFE_INTEGER);
  const valueTwo = o['valueTwo'] === undefined ? undefined : integerAt(o['valueTwo'], `${where}.valueTwo`, Number.MAX_SAFE_INTEGER);
  const op = oneOf(o['op'], `${where}.op`, SECCOMP_OPERATORS);
  return { index, value, ...(valueTwo !== undefined ? { valueTwo } : {}), op };
}

function rule(v: unknown, where: string): SeccompRule {
  const o = objectAt(v, where, ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes']);
  const names = stringsAt(o['names'], `${where}.names`, SYSCALL_NAME, 'a syscall name');
  if (typeof o['name'] === 'string' && o['name'] !== '') {
    if (names.length > 0) fail(where, 'give "name" or "names", not both');
    names.push(...stringsAt([o['name']], `${where}.name`, SYSCALL_NAME, 'a syscall name'));
  }
  if (names.length === 0) fail(where, 'names no syscall');
  const action = oneOf(o['action'], `${where}.action`, SECCOMP_ACTIONS);
  const errnoRet = o['errnoRet'] === undefined || o['errnoRet'] === null ? undefined : integerAt(o['errnoRet'], `${where}.errnoRet`, UINT32_MAX);
  if (errnoRet !== undefined && action !== 'SCMP_ACT_ERRNO' && action !== 'SCMP_ACT_TRACE') fail(`${where}.errnoRet`, `only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value, not ${action}`);
  const args = arrayAt(o['args'], `${where}.args`).map((a, i) => arg(a, `${where}.args[${i}]`));
  const includes = condition(o['includes'], `${where}.includes`);
  const excludes = condition(o['excludes'], `${where}.excludes`);
  return { names, action, ...(errnoRet !== undefined ? { errnoRet } : {}), ...(args.length > 0 ? { args } : {}), ...(includes ? { includes } : {}), ...(excludes ? { excludes } : {}) };
}

function archMap(v: unknown): NonNullable<SeccompTemplate['archMap']> {
  return arrayAt(v, 'archMap').map((e, i) => {
    const o = objectAt(e, `archMap[${i}]`, ['architecture', 'subArchitectures']);
    return {
      architecture: oneOf(o['architecture'], `archMap[${i}].architecture`, SECCOMP_ARCHES),
      subArchitectures: arrayAt(o['subArchitectures'], `archMap[${i}].subArchitectures`).map((s, j) => oneOf(s, `archMap[${i}].subArchitectures[${j}]`, SECCOMP_ARCHES)),
    };
  });
}

function template(v: unknown): SeccompTemplate {
  const o = objectAt(v, '', ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'flags', 'syscalls', 'listenerPath', 'listenerMetadata']);
  if (o['defaultAction'] === undefined) fail('defaultAction', 'missing');
  for (const k of ['listenerPath', 'listenerMetadata']) {
    if (o[k] !== undefined && o[k] !== '') fail(k, 'seccomp listeners (SCMP_ACT_NOTIFY) are not supported by Shoal');
  }
  const hasArches = o['architectures'] !== undefined && o['architectures'] !== null;
  const hasMap = o['archMap'] !== undefined && o['archMap'] !== null;
  if (hasArches && hasMap) fail('', 'give "architectures" or "archMap", not both');
  const syscalls = arrayAt(o['syscalls'], 'syscalls').map((r, i) => rule(r, `syscalls[${i}]`));
  const names = syscalls.reduce((n, r) => n + r.names.length, 0);
  if (names > SECCOMP_PROFILE_NAMES_MAX) fail('syscalls', `name ${names} syscalls in all, more than the ${SECCOMP_PROFILE_NAMES_MAX} a profile may`);
  const errno = o['defaultErrnoRet'];
  return {
    defaultAction: oneOf(o['defaultAction'], 'defaultAction', SECCOMP_ACTIONS),
    ...(errno !== undefined && errno !== null ? { defaultErrnoRet: integerAt(errno, 'defaultErrnoRet', UINT32_MAX) } : {}),
    ...(hasArches ? { architectures: arrayAt(o['architectures'], 'architectures').map((a, i) => oneOf(a, `architectures[${i}]`, SECCOMP_ARCHES)) } : {}),
    ...(hasMap ? { archMap: archMap(o['archMap']) } : {}),
    ...(o['flags'] !== undefined && o['flags'] !== null ? { flags: arrayAt(o['flags'], 'flags').map((f, i) => oneOf(f, `flags[${i}]`, SECCOMP_FLAGS)) } : {}),
    syscalls,
  };
}

/**
 * A profile's text, `source` naming where it came from (the file the client read) for messages.
 * Throws invalid_argument `seccomp.bad_profile`: "seccomp profile FILE: syscalls[2].action: ...".
 */
export function parseSeccompProfile(text: string, source: string): SeccompTemplate {
  const where = `seccomp profile ${source}`;
  const bytes = Buffer.byteLength(text);
  const refuse = (why: string): never => {
    throw invalidArgument('seccomp.bad_profile', `${where}: ${why}`, { fields: { source } });
  };
  if (bytes > SECCOMP_PROFILE_BYTES_MAX) refuse(`${bytes} bytes, more than the ${SECCOMP_PROFILE_BYTES_MAX} a profile may have`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return refuse(`not JSON: ${(e as Error).message}`);
  }
  try {
    return template(json);
  } catch (e) {
    if (e instanceof ProfileError) return refuse(e.message);
    throw e;
  }
}
