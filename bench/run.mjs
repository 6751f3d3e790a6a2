#!/usr/bin/env node
// `npm run bench -- NAME`: builds Shoal, then runs dist/bench/NAME.js (from bench/NAME.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (name === undefined || !available.includes(name)) {
  const list = available.length > 0 ? available.join(', ') : 'none yet';
  console.error(`bench: ${name === undefined ? 'name a benchmark' : `no benchmark named ${JSON.stringify(name)}`} (available: ${list})`);
  process.exit(2);
}
execFileSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' });
const entry = join(root, 'dist', 'bench', `${name}.js`);
if (!existsSync(entry)) throw new Error(`bench: ${entry} was not built`);
await import(entry);
