// A name for a task run without `--name`, Docker's way: adjective_noun (here a fish, Shoal's),
// drawn until one is free; after `NAME_DRAWS_MAX` taken draws, a digit is added as Docker does,
// and `task-<id prefix>` is the last resort (unique: ids are).

import type { Rng } from '../../shared/rng.js';

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'calm', 'clever', 'cool', 'curious', 'daring', 'eager',
  'fast', 'fierce', 'gentle', 'glad', 'happy', 'jolly', 'keen', 'kind', 'lively', 'lucky',
  'merry', 'mighty', 'nimble', 'noble', 'patient', 'plucky', 'proud', 'quick', 'quiet', 'sharp',
  'shiny', 'silent', 'sleek', 'smart', 'steady', 'swift', 'tidy', 'vivid', 'wise', 'zesty',
] as const;

const FISH = [
  'anchovy', 'barracuda', 'bass', 'bream', 'carp', 'catfish', 'cod', 'dory', 'eel', 'flounder',
  'goby', 'grouper', 'guppy', 'haddock', 'hake', 'halibut', 'herring', 'koi', 'mackerel', 'marlin',
  'minnow', 'mullet', 'perch', 'pike', 'pollock', 'puffer', 'ray', 'salmon', 'sardine', 'shad',
  'smelt', 'snapper', 'sole', 'sprat', 'sturgeon', 'tetra', 'trout', 'tuna', 'turbot', 'wrasse',
] as const;

/** Draws of a plain adjective_noun before a digit is added; draws with a digit before the fallback. */
export const NAME_DRAWS_MAX = 8;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;

/** A free name: `taken(name)` says whether a live task holds it. */
export function generateTaskName(rng: Rng, taskId: string, taken: (name: string) => boolean): string {
  for (let i = 0; i < 2 * NAME_DRAWS_MAX; i++) {
    const base = `${pick(rng, ADJECTIVES)}_${pick(rng, FISH)}`;
    const name = i < NAME_DRAWS_MAX ? base : `${base}${rng.int(10)}`;
    if (!taken(name)) return name;
  }
  return `task-${taskId.slice(0, 12)}`;
}
