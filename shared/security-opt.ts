// Docker's `--security-opt` as the CLI reads it. Only seccomp for now:
//   seccomp=unconfined      no seccomp filter
//   seccomp=PROFILE.json    a profile file, read here and sent whole (as Docker's client does);
//                           the agent checks its content and names the file when it refuses it.
// Without the option, the agent applies Shoal's default profile.

import { readFile, stat } from 'node:fs/promises';
import type { SecurityOptions } from '../proto/gen/shoal/runtime/v1/SecurityOptions.js';
import type { Parser } from './config.js';
import { invalidArgument } from './errors.js';

/** A seccomp profile may be at most this large (Docker's default profile is about 20 KiB). */
export const SECCOMP_PROFILE_BYTES_MAX = 1024 * 1024;

export type SecurityOpt = { readonly seccomp: 'unconfined' } | { readonly seccomp: 'profile'; readonly path: string };

export const securityOpt: Parser<SecurityOpt> = (raw, what) => {
  const m = /^seccomp=(.+)$/.exec(raw);
  if (m === null) throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not supported (Shoal knows seccomp=unconfined and seccomp=PROFILE.json)`);
  const value = m[1] as string;
  return value === 'unconfined' ? { seccomp: 'unconfined' } : { seccomp: 'profile', path: value };
};

/** The options given, with a profile's file read; one line naming the option when that fails. */
export async function securityOptions(opts: readonly SecurityOpt[], what = '--security-opt'): Promise<SecurityOptions | undefined> {
  if (opts.length > 1) throw invalidArgument('config.invalid', `${what}: seccomp given ${opts.length} times; give it once`);
  const o = opts[0];
  if (o === undefined) return undefined;
  if (o.seccomp === 'unconfined') return { seccomp: 'unconfined' };
  const name = `${what} seccomp=${o.path}`;
  const cannot = (e: unknown): never => {
    throw invalidArgument('config.invalid', `${name}: cannot read the file (${(e as Error).message})`);
  };
  const size = (await stat(o.path).catch(cannot)).size;
  if (size > SECCOMP_PROFILE_BYTES_MAX) throw invalidArgument('config.invalid', `${name}: the file is ${size} bytes, more than the ${SECCOMP_PROFILE_BYTES_MAX} a profile may have`);
  const text = await readFile(o.path, 'utf8').catch(cannot);
  return { seccomp: 'profile', seccompProfileJson: text, seccompProfileSource: o.path };
}
