// Teardown that does all of its work: every step runs even after one fails, and the failures
// come back together at the end. Stopping at the first failure would leave the rest behind —
// mounts, namespaces, processes — and hide that it did.

import { oneLine } from './errors.js';

/** A step of a teardown; may return a promise. */
export type CleanupStep = () => unknown;

/**
 * Runs every step in order, whatever fails. Throws one AggregateError when any failed, its
 * message naming `what` and every failure; its `errors` hold them all.
 */
export async function runAllCleanups(what: string, steps: readonly CleanupStep[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${what}: ${errors.length} of ${steps.length} cleanup steps failed: ${errors.map((e) => oneLine(e)).join('; ')}`);
}
