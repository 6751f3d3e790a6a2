// Re-attaching to a shim of an earlier agent run, and telling a shim that is gone from one the
// agent merely cannot talk to. The difference decides the fate of running containers: a gone
// shim's containers have nobody holding their output or reaping them, so the agent ends them (as
// containerd does when a shim dies); a shim that is alive but slow, stopped, or briefly refusing
// keeps its containers — the agent never kills a container because it could not get through.
//
// Gone means both: its socket is missing or refuses connections (ENOENT, ECONNREFUSED), and its
// process is not alive (the pid in shim.json, checked to still be that shim and not a zombie).
// Anything else is retried with backoff (SHIM_ATTACH_BACKOFF_DEFAULT), then reported unreachable.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ShoalError, oneLine } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { withRetry, type BackoffPolicy } from '../../shared/retry.js';
import type { Rng } from '../../shared/rng.js';
import { ShimClient } from '../shim/client.js';
import type { ShimHello } from '../shim/protocol.js';

export type ShimReach =
  | { readonly kind: 'attached'; readonly client: ShimClient; readonly hello: ShimHello }
  | { readonly kind: 'gone'; readonly why: string }
  | { readonly kind: 'unreachable'; readonly why: string };

/** Attempts to reach a shim that is not proven gone: 5 in all, about 1.5 s of backoff at most (plus each attempt's timeout). */
export const SHIM_ATTACH_BACKOFF_DEFAULT: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 800, multiplier: 2, attemptsMax: 5 };

/**
 * Reattaching in the background, while the agent runs, to a shim it lost or could not reach at
 * start and that still has containers recorded running: one attempt (connect and hello) per
 * delay, 1 s doubling to at most 30 s, jittered; 240 attempts (about an hour) before the agent
 * stops trying by itself and logs it. A request that needs the shim still tries once, and the
 * next agent start tries again.
 */
export const SHIM_REATTACH_BACKOFF_DEFAULT: BackoffPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, multiplier: 2, attemptsMax: 240 };

export interface AttachOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly policy: BackoffPolicy;
  /** For the connection and for hello, per attempt. */
  readonly requestTimeoutMs: number;
}

/** Connection errors that say nobody serves the socket (but not yet that the shim is dead). */
const NOBODY_LISTENS = new Set(['ENOENT', 'ECONNREFUSED']);

type ProcessState = 'alive' | 'dead' | 'unknown';

/**
 * Whether the shim of `dir` still runs: its pid (from shim.json) names a live, non-zombie process
 * whose command line carries this shim's id (a reused pid does not count). `unknown` when that
 * cannot be told; callers treat it as alive.
 */
export async function shimProcessState(dir: string, shimId: string): Promise<{ state: ProcessState; why: string }> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(join(dir, 'shim.json'), 'utf8')) as { pid?: unknown }).pid as number;
  } catch (e) {
    // shim.json is written before the shim says it is ready: without it no container ever went there.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'dead', why: 'it never finished starting (no shim.json)' };
    return { state: 'unknown', why: `shim.json cannot be read: ${oneLine(e)}` };
  }
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'unknown', why: 'shim.json holds no pid' };
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses, which may itself hold spaces or ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return { state: 'dead', why: `its process ${pid} has exited` };
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const i = cmdline.indexOf('--shim-id');
    if (i < 0 || cmdline[i + 1] !== shimId) return { state: 'dead', why: `its process ${pid} has exited (the pid now belongs to another program)` };
    return { state: 'alive', why: `its process ${pid} is alive` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return { state: 'dead', why: `its process ${pid} has exited` };
    return { state: 'unknown', why: `/proc/${pid} cannot be read: ${oneLine(e)}` };
  }
}

class ShimGone extends Error {}

/** One attempt: attached, or gone (proven), or it throws what went wrong (worth another attempt). */
async function attachOnce(dir: string, shimId: string, o: AttachOptions): Promise<ShimReach> {
  let client: ShimClient;
  try {
    client = await ShimClient.connect(dir, o.clock, o.requestTimeoutMs);
  } catch (e) {
    const errno = e instanceof ShoalError ? e.fields['errno'] : undefined;
    if (typeof errno === 'string' && NOBODY_LISTENS.has(errno)) {
      const p = await shimProcessState(dir, shimId);
      if (p.state === 'dead') throw new ShimGone(`its socket answers ${errno} and ${p.why}`);
      throw new ShoalError('unavailable', 'shim.unreachable', `${oneLine(e)}, but ${p.why}`, { cause: e });
    }
    throw e;
  }
  try {
    const hello = await client.request({ op: 'hello' }, o.requestTimeoutMs);
    return { kind: 'attached', client, hello };
  } catch (e) {
    client.close();
    throw e;
  }
}

/** Attaches to the shim of `dir`, retrying with backoff whatever is not proof that it is gone. */
export async function reachShim(dir: string, shimId: string, o: AttachOptions): Promise<ShimReach> {
  try {
    return await withRetry(() => attachOnce(dir, shimId, o), {
      policy: o.policy,
      clock: o.clock,
      rng: o.rng,
      retryable: (e) => !(e instanceof ShimGone),
      onRetry: (e, retry, delayMs) => o.logger.warn({ shimId, err: oneLine(e), retry, delayMs }, 'cannot reach a shim: retrying'),
    });
  } catch (e) {
    if (e instanceof ShimGone) return { kind: 'gone', why: e.message };
    return { kind: 'unreachable', why: oneLine(e) };
  }
}
