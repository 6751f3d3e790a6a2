import { failedPrecondition } from '../shared/errors.js';
import type { Output } from './output.js';

/** What a command's action gets from the program: its output (per --format) and its exit code. */
export interface CliContext {
  output(): Output;
  /** The process's exit code once the action returns; 0 unless the action sets it. */
  exitCode: number;
}

export function requireRoot(area: string, why: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw failedPrecondition('cli.not_root', `shoal ${area}: must run as root (${why})`);
  }
}
