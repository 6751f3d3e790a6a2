// The contract between the `shoal` program (cli/) and the command areas that manager/ and
// agent/ contribute for their daemons (`shoal manager`, `shoal agent`, `shoal raft-kv`). The
// composition root, bin/shoal.js, hands their registrars to cli/main, so that neither the CLI
// imports the manager or agent, nor they the CLI.

import type { Command } from 'commander';
import type { Logger } from './logger.js';

export type OutputFormat = 'table' | 'json';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean;
}

export interface Output {
  readonly format: OutputFormat;
  /** A list: a table of `columns`, or the rows themselves as a JSON array. */
  list<T>(rows: readonly T[], columns: readonly Column<T>[], json?: (row: T) => unknown): void;
  /** One object: `key  value` lines, or JSON. */
  object(value: Record<string, unknown>): void;
  /** A progress or status line for people; silent in JSON mode. */
  note(line: string): void;
}

/** What a command's action gets from the program. */
export interface AreaContext {
  output(): Output;
  /** A logger at the program's --log-level, bound to `component`. */
  logger(component: string): Logger;
  /** The process's exit code once the action returns; 0 unless the action sets it. */
  exitCode: number;
}

export type AreaRegistrar = (program: Command, ctx: AreaContext) => void;
