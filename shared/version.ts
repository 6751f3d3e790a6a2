import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shoal's version, from the package.json at the root (found from source or from dist/). */
export function shoalVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'shoal' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here; look one folder up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
