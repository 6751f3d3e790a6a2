// The restart counts of the worker's tasks, kept in a file of the agent's data dir so that an
// agent restart (kill -9 included) does not reset them: without it a task with
// `--restart on-failure:N` would get N more restarts after each agent restart. Written whole
// (write to a new file, then rename) after each restart a container makes, which the backoff
// bounds; read once at start. A record is written only once its restart happened, so an exit the
// worker saw but did not restart yet (the agent died during the backoff) is decided again, not
// counted twice. Entries: at most TASKS_MAX (the tasks held).

import { readFileSync } from 'node:fs';
import { oneLine } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import type { Logger } from '../../shared/logger.js';
import type { RestartRecord } from './restarts.js';

/** The file in the agent's data dir. */
export const RESTART_LEDGER_FILE = 'worker-restarts.json';

export interface RestartLedger {
  /** The records kept by the last save (empty when there are none). */
  load(): ReadonlyMap<string, RestartRecord>;
  /** Keeps these records in place of the earlier ones; failures are logged, never thrown. */
  save(records: ReadonlyMap<string, RestartRecord>): void;
}

/** For tests and a worker without a data dir: nothing survives the process. */
export function memoryRestartLedger(): RestartLedger & { readonly saved: ReadonlyMap<string, RestartRecord> } {
  let saved = new Map<string, RestartRecord>();
  return {
    get saved() {
      return saved;
    },
    load: () => new Map(saved),
    save: (records) => {
      saved = new Map(records);
    },
  };
}

/**
 * Records in `path` (JSON). One write at a time; a save during a write is done after it, newest
 * only. `flushed()` resolves once nothing waits to be written (tests, and a clean stop).
 */
export function fileRestartLedger(path: string, logger: Logger, entriesMax: number): RestartLedger & { flushed(): Promise<void> } {
  let writing = false;
  let next: string | undefined;
  const idle: (() => void)[] = [];
  const write = (): void => {
    if (!writing && next === undefined) for (const f of idle.splice(0)) f();
    if (writing || next === undefined) return;
    const text = next;
    next = undefined;
    writing = true;
    writeFileAtomic(path, text)
      .catch((err: unknown) => logger.warn({ path, err: oneLine(err) }, 'worker: restart counts not kept (an agent restart would start them over)'))
      .finally(() => {
        writing = false;
        write();
      });
  };
  return {
    load: () => readRecords(path, logger, entriesMax),
    save: (records) => {
      next = JSON.stringify(Object.fromEntries(records));
      write();
    },
    flushed: () => (writing || next !== undefined ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve()),
  };
}

function readRecords(path: string, logger: Logger, entriesMax: number): Map<string, RestartRecord> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ path, err: oneLine(err) }, 'worker: restart counts not read: they start over');
    return new Map();
  }
  const out = new Map<string, RestartRecord>();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    for (const [taskId, r] of Object.entries(parsed)) {
      if (out.size >= entriesMax) break;
      const { restarts, backoffMs } = (r ?? {}) as { restarts?: unknown; backoffMs?: unknown };
      if (Number.isSafeInteger(restarts) && Number.isSafeInteger(backoffMs) && (restarts as number) >= 0 && (backoffMs as number) >= 0) {
        out.set(taskId, { restarts: restarts as number, backoffMs: backoffMs as number });
      }
    }
  } catch (err) {
    logger.warn({ path, err: oneLine(err) }, 'worker: restart counts unreadable: they start over');
  }
  return out;
}
