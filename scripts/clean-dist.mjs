// Empties dist/ before a build, so that files compiled from sources since deleted or renamed do
// not linger there (tsc only writes, it never removes).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
