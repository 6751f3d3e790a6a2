import type { AreaContext } from '../shared/cli-area.js';
import { failedPrecondition } from '../shared/errors.js';

/** What a command's action gets from the program: output (per --format), a logger, its exit code. */
export type CliContext = AreaContext;

export function requireRoot(area: string, why: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw failedPrecondition('cli.not_root', `shoal ${area}: must run as root (${why})`);
  }
}
